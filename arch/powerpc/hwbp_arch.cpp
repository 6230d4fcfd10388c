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
 *  - the perf/ptrace co-existence rule through hwbp_ppc.h's per-task index:
 *    each event's record is allocated with the event
 *    (hwbp_arch_event_init()) and linked and unlinked by the table's
 *    reserve/release hooks, which run under the table's locks and so must
 *    not allocate; a type change unlinks and relinks the same record;
 *  - at unregister, every reference the kernel's exception handler left to
 *    the event in a thread's last_hit_ubp[] is cleared, found without
 *    event->ctx (see hwbp_arch_unregister()).
 * From 6.6 the kernel has neither, and neither has hwbp: no per-event
 * state, no table hooks, nothing to do at unregister.
 */
#include <linux/hw_breakpoint.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include <asm/hw_breakpoint.h>

#include <hwbp/arch.h>
#include <hwbp/kallsyms.h>
#include <hwbp/kernel.h>

#include "hwbp_ppc.h"

const char *hwbp_arch_name(void)
{
	return "powerpc";
}

static struct hwbp_ppc_index hwbp_ppc_idx;
static unsigned long hwbp_ptrace_triggered;

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

void notrace hwbp_elfv2_ftrace_redirect(struct ftrace_regs *fregs,
					unsigned long fn)
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

int hwbp_arch_layout(struct hwbp_layout *layout)
{
	if (HWBP_PPC_PTRACE_RULE) {
		hwbp_ptrace_triggered = hwbp_kernel_symbol("ptrace_triggered");
		if (!hwbp_ptrace_triggered)
			return -ENOENT;
	}
	hwbp_ppc_index_init(&hwbp_ppc_idx);
	layout->slots[HWBP_TYPE_INST] = 0;
	layout->slots[HWBP_TYPE_DATA] = (unsigned int)nr_wp_slots();
	layout->shared = false;
	return 0;
}

static bool hwbp_is_ptrace_bp(struct perf_event *bp)
{
	return (unsigned long)bp->overflow_handler == hwbp_ptrace_triggered;
}

unsigned int hwbp_arch_weight(struct perf_event *bp)
{
	return 1;
}

int hwbp_arch_event_init(struct perf_event *bp, struct hwbp_event *ev)
{
	struct hwbp_ppc_bp *r;

	if (!HWBP_PPC_PTRACE_RULE)
		return 0;
	r = (struct hwbp_ppc_bp *)kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	hwbp_ppc_bp_init(r, &ev->bp, bp->hw.target, bp->cpu,
			 hwbp_is_ptrace_bp(bp), is_kernel_addr(bp->attr.bp_addr),
			 bp->attr.bp_addr, bp->attr.bp_len);
	ev->arch = r;
	return 0;
}

int hwbp_arch_event_prepare(struct hwbp_event *ev)
{
	struct hwbp_ppc_bp *r;

	r = (struct hwbp_ppc_bp *)kzalloc(sizeof(*r), GFP_KERNEL);
	ev->arch = r;
	return r ? 0 : -ENOMEM;
}

void hwbp_arch_event_adopt(struct perf_event *bp, struct hwbp_event *ev)
{
	hwbp_ppc_bp_init((struct hwbp_ppc_bp *)ev->arch, &ev->bp,
			 bp->hw.target, bp->cpu, hwbp_is_ptrace_bp(bp),
			 is_kernel_addr(bp->attr.bp_addr), bp->attr.bp_addr,
			 bp->attr.bp_len);
}

void hwbp_arch_event_free(struct hwbp_event *ev)
{
	struct hwbp_ppc_bp *r = (struct hwbp_ppc_bp *)ev->arch;

	if (!r)
		return;
	spin_lock(&hwbp_ppc_idx.lock);
	hwbp_ppc_del_locked(&hwbp_ppc_idx, r);
	spin_unlock(&hwbp_ppc_idx.lock);
	ev->arch = NULL;
	kfree(r);
}

/* Table hook: the co-existence check, and the record linked if it passes. */
static int hwbp_ppc_reserve(void *arg, const struct hwbp_bp *bp)
{
	struct hwbp_ppc_bp *r;
	int err;

	r = (struct hwbp_ppc_bp *)hwbp_event_of_slot(bp)->arch;
	spin_lock(&hwbp_ppc_idx.lock);
	err = hwbp_ppc_add_locked(&hwbp_ppc_idx, r);
	spin_unlock(&hwbp_ppc_idx.lock);
	return err;
}

static void hwbp_ppc_release(void *arg, const struct hwbp_bp *bp)
{
	struct hwbp_ppc_bp *r;

	r = (struct hwbp_ppc_bp *)hwbp_event_of_slot(bp)->arch;
	spin_lock(&hwbp_ppc_idx.lock);
	hwbp_ppc_del_locked(&hwbp_ppc_idx, r);
	spin_unlock(&hwbp_ppc_idx.lock);
}

static const struct hwbp_arch_ops hwbp_ppc_ops = {
	hwbp_ppc_reserve,
	hwbp_ppc_release,
	NULL,
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
