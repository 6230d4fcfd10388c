#!/bin/sh
# Plan "arm64flex": flexible breakpoints on arm64, whose watchpoints (WRPs)
# are a pool apart from its breakpoints (BRPs).  Off, the kernel's answers
# (ENOSPC past the WRPs); on, bp_flex's suite (8 watchpoints multiplexed on
# the WRPs, task-bound, inherited and CPU-bound, scaled within 10%; pinned
# ones never lose a register; debugfs shows them apart), the trace event of
# a watchpoint waiting for a register, and nothing pinned ever waiting.
# vm: icount
. /bin/ktap.sh
. /bin/takeover-lib.sh
PARAM=/sys/module/hwbp/parameters/flexible

ktap_header 6

ktap_prog arm64flex_stock /bin/bp_flex off

ktap_suite arm64flex_load 3
ktap_check load insmod $HWBP
ktap_check param_off_by_default test "$(cat $PARAM)" = N
ktap_check data_pool_apart grep -Eq '^pool data +[0-9]+ slots, 0 flexible' $TABLE
ktap_end

ktap_prog arm64flex_off /bin/bp_flex off

echo 1 > $PARAM
echo 1 > $TRACE/events/hwbp/hwbp_sched_out/enable
echo > $TRACE/trace
ktap_prog arm64flex_on /bin/bp_flex on
echo 0 > $TRACE/events/hwbp/hwbp_sched_out/enable

ktap_suite arm64flex_checks 4
ktap_check trace_shows_sched_out grep -q 'hwbp_sched_out: .* flexible times=' $TRACE/trace
ktap_check pinned_never_scheduled_out test "$(stat_of sched_out_pinned)" = 0
ktap_check flexible_were_scheduled_out test "$(stat_of sched_out_flexible)" -gt 0
ktap_check reserved_equals_released test "$(stat_of reserved)" = "$(stat_of released)"
ktap_end

echo 0 > $PARAM
ktap_suite arm64flex_unload 3
ktap_check table_empty grep -q 'tasks=0 task_bps=0 used=0' $TABLE
ktap_check fifth_enospc_again sh -c '/bin/bp_flex off > /tmp/off.ktap'
ktap_check rmmod rmmod hwbp
ktap_end
[ $KTAP_PLAN_FAILED = 0 ]
