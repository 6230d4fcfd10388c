#!/bin/sh
# Plan "benchmicro" (scripts/bench --sweep): plan-bench.sh's in-kernel
# micro-benchmark only, for boots with other CPU counts.
BENCH_MICRO_ONLY=1 exec /bin/plan-bench.sh
