/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwbp x86 (include/hwbp/arch.h): DR0-DR3 serve instruction and data
 * breakpoints alike, one pool of HBP_NUM slots; x86 keeps no arch state of
 * its own, so only the IBT check differs from the defaults.
 */
#ifndef HWBP_ARCH_X86_H
#define HWBP_ARCH_X86_H

#define HWBP_ARCH_NAME	"x86"

#define hwbp_arch_check hwbp_arch_check
int hwbp_arch_check(void);

#endif /* HWBP_ARCH_X86_H */
