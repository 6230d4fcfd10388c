/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwbp arm64 (include/hwbp/arch.h): separate breakpoint and watchpoint
 * banks, two pools; no arch_reserve_bp_slot() nor
 * arch_unregister_hw_breakpoint() in the kernel, so every hook but the
 * layout is the default.
 */
#ifndef HWBP_ARCH_ARM64_H
#define HWBP_ARCH_ARM64_H

#define HWBP_ARCH_NAME	"arm64"

#endif /* HWBP_ARCH_ARM64_H */
