#!/usr/bin/env bash
# Generates three clients from the committed openapi/openapi.json and runs the officer's flow with
# each against a live server (units, partner, assessment drafted by one coordinator and published by
# another, agreement, refused activation, exception, decision, activation, eligibility today and on a
# past date, report):
#   1. Python: openapi-python-client, the scenario checked with `mypy --strict`;
#   2. TypeScript: openapi-typescript types + openapi-fetch, checked with `tsc --strict`;
#   3. TypeScript: @hey-api/openapi-ts (types, SDK and fetch client), checked with `tsc --strict`.
# A generator that prints a warning fails the step: a client must read the document as it is.
#
#   ci/clients/run.sh SERVER_URL
#
# The server must verify HS256 tokens signed with SAMVERKAN_JWT_SECRET (set in the environment);
# tokens are minted with `$SAMVERKAN_BIN token` (default target/debug/samverkan). Python tools go
# into a virtual environment kept between runs ($CLIENTS_VENV, default
# ~/.cache/samverkan-ci/venv-clients); npm packages come from each folder's package-lock.json.
# ci/clients/with_server.sh starts a suitable server on a fresh SQLite file.
set -euo pipefail
if [[ $# -ne 1 ]]; then
    echo "usage: $0 SERVER_URL" >&2
    exit 2
fi
server=${1%/}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${SAMVERKAN_BIN:-$root/target/debug/samverkan}
: "${SAMVERKAN_JWT_SECRET:?set SAMVERKAN_JWT_SECRET to the HS256 secret of the server}"
venv=${CLIENTS_VENV:-$HOME/.cache/samverkan-ci/venv-clients}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mint() { "$bin" token "$@" --ttl 900; }
TOKEN_ADMIN=$(mint --role admin --sub client-admin)
TOKEN_CORA=$(mint --role coordinator --sub client-cora)
TOKEN_PER=$(mint --role coordinator --sub client-per)
TOKEN_OFFICER=$(mint --role officer --unit KFN --sub client-officer)
TOKEN_SECRETARY=$(mint --role board_secretary --sub client-secretary)
export TOKEN_ADMIN TOKEN_CORA TOKEN_PER TOKEN_OFFICER TOKEN_SECRETARY

# no_warnings LOG: fails when a generator's output mentions a warning.
no_warnings() {
    if grep -qiE 'warn|deprecat|skipping|will not be generated' "$1"; then
        echo "the generator warned:" >&2
        cat "$1" >&2
        return 1
    fi
}

echo "== 1. Python: openapi-python-client, mypy --strict"
if [[ ! -x $venv/bin/openapi-python-client || ! -x $venv/bin/mypy ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q 'openapi-python-client>=0.29,<0.30' 'mypy>=1.18,<2'
fi
"$venv/bin/openapi-python-client" --version
"$venv/bin/openapi-python-client" generate --path "$root/openapi/openapi.json" \
    --output-path "$work/py/samverkan_client" --meta none --config "$here/python/config.yaml" \
    >"$work/generate-py.log" 2>&1 || { cat "$work/generate-py.log"; exit 1; }
no_warnings "$work/generate-py.log"
# The scenario is checked strictly against the generated types; the generated package itself is
# read but not judged (--follow-imports=silent): two of its own constructs do not pass --strict
# (a model with a property of its own name, Decision.decision; the text/csv body read as a file).
MYPYPATH=$work/py "$venv/bin/mypy" --strict --follow-imports=silent --no-incremental \
    --cache-dir=/dev/null "$here/python/scenario.py"
PYTHONPATH=$work/py "$venv/bin/python" "$here/python/scenario.py" "$server"

echo "== 2. TypeScript: openapi-typescript + openapi-fetch, tsc --strict"
cd "$here/ts"
npm ci --no-audit --no-fund --loglevel=error
rm -rf generated dist
npx --no-install openapi-typescript "$root/openapi/openapi.json" -o generated/schema.d.ts \
    >"$work/generate-ts.log" 2>&1 || { cat "$work/generate-ts.log"; exit 1; }
no_warnings "$work/generate-ts.log"
npx --no-install tsc --version
npx --no-install tsc --strict
node dist/scenario.js "$server"

echo "== 3. TypeScript: @hey-api/openapi-ts, tsc --strict"
cd "$here/hey"
npm ci --no-audit --no-fund --loglevel=error
rm -rf generated dist
npx --no-install openapi-ts -f openapi-ts.config.mjs >"$work/generate-hey.log" 2>&1 ||
    { cat "$work/generate-hey.log"; exit 1; }
no_warnings "$work/generate-hey.log"
npx --no-install tsc --strict
node dist/scenario.js "$server"
echo "all three generated clients passed the officer's flow"
