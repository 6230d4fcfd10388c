// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp powerpc hooks: the DAWR registers (1, or 2 with CPU_FTR_DAWR1 on
 * POWER10) take data breakpoints only; there is no instruction pool.
 *
 * Before 6.6 (HWBP_PPC_PTRACE_RULE, compat.h), under hwbp the kernel's
 * arch_reserve_bp_slot(), arch_release_bp_slot() and
 * arch_unregister_hw_breakpoint() are no longer called for hwbp's events
 * (they live in the stock reserve/release path hwbp replaces), so this file
 * does their work:
 *  - the perf/ptrace exclusion rule, as table hooks over the core's index
 *    (hwbp_ppc.h), each breakpoint's range read from its perf event as 6.1
 *    reads it; breakpoints are all pinned there (hwbp_arch_flexible());
 *  - at unregister, every reference the kernel's exception handler left to
 *    the event in a thread's last_hit_ubp[] is cleared, found without
 *    event->ctx (see hwbp_arch_unregister()).
 * From 6.6 the kernel has neither (it keeps a pending single step on the
 * breakpoint itself, perf_single_step), and neither has hwbp: no table
 * hooks, nothing to do at unregister.
 */
#include <linux/hw_breakpoint.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include <asm/hw_breakpoint.h>

#include <hwbp/arch.h>

#include "../../glue/glue.h"
#include "hwbp_ppc.h"

/*
 * ppc64 ELFv2 (Debian's ppc64el): a kernel function is entered at its local
 * entry point by a direct call from the same TOC, and its callers expect r2,
 * the kernel's TOC pointer, unchanged on return.  Redirected by ftrace into
 * a module function, it would run with the kernel's r2 (ftrace_regs_caller
 * restores the callee's r2 before the bctr) and return with the module's.
 * So the redirect enters hwbp_elfv2_tramp with the hook's address in r12;
 * the trampoline calls the hook at its global entry (which sets up the
 * module's TOC from r12) as an ordinary indirect call, restores the kernel's
 * r2 from its own frame's TOC save doubleword and returns to the caller.
 * (Not the caller's: a call from another module went through a stub that
 * keeps that module's r2 there, for the caller to reload.)  The
 * arguments stay in r3-r10 (no hooked function takes more or is variadic),
 * so no parameter save area is needed.
 *
 * With CONFIG_LIVEPATCH_64 ftrace_regs_caller saves and restores r2 itself
 * (livepatch_handler, which also takes r12 for its own use): there the
 * redirect enters the hook's global entry directly, as livepatch does.
 * Debian's ppc64el kernel lacks LIVEPATCH_64, so only the trampoline has
 * been run (scripts/check-ppc64el).
 */
#ifdef CONFIG_PPC64_ELF_ABI_V2
void hwbp_elfv2_tramp(void);

/*
 * The return address into the caller is in r0 when ftrace's exit code
 * enters the trampoline: 6.1's and 6.12's also put it in LR and enter
 * through CTR, but 7.x's out-of-line ftrace stubs (PPC_FTRACE_OUT_OF_LINE)
 * enter through LR, which then holds the trampoline's own address (the
 * stub's "mtlr r0" is skipped).  So it is taken from r0, never from LR.
 */
asm(".pushsection .text, \"ax\", @progbits\n"
	".balign 4\n"
	".type hwbp_elfv2_tramp, @function\n"
"hwbp_elfv2_tramp:\n"
	"std	0, 16(1)\n"	/* r0: the return address, in the LR save dw */
	"stdu	1, -32(1)\n"	/* a minimal ELFv2 frame of our own */
	"std	2, 24(1)\n"	/* the kernel's TOC, in its TOC save dw */
	"mtctr	12\n"		/* the hook; r12 = its global entry */
	"bctrl\n"
	"ld	2, 24(1)\n"
	"addi	1, 1, 32\n"
	"ld	0, 16(1)\n"
	"mtlr	0\n"
	"blr\n"
	".size hwbp_elfv2_tramp, . - hwbp_elfv2_tramp\n"
	".popsection\n");

