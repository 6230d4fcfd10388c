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
#include <linux/sched.h>
#include <linux/slab.h>
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
 * Argument @n (< 8) of the traced call, from an ftrace callback.  6.12 and
 * 7.x have ftrace_regs_get_argument() on every arch; 6.1 has it nowhere,
 * and there the callback asks for the full pt_regs (SAVE_REGS: all of
 * 6.1's hwbp arches have WITH_REGS) and reads them, with
 * regs_get_kernel_argument() where 6.1 has it (x86, arm64), else from r3
 * up (powerpc).
 */
static __always_inline unsigned long hwbp_ftrace_arg(struct ftrace_regs *fregs,
						     unsigned int n)
{
#if KERNEL_VERSION(6, 12, 0) <= LINUX_VERSION_CODE
	return ftrace_regs_get_argument(fregs, n);
#elif defined(CONFIG_PPC)
	return ftrace_get_regs(fregs)->gpr[3 + n];
#else
	return regs_get_kernel_argument(ftrace_get_regs(fregs), n);
#endif
}

/*
 * kzalloc_obj(*p, gfp): a zeroed object of the type p points to, typed.
 * 7.x has it, and Debian's 6.12 has it backported: tested by name, not by
 * version.  Elsewhere, kzalloc() of that size with the same result type.
 */
#ifndef kzalloc_obj
#define kzalloc_obj(obj, gfp)						\
	({ typeof(obj) *__hwbp_obj = kzalloc(sizeof(obj), gfp); __hwbp_obj; })
#endif

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
 * powerpc 6.6: the kernel dropped its perf/ptrace exclusion rule (and the
 * arch_reserve_bp_slot(), arch_release_bp_slot() and
 * arch_unregister_hw_breakpoint() that enforced it), and keeps the
 * single-step state of a breakpoint on the breakpoint itself
 * (perf_single_step), not in a thread's last_hit_ubp[].  hwbp gives the
 * answers of the kernel it runs on: the rule and the clean-up of
 * last_hit_ubp[] only before 6.6 (arch/powerpc/hwbp_arch.cpp).
 */
#if defined(CONFIG_PPC) && KERNEL_VERSION(6, 6, 0) > LINUX_VERSION_CODE
#define HWBP_PPC_PTRACE_RULE	1

/* Forget @bp wherever the exception handler left it in @t's last hits. */
static inline void hwbp_ppc_forget_hit(struct task_struct *t,
				       struct perf_event *bp)
{
	int i;

	for (i = 0; i < HBP_NUM_MAX; i++)
		cmpxchg(&t->thread.last_hit_ubp[i], bp, (struct perf_event *)NULL);
}
#else
#define HWBP_PPC_PTRACE_RULE	0

static inline void hwbp_ppc_forget_hit(struct task_struct *t,
				       struct perf_event *bp)
{
}
#endif

/*
 * 6.2: perf gave each PMU a CPU context of its own (struct
 * perf_cpu_pmu_context, with its own multiplexing hrtimer, which
 * perf_pmu_register() sets up for every PMU and merge_sched_in() arms when a
 * flexible group cannot go on).  Before, the breakpoint PMU shared the
 * software PMUs' struct perf_cpu_context (pmu->pmu_cpu_context), whose
 * hrtimer perf never sets up nor arms, as software events always fit; there
 * hwbp sets it up for flexible breakpoints (glue/pmu.cpp).
 */
#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE
#define HWBP_SHARED_CPU_CONTEXT	1
#else
#define HWBP_SHARED_CPU_CONTEXT	0
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
