#!/usr/bin/env bash
# test.sh (make test): builds, starts a throwaway PostgreSQL (temporary
# folder, free port), runs every CTest test against it, removes it. Leaves a
# running `make up` alone.
#   SANITIZE=1      build and run under AddressSanitizer + UBSan (build-asan/)
#   CTEST_ARGS=...  extra ctest arguments, e.g. "-L unit" or "-R payment_"
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$REPO/scripts/deps.sh" test
if [ "${SANITIZE:-0}" = 1 ]; then
    BUILD="$REPO/build-asan"
    cmake_flags=(-DSANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
else
    cmake_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
fi
cmake -S "$REPO" -B "$BUILD" "${cmake_flags[@]}" >/dev/null
cmake --build "$BUILD" -j"$(nproc)"

free_port() {
    local p
    for _ in $(seq 1 100); do
        p=$((20000 + RANDOM % 12000)) # below the kernel's ephemeral ports
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
    echo "no free port found" >&2; return 1
}

tmp=$(mktemp -d /tmp/ticketing-test.XXXXXX)
chmod 755 "$tmp"
cleanup() {
    "$REPO/scripts/pg.sh" stop "$tmp/pg" || true
    rm -rf "$tmp"
}
trap cleanup EXIT
for attempt in 1 2 3 4 5; do
    port=$(free_port)
    PG_FSYNC=off "$REPO/scripts/pg.sh" start "$tmp/pg" "$port" 2>"$tmp/pg-start.err" && break
    [ "$attempt" = 5 ] && { cat "$tmp/pg-start.err" >&2; exit 1; }
done
eval "$("$REPO/scripts/pg.sh" env "$tmp/pg" "$port")"
export TEST_PGHOST="$PGHOST" TEST_PGPORT="$PGPORT" TEST_PGUSER="$PGUSER"
export TEST_TMPDIR="$tmp"

read -r -a extra <<<"${CTEST_ARGS:-}"
ctest --test-dir "$BUILD" --output-on-failure -j"${CTEST_JOBS:-2}" "${extra[@]}"
