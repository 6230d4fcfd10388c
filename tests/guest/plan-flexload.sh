#!/bin/sh
# Plan "flexload": plan "flex" beside two busy loops.
# vm: icount
FLEX_LOAD=2 exec /bin/plan-flex.sh
