#!/bin/sh
# Plan "kgdb": the kernel debugger keeps its hardware breakpoints under hwbp.
# vm: kgdb
#
# Booted (debug test kernel) with kgdboc on a third serial port, ttyS2, that
# the host's scripts/kgdb-gdb drives with a real gdb.  In one boot, on the
# stock path, under hwbp and after rmmod:
#  - sysrq-g, then gdb on the host inserts hbreak (twice), watch, awatch and
#    rwatch on kernel addresses and deletes them; kgdb's answer to every Z
#    and z packet comes back on ttyS2 and must equal the stock one (stock:
#    OK for hbreak, watch, awatch and their removal);
#  - the kernel's kgdb test suite (kgdbts) runs; its results must equal the
#    stock ones;
#  - both again under hwbp with flexible=1 while a task holds 8 flexible
#    watchpoints (stock refuses the 5th): flexible breakpoints take no slot
#    from kgdb, so its answers are still the stock ones.  Under TCG its hardware breakpoint cases fail on the stock
#    kernel too ("BP mismatch", with a WARN from kgdbts.c each): the
#    comparison is the test, and those warnings are declared expected.
# kgdboc's events are set up at boot, before hwbp: under hwbp they are
# served from its pool (dbg_adopted).  Reconfiguring kgdboc frees kgdb's
# events and makes new ones, under hwbp too, with ->destroy cleared:
# kmemleak must find nothing left behind.  kgdbts comes last: its software
# breakpoints make lockdep report on the stock kernel (text poking from the
# debug exception, in NMI context), after which lockdep is off; everything
# before it runs with lockdep on.
. /bin/ktap.sh
PROBE=$(find /lib/hwbp -name hwbp_probe.ko | head -n 1)
. /bin/takeover-lib.sh

KGDB_TTY=/dev/ttyS2
KGDBOC=/sys/module/kgdboc/parameters/kgdboc
KGDBTS=/sys/module/kgdbts/parameters/kgdbts
# kgdbts: core tests, minimal output, 10 single steps (the default 1000
# take minutes under TCG).
KGDBTS_RUN=V1I10

# kgdbts WARNs on each failed case; under TCG the hardware ones fail on
# stock too; and lockdep's report (above).  Tell the host's splat scan
# (scripts/vm-results).
echo "hwbp-plan: warnings expected from drivers/misc/kgdbts.c" > /dev/kmsg
echo "hwbp-plan: lockdep report expected from kgdb_arch_set_breakpoint" > /dev/kmsg

# Address of kernel symbol $1, aligned down to 8 bytes (watch *(long *)).
ksym() {
	a=$(awk -v s="$1" '$3 == s { print $1; exit }' /proc/kallsyms)
	[ -n "$a" ] || return 1
	last=${a#"${a%?}"}
	case $last in
	[0-7]) a=${a%?}0 ;;
	*) a=${a%?}8 ;;
	esac
	echo "0x$a"
}

# gdb_session PHASE: enter kgdb and let the host's gdb set and remove
# breakpoints; kgdb's answers end up in /tmp/kgdb.ans.PHASE.
gdb_session() {
	rm -f "/tmp/kgdb.ans.$1"
	stty -F $KGDB_TTY 115200 raw -echo 2>/dev/null
	# Open before the host can write: the tty keeps what comes meanwhile.
	exec 3< $KGDB_TTY
	# Through the kernel log: the host sees it before "Entering KGDB".
	echo "kgdb-gdb: break $1 hbreak=$A_HB hbreak2=$A_HB2 watch=$A_W awatch=$A_AW rwatch=$A_RW" > /dev/kmsg
	echo g > /proc/sysrq-trigger
	echo "kgdb-plan: $1: kgdb left" > /dev/kmsg
	# The host answers once gdb has left.
	while read -r -t 300 _line <&3; do
		case $_line in
		*"kgdb-gdb: answers $1 "*)
			echo "${_line#*kgdb-gdb: answers $1 }" | tr -d '\r' > "/tmp/kgdb.ans.$1"
			break ;;
		esac
	done
	exec 3<&-
	echo "kgdb-plan: $1: answers read" > /dev/kmsg
	ktap_diag "gdb answers ($1): $(cat "/tmp/kgdb.ans.$1" 2>/dev/null)"
}

# kgdbts_run PHASE: kgdbts in place of kgdboc (one kgdb I/O driver at a
# time), then kgdboc back; the suite's normalised log in /tmp/kgdbts.PHASE.
kgdbts_run() {
	echo > $KGDBOC
	dmesg -c > /dev/null
	echo $KGDBTS_RUN > $KGDBTS
	echo "rc=$?" > "/tmp/kgdbts.$1"
	# Its own lines only ("kgdbts:RUN ...", "kgdbts: ERROR ..."), without
	# addresses; its WARN reports name CPUs and PIDs.
	dmesg | sed -n 's/^\[[^]]*\] //; /^kgdbts:/p' |
		sed 's/[0-9a-f]\{8,16\}/ADDR/g' >> "/tmp/kgdbts.$1"
	echo ttyS2 > $KGDBOC
	ktap_diag "kgdbts ($1): $(grep -c 'kgdbts:RUN' "/tmp/kgdbts.$1") runs, $(grep -c 'ERROR' "/tmp/kgdbts.$1") errors"
}

# check_same NAME A B: files A and B have the same lines, and A some.
check_same() {
	if [ -s "$2" ] && diff "$2" "$3" > /tmp/same.diff; then
		ktap_ok "$1"
	else
		ktap_diag "$(cat /tmp/same.diff)"
		ktap_fail "$1" "$3 differs from $2"
	fi
}

