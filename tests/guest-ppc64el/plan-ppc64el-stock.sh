#!/bin/sh
# Plan "ppc64el-stock": the powerpc kernel's own breakpoint path, no hwbp.
# What plan-ppc64el.sh checks before it loads hwbp: the CPU, the data
# slots ptrace reports, bp_ppc64el on the stock path.  Needs no module: it
# runs on kernels hwbp.ko does not build for yet.
. /bin/ktap.sh

SLOTS=$(/bin/bp_ppc64el --slots)

ktap_header 2
ktap_suite ppc64el_kernel 3
ktap_diag "kernel $(uname -r); $(grep -m1 '^cpu' /proc/cpuinfo)"
ktap_diag "PPC_PTRACE_GETHWDBGINFO num_data_bps=$SLOTS"
ktap_check cpu_is_power10 grep -q '^cpu.*POWER10' /proc/cpuinfo
ktap_check data_slots_known test "${SLOTS:-0}" -ge 1
ktap_check hwbp_not_loaded sh -c "! grep -q '^hwbp ' /proc/modules"
ktap_end
ktap_prog ppc64el_bp_stock /bin/bp_ppc64el
exit $KTAP_PLAN_FAILED
