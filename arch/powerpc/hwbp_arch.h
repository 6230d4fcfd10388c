/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwbp powerpc (include/hwbp/arch.h): the DAWR registers take data
 * breakpoints only.  Besides the layout, powerpc has its own load check
 * (ppc64 ELFv2 only), its own ftrace redirect (the TOC trampoline), and
 * before 6.6 the kernel's perf/ptrace exclusion rule and the clean-up of a
 * pending single step at unregister (HWBP_PPC_PTRACE_RULE, compat.h).
 */
#ifndef HWBP_ARCH_POWERPC_H
#define HWBP_ARCH_POWERPC_H

#define HWBP_ARCH_NAME	"powerpc"

#define hwbp_arch_check hwbp_arch_check
int hwbp_arch_check(void);

#define hwbp_arch_table_ops hwbp_arch_table_ops
const struct hwbp_arch_ops *hwbp_arch_table_ops(void);

#define hwbp_arch_unregister hwbp_arch_unregister
void hwbp_arch_unregister(struct perf_event *bp);

/* The exclusion rule is written for pinned breakpoints (hwbp_ppc.h). */
#define hwbp_arch_flexible() (!HWBP_PPC_PTRACE_RULE)

#define hwbp_ftrace_redirect hwbp_ftrace_redirect
void hwbp_ftrace_redirect(struct ftrace_regs *fregs, unsigned long fn);

#endif /* HWBP_ARCH_POWERPC_H */
