#!/bin/sh
# Shell pieces shared by the takeover plans of every arch (x86:
# plan-takeover.sh, arm64: tests/guest-arm64/plan-arm64.sh, ppc64el:
# tests/guest-ppc64el/plan-ppc64el.sh).  Source after ktap.sh.

# Where the guests keep things; a plan may set PROBE before sourcing.
MODDIR=/lib/hwbp
HWBP=$MODDIR/hwbp.ko
PROBE=${PROBE-$MODDIR/test/hwbp_probe.ko}
STATS=/sys/kernel/debug/hwbp/stats
TABLE=/sys/kernel/debug/hwbp/table
TRACE=/sys/kernel/tracing

# The probe module's "hwbp_probe: step value" lines, without taint notes.
probe_run() {
	dmesg -c > /dev/null
	insmod "$PROBE" && rmmod hwbp_probe
	dmesg | sed -n 's/.*\(hwbp_probe: [a-z_]* -\{0,1\}[0-9]*\)$/\1/p'
}

# Case: hwbp_probe.ko under hwbp gives what it gave on the stock path
# (/tmp/probe.stock, from probe_run before the load).
check_probe() {
	probe_run > /tmp/probe.hwbp
	if [ -s /tmp/probe.hwbp ] && grep -q 'done 0' /tmp/probe.hwbp &&
	   diff /tmp/probe.stock /tmp/probe.hwbp > /tmp/probe.diff; then
		ktap_ok kernel_entry_points_same_results
	else
		ktap_diag "$(cat /tmp/probe.stock /tmp/probe.diff)"
		ktap_fail kernel_entry_points_same_results "hwbp_probe differs"
	fi
}

# A counter of hwbp's stats file.
stat_of() {
	awk -v k="$1" '$1 == k { print $2 }' "$STATS"
}

# insmod hwbp.ko [ARGS], counting the breakpoint events created meanwhile
# with a kprobe event on the breakpoint PMU's event_init: LOAD_EVENTS is
# that count, empty where the kernel cannot count them (no kprobe events,
# the event not enabled, tracing off: a count of 0 would prove nothing
# there).  insmod's status.
insmod_counting_events() {
	LOAD_EVENTS=
	if ! echo 'p:hwbp_load hw_breakpoint_event_init' >> $TRACE/kprobe_events 2>/dev/null; then
		insmod $HWBP "$@"
		return
	fi
	echo > $TRACE/trace
	if ! echo 1 > $TRACE/events/kprobes/hwbp_load/enable ||
	   [ "$(cat $TRACE/tracing_on)" != 1 ]; then
		echo 0 > $TRACE/events/kprobes/hwbp_load/enable 2>/dev/null
		echo '-:hwbp_load' >> $TRACE/kprobe_events
		insmod $HWBP "$@"
		return
	fi
	insmod $HWBP "$@"
	_rc=$?
	echo 0 > $TRACE/events/kprobes/hwbp_load/enable
	LOAD_EVENTS=$(grep -c 'hwbp_load:' $TRACE/trace)
	echo '-:hwbp_load' >> $TRACE/kprobe_events
	return $_rc
}

# Case: the load created no breakpoint event.  One would hold a slot of the
# stock table while hwbp loads, and a user's breakpoint on that CPU could
# get ENOSPC meanwhile (glue/pmu.cpp, hwbp_find_breakpoint_pmu()).
check_load_created_no_event() {
	if [ -z "$LOAD_EVENTS" ]; then
		ktap_skip load_creates_no_event "no kprobe event counts here (none in this kernel, or tracing off)"
	elif [ "$LOAD_EVENTS" = 0 ]; then
		ktap_ok load_creates_no_event
	else
		ktap_fail load_creates_no_event "$LOAD_EVENTS breakpoint event(s) created by insmod"
	fi
}

# Hold N breakpoints in a background task until hold_stop.
hold_start() {
	rm -f /tmp/bp_hold.ready
	/bin/bp_hold "$1" &
	HOLD_PID=$!
	i=0
	while [ ! -e /tmp/bp_hold.ready ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

hold_stop() {
	kill "$HOLD_PID" 2>/dev/null
	wait "$HOLD_PID" 2>/dev/null
}

# Case: insmod must fail with EBUSY and say why while the stock table holds
# a slot, and change nothing.
check_load_refused() {
	hold_start 1
	dmesg -c > /dev/null
	if insmod "$HWBP" 2>/tmp/insmod.err; then
		ktap_fail load_refused_while_stock_holds_slots "insmod succeeded"
		rmmod hwbp
	else
		ktap_diag "$(cat /tmp/insmod.err)"
		if dmesg | grep -q "hwbp: the kernel's breakpoint table holds slots" &&
		   grep -q 'busy' /tmp/insmod.err; then
			ktap_ok load_refused_while_stock_holds_slots
		else
			ktap_fail load_refused_while_stock_holds_slots "no EBUSY or message"
		fi
	fi
	hold_stop
}

# Cases (8): every interception point was reached at least once.
check_hooks() {
	for h in event_init destroy modify_user_hw_breakpoint \
		 modify_user_hw_breakpoint_check dbg_reserve_bp_slot \
		 dbg_release_bp_slot release_bp_slot hw_breakpoint_is_used; do
		n=$(stat_of "hit_$h")
		if [ "${n:-0}" -gt 0 ]; then
			ktap_ok "hook_$h"
		else
			ktap_fail "hook_$h" "never reached"
		fi
	done
}

# Cases (4): while N slots (default 2) are held, the module count is N (one
# per slot: every hook's own reference was dropped) and rmmod is refused;
# then it unloads and says so.
check_rmmod() {
	hold_start "${1:-2}"
	ktap_check module_refs_one_per_slot test "$(cat /sys/module/hwbp/refcnt)" = "${1:-2}"
	if rmmod hwbp 2>/dev/null; then
		ktap_fail rmmod_refused_while_held "rmmod succeeded"
		insmod "$HWBP"
	else
		ktap_ok rmmod_refused_while_held
	fi
	hold_stop
	dmesg -c > /dev/null
	ktap_check rmmod rmmod hwbp
	ktap_check rmmod_message sh -c "dmesg | grep -q 'breakpoint slots handed back to the kernel'"
}
