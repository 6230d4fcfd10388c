// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp arm64 hooks: breakpoint (BVR/BCR) and watchpoint (WVR/WCR) registers
 * are separate banks, so instruction and data breakpoints draw from two
 * pools.  Their sizes are the BRPs and WRPs fields of ID_AA64DFR0_EL1 as the
 * kernel reads them (the system-wide safe value of the register, the lowest
 * count of any CPU), through the same get_num_brps()/get_num_wrps() that
 * size the kernel's own hw_breakpoint_slots().
 *
 * arm64 keeps no per-event state outside perf's (no arch_reserve_bp_slot, no
 * arch_unregister_hw_breakpoint in 6.1): the other hooks are
 * include/hwbp/arch.h's defaults.
 */
#include <linux/hw_breakpoint.h>

#include <asm/hw_breakpoint.h>

#include <hwbp/arch.h>

int hwbp_arch_layout(struct hwbp_layout *layout)
{
	int brps = get_num_brps();
	int wrps = get_num_wrps();

	if (brps <= 0 || wrps <= 0 || brps > ARM_MAX_BRP || wrps > ARM_MAX_WRP)
		return -ENODEV;
	layout->slots[HWBP_TYPE_INST] = (unsigned int)brps;
	layout->slots[HWBP_TYPE_DATA] = (unsigned int)wrps;
	layout->shared = false;
	return 0;
}
