#!/bin/sh
# Plan "arm64": hwbp takes over the arm64 kernel's breakpoint slots and
# hands them back.  bp_arm64 runs on the stock path, under hwbp and after
# rmmod, with the register counts the kernel printed at boot; under hwbp
# every interception point must have been reached (the ftrace redirection
# of modify_user_hw_breakpoint[_check], dbg_*_bp_slot, release_bp_slot and
# hw_breakpoint_is_used works on arm64), hwbp_probe.ko must see the stock
# kernel's answers, and rmmod is refused while a slot is held.
. /bin/ktap.sh
. /bin/takeover-lib.sh

# "hw-breakpoint: found 6 breakpoint and 4 watchpoint registers."
BRPS=$(dmesg | sed -n 's/.*hw-breakpoint: found \([0-9]*\) breakpoint and \([0-9]*\) watchpoint.*/\1/p')
WRPS=$(dmesg | sed -n 's/.*hw-breakpoint: found \([0-9]*\) breakpoint and \([0-9]*\) watchpoint.*/\2/p')

ktap_header 5

ktap_prog hwbp_arm64_e2e_stock /bin/bp_arm64 "$BRPS" "$WRPS"

probe_run > /tmp/probe.stock

# --- 2: load ---
ktap_suite arm64_load 7
ktap_diag "kernel: $BRPS breakpoint and $WRPS watchpoint registers"
check_load_refused

dmesg -c > /dev/null
ktap_check load insmod_counting_events
check_load_created_no_event
ktap_check load_message sh -c "dmesg | grep -q 'breakpoint slots now accounted by hwbp (arm64, $BRPS instruction, $WRPS data slots)'"
ktap_diag "$(sed -n '1,3p' $TABLE)"
ktap_check pools_sized_from_registers sh -c \
	"grep -Eq '^pool inst +$BRPS slots' $TABLE && grep -Eq '^pool data +$WRPS slots' $TABLE"
ktap_check table_empty grep -q 'tasks=0 task_bps=0 used=0' $TABLE
ktap_check trace_events_present test -d $TRACE/events/hwbp/hwbp_refuse
ktap_end

# --- 3: the same behaviour under hwbp ---
ktap_prog hwbp_arm64_e2e_hwbp /bin/bp_arm64 "$BRPS" "$WRPS"

# --- 4: checks under hwbp ---
ktap_suite arm64_takeover_checks 17
if [ -d /sys/kernel/debug/kunit ] || ls $MODDIR/kunit/*.ko > /dev/null 2>&1; then
	ktap_fail kunit_table_suite "KUnit present: run it (not wired here)"
else
	ktap_skip kunit_table_suite "no KUnit in this kernel (CONFIG_KUNIT is not set)"
fi

check_probe

check_hooks
ktap_check nothing_passed_to_stock test "$(stat_of passed_to_stock)" = 0
ktap_check reserved_equals_released test "$(stat_of reserved)" = "$(stat_of released)"

echo 1 > $TRACE/events/hwbp/hwbp_refuse/enable
echo > $TRACE/trace
/bin/bp_hold $((WRPS + 1)) /tmp/never 2> /dev/null
echo 0 > $TRACE/events/hwbp/hwbp_refuse/enable
ktap_check trace_shows_refusal grep -q 'hwbp_refuse: .*err=-28' $TRACE/trace

check_rmmod
ktap_end

# --- 5: the stock path again ---
ktap_prog hwbp_arm64_e2e_after_rmmod /bin/bp_arm64 "$BRPS" "$WRPS"
exit $KTAP_PLAN_FAILED