void notrace hwbp_ftrace_redirect(struct ftrace_regs *fregs, unsigned long fn)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);

	/* FTRACE_OPS_FL_SAVE_REGS: ftrace_regs_caller restores r2-r31. */
	if (WARN_ON_ONCE(!regs))
		return;
	if (IS_ENABLED(CONFIG_LIVEPATCH_64)) {
		hwbp_ftrace_set_ip(fregs, fn);
		return;
	}
	regs->gpr[12] = fn;
	hwbp_ftrace_set_ip(fregs, (unsigned long)hwbp_elfv2_tramp);
}
#else
void notrace hwbp_ftrace_redirect(struct ftrace_regs *fregs, unsigned long fn)
{
	hwbp_ftrace_regs_set_ip(fregs, fn);	/* refused at load anyway */
}
#endif

/*
 * ppc64 ELFv2 only: its two obstacles, the kprobe's local entry point of a
 * kernel function hwbp calls (hwbp/kallsyms.h) and the kernel's TOC in a
 * redirected call (the trampoline above), are handled, and booting Debian's
 * ppc64el kernel showed the takeover and the hand-back work.  ELFv1's
 * function descriptors and 32-bit powerpc are refused: never tried.
 */
int hwbp_arch_check(void)
{
	if (!IS_ENABLED(CONFIG_PPC64_ELF_ABI_V2)) {
		pr_err("hwbp: powerpc: only ppc64 ELFv2 (ppc64le) is supported\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* The CPU-bound perf breakpoints (hwbp_ppc.h), in the module's bss. */
static const struct hwbp_bp *hwbp_ppc_cpu_bps[NR_CPUS * HBP_NUM_MAX];
static struct hwbp_ppc hwbp_ppc = {
	.cpu_bps = hwbp_ppc_cpu_bps,
};

static unsigned long hwbp_ptrace_triggered;

static const struct hwbp_symbol hwbp_ppc_symbols[] = {
	{ "ptrace_triggered", &hwbp_ptrace_triggered },
};

int hwbp_arch_layout(struct hwbp_layout *layout)
{
	layout->slots[HWBP_TYPE_INST] = 0;
	layout->slots[HWBP_TYPE_DATA] = (unsigned int)nr_wp_slots();
	layout->shared = false;
	hwbp_ppc.nr_cpus = nr_cpu_ids;
	hwbp_ppc.nr_slots = layout->slots[HWBP_TYPE_DATA];
	if (!HWBP_PPC_PTRACE_RULE)
		return 0;
	return hwbp_resolve_symbols(hwbp_ppc_symbols,
				    ARRAY_SIZE(hwbp_ppc_symbols));
}

/* As 6.1 reads it: the breakpoint's perf event as it is now. */
static void hwbp_ppc_range_of(const struct hwbp_bp *bp,
			      struct hwbp_ppc_range *r)
{
	const struct perf_event *e = hwbp_event_of_slot(bp)->perf;

	r->ptrace = (unsigned long)e->overflow_handler == hwbp_ptrace_triggered;
	r->kernel = !r->ptrace && is_kernel_addr(e->attr.bp_addr);
	hwbp_ppc_range_set(r, e->attr.bp_addr, e->attr.bp_len);
}

static const struct hwbp_arch_ops hwbp_ppc_ops = {
	hwbp_ppc_reserve,
	hwbp_ppc_release,
	&hwbp_ppc,
};

const struct hwbp_arch_ops *hwbp_arch_table_ops(void)
{
	return HWBP_PPC_PTRACE_RULE ? &hwbp_ppc_ops : NULL;
}

/*
 * 6.1's arch_unregister_hw_breakpoint() clears bp from
 * bp->ctx->task->thread.last_hit_ubp[], which is wrong once an inherited
 * event has been swapped to another task: the task that hit it is not
 * ctx->task any more.  Without ctx, the task is unknown, so every thread is
 * looked at; the event is out of its context by now, so no new hit can
 * store it, and cmpxchg() leaves any other event in place.
 */
void hwbp_arch_unregister(struct perf_event *bp)
{
	struct task_struct *g, *t;

	if (!HWBP_PPC_PTRACE_RULE || is_kernel_addr(bp->attr.bp_addr))
		return;
	rcu_read_lock();
	for_each_process_thread(g, t)
		hwbp_ppc_forget_hit(t, bp);
	rcu_read_unlock();
}
