#!/bin/sh
# Plan "series": the kernel with the in-tree series, no module loaded.
# KUnit suites (upstream's hw_breakpoint, hwbp_table) ran at boot; here the
# in-tree accounting is driven from userspace: perf and ptrace end to end,
# and the x86 limit of four debug registers for either type.
. /bin/ktap.sh

ktap_header 3
ktap_prog series_e2e /bin/bp_e2e
ktap_prog series_ptrace /bin/bp_ptrace

ktap_suite series_slots 4
addr=$(/bin/bp_writer --addr)
got=$(perf stat -x, -e "mem:$addr:w" -- /bin/bp_writer 1000 2>&1 >/dev/null |
	awk -F, -v ev="mem:$addr:w" '$3 == ev { print $1 }')
if [ "$got" = 1000 ]; then
	ktap_ok perf_stat_counts_writes
else
	ktap_fail perf_stat_counts_writes "expected 1000, got '$got'"
fi
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
if [ $rc -eq 1 ] && echo "$out" | grep -q 'failed: ENOSPC'; then
	ktap_ok fifth_task_bp_enospc
else
	ktap_fail fifth_task_bp_enospc "bp_open 5 rc=$rc"
fi
if [ -r /sys/kernel/debug/hwbp ]; then
	ktap_fail no_module_loaded "hwbp.ko debugfs present"
else
	ktap_ok no_module_loaded
fi
ktap_end
