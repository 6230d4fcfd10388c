#!/bin/sh
# Plan "peers": suites no one here wrote, run on the stock path, under hwbp
# and after rmmod, in one boot; every case must give the same result in the
# three phases.  The same plan on every arch:
# - perf's own breakpoint tests, by name, where the guest carries perf (the
#   x86 guests; perf test list must have each: PEER_PERF_TESTS, one name
#   per line)
# - the kernel's selftests of the arch (scripts/peer-selftests builds them
#   from the kernel's source as upstream does; /usr/lib/hwbp-peers in the
#   guest): perf_events/sigtrap_threads everywhere, and
#   breakpoints/breakpoint_test (x86), breakpoints/breakpoint_test_arm64,
#   or powerpc/ptrace's ptrace-hwbreak, perf-hwbreak and
#   ptrace-perf-hwbreak
# Some cases fail on the stock path too (under QEMU TCG breakpoint_test's
# "Test icebp" and "Test int 3 trap"; QEMU emulates no POWER DAWR): what
# is checked is that hwbp and the kernel after rmmod give what the stock
# path gave, case by case.
# The kselftest harness kills a case after 30 s of the guest's clock
# (sigtrap_threads' signal_stress_with_disable: 15,000 signals); under TCG
# on a busy host that depended on the host's load, and on the debug kernel
# it was killed every time.  So the plan runs under -icount: the guest's
# clock counts its instructions (1 ns each), and the 30 s are the same
# amount of work on every run, whatever the host does.  One vCPU, which
# -icount needs here (upstream's hw_breakpoint suite then skips at boot).
# -icount fixes the guest's work, not the host's time for it: on the 6.1
# debug kernel the plan took 636 s alone, and in a cold make check at host
# load ~5 it printed its last case at 1200 s and was killed there.  The
# limit only catches a hang, so it allows four times the lone run.
# vm-timeout: 2400
# vm: icount
. /bin/ktap.sh
. /bin/takeover-lib.sh

