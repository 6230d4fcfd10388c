// SPDX-License-Identifier: GPL-2.0
/*
 * Lets upstream's kernel/events/hw_breakpoint_test.c run unchanged as a
 * module: it calls hw_breakpoint_is_used(), which the kernel does not
 * export.  This definition, linked into the same module, calls the kernel's
 * own function by address; with hwbp.ko loaded that call is redirected to
 * hwbp, so the suite also proves that interception.
 */
#include <linux/hw_breakpoint.h>
#include <linux/module.h>

#include <hwbp/compat.h>
#include <hwbp/kallsyms.h>

typedef bool (*hwbp_is_used_fn)(void);

bool hw_breakpoint_is_used(void)
{
	static hwbp_is_used_fn kernel_is_used;

	if (!kernel_is_used) {
		hwbp_lookup_fn lookup = hwbp_find_lookup();

		if (lookup)
			kernel_is_used = (hwbp_is_used_fn)
				lookup("hw_breakpoint_is_used");
	}
	/* Unknown: say "used", which fails the suite rather than hides it. */
	return kernel_is_used ? kernel_is_used() : true;
}

/* Upstream's file carries its MODULE_LICENSE() only before 6.12. */
HWBP_UPSTREAM_TEST_LICENSE();
MODULE_DESCRIPTION("upstream hw_breakpoint KUnit suite, run against hwbp");
