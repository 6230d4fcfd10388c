/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwbp: what each arch supplies (arch/<arch>/hwbp_arch.cpp).
 *
 * The core never hard-codes a slot count: the arch says how many breakpoint
 * registers of each type a CPU has and whether both types share them, and
 * gets a say at reserve, release and unregister time, as the kernel's own
 * arch_reserve_bp_slot() and arch_unregister_hw_breakpoint() do.
 */
#ifndef HWBP_ARCH_H
#define HWBP_ARCH_H

#include <linux/ftrace.h>
#include <linux/ptrace.h>

#include <hwbp/compat.h>
#include <hwbp/constraint_table.h>

struct perf_event;
struct hwbp_event;

/*
 * ppc64 ELFv2 only (arch/powerpc/hwbp_arch.cpp): hwbp_ftrace_redirect()
 * through a trampoline that gives @fn the module's TOC and the caller the
 * kernel's back.
 */
void hwbp_elfv2_ftrace_redirect(struct ftrace_regs *fregs, unsigned long fn);

/*
 * From an ftrace callback registered with FTRACE_OPS_FL_IPMODIFY (and
 * SAVE_REGS where the kernel has it, see compat.h): make the traced
 * function's call go to @fn, a C function of this module with the same
 * prototype.  On ppc64 ELFv2 the function would run with the kernel's TOC
 * pointer (r2) and return with ours: see the trampoline.
 */
static __always_inline void hwbp_ftrace_redirect(struct ftrace_regs *fregs,
						 unsigned long fn)
{
	if (IS_ENABLED(CONFIG_PPC64_ELF_ABI_V2))
		hwbp_elfv2_ftrace_redirect(fregs, fn);
	else
		hwbp_ftrace_regs_set_ip(fregs, fn);
}

/*
 * 0 if hwbp can take this kernel over, else -errno after one dmesg line
 * saying why.  Called first at load, before any symbol is looked up.
 */
int hwbp_arch_check(void);

/* Fill @layout from what the running CPUs report.  0 or -errno. */
int hwbp_arch_layout(struct hwbp_layout *layout);

/* Slots a breakpoint event takes (the kernel's hw_breakpoint_weight()). */
unsigned int hwbp_arch_weight(struct perf_event *bp);

/*
 * Per-event arch state.  hwbp_arch_event_init() runs in event_init, before
 * the slot is reserved (process context, may sleep, may allocate): what it
 * leaves in ev->arch is the event's until hwbp_arch_event_free(), which runs
 * once hwbp forgets the event (its slot released).  The table hooks, which
 * must not allocate, reach it with hwbp_event_of_slot().
 */
int hwbp_arch_event_init(struct perf_event *bp, struct hwbp_event *ev);
void hwbp_arch_event_free(struct hwbp_event *ev);

/*
 * The same in two steps, for the debugger's records (hwbp_pool): at load,
 * hwbp_arch_event_prepare() allocates @ev's arch state for no event yet
 * (may sleep); hwbp_arch_event_adopt() fills it for @bp when the debugger
 * reserves, with other CPUs stopped and interrupts off, so it must not
 * allocate, sleep or take a lock.  hwbp_arch_event_free() at unload.
 */
int hwbp_arch_event_prepare(struct hwbp_event *ev);
void hwbp_arch_event_adopt(struct perf_event *bp, struct hwbp_event *ev);

/* Table hooks (see struct hwbp_arch_ops); NULL when the arch needs none. */
const struct hwbp_arch_ops *hwbp_arch_table_ops(void);

/*
 * Called when a breakpoint event goes away, before its slot is released;
 * must not look at bp->ctx (the event may have been swapped to another
 * task since it last fired).
 */
void hwbp_arch_unregister(struct perf_event *bp);

/* Name of the arch for messages and the debugfs view. */
const char *hwbp_arch_name(void);

#endif /* HWBP_ARCH_H */
