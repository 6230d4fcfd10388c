#!/bin/sh
# Plan "takeover": hwbp takes over the running kernel's breakpoint slots and
# hands them back.  The same behaviour suites run on the stock path, under
# hwbp and after rmmod; bad input and the kernel entry points (hwbp_probe.ko)
# must give the stock kernel's answers under hwbp; every interception point
# must have been reached; rmmod is refused while a slot is held, and while a
# call hwbp redirected sleeps in its text with no slot held (the unload
# window: debugfs unload_hold, hwbp_probe.ko hold_release=1).
. /bin/ktap.sh
PROBE=$(find /lib/hwbp -name hwbp_probe.ko | head -n 1)
. /bin/takeover-lib.sh

# Suites of kernel-side KUnit modules are reported in the kernel log.
KUNIT_MODS=$(ls $MODDIR/kunit/*.ko 2>/dev/null)

ktap_header 8

# --- 1, 2: the stock path ---
ktap_prog hwbp_e2e_stock /bin/bp_e2e
ktap_prog hwbp_ptrace_stock /bin/bp_ptrace
/bin/bp_badinput > /tmp/bad.stock

[ -n "$PROBE" ] && probe_run > /tmp/probe.stock

# --- 3: load ---
ktap_suite takeover_load 6
check_load_refused

dmesg -c > /dev/null
ktap_check load insmod_counting_events
check_load_created_no_event
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

# --- 7: the unload window: a redirected call asleep in hwbp's text ---
# hwbp_probe hold_release=1 hands one event to release_bp_slot() as kgdb
# does; armed, hwbp's replacement sleeps after releasing its slot, so only
# the hook's module reference keeps hwbp loaded.  rmmod must be refused
# then (without that reference it would free the text the call sleeps in,
# and the call would oops when it wakes), and succeed once the call has
# returned.
ktap_suite unload_window 7
HOLD=/sys/kernel/debug/hwbp/unload_hold
ktap_check load insmod $HWBP
echo 1 > $HOLD
insmod "$PROBE" hold_release=1 > /tmp/hold.out 2>&1 &
HOLD_PID=$!
i=0
while [ "$(cat $HOLD 2>/dev/null)" != 2 ] && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
ktap_check redirected_call_sleeps test "$(cat $HOLD 2>/dev/null)" = 2
ktap_check module_ref_held_by_the_call_alone test "$(cat /sys/module/hwbp/refcnt)" = 1
if rmmod hwbp 2>/tmp/rmmod.err; then
	ktap_fail rmmod_refused_while_call_sleeps "rmmod succeeded with a call asleep in hwbp"
else
	ktap_diag "$(cat /tmp/rmmod.err)"
	ktap_ok rmmod_refused_while_call_sleeps
fi
echo 0 > $HOLD
wait $HOLD_PID
ktap_check sleeping_call_returned test $? = 0
rmmod hwbp_probe 2>/dev/null
ktap_check rmmod_after_call_returned rmmod hwbp
ktap_check probe_released_its_event sh -c "dmesg | grep -q 'hwbp_probe: hold_released 0'"
ktap_end

# --- 8: the stock path again ---
ktap_prog hwbp_e2e_after_rmmod /bin/bp_e2e
exit $KTAP_PLAN_FAILED
