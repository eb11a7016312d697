#!/usr/bin/env bash
# Builds the libFuzzer targets of FuzzTesting/ and runs each for FUZZ_SECONDS (default 30).
#
# Fixed findings live in regressions/<target>/ (also seeds; Tests/*/…FuzzRegressionTests replay them).
# Per target it prints `FUZZ <target> execs=<n> crashes=<k>` and exits non-zero if any target
# crashed, leaked, timed out, ran out of memory or failed to start. Seeds come from corpus/<target>/
# (read only); new inputs go to .build/fuzz-work/<target>/, findings to .build/fuzz-artifacts/<target>/.
# Reproduce a finding with:  .build/debug/fuzz-<target> <artifact file>
#
# Environment: FUZZ_SECONDS (per target), FUZZ_TARGETS (space-separated subset), SWIFT,
# FUZZ_SEED (libFuzzer -seed; default 1 so a CI run is reproducible: the same seeds and seed give the
# same inputs, and a finding can be replayed exactly; set FUZZ_SEED=0 for a time-based seed).
set -uo pipefail
cd "$(dirname "$0")"

SWIFT=${SWIFT:-swift}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
FUZZ_SEED=${FUZZ_SEED:-1}
ALL_TARGETS="binance coinbase kraken bitstamp gemini okx bybit bitfinex kucoin htx cryptocom pyth coingecko generic config http accounts vol"
TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}
BUILD_FLAGS=(-c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)

echo "building fuzz targets (debug, -sanitize=fuzzer,address)"
mkdir -p .build
# The linker warns about every ASan symbol it cannot export; show the log only when the build fails.
if ! "$SWIFT" build "${BUILD_FLAGS[@]}" >.build/fuzz-build.log 2>&1; then
    grep -v "Cannot export local symbol" .build/fuzz-build.log | tail -n 60
    echo "FUZZ build failed (full log: FuzzTesting/.build/fuzz-build.log)"
    exit 1
fi
bin=$("$SWIFT" build "${BUILD_FLAGS[@]}" --show-bin-path)

# Swift's backtracer would otherwise intercept the crash signals libFuzzer needs to see.
export SWIFT_BACKTRACE=enable=no
work=.build/fuzz-work
artifacts=.build/fuzz-artifacts
failed=0
total=0
for t in $TARGETS; do
    exe="$bin/fuzz-$t"
    if [ ! -x "$exe" ] || [ ! -d "corpus/$t" ]; then
        echo "FUZZ $t execs=0 crashes=1 (no such target: $exe or corpus/$t missing)"
        failed=1
        continue
    fi
    mkdir -p "$work/$t"
    rm -rf "$artifacts/$t" && mkdir -p "$artifacts/$t"
    log="$work/$t.log"
    extra=()
    # fuzz-http runs the NIO pipeline on Swift concurrency threads; objects a finished task frees a
    # moment after the input returns make libFuzzer's per-input leak check report false leaks
    # (with ASan's quarantine at 1 MB its RSS stays flat over thousands of inputs). Unbounded
    # growth is still caught by -rss_limit_mb/-malloc_limit_mb. Third-party leaks: see lsan.supp.
    asan="${ASAN_OPTIONS:-}"
    if [ "$t" = http ]; then extra=(-detect_leaks=0); asan="detect_leaks=0${asan:+:$asan}"; fi
    seeds=("corpus/$t")
    if [ -d "regressions/$t" ]; then seeds+=("regressions/$t"); fi
    LSAN_OPTIONS="suppressions=$PWD/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" ASAN_OPTIONS="$asan" \
        "$exe" "$work/$t" "${seeds[@]}" "${extra[@]}" \
        -max_total_time="$FUZZ_SECONDS" -seed="$FUZZ_SEED" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$artifacts/$t/" >"$log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    execs=${execs:-0}
    crashes=$(find "$artifacts/$t" -type f | wc -l)
    if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
    echo "FUZZ $t execs=$execs crashes=$crashes"
    total=$((total + execs))
    if [ "$crashes" -ne 0 ]; then
        failed=1
        echo "---- last lines of $log (exit $rc); artifacts in FuzzTesting/$artifacts/$t/"
        grep -E 'ERROR|SUMMARY|Fatal error|==[0-9]+==|Test unit written|deadly signal|Precondition|Assertion' "$log" | head -20
        tail -n 15 "$log"
        echo "----"
    fi
done
echo "FUZZ total execs=$total targets=$(echo $TARGETS | wc -w) result=$([ $failed -eq 0 ] && echo ok || echo FAILED)"
exit $failed
