#!/bin/sh
# Plan "flex": flexible (multiplexed) breakpoints, hwbp.flexible=1.
# Off (the default, and after turning it off again) every answer is the
# stock kernel's: the 5th non-pinned watchpoint of a task gets ENOSPC.  On:
# 8 watchpoints on the pool's registers are all counted by perf stat, with
# scaled counts within 10% of the truth and time_running < time_enabled;
# perf record samples all 6 of 6; pinned ones (perf's, ptrace's) never lose
# a register; debugfs and the trace events show flexible ones apart.
# FLEX_LOAD=N (plan "flexload") runs it all beside N busy loops.
# Scaled counts need writes spread evenly over the guest's time:
# vm: icount
. /bin/ktap.sh
. /bin/takeover-lib.sh
PARAM=/sys/module/hwbp/parameters/flexible
ROUNDS=20000
LOADERS=

if [ "${FLEX_LOAD:-0}" -gt 0 ]; then
	i=0
	while [ $i -lt "$FLEX_LOAD" ]; do
		sh -c 'while :; do :; done' &
		LOADERS="$LOADERS $!"
		i=$((i + 1))
	done
fi

ktap_header 7

# --- 1: the stock kernel ---
ktap_prog flex_stock /bin/bp_flex off

# --- 2: hwbp loaded, parameter off (the default) ---
ktap_suite flex_load 3
ktap_check load insmod $HWBP
ktap_check param_off_by_default test "$(cat $PARAM)" = N
ktap_check table_says_off grep -q 'flexible off' $TABLE
ktap_end

ktap_prog flex_off /bin/bp_flex off

# --- 4: on ---
echo 1 > $PARAM
ktap_prog flex_on /bin/bp_flex on

# --- 5: perf ---
ktap_suite flex_perf 8
events=$(/bin/bp_flex --events 8)
echo 1 > $TRACE/events/hwbp/hwbp_sched_out/enable
echo > $TRACE/trace
perf stat -x, -e "$events" -- /bin/bp_flex write $ROUNDS 50 \
	2> /tmp/stat.csv > /dev/null
echo 0 > $TRACE/events/hwbp/hwbp_sched_out/enable
ktap_diag "$(cat /tmp/stat.csv)"
# value,unit,event,run time,percent running,...
awk -F, -v n=$ROUNDS '$3 ~ /^mem:/ {
	seen++
	if ($1 !~ /^[0-9]+$/ || $1 < 0.9 * n || $1 > 1.1 * n) bad++
	if ($5 + 0 >= 100 || $5 + 0 <= 0) full++
} END { printf "%d %d %d\n", seen, bad, full }' /tmp/stat.csv > /tmp/stat.sum
read seen bad full < /tmp/stat.sum
ktap_check perf_stat_counts_all_8 test "$seen" = 8
ktap_check perf_stat_scaled_within_10pct test "$bad" = 0
ktap_check perf_stat_multiplexed test "$full" = 0
ktap_check trace_shows_sched_out grep -q 'hwbp_sched_out: .* flexible times=' $TRACE/trace

perf record -q -c 1 -e "$(/bin/bp_flex --events 6)" -o /tmp/flex.data -- \
	/bin/bp_flex write 2000 50 > /dev/null 2>&1
perf script -i /tmp/flex.data -F event 2>/dev/null | sort | uniq -c > /tmp/rec.sum
ktap_diag "$(cat /tmp/rec.sum)"
ktap_check perf_record_samples_all_6 test "$(grep -c 'mem:' /tmp/rec.sum)" = 6

ktap_check pinned_never_scheduled_out test "$(stat_of sched_out_pinned)" = 0
ktap_check flexible_were_scheduled_out test "$(stat_of sched_out_flexible)" -gt 0
ktap_check reserved_equals_released test "$(stat_of reserved)" = "$(stat_of released)"
ktap_end

# The README's example: what a perf user sees.
perf stat -e "$events" -- /bin/bp_flex write $ROUNDS 50 2>&1 |
	sed 's/^/    # /'

# --- 6: off again: the kernel's answers ---
echo 0 > $PARAM
ktap_prog flex_off_again /bin/bp_flex off

# --- 7: nothing left, and unload ---
ktap_suite flex_unload 3
ktap_check table_empty grep -q 'tasks=0 task_bps=0 used=0' $TABLE
ktap_check no_flexible_left sh -c "! grep -q '[1-9][0-9]* flexible' $TABLE"
ktap_check rmmod rmmod hwbp
ktap_end

for p in $LOADERS; do
	kill "$p"
done
[ $KTAP_PLAN_FAILED = 0 ]
