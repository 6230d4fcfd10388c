#!/bin/sh
# Plan "ppc64el": hwbp takes over the powerpc kernel's breakpoint slots
# (the DAWR watchpoints; no instruction pool) and hands them back.
# bp_ppc64el runs on the stock path, under hwbp and after rmmod; the table
# must be sized as the kernel's nr_wp_slots() (ptrace's num_data_bps),
# hwbp_probe.ko must see the stock kernel's answers, every interception
# point reachable without kgdb must be reached, and rmmod is refused while
# a slot is held.  On ppc64 ELFv2 the hooks run through hwbp's TOC
# trampoline (arch/powerpc/hwbp_arch.cpp).  QEMU 7.2's TCG has no DAWR:
# nothing ever fires, so hit counts are skipped (bp_ppc64el says so).
. /bin/ktap.sh
. /bin/takeover-lib.sh

SLOTS=$(/bin/bp_ppc64el --slots)

ktap_header 6

# --- 1: what the kernel says ---
ktap_suite ppc64el_kernel 3
ktap_diag "$(grep -m1 '^cpu' /proc/cpuinfo)"
ktap_diag "$(grep -m1 '^revision' /proc/cpuinfo)"
ktap_diag "$(grep -m1 '^platform' /proc/cpuinfo)"
ktap_diag "dmesg on breakpoints: $(dmesg | grep -iE 'breakpoint|dawr|watchpoint' | head -3 | tr '\n' ' ')"
D=/sys/kernel/debug/powerpc/dawr_enable_dangerous
ktap_diag "$D: $(cat $D 2>/dev/null || echo absent)"
ktap_diag "PPC_PTRACE_GETHWDBGINFO num_data_bps=$SLOTS"
ktap_check cpu_is_power10 grep -q '^cpu.*POWER10' /proc/cpuinfo
ktap_check data_slots_known test "${SLOTS:-0}" -ge 1
ktap_check hwbp_not_loaded sh -c "! grep -q '^hwbp ' /proc/modules"
ktap_end

# --- 2: the stock path ---
ktap_prog ppc64el_bp_stock /bin/bp_ppc64el

probe_run > /tmp/probe.stock

# An oops in insmod can leave module or kprobe locks held: the next insmod
# would hang until the host's timeout.  Stop at the first one (taint D).
stop_if_died() {
	if [ $(($(cat /proc/sys/kernel/tainted) & 128)) != 0 ]; then
		ktap_diag "the kernel oopsed ($1): plan stopped, see the console log"
		# leftovers would hold init's pipe open
		killall -9 bp_ppc64el bp_hold 2>/dev/null
		echo "not ok $((KTAP_SUITE_NR + 1)) stopped_after_oops"
		exit 1
	fi
}
stop_if_died "hwbp_probe.ko on the stock path"

# --- 3: load ---
ktap_suite ppc64el_load 7
hold_start 1
dmesg -c > /dev/null
if insmod $HWBP 2>/tmp/insmod.err; then
	ktap_fail load_refused_while_stock_holds_slots "insmod succeeded"
	rmmod hwbp
else
	if dmesg | grep -q "hwbp: the kernel's breakpoint table holds slots"; then
		ktap_ok load_refused_while_stock_holds_slots
	else
		ktap_fail load_refused_while_stock_holds_slots "no EBUSY message"
	fi
fi
hold_stop
if [ $(($(cat /proc/sys/kernel/tainted) & 128)) != 0 ]; then
	ktap_diag "the kernel oopsed in insmod hwbp: plan stopped, see the console log"
	ktap_end
	exit 1
fi

dmesg -c > /dev/null
if insmod_counting_events 2>/tmp/insmod.err; then
	ktap_ok load
else
	ktap_diag "$(cat /tmp/insmod.err; dmesg | tail -5)"
	ktap_fail load "insmod failed"
fi
check_load_created_no_event
ktap_diag "$(dmesg | grep 'hwbp:')"
# The message's count is the instruction pool's (0 on powerpc): the data
# pool's size is checked in the table below.
ktap_check load_message sh -c "dmesg | grep -q 'breakpoint slots now accounted by hwbp (powerpc,'"
ktap_diag "$(cat $TABLE 2>&1 | sed -n '1,4p')"
ktap_check pools_sized_from_nr_wp_slots sh -c \
	"grep -Eq '^pool data +$SLOTS slots' $TABLE && ! grep -Eq '^pool inst +[1-9]' $TABLE"
ktap_check table_empty grep -q 'tasks=0 task_bps=0 used=0' $TABLE
# the hooks' ftrace sites (R: regs, I: ipmodify), found from the symbols
ktap_diag "$(cat $TRACE/enabled_functions 2>&1)"
ktap_check trace_events_present test -d $TRACE/events/hwbp/hwbp_refuse
ktap_end

# --- 4: the same behaviour under hwbp ---
ktap_prog ppc64el_bp_hwbp /bin/bp_ppc64el
stop_if_died "bp_ppc64el under hwbp"

# --- 5: checks under hwbp, unload ---
ktap_suite ppc64el_takeover_checks 16
check_probe
if [ $(($(cat /proc/sys/kernel/tainted) & 128)) != 0 ]; then
	ktap_diag "the kernel oopsed in hwbp_probe.ko under hwbp: plan stopped, see the console log"
	ktap_end
	exit 1
fi
check_hooks
ktap_diag "$(grep -E '^(hit_|passed_|reserved|released)' $STATS | tr '\n' ' ')"
ktap_check nothing_passed_to_stock test "$(stat_of passed_to_stock)" = 0
ktap_check reserved_equals_released test "$(stat_of reserved)" = "$(stat_of released)"

echo 1 > $TRACE/events/hwbp/hwbp_refuse/enable
echo > $TRACE/trace
/bin/bp_hold $((SLOTS + 1)) /tmp/never 2> /dev/null
echo 0 > $TRACE/events/hwbp/hwbp_refuse/enable
ktap_check trace_shows_refusal grep -q 'hwbp_refuse: .*err=-28' $TRACE/trace

check_rmmod 1
ktap_end

# --- 6: the stock path again ---
ktap_prog ppc64el_bp_after_rmmod /bin/bp_ppc64el
exit $KTAP_PLAN_FAILED
