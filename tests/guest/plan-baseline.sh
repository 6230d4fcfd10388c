#!/bin/sh
# Plan "baseline": the stock breakpoint path, valid with or without hwbp.
# - perf stat -e mem:ADDR:w counts exactly the writes bp_writer makes, 0
#   included: "<not counted>" is a failure (bp_writer runs until the clock
#   behind perf's enabled/running times has moved, see bp_writer.cpp)
# - 4 task breakpoints fit, the 5th gets ENOSPC (x86: 4 debug registers)
. /bin/ktap.sh

ktap_begin baseline 5

if lsmod 2>/dev/null | grep -q '^hwbp '; then
	ktap_diag "hwbp is loaded"
else
	ktap_diag "hwbp is not loaded: stock kernel path"
fi

# perf stat -x, prints "COUNT,,EVENT,..." on stderr.
perf_count() {
	perf stat -x, -e "mem:$1:w" -- /bin/bp_writer "$2" 2>&1 >/dev/null |
		awk -F, -v ev="mem:$1:w" '$3 == ev { print $1 }'
}

addr=$(/bin/bp_writer --addr)
ktap_diag "bp_writer variable at $addr"

if perf --version >/dev/null 2>&1; then
	ktap_ok perf_runs
else
	ktap_fail perf_runs "perf --version failed"
fi

for n in 1000 0; do
	got=$(perf_count "$addr" "$n")
	if [ "$got" = "$n" ]; then
		ktap_ok "perf_stat_counts_${n}_writes"
	else
		ktap_fail "perf_stat_counts_${n}_writes" "expected $n, perf stat counted '${got}'"
	fi
done

out=$(/bin/bp_open 4)
rc=$?
ktap_diag "$out"
if [ $rc -eq 0 ] && echo "$out" | grep -q 'opened 4 of 4'; then
	ktap_ok four_task_bps_fit
else
	ktap_fail four_task_bps_fit "bp_open 4 rc=$rc"
fi

out=$(/bin/bp_open 5)
rc=$?
ktap_diag "$out"
if [ $rc -eq 1 ] && echo "$out" | grep -q 'opened 4 of 5' &&
   echo "$out" | grep -q 'failed: ENOSPC'; then
	ktap_ok fifth_task_bp_enospc
else
	ktap_fail fifth_task_bp_enospc "bp_open 5 rc=$rc"
fi

ktap_end
