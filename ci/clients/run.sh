#!/usr/bin/env bash
# Generates a Python client (openapi-python-client) and a TypeScript client (openapi-typescript
# types + openapi-fetch, checked with tsc) from the committed openapi/openapi.json, and runs the
# same scenario with each against a live server: partner, assessment, agreement, activation
# refused, exception granted, activation accepted.
#
#   ci/clients/run.sh SERVER_URL
#
# The server must verify HS256 tokens signed with SAMVERKAN_JWT_SECRET (set in the environment);
# tokens are minted with `$SAMVERKAN_BIN token` (default target/debug/samverkan). Python tools go
# into a virtual environment kept between runs ($CLIENTS_VENV, default
# ~/.cache/samverkan-ci/venv-clients); npm packages come from ci/clients/ts/package-lock.json.
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

echo "== Python: openapi-python-client"
if [[ ! -x $venv/bin/openapi-python-client ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q 'openapi-python-client>=0.29,<0.30'
fi
"$venv/bin/openapi-python-client" --version
# Only POST /indicators (a text/csv body) is left out by the generator, and the scenario does not
# use it; its warnings go to a log shown on failure.
"$venv/bin/openapi-python-client" generate --path "$root/openapi/openapi.json" \
    --output-path "$work/py/samverkan_client" --meta none >"$work/generate.log" 2>&1 ||
    { cat "$work/generate.log"; exit 1; }
PYTHONPATH=$work/py "$venv/bin/python" "$here/python/scenario.py" "$server"

echo "== TypeScript: openapi-typescript + openapi-fetch, tsc"
cd "$here/ts"
npm ci --no-audit --no-fund --loglevel=error
npx --no-install openapi-typescript "$root/openapi/openapi.json" -o generated/schema.d.ts
npx --no-install tsc --version
npx --no-install tsc
node dist/scenario.js "$server"
echo "both generated clients passed the scenario"
