#!/bin/sh
# Plan "benchlock" (scripts/bench --lock): the accounting lock under
# concurrency, in-kernel (tests/kmod/hwbp_lockbench.cpp): one task-bound
# reserve+release loop per CPU but the first, with and without a CPU-bound
# loop on the first.  hwbp_lockbench_stock.ko (without hwbp) and
# hwbp_lockbench.ko (with it) alternate, LOADS times each.  Measurements are
# KTAP diagnostics, for scripts/bench.d/report:
#   # lock side=S phase=alone|churn|paced|cpu round=R cpus=C threads=K task_ops=N cpu_ops=M ns=T errs=E
# Cases only say whether each load ran; speed is judged by the report.
. /bin/ktap.sh

MODDIR=/lib/hwbp
HWBP=$MODDIR/hwbp.ko
LOADS=2
MSECS=2000

ktap_header 1
ktap_suite benchlock $((LOADS * 2))
ktap_diag "bench kernel=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)"

load() {	# name module
	dmesg -c > /dev/null
	if insmod "$2" msecs=$MSECS; then
		rmmod "$(basename "$2" .ko)"
		dmesg | sed -n 's/.*hwbp_lockbench: \(side=.* phase=.*\)$/lock \1/p' > /tmp/lock
		while read -r line; do ktap_diag "$line"; done < /tmp/lock
		if dmesg | grep -q 'hwbp_lockbench: .* done 0' &&
			dmesg | grep -q 'table_clean=1' &&
			! grep -q 'errs=[1-9]' /tmp/lock; then
			ktap_ok "$1"
		else
			ktap_diag "$(dmesg | grep hwbp_lockbench | tail -3)"
			ktap_fail "$1" "the benchmark failed or left the table used"
		fi
	else
		ktap_diag "$(dmesg | tail -3)"
		ktap_fail "$1" "insmod failed"
	fi
}

l=1
while [ $l -le $LOADS ]; do
	load "lock${l}_stock" $MODDIR/test/hwbp_lockbench_stock.ko
	if insmod $HWBP; then
		load "lock${l}_hwbp" $MODDIR/test/hwbp_lockbench.ko
		rmmod hwbp
	else
		ktap_fail "lock${l}_hwbp" "insmod hwbp failed"
	fi
	l=$((l + 1))
done
ktap_end
exit $KTAP_PLAN_FAILED
