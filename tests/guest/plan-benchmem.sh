#!/bin/sh
# Plan "benchmem" (scripts/bench): kernel memory per breakpoint, stock
# accounting against hwbp.ko, from the slab counters (tests/guest/bench_mem.cpp)
# at 1, 1,000 and 10,000 task-bound breakpoints, one per task (each bp also
# pays for its task's state), and 10,000 at four per task.  Measurements are
# KTAP diagnostics, for scripts/bench.d/report:
#   # mem side=S round=R bps=N per_task=P slab=B memfree=F
#   # mem side=S round=R cache=NAME bytes=B objs=O
. /bin/ktap.sh

HWBP=/lib/hwbp/hwbp.ko
ROUNDS=2
POINTS="1:1 1000:1 10000:1 10000:4"

ktap_header 1
ktap_suite benchmem $((ROUNDS * 2))
ktap_diag "bench kernel=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)"

measure() {	# side round
	_err=0
	for p in $POINTS; do
		if /bin/bench_mem "${p%:*}" "${p#*:}" > /tmp/mem.out; then
			sed "s/^mem /mem side=$1 round=$2 /" /tmp/mem.out > /tmp/mem.diag
			while read -r line; do ktap_diag "$line"; done < /tmp/mem.diag
		else
			_err=1
		fi
	done
	if [ $_err = 0 ]; then ktap_ok "$1_round$2"; else ktap_fail "$1_round$2" "bench_mem failed"; fi
}

r=1
while [ $r -le $ROUNDS ]; do
	measure stock $r
	if insmod $HWBP; then
		measure hwbp $r
		rmmod hwbp
	else
		ktap_fail "hwbp_round$r" "insmod hwbp failed"
	fi
	r=$((r + 1))
done
ktap_end
exit $KTAP_PLAN_FAILED
