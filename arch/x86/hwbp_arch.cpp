// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp x86 hooks: DR0-DR3 serve instruction and data breakpoints alike, so
 * both types draw from one pool of HBP_NUM slots.  The other hooks are
 * include/hwbp/arch.h's defaults.
 */
#include <linux/hw_breakpoint.h>
#include <linux/moduleparam.h>

#include <asm/cpufeature.h>

#include <hwbp/arch.h>

/*
 * Kernel IBT (Debian's 6.12 and 7.x amd64): scripts/ibt-check proves on
 * Debian's own images that every kernel function hwbp reaches through a
 * pointer keeps its ENDBR64, and that the others are reached by direct
 * calls.  QEMU does not emulate IBT, and no run on a CPU that enforces it
 * has been made yet; until one has, hwbp refuses such a CPU unless told to
 * try (hwbp.ibt=1).
 */
static bool ibt;
module_param(ibt, bool, 0444);
MODULE_PARM_DESC(ibt, "load even on a CPU that enforces kernel IBT (not yet run on one)");

int hwbp_arch_check(void)
{
	if (cpu_feature_enabled(X86_FEATURE_IBT) && !ibt) {
		pr_err("hwbp: this CPU enforces kernel IBT, where hwbp has not been run yet; not loading (hwbp.ibt=1 to try)\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

int hwbp_arch_layout(struct hwbp_layout *layout)
{
	layout->slots[HWBP_TYPE_INST] = HBP_NUM;
	layout->slots[HWBP_TYPE_DATA] = HBP_NUM;
	layout->shared = true;
	return 0;
}
