#!/bin/sh
# Plan "benchicount" (scripts/bench --icount): plan-bench.sh's workloads in
# a boot whose clock counts instructions (scripts/vm --icount); its own name
# so that it may run beside the wall-clock boot of plan bench.
exec /bin/plan-bench.sh
