#!/bin/sh
# Plan "flexsmp": flexible breakpoints on 4 vCPUs beside 4 busy loops, so
# tasks migrate and every CPU's register budget is used; hwbp loaded with
# flexible=1 on its command line.  The guest's clock stalls with a busy
# host here (no -icount), so the checks are that every event counts and is
# multiplexed, pinned ones never wait, nothing splats; how close the scaled
# counts come is plan flex's (under -icount).
. /bin/ktap.sh
. /bin/takeover-lib.sh
LOADERS=
for i in 1 2 3 4; do
	sh -c 'while :; do :; done' &
	LOADERS="$LOADERS $!"
done

# perf stat of 8 watchpoints: "SEEN BAD FULL" (events seen, not counted,
# not multiplexed).
stat8() {
	perf stat -x, -e "$(/bin/bp_flex --events 8)" -- \
		/bin/bp_flex write 20000 50 2> /tmp/stat.csv > /dev/null
	awk -F, '$3 ~ /^mem:/ {
		seen++
		if ($1 !~ /^[0-9]+$/ || $1 == 0) bad++
		if ($5 + 0 >= 100 || $5 + 0 <= 0) full++
	} END { printf "%d %d %d\n", seen, bad + 0, full + 0 }' /tmp/stat.csv
}

ktap_header 4

ktap_suite flexsmp_load 2
ktap_check load_with_flexible insmod $HWBP flexible=1
ktap_check table_says_on grep -q 'flexible on' $TABLE
ktap_end

ktap_prog flexsmp_on /bin/bp_flex on --loose

ktap_suite flexsmp_perf 6
stat8 > /tmp/stat.sum
ktap_diag "$(cat /tmp/stat.csv)"
read seen bad full < /tmp/stat.sum
ktap_check perf_stat_8_events test "$seen" = 8
ktap_check perf_stat_all_counted test "$bad" = 0
ktap_check perf_stat_multiplexed test "$full" = 0
ktap_check pinned_never_scheduled_out test "$(stat_of sched_out_pinned)" = 0
ktap_check reserved_equals_released test "$(stat_of reserved)" = "$(stat_of released)"
ktap_check rmmod rmmod hwbp
ktap_end

# Unloaded and loaded again: perf's rotation is armed again.
ktap_suite flexsmp_reload 4
ktap_check reload insmod $HWBP flexible=1
stat8 > /tmp/stat.sum
ktap_diag "$(cat /tmp/stat.csv)"
read seen bad full < /tmp/stat.sum
ktap_check perf_stat_all_counted_again test "$seen $bad" = "8 0"
ktap_check perf_stat_multiplexed_again test "$full" = 0
ktap_check rmmod_again rmmod hwbp
ktap_end

for p in $LOADERS; do
	kill "$p"
done
[ $KTAP_PLAN_FAILED = 0 ]