PEERS=/usr/lib/hwbp-peers
PEER_PERF_TESTS=${PEER_PERF_TESTS:-"Breakpoint overflow signal handler
Breakpoint overflow sampling
Breakpoint accounting
Watchpoint
Sigtrap
x86 bp modify"}

# The selftest programs of this arch.
PROGS=$(cd $PEERS && ls)
command -v perf > /dev/null || PEER_PERF_TESTS=

# "suite|case|result" lines for one phase, sorted, in /tmp/peers.PHASE.
# perf test prints " 22: Breakpoint accounting    : Ok" and, for a test
# with subtests, " 23.1: Read Only Watchpoint    : Ok" (the numbers differ
# between perf versions and are dropped); kselftest programs print TAP.
# "SUITE|case|result" for each TAP result line of FILE.
tap_results() {
	sed -n "s/^\(ok\|not ok\) [0-9]* \(.*[^ ]\) *\$/$1|\2|\1/p" "$2" |
		sed 's/|\(.*\) # SKIP[^|]*|ok$/|\1|skip/'
}

# The same for powerpc's own harness (no TAP): its verdict ("success:",
# "failure:" or "skip:" and the program's name) and each case line the
# ptrace tests print: "NAME: Ok", "NAME: Fail" or "NAME: Error",
# "TESTED: NAME" or "FAILED: NAME: 1 != 2" (the counts dropped).  What
# differs from run to run is not part of a name: addresses become "0x*"
# and numbers of three digits or more "N" (perf-hwbreak prints its
# buffer's address and its loop count, which vary); a name printed twice
# by one run is told apart by " #2".
harness_results() {
	awk -v s="$1" '
	function out(c, r) {
		gsub(/0x[0-9a-fA-F]+/, "0x*", c); gsub(/[0-9][0-9][0-9]+/, "N", c); gsub(/  +/, " ", c)
		if (++n[c] > 1) c = c " #" n[c]
		print s "|" c "|" r
	}
	/^(success|failure|skip): / { out("(harness)", substr($1, 1, length($1) - 1)); next }
	/^TESTED: / { out(substr($0, 9), "ok"); next }
	/^FAILED: / { c = substr($0, 9); sub(/: [-0-9 !=|]*$/, "", c); out(c, "fail"); next }
	/: Ok$/ { sub(/: Ok$/, ""); out($0, "ok"); next }
	/: (Fail|Error)$/ { sub(/: (Fail|Error)$/, ""); out($0, "fail") }' "$2"
}

run_peers() {
	phase=$1
	: > /tmp/peers.$phase.raw
	echo "$PEER_PERF_TESTS" | while IFS= read -r t; do
		[ -n "$t" ] || continue
		echo "hwbp-peers: $phase: perf test $t" > /dev/kmsg
		perf test "$t" > /tmp/peers.$phase.perf.out 2>&1
		echo "=== perf test $t" >> /tmp/peers.$phase.log
		cat /tmp/peers.$phase.perf.out >> /tmp/peers.$phase.log
		n=$(sed -n 's/^ *[0-9][0-9.:]*: \(.*[^ ]\) *: \(Ok\|FAILED!\|Skip.*\)$/perf|\1|\2/p' \
			/tmp/peers.$phase.perf.out | tee -a /tmp/peers.$phase.raw | wc -l)
		[ "$n" -gt 0 ] || echo "perf|$t|not in this perf" >> /tmp/peers.$phase.raw
	done
	for p in $PROGS; do
		echo "hwbp-peers: $phase: $p" > /dev/kmsg
		out=/tmp/peers.$phase.$p.out
		"$PEERS/$p" > $out 2>&1
		echo "=== $p rc=$?" >> /tmp/peers.$phase.log
		cat $out >> /tmp/peers.$phase.log
		if grep -q '^TAP version' $out; then
			tap_results $p $out > /tmp/peers.res
		else
			harness_results $p $out > /tmp/peers.res
		fi
		n=$(tee -a /tmp/peers.$phase.raw < /tmp/peers.res | wc -l)
		[ "$n" -gt 0 ] || echo "$p|(no result)|none" >> /tmp/peers.$phase.raw
	done
	# A name seen twice (same test printed by two perf runs) is kept once.
	sort -u /tmp/peers.$phase.raw > /tmp/peers.$phase
}

dmesg -c > /dev/null
run_peers stock
loaded=0
if insmod $HWBP; then loaded=1; fi
run_peers hwbp
if [ $loaded = 1 ]; then
	res=$(stat_of reserved) rel=$(stat_of released)
	cp $STATS /tmp/peers.stats
	rmmod hwbp
	rm_rc=$?
fi
run_peers after

# Cases: the plan's own, then one per peer case (suite|case).
cut -d'|' -f1,2 /tmp/peers.stock /tmp/peers.hwbp /tmp/peers.after | sort -u > /tmp/peers.cases
ncases=$(grep -c . /tmp/peers.cases)
ktap_header 1
ktap_suite peers $((ncases + 5))

ktap_check load test $loaded = 1
ktap_check hwbp_accounted_the_peers test "${res:-0}" -gt 0
ktap_check reserved_equals_released test "${res:-0}" = "${rel:-1}"
ktap_check rmmod test "${rm_rc:-1}" = 0
for s in ${PEER_PERF_TESTS:+perf} $PROGS; do
	n=$(grep -c "^$s|" /tmp/peers.stock)
	ktap_diag "$s: $n case(s) on the stock path"
done
ktap_check stock_path_ran_every_suite sh -c '! grep -q "|not in this perf$\||(no result)|" /tmp/peers.stock'
ktap_diag "per phase: stock / hwbp / after rmmod"
# One line per case, "suite|case|stock|hwbp|after|name" (a result missing
# from a phase is empty; a case seen twice in a phase keeps its first): one
# awk, not a few programs per case, which under TCG on the debug kernel
# took minutes.
awk -F'|' '
	FILENAME != "/tmp/peers.cases" { k = $1 "|" $2; if (!((FILENAME, k) in r)) r[FILENAME, k] = $3; next }
	{
		k = $1 "|" $2
		n = tolower($1 "_" $2); gsub(/[^a-z0-9]+/, "_", n); sub(/_$/, "", n)
		print k "|" r["/tmp/peers.stock", k] "|" r["/tmp/peers.hwbp", k] "|" r["/tmp/peers.after", k] "|" n
	}' /tmp/peers.stock /tmp/peers.hwbp /tmp/peers.after /tmp/peers.cases > /tmp/peers.table
while IFS='|' read -r s c r1 r2 r3 name; do
	ktap_diag "PEER $s | $c | ${r1:-missing} | ${r2:-missing} | ${r3:-missing}"
	if [ -n "$r1" ] && [ "$r1" = "$r2" ] && [ "$r1" = "$r3" ]; then
		ktap_ok "$name"
	else
		# What the program said about it, per phase (kselftest: its
		# harness lines, e.g. "Test terminated by timeout").
		for ph in stock hwbp after; do
			[ -f /tmp/peers.$ph.$s.out ] &&
				ktap_diag "$ph: $(grep -F -e "${c#*.}" -e timeout /tmp/peers.$ph.$s.out | head -8)"
		done
		ktap_fail "$name" "stock '${r1:-missing}', hwbp '${r2:-missing}', after rmmod '${r3:-missing}'"
	fi
done < /tmp/peers.table
ktap_end
