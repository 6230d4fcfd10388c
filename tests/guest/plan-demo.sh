#!/bin/sh
# Plan "demo": what hwbp does, for a newcomer.  Loads hwbp, watches a
# variable of bp_writer with perf (a hardware write breakpoint), shows what
# perf saw and the hwbp slot table, then unloads.
. /bin/ktap.sh

N=20
addr=$(/bin/bp_writer --addr)
loaded=0

say() { echo "# $*"; }
run() { echo "\$ $*"; "$@" 2>&1 | sed 's/^/  /'; }

ktap_begin demo 4

say "kernel $(uname -r); bp_writer writes a variable at $addr $N times"
if [ ! -f /lib/hwbp/hwbp.ko ]; then
	say "hwbp.ko is not built yet: showing the stock breakpoint path"
	ktap_skip hwbp_loaded "hwbp.ko not built"
elif insmod /lib/hwbp/hwbp.ko; then
	loaded=1
	run lsmod
	ktap_ok hwbp_loaded
else
	say "insmod hwbp.ko failed: showing the stock breakpoint path"
	dmesg | tail -5 | sed 's/^/  /'
	ktap_fail hwbp_loaded "insmod failed"
fi

cd /tmp
run perf record -q -e "mem:$addr:w" -c 1 -o /tmp/perf.data -- /bin/bp_writer $N
samples=$(perf script -i /tmp/perf.data -F ip,sym 2>/dev/null | grep -c .)
run perf report -i /tmp/perf.data --stdio --sort sym -q
echo "\$ perf script -F comm,pid,event,ip,sym | head -5"
perf script -i /tmp/perf.data -F comm,pid,event,ip,sym 2>/dev/null | head -5 | sed 's/^/  /'
if [ "$samples" = "$N" ]; then
	ktap_ok perf_record_sees_every_write
else
	ktap_fail perf_record_sees_every_write "expected $N samples, got $samples"
fi

if [ -r /sys/kernel/debug/hwbp/table ]; then
	say "breakpoint slot table while perf holds a breakpoint on bp_writer:"
	perf stat -e "mem:$addr:w" -- sh -c 'cat /sys/kernel/debug/hwbp/table' 2>/dev/null | sed 's/^/  /'
	ktap_ok table_view
else
	say "no /sys/kernel/debug/hwbp/table (hwbp not loaded or table view not there yet)"
	ktap_skip table_view "no table view"
fi

if [ $loaded = 1 ]; then
	if rmmod hwbp; then ktap_ok hwbp_unloaded; else ktap_fail hwbp_unloaded "rmmod failed"; fi
else
	ktap_skip hwbp_unloaded "not loaded"
fi
ktap_end
