#!/bin/sh
# Plan "seriesbench" (scripts/series-bench): the breakpoint workloads of
# plan-bench.sh on the kernel this boot runs, the pristine 7.x one or the
# one built from the series (hwbp.side= on the command line says which),
# then the in-kernel micro-benchmark through that kernel's own
# reserve_bp_slot()/release_bp_slot() (hwbp_bench_stock.ko, when the
# initramfs has one built for this kernel).  Measurements are KTAP
# diagnostics, as in plan-bench.sh:
#   # bench round=R side=S name=W value=V unit=U
#   # micro side=S kind=task|cpu|new tasks=N cpus=C ns=X min=Y
# Cases only say whether each block ran; speed is judged by the report.
. /bin/ktap.sh

ROUNDS=${ROUNDS:-5}
SIDE=$(sed -n 's/.*hwbp\.side=\([^ ]*\).*/\1/p' /proc/cmdline)
BENCH_STOCK=/lib/hwbp/test/hwbp_bench_stock.ko
THREAD16="-r 30 breakpoint thread -p 16 -t 16"
THREAD64="-r 10 breakpoint thread -p 64 -t 64"
ENABLE="-r 100 breakpoint enable -p 16 -a 1"
OPEN_N=2000

ERR=0
emit() {	# round name value unit
	if [ -z "$3" ]; then
		ERR=1
		ktap_diag "bench round=$1 side=$SIDE name=$2 FAILED"
		return
	fi
	ktap_diag "bench round=$1 side=$SIDE name=$2 value=$3 unit=$4"
}
perf_total() { perf bench "$@" 2>/dev/null | awk '/Total time/ { print $3 }'; }
open_ns() { /bin/bench_open "$1" "$2" | awk '/^ns_per_op/ { print $2 }'; }

ktap_header 1
ktap_suite seriesbench $((ROUNDS + 1))
ktap_diag "bench kernel=$(uname -r) side=$SIDE cpus=$(grep -c ^processor /proc/cpuinfo) rounds=$ROUNDS"
r=1
while [ $r -le $ROUNDS ]; do
	emit $r thread16 "$(perf_total $THREAD16 -b 4)" s
	emit $r thread64 "$(perf_total $THREAD64 -b 4)" s
	emit $r enable "$(perf_total $ENABLE)" s
	emit $r open_task "$(open_ns task $OPEN_N)" ns
	emit $r open_cpu "$(open_ns cpu $OPEN_N)" ns
	/bin/bench_open cpuloop > /tmp/cpuloop.out &
	loop=$!
	sleep 1
	emit $r mixed_thread16 "$(perf_total $THREAD16 -b 3)" s
	kill -TERM $loop
	wait $loop
	emit $r mixed_cpu_ops "$(awk '{ print $4 }' /tmp/cpuloop.out)" ops/s
	if [ $ERR = 0 ]; then ktap_ok "round$r"; else ktap_fail "round$r" "a workload failed"; fi
	ERR=0
	r=$((r + 1))
done
if [ -f $BENCH_STOCK ]; then
	dmesg -c > /dev/null
	insmod $BENCH_STOCK || ERR=1
	rmmod hwbp_bench_stock 2>/dev/null
	dmesg | sed -n "s/.*hwbp_bench: side=stock \(.* ns=.*\)$/micro side=$SIDE \1/p" > /tmp/micro
	while read -r line; do ktap_diag "$line"; done < /tmp/micro
	dmesg | grep -q 'hwbp_bench: .* err=' && ERR=1
	[ -s /tmp/micro ] || ERR=1
	if [ $ERR = 0 ]; then ktap_ok micro; else ktap_fail micro "hwbp_bench_stock.ko failed"; fi
else
	ktap_skip micro "no hwbp_bench_stock.ko for this kernel"
fi
ktap_end
