#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every host check of the hwbp core and end with "N passed, N failed".
# Each GoogleTest case counts as one test; the fuzz run, the fuzz corpus
# replay and the TSan stress count as one each.
#
# Knobs: HWBP_DIFF_OPS (plain build, default 1000000), HWBP_ASAN_DIFF_OPS
# (sanitized build, default 1000000), HWBP_FUZZ_SECONDS (default 20),
# HWBP_TSAN_SECONDS (default 10).
set -u
B=${1:-build}
cd "$(dirname "$0")"

passed=0
failed=0
failures=()
log=$B/logs
mkdir -p "$log"

note() { printf '%s\n' "$*"; }

# gtest binary: count its cases from the summary lines.
gtest() {
	local name=$1; shift
	local out=$log/$name.log
	local t0=$SECONDS
	"$@" >"$out" 2>&1
	local rc=$?
	local p f
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed before its summary
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	grep '^differential:' "$out" | sed "s/^/  $name: /"
	if [ "$f" -ne 0 ]; then
		failures+=("$name")
		grep -E '^\[  FAILED  \]|Failure|mismatch|FATAL|ERROR' "$out" | head -20
	fi
	note "$name: $p passed, $f failed ($((SECONDS - t0))s)"
}

# one-shot check: exit status decides
single() {
	local name=$1; shift
	local out=$log/$name.log
	local t0=$SECONDS
	if "$@" >"$out" 2>&1; then
		passed=$((passed + 1))
		note "$name: ok ($((SECONDS - t0))s)"
	else
		failed=$((failed + 1))
		failures+=("$name")
		tail -30 "$out"
		note "$name: FAILED ($((SECONDS - t0))s)"
	fi
}

note "== unit + differential (g++ -O2)"
HWBP_DIFF_OPS=${HWBP_DIFF_OPS:-1000000} gtest unit $B/unit

note "== unit + differential (ASan+UBSan)"
HWBP_DIFF_OPS=${HWBP_ASAN_DIFF_OPS:-1000000} HWBP_DIFF_SEED=1000 \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	gtest unit-asan $B/unit-asan

note "== arch logic (ASan+UBSan)"
for t in $B/arch_*_test; do
	[ -x "$t" ] && gtest "$(basename "$t")" "$t"
done

note "== libFuzzer (clang, ASan+UBSan)"
fz=$B/fuzz-corpus
mkdir -p "$fz"
single fuzz-corpus $B/fuzz -runs=0 corpus
single fuzz-run $B/fuzz -max_total_time=${HWBP_FUZZ_SECONDS:-20} \
	-max_len=1024 -print_final_stats=1 "$fz" corpus
sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/  fuzz: \1 inputs executed/p' \
	$log/fuzz-run.log

note "== ThreadSanitizer stress"
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	single tsan-stress $B/stress-tsan ${HWBP_TSAN_SECONDS:-10}
grep '^tsan stress' $log/tsan-stress.log | sed 's/^/  /'

if [ ${#failures[@]} -ne 0 ]; then
	note "failed: ${failures[*]} (logs in tests/$log)"
fi
note "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
