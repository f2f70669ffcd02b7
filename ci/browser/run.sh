#!/usr/bin/env bash
# The docs page in a real browser: Debian's headless Chromium (installed with apt-get when
# missing; never a downloaded browser build) driven by playwright-core opens SERVER_URL/docs/ with
# no network beyond 127.0.0.1, checks the operations are listed, authorizes with TOKEN and uses
# "Try it out" on GET /api/v1/policy.
#
#   ci/browser/run.sh SERVER_URL TOKEN [SCREENSHOT.png]
set -euo pipefail
if [[ $# -lt 2 ]]; then
    echo "usage: $0 SERVER_URL TOKEN [SCREENSHOT.png]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
if [[ ! -x /usr/bin/chromium ]]; then
    echo "installing Debian's chromium"
    if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
    "${sudo[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends chromium
fi
/usr/bin/chromium --version 2>/dev/null | head -n1
cd "$here"
# playwright-core brings no browser; the skip makes sure nothing tries to download one.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
node docs.mjs "$@"
