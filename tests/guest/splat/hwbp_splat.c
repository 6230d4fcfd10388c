// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp_splat: a module that WARNs on load.  Plan "splat" loads it so that
 * "make check-splat" can prove the host-side log scanner catches splats.
 */
#include <linux/bug.h>
#include <linux/init.h>
#include <linux/module.h>

static int __init hwbp_splat_init(void)
{
	WARN(1, "hwbp_splat: deliberate warning to prove splat detection\n");
	return 0;
}

static void __exit hwbp_splat_exit(void)
{
}

module_init(hwbp_splat_init);
module_exit(hwbp_splat_exit);
MODULE_DESCRIPTION("hwbp test bed: WARN on load");
MODULE_LICENSE("GPL");
