#!/usr/bin/env bash
# Fuzzes the live service with schemathesis (--checks all) on one database, once per role.
#
#   ci/schemathesis.sh BINARY sqlite|postgres
#
# Starts BINARY on a fresh database (a SQLite file in a temporary folder, or a PostgreSQL database
# created on 127.0.0.1:5432 and dropped afterwards), creates the units KS and KFN (the officer's
# unit and the documented examples), then runs schemathesis with a token for each role: reader,
# officer of KFN, coordinator, board_secretary, admin. Traffic goes to 127.0.0.1 only.
#
# Environment: ST_MAX_EXAMPLES (test cases per operation and phase, default 25), ST_PORT (default
# 18181 for sqlite, 18182 for postgres), ST_WORKERS (default 1), ST_REPORT_DIR (where to keep the
# JUnit reports and the server log; default: a temporary folder, deleted), PGHOST/PGPORT/PGUSER.
set -euo pipefail

if [[ $# -ne 2 || ! -x $1 || ! $2 =~ ^(sqlite|postgres)$ ]]; then
    echo "usage: $0 BINARY sqlite|postgres" >&2
    exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
backend=$2
here=$(cd "$(dirname "$0")" && pwd)
max_examples=${ST_MAX_EXAMPLES:-25}
# One worker: with several, hypothesis' ast.parse calls race in threads on CPython 3.11
# ("SystemError: AST constructor recursion depth mismatch"), an error of the tool, not of the API.
workers=${ST_WORKERS:-1}
if [[ $backend == sqlite ]]; then port=${ST_PORT:-18181}; else port=${ST_PORT:-18182}; fi
base="http://127.0.0.1:$port"
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}

work=$(mktemp -d)
reports=${ST_REPORT_DIR:-$work/reports}
mkdir -p "$reports"
server_pid=""
pg_db=""

cleanup() {
    local rc=$?
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ -n $pg_db ]]; then
        psql -d postgres -qAt -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null ||
            echo "warning: could not drop database $pg_db" >&2
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A fresh secret for this run only: tokens minted below are worthless afterwards.
export SAMVERKAN_JWT_SECRET
SAMVERKAN_JWT_SECRET=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
export SAMVERKAN_BIND="127.0.0.1:$port"
export SAMVERKAN_PUBLIC_URL="$base"
# The fuzzer sends thousands of requests as one caller within minutes; the per-caller limit
# (default 1200/min) would answer many of them 429, which is documented and so hides what the
# request would really have done. The limit has tests of its own.
export SAMVERKAN_RATE_LIMIT=0
export RUST_LOG=${ST_RUST_LOG:-warn}

if [[ $backend == sqlite ]]; then
    export DATABASE_URL="sqlite://$work/samverkan.db"
else
    pg_db="samverkan_st_$$_$(date +%s)"
    psql -d postgres -qAt -c "CREATE DATABASE \"$pg_db\"" >/dev/null
    export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$pg_db"
fi

echo "schemathesis on $backend: starting $bin at $base"
"$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
ready=""
for _ in $(seq 1 120); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "the server exited at start:" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    if python3 -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('$base/health/ready', timeout=2).status == 200 else 1)" 2>/dev/null; then
        ready=yes
        break
    fi
    sleep 0.5
done
if [[ -z $ready ]]; then
    echo "the server did not become ready within 60 s:" >&2
    cat "$work/server.log" >&2
    exit 1
fi

token() { "$bin" token --sub "schemathesis-$1" "${@:2}"; }

# The officer's unit must exist (officers act for their unit and the units below it), and the
# documented examples name KS and KFN, so the examples phase reaches real resources.
admin=$(token admin --role admin)
for body in '{"code":"KS","name":"Kommunstyrelsen","nameEn":"Municipal Executive Board","type":"EXECUTIVE_BOARD"}' \
    '{"code":"KFN","name":"Kulturnämnden","nameEn":"Culture Committee","type":"COMMITTEE","parentCode":"KS"}'; do
    python3 - "$base" "$admin" "$body" <<'PY'
import sys, urllib.request
base, token, body = sys.argv[1:]
req = urllib.request.Request(base + "/api/v1/units", data=body.encode(), method="POST",
                             headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=10) as r:
    assert r.status == 201, r.status
PY
done

declare -A role_args=(
    [reader]="--role reader"
    [officer]="--role officer --unit KFN"
    [coordinator]="--role coordinator"
    [board_secretary]="--role board_secretary"
    [admin]="--role admin"
)
failed=()
summary=()
# schemathesis and hypothesis keep caches (.schemathesis, .hypothesis) in the working directory,
# and replay cached crashes: each run starts clean in the temporary folder.
cd "$work"
# The hooks (ci/schemathesis_hooks.py): a serializer for the import's workbook body.
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=schemathesis_hooks
for role in reader officer coordinator board_secretary admin; do
    # shellcheck disable=SC2086 # role_args holds several words on purpose
    tok=$(token "$role" ${role_args[$role]})
    out="$reports/$backend-$role.txt"
    echo "--- schemathesis $backend as $role (max $max_examples examples per operation)"
    started=$SECONDS
    set +e
    schemathesis --config-file "$here/schemathesis.toml" run "$base/openapi.json" \
        --checks all \
        --max-examples "$max_examples" \
        --workers "$workers" \
        --request-timeout 30 \
        --no-color \
        -H "Authorization: Bearer $tok" \
        --report junit --report-junit-path "$reports/$backend-$role.xml" >"$out" 2>&1
    rc=$?
    set -e
    cases=$(grep -Eo '[0-9]+ generated' "$out" | grep -Eo '[0-9]+' | tail -1 || true)
    # The last line is schemathesis' verdict, e.g. "=== No issues found in 10.2s ===".
    verdict=$(grep -E '^=+ .* =+$' "$out" | tail -1 | tr -d '=' | sed 's/^ *//; s/ *$//')
    # The stateful phase's line, e.g. "API Links: 8 covered / 33 selected / 33 total".
    links=$(grep -Eo 'API Links: +[0-9]+ covered / [0-9]+ selected' "$out" | sed 's/API Links: *//' | tail -1 || true)
    summary+=("$(printf '%-8s %-16s %6s cases  %ss  links %s  %s' "$backend" "$role" "${cases:-?}" $((SECONDS - started)) "${links:-?}" "$verdict")")
    if [[ $rc -ne 0 ]]; then
        failed+=("$role")
        # From the first ERRORS or FAILURES heading to the end; error tracebacks can quote whole
        # source files on one line, hence the cut.
        awk '/^=+ (ERRORS|FAILURES) =+$/ {on = 1} on' "$out" | cut -c1-400 | head -400
    fi
done

# A panic is a bug even when the worker's 500 happened to be allowed somewhere.
if grep -q "panicked" "$work/server.log"; then
    echo "the server panicked:" >&2
    grep -A5 "panicked" "$work/server.log" >&2
    failed+=("server-panic")
fi
if [[ -n ${ST_REPORT_DIR:-} ]]; then cp "$work/server.log" "$reports/$backend-server.log"; fi

echo "--- schemathesis summary ($backend)"
printf '%s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "schemathesis on $backend FAILED for: ${failed[*]}"
    exit 1
fi
echo "schemathesis on $backend: no failures"
