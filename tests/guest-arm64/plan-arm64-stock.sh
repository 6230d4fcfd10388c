#!/bin/sh
# Plan "arm64-stock": the arm64 kernel's own breakpoint path, no hwbp.
# bp_arm64 with the register counts the kernel printed at boot; what
# plan-arm64.sh runs before it loads hwbp.  Needs no module: it runs on
# kernels hwbp.ko does not build for yet.
. /bin/ktap.sh

# "hw-breakpoint: found 6 breakpoint and 4 watchpoint registers."
BRPS=$(dmesg | sed -n 's/.*hw-breakpoint: found \([0-9]*\) breakpoint and \([0-9]*\) watchpoint.*/\1/p')
WRPS=$(dmesg | sed -n 's/.*hw-breakpoint: found \([0-9]*\) breakpoint and \([0-9]*\) watchpoint.*/\2/p')

ktap_header 2
ktap_suite arm64_kernel 2
ktap_diag "kernel $(uname -r): ${BRPS:-?} breakpoint and ${WRPS:-?} watchpoint registers"
ktap_check registers_reported test "${BRPS:-0}" -ge 1 -a "${WRPS:-0}" -ge 1
ktap_check hwbp_not_loaded sh -c "! grep -q '^hwbp ' /proc/modules"
ktap_end
ktap_prog hwbp_arm64_e2e_stock /bin/bp_arm64 "$BRPS" "$WRPS"
exit $KTAP_PLAN_FAILED
