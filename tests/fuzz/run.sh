#!/usr/bin/env bash
# run.sh: builds the libFuzzer targets (tests/fuzz/CMakeLists.txt, clang,
# -fsanitize=fuzzer,address,undefined) in their own build folder and runs
# each for a bounded time on a working copy of its seed corpus. Prints the
# executions per target; exits 1 if any input crashed (the input is kept
# in <build>/artifacts/<target>/: copy it to tests/fuzz/regressions/<target>/
# and fix), 77 when clang's fuzzer runtime is missing.
#   run.sh [--build DIR] [--seconds N] [--merge] [target ...]
#   --merge  minimise what the run found into the repository's seed corpus
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${FUZZ_BUILD:-$here/../../build-fuzz}
seconds=${FUZZ_SECONDS:-20}
merge=0
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
    --build) build=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --merge) merge=1; shift ;;
    *) targets+=("$1"); shift ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(router http_req http_body sig util ticket_code ticket_bodies
                                     payment_bodies client_bodies)

cc=${FUZZ_CC:-clang}
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
    >"$probe_dir/p.c"
if ! command -v "$cc" >/dev/null 2>&1 ||
    ! "$cc" -fsanitize=fuzzer,address,undefined "$probe_dir/p.c" -o "$probe_dir/p" 2>/dev/null; then
    echo "skipped: $cc with libFuzzer (libclang-rt-14-dev) is not installed (scripts/deps.sh test)"
    exit 77
fi

mkdir -p "$build"
CC=$cc cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build/configure.log" 2>&1 ||
    { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j"${FUZZ_JOBS:-2}" >"$build/build.log" 2>&1 ||
    { tail -n 40 "$build/build.log"; exit 1; }

crashed=0
total=0
printf '%-16s %8s %12s %10s %8s %s\n' target seconds executions exec/s corpus crashes
for t in "${targets[@]}"; do
    work="$build/corpus/$t" art="$build/artifacts/$t" log="$build/logs/$t.log"
    mkdir -p "$work" "$art" "$build/logs"
    rc=0
    # -timeout: an input slower than this is a hang, reported as a crash
    "$build/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$art/" "$work" "$here/corpus/$t" >"$log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    units=$(find "$work" -type f | wc -l)
    found=$(find "$art" -type f | wc -l)
    total=$((total + ${execs:-0}))
    printf '%-16s %8s %12s %10s %8s %s\n' "$t" "$seconds" "${execs:-?}" "${rate:-?}" "$units" "$found"
    if [ "$rc" != 0 ] || [ "$found" != 0 ]; then
        crashed=1
        echo "---- $t crashed (exit $rc); last lines of $log:"
        tail -n 40 "$log"
        echo "---- inputs kept in $art/: copy each to $here/regressions/$t/ and fix"
    fi
    if [ "$merge" = 1 ]; then
        "$build/fuzz_$t" -merge=1 -max_len=16384 "$here/corpus/$t" "$work" >>"$log" 2>&1 || true
    fi
done
echo "total executions: $total; crashes: $([ $crashed = 0 ] && echo 0 || echo 'see above')"
exit $crashed
