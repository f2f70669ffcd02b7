"""Schemathesis hooks for CI (ci/schemathesis.sh loads them through SCHEMATHESIS_HOOKS).

`POST /api/v1/imports/agreements` takes an Excel workbook as its body (`type: string`,
`format: binary`); schemathesis has no serializer of its own for that media type, so the generated
bytes are sent as they are, as for `application/octet-stream`.
"""

import schemathesis

schemathesis.serializer.alias(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
)