A_HB=$(ksym kgdb_arch_init)
A_HB2=$(ksym kgdb_arch_exit)
A_W=$(ksym jiffies_64)
A_AW=$(ksym kgdb_connected)
A_RW=$A_W

# reconfigure_kgdboc: kgdb frees its events and makes new ones.
reconfigure_kgdboc() {
	echo > $KGDBOC
	echo ttyS2 > $KGDBOC
}

ktap_header 7

# --- 1: stock ---
ktap_suite kgdb_stock 4
ktap_check kgdboc_on_ttyS2 grep -qx ttyS2 $KGDBOC
ktap_check symbols test -n "$A_HB" -a -n "$A_HB2" -a -n "$A_W" -a -n "$A_AW"
gdb_session stock
# Z1 Z1 Z2 Z4 answered OK, and each removal.
ktap_check gdb_stock_ok sh -c "[ \$(grep -o '[Zz][124]=OK' /tmp/kgdb.ans.stock | wc -l) = 8 ]"
[ -n "$PROBE" ] && probe_run > /tmp/probe.stock
ktap_check probe_stock grep -q 'done 0' /tmp/probe.stock
ktap_end

# --- 2: under hwbp, on kgdb's boot-time events, then on new ones ---
ktap_suite kgdb_hwbp 8
ktap_check load insmod $HWBP
gdb_session hwbp
check_same gdb_answers_hwbp_equal_stock /tmp/kgdb.ans.stock /tmp/kgdb.ans.hwbp
ktap_diag "$(grep dbg_ $STATS; grep refused_other $STATS)"
ktap_check boot_events_adopted test "$(stat_of dbg_adopted)" -gt 0
ktap_check none_refused test "$(stat_of refused_other)" = 0
reconfigure_kgdboc
gdb_session hwbp2
check_same gdb_answers_hwbp_new_events_equal_stock /tmp/kgdb.ans.stock /tmp/kgdb.ans.hwbp2
ktap_check records_let_go test "$(stat_of dbg_record_freed)" -gt 0
check_probe
ktap_check table_empty_at_end grep -q 'tasks=0 task_bps=0 used=0' $TABLE
ktap_end

# --- 3: after rmmod, on events made under hwbp ---
ktap_suite kgdb_after 4
ktap_check rmmod rmmod hwbp
gdb_session after
check_same gdb_answers_after_equal_stock /tmp/kgdb.ans.stock /tmp/kgdb.ans.after
[ -n "$PROBE" ] && probe_run > /tmp/probe.after
check_same probe_after_equal_stock /tmp/probe.stock /tmp/probe.after
# Frees the events made under hwbp.
reconfigure_kgdboc
gdb_session after2
check_same gdb_answers_after_new_events_equal_stock /tmp/kgdb.ans.stock /tmp/kgdb.ans.after2
ktap_end

# --- 4: load and unload again ---
ktap_suite kgdb_reload 2
ktap_check load_again insmod $HWBP
ktap_check rmmod_again rmmod hwbp
ktap_end

# --- 5: flexible on, 8 flexible watchpoints open (their task sleeps) ---
ktap_suite kgdb_flexible 7
ktap_check load_flexible insmod $HWBP flexible=1
hold_start 8
ktap_check eight_flexible_open grep -Eq '^pool inst\+data +4 slots, 8 flexible' $TABLE
gdb_session flexible
check_same gdb_answers_flexible_equal_stock /tmp/kgdb.ans.stock /tmp/kgdb.ans.flexible
ktap_diag "$(grep -E 'dbg_|flexible' $STATS)"
ktap_check debugger_never_refused test "$(stat_of dbg_refused_regs)" = 0
hold_stop
ktap_check flexible_closed grep -Eq '^pool inst\+data +4 slots, 0 flexible' $TABLE
ktap_check table_empty_flexible grep -q 'tasks=0 task_bps=0 used=0' $TABLE
ktap_check rmmod_flexible rmmod hwbp
ktap_end

# --- 6: nothing left behind ---
ktap_suite kgdb_memory 1
if [ -w /sys/kernel/debug/kmemleak ]; then
	# A leak is reported once old enough (5 s) and unreferenced in two
	# scans in a row.
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	sleep 1
	echo scan > /sys/kernel/debug/kmemleak
	n=$(grep -c 'unreferenced object' /sys/kernel/debug/kmemleak)
	ktap_diag "kmemleak: $n unreferenced object(s)"
	[ "$n" = 0 ] || ktap_diag "$(head -60 /sys/kernel/debug/kmemleak)"
	ktap_check kmemleak_nothing test "$n" = 0
else
	ktap_skip kmemleak_nothing "no kmemleak in this kernel"
fi
ktap_end

# --- 7: kgdbts, stock, under hwbp, after, flexible on ---
ktap_suite kgdbts 9
kgdbts_run stock
ktap_check kgdbts_stock_ran grep -q 'kgdbts:RUN singlestep test' /tmp/kgdbts.stock
ktap_check load insmod $HWBP
kgdbts_run hwbp
check_same kgdbts_hwbp_equal_stock /tmp/kgdbts.stock /tmp/kgdbts.hwbp
ktap_check table_empty grep -q 'tasks=0 task_bps=0 used=0' $TABLE
ktap_check rmmod rmmod hwbp
kgdbts_run after
check_same kgdbts_after_equal_stock /tmp/kgdbts.stock /tmp/kgdbts.after
ktap_check load_flexible insmod $HWBP flexible=1
hold_start 8
kgdbts_run flexible
check_same kgdbts_flexible_equal_stock /tmp/kgdbts.stock /tmp/kgdbts.flexible
hold_stop
ktap_check rmmod_flexible rmmod hwbp
ktap_end

exit $KTAP_PLAN_FAILED
