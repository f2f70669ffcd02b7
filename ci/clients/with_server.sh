#!/usr/bin/env bash
# Starts BINARY on a fresh SQLite file on 127.0.0.1, then runs COMMAND with the server's URL in
# SERVER_URL and its HS256 secret in SAMVERKAN_JWT_SECRET; stops the server afterwards.
#
#   ci/clients/with_server.sh target/debug/samverkan ci/clients/run.sh '$SERVER_URL'
#   ci/clients/with_server.sh target/debug/samverkan bash -c 'ci/clients/run.sh "$SERVER_URL"'
#
# Environment: CLIENTS_PORT (default 18191).
set -euo pipefail
if [[ $# -lt 2 || ! -x $1 ]]; then
    echo "usage: $0 BINARY COMMAND [ARGS...]" >&2
    exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
port=${CLIENTS_PORT:-18191}
work=$(mktemp -d)
server_pid=""
cleanup() {
    local rc=$?
    if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    if [[ $rc -ne 0 && -s $work/server.log ]]; then echo "--- server log:"; tail -n 30 "$work/server.log"; fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export SAMVERKAN_JWT_SECRET
SAMVERKAN_JWT_SECRET=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
export DATABASE_URL="sqlite://$work/samverkan.db" SAMVERKAN_BIND="127.0.0.1:$port"
export SAMVERKAN_PUBLIC_URL="http://127.0.0.1:$port" SAMVERKAN_BIN=$bin RUST_LOG=${RUST_LOG:-warn}
"$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    curl -fs -o /dev/null "$SAMVERKAN_PUBLIC_URL/health/ready" && break
    kill -0 "$server_pid" 2>/dev/null || { echo "the server exited at start" >&2; exit 1; }
    sleep 0.2
done
export SERVER_URL=$SAMVERKAN_PUBLIC_URL
"$@"
