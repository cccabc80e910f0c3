#!/usr/bin/env bash
# recorded.sh TEST_BINARY...: runs these C tests (http and e2e: the real
# daemons on the test PostgreSQL) with TEST_HTTP_RECORD, so every exchange
# they make through common/testing's test_http is written down, then
# validates those answers (and the requests that succeeded) against the
# OpenAPI documents (check.sh --exchanges). The tests' own results count
# too. Exit 77 (skipped) without Node.js/npm or a test PostgreSQL.
set -uo pipefail
DIR=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { echo "skipped: no Node.js/npm"; exit 77; }
[ -n "${TEST_PGHOST:-}" ] && [ -n "${TEST_PGPORT:-}" ] || { echo "skipped: TEST_PGHOST/TEST_PGPORT not set"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TEST_HTTP_RECORD="$work/exchanges.jsonl"
rc=0
for t in "$@"; do
    echo "### $(basename "$t")"
    "$t" >"$work/out.log" 2>&1
    s=$?
    if [ "$s" -ne 0 ] && [ "$s" -ne 77 ]; then
        tail -n 40 "$work/out.log"
        echo "$(basename "$t") failed (exit $s)"
        rc=1
    fi
done
[ -s "$TEST_HTTP_RECORD" ] || { echo "no exchange recorded"; exit 1; }
echo "### $(wc -l <"$TEST_HTTP_RECORD") exchanges against the documents"
OPENAPI_REQUIRE=1 "$DIR/check.sh" --no-collection --exchanges "$TEST_HTTP_RECORD" || rc=1
exit "$rc"
