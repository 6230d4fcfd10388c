#!/bin/sh
# Plan "benchprof" (scripts/bench --profile): where the time goes, for the
# report's explanations.  perf record -a (cpu-clock: TCG has no PMU) over
#   micro_stock  hwbp_bench_stock.ko (reserve_bp_slot/release_bp_slot)
#   micro_hwbp   hwbp_bench.ko (hwbp_reserve/hwbp_release)
#   mixed_stock, mixed_hwbp  the mixed workload of plan-bench.sh
#   open_task_*, enable_*    bench_open task, perf bench breakpoint enable
#   lock_*       hwbp_lockbench*.ko, phase paced (task-bound loops on every
#                CPU but the first, a CPU-bound one paced on the first)
# Each suite prints the top kernel symbols (self time) as diagnostics.
. /bin/ktap.sh

MODDIR=/lib/hwbp
HWBP=$MODDIR/hwbp.ko
THREAD16="-r 30 breakpoint thread -p 16 -t 16"

# Flat self time per symbol (idle left out), then the hottest call chains
# (caller first, the last 7 frames).
top_syms() {	# perf.data
	perf report -i "$1" --stdio --no-children --sort dso,sym -g none \
		--percent-limit 0.5 2>/dev/null | grep -v '^#' | grep -v '^$' |
		grep -v 'native_safe_halt\|default_idle' | head -n 20
	echo "call chains:"
	perf report -i "$1" --stdio --no-children --sort sym -g folded,0.5,caller \
		--percent-limit 2 2>/dev/null | grep '^ *[0-9.]*% [^ []' |
		grep -v 'native_safe_halt\|default_idle' |
		awk '{ n = split($2, f, ";"); s = f[n]; for (i = n - 1; i > 0 && i > n - 7; i--) s = f[i] ";" s; print $1, s }' |
		head -n 15
}

# Modules stay loaded until perf report has resolved their symbols.
profile() {	# name cleanup cmd...
	_n=$1
	_c=$2
	shift 2
	if perf record -q -e cpu-clock -F 4000 -a -g -o "/tmp/$_n.data" -- "$@" \
		> /tmp/$_n.out 2>&1; then
		ktap_diag "$(top_syms /tmp/$_n.data)"
		ktap_ok "$_n"
	else
		ktap_diag "$(tail -5 /tmp/$_n.out)"
		ktap_fail "$_n" "perf record failed"
	fi
	[ -n "$_c" ] && $_c
	rm -f "/tmp/$_n.data"
}

cat > /tmp/mixed.sh <<EOS
#!/bin/sh
/bin/bench_open cpuloop > /tmp/cpuloop.out &
loop=\$!
sleep 1
perf bench $THREAD16 -b 3 | grep 'Total time'
kill -TERM \$loop
wait \$loop
cat /tmp/cpuloop.out
EOS
chmod +x /tmp/mixed.sh

ktap_header 1
ktap_suite benchprof 10
profile micro_stock "rmmod hwbp_bench_stock" insmod $MODDIR/test/hwbp_bench_stock.ko max_tasks=1000
profile mixed_stock "" /tmp/mixed.sh
profile open_task_stock "" /bin/bench_open task 5000
profile enable_stock "" perf bench -r 100 breakpoint enable -p 16 -a 1
profile lock_stock "rmmod hwbp_lockbench_stock" insmod $MODDIR/test/hwbp_lockbench_stock.ko rounds=1 only=paced
insmod $HWBP
profile micro_hwbp "rmmod hwbp_bench" insmod $MODDIR/test/hwbp_bench.ko max_tasks=1000
profile mixed_hwbp "" /tmp/mixed.sh
profile open_task_hwbp "" /bin/bench_open task 5000
profile enable_hwbp "" perf bench -r 100 breakpoint enable -p 16 -a 1
profile lock_hwbp "rmmod hwbp_lockbench" insmod $MODDIR/test/hwbp_lockbench.ko rounds=1 only=paced
rmmod hwbp
ktap_end
exit $KTAP_PLAN_FAILED
