#!/bin/sh
# Plan "takeover": hwbp takes over the running kernel's breakpoint slots and
# hands them back.  The same behaviour suites run on the stock path, under
# hwbp and after rmmod; bad input and the kernel entry points (hwbp_probe.ko)
# must give the stock kernel's answers under hwbp; every interception point
# must have been reached; rmmod is refused while a slot is held.
. /bin/ktap.sh
PROBE=$(find /lib/hwbp -name hwbp_probe.ko | head -n 1)
. /bin/takeover-lib.sh

# Suites of kernel-side KUnit modules are reported in the kernel log.
KUNIT_MODS=$(ls $MODDIR/kunit/*.ko 2>/dev/null)

ktap_header 7

# --- 1, 2: the stock path ---
ktap_prog hwbp_e2e_stock /bin/bp_e2e
ktap_prog hwbp_ptrace_stock /bin/bp_ptrace
/bin/bp_badinput > /tmp/bad.stock

[ -n "$PROBE" ] && probe_run > /tmp/probe.stock

# --- 3: load ---
ktap_suite takeover_load 5
check_load_refused

dmesg -c > /dev/null
ktap_check load insmod $HWBP
ktap_check load_message sh -c "dmesg | grep -q 'breakpoint slots now accounted by hwbp'"
ktap_check table_empty grep -q 'tasks=0 task_bps=0 used=0' $TABLE
ktap_check trace_events_present test -d $TRACE/events/hwbp/hwbp_refuse
ktap_end

for m in $KUNIT_MODS; do
	insmod "$m" || echo "insmod $m failed"
done

# --- 4, 5: the same behaviour under hwbp ---
ktap_prog hwbp_e2e_hwbp /bin/bp_e2e
ktap_prog hwbp_ptrace_hwbp /bin/bp_ptrace

# --- 6: checks under hwbp ---
ktap_suite takeover_checks 19

/bin/bp_badinput > /tmp/bad.hwbp
if diff /tmp/bad.stock /tmp/bad.hwbp > /tmp/bad.diff; then
	ktap_ok bad_input_same_errno
else
	ktap_diag "$(cat /tmp/bad.diff)"
	ktap_fail bad_input_same_errno "errnos differ from the stock kernel's"
fi

if [ -n "$PROBE" ]; then
	check_probe
else
	ktap_fail kernel_entry_points_same_results "hwbp_probe.ko missing"
fi

# Each interception point was reached (by the suites and the probe above).
check_hooks
ktap_check nothing_passed_to_stock test "$(stat_of passed_to_stock)" = 0
ktap_check reserved_equals_released test "$(stat_of reserved)" = "$(stat_of released)"

addr=$(/bin/bp_writer --addr)
got=$(perf stat -x, -e "mem:$addr:w" -- /bin/bp_writer 1000 2>&1 >/dev/null |
	awk -F, -v ev="mem:$addr:w" '$3 == ev { print $1 }')
ktap_check perf_stat_counts_writes test "$got" = 1000

perf record -q -c 1 -e "mem:$addr:w" -o /tmp/perf.data -- /bin/bp_writer 250 \
	> /dev/null 2>&1
got=$(perf script -i /tmp/perf.data 2>/dev/null | grep -c 'mem:')
ktap_check perf_record_samples_writes test "$got" = 250

echo 1 > $TRACE/events/hwbp/hwbp_refuse/enable
echo > $TRACE/trace
/bin/bp_open 5 > /dev/null
echo 0 > $TRACE/events/hwbp/hwbp_refuse/enable
ktap_check trace_shows_refusal grep -q 'hwbp_refuse: target=[0-9]*/bp_open .*err=-28' $TRACE/trace

for m in $KUNIT_MODS; do
	rmmod "$(basename "$m" .ko)"
done
check_rmmod
ktap_end

# --- 7: the stock path again ---
ktap_prog hwbp_e2e_after_rmmod /bin/bp_e2e
exit $KTAP_PLAN_FAILED
