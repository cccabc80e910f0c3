#!/usr/bin/env bash
# run.sh WORKDIR CLIENT_BIN TICKET_BIN PAYMENT_BIN: the browser tests as a
# CTest test. Installs playwright-core (npm ci, the pinned lock file) into
# WORKDIR, a folder of the build tree, so the source tree stays clean and
# two build folders never share a node_modules; then runs run.mjs there.
# Exit 77 (skipped) without node, npm, chromium or a test PostgreSQL.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:?usage: run.sh WORKDIR CLIENT_BIN TICKET_BIN PAYMENT_BIN}
client=${2:?} ticket=${3:?} payment=${4:?}

skip() { echo "browser tests skipped: $*"; exit 77; }
command -v node >/dev/null 2>&1 || skip "node is not installed"
command -v npm >/dev/null 2>&1 || skip "npm is not installed"
[ -x "${CHROMIUM_BIN:-/usr/bin/chromium}" ] || skip "no chromium (apt-get install chromium)"
[ -n "${TEST_PGHOST:-}" ] && [ -n "${TEST_PGPORT:-}" ] || skip "TEST_PGHOST/TEST_PGPORT not set"
command -v psql >/dev/null 2>&1 || skip "psql is not installed"

# SCREENSHOT_DIR (docs screenshots) is relative to where we were started
if [ -n "${SCREENSHOT_DIR:-}" ]; then
    mkdir -p "$SCREENSHOT_DIR"
    SCREENSHOT_DIR=$(cd "$SCREENSHOT_DIR" && pwd)
    export SCREENSHOT_DIR
fi
mkdir -p "$work"
cp "$here/package.json" "$here/package-lock.json" "$here/run.mjs" "$work/"
cd "$work"
npm ci --no-audit --no-fund --loglevel=error >npm-ci.log 2>&1 || {
    cat npm-ci.log >&2
    echo "npm ci failed (is the npm registry reachable?)" >&2
    exit 1
}
exec node run.mjs --repo "$here/../.." --client "$client" --ticket "$ticket" --payment "$payment"
