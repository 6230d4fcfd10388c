/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwbp: every difference between the kernels hwbp builds against, in one
 * place.  The kernels are Debian's 6.1 (bookworm), 6.12 (trixie) and the
 * newest 7.x (trixie-backports, sid); each entry says which version or
 * config brought the change.  The algorithm (constraint_table.cpp,
 * task_bp_list.cpp) and the glue use only what this header defines and stay
 * free of version and config conditionals.
 */
#ifndef HWBP_COMPAT_H
#define HWBP_COMPAT_H

#include <linux/compiler.h>
#include <linux/err.h>
#include <linux/ftrace.h>
#include <linux/kconfig.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/version.h>

/*
 * 6.13: a symbol namespace is a string literal in EXPORT_SYMBOL_NS_GPL()
 * and MODULE_IMPORT_NS(); before, a bare token that the macros stringify.
 */
#if KERNEL_VERSION(6, 13, 0) <= LINUX_VERSION_CODE
#define HWBP_NS "HWBP"
#else
#define HWBP_NS HWBP
#endif

/*
 * 7.0: sparse's context annotations gave way to the compiler's context
 * analysis, and __cond_lock() went with them.  Where it is gone, nothing
 * checks lock contexts, so a trylock is its own result.
 */
#ifndef __cond_lock
#define __cond_lock(x, c)	(c)
#endif

/*
 * 6.2: ftrace_instruction_pointer_set() became
 * ftrace_regs_set_instruction_pointer().  Either sets the address the traced
 * function's call goes on at, on arches with DYNAMIC_FTRACE_WITH_ARGS, and
 * is an empty macro elsewhere.
 */
static __always_inline void hwbp_ftrace_set_ip(struct ftrace_regs *fregs,
					       unsigned long ip)
{
#if KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE
	ftrace_regs_set_instruction_pointer(fregs, ip);
#else
	ftrace_instruction_pointer_set(fregs, ip);
#endif
}

/*
 * The ftrace_ops flag that makes a callback see the full pt_regs, and the
 * way to move a traced call elsewhere:
 *  - DYNAMIC_FTRACE_WITH_ARGS (x86, ppc64; arm64 since 6.12): the
 *    ftrace_regs carry the address the call goes on at;
 *  - WITH_REGS only (arm64 before 6.12): the saved pt_regs do, restored by
 *    ftrace_regs_caller, and SAVE_REGS is needed to get them.
 * arm64 6.12+ has no WITH_REGS, and register_ftrace_function() refuses an
 * ops asking for SAVE_REGS there: it is asked for only where it exists.
 */
#ifdef CONFIG_DYNAMIC_FTRACE_WITH_REGS
#define HWBP_FTRACE_OPS_FL_SAVE_REGS	FTRACE_OPS_FL_SAVE_REGS
#else
#define HWBP_FTRACE_OPS_FL_SAVE_REGS	0
#endif

static __always_inline void hwbp_ftrace_regs_set_ip(struct ftrace_regs *fregs,
						    unsigned long ip)
{
	if (IS_ENABLED(CONFIG_DYNAMIC_FTRACE_WITH_ARGS))
		hwbp_ftrace_set_ip(fregs, ip);
	else
		instruction_pointer_set(ftrace_get_regs(fregs), ip);
}

/*
 * 6.12: IS_ERR_PCPU() and PTR_ERR_PCPU() test a __percpu pointer, which
 * gcc 14 with 7.x's named per-CPU address space will not cast to a plain
 * one.  Before 6.12 __percpu is only sparse's, and a __force cast does.
 */
#ifndef IS_ERR_PCPU
#define IS_ERR_PCPU(ptr)	IS_ERR((const void __force *)(ptr))
#define PTR_ERR_PCPU(ptr)	PTR_ERR((const void __force *)(ptr))
#endif

/*
 * Upstream's kernel/events/hw_breakpoint_test.c, which kunit/ builds
 * unchanged as a module, has no MODULE_LICENSE() any more in 6.12 and 7.x
 * (upstream builds it in only); modpost refuses a module without one, so our
 * build supplies it there (kunit/upstream_shim.cpp).
 */
#if KERNEL_VERSION(6, 12, 0) <= LINUX_VERSION_CODE
#define HWBP_UPSTREAM_TEST_LICENSE()	MODULE_LICENSE("GPL")
#else
#define HWBP_UPSTREAM_TEST_LICENSE()
#endif

#endif /* HWBP_COMPAT_H */
