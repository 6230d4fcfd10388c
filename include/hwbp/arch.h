/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwbp: the arch seam.
 *
 * Each arch has arch/<arch>/hwbp_arch.h (on the include path through
 * Kbuild) and arch/<arch>/hwbp_arch.cpp.  Its header names the arch
 * (HWBP_ARCH_NAME) and declares hwbp_arch_layout(), the one hook every arch
 * must supply; for any other hook it needs, it declares it and defines a
 * macro of the same name.  Every hook an arch does not name gets its
 * default here, written once.
 *
 * The core never hard-codes a slot count: the arch says how many breakpoint
 * registers of each type a CPU has and whether both types share them, and
 * may check each reservation against the owner's other breakpoints (table
 * hooks, which receive the owner's entry in the core's index), as the
 * kernel's own arch_reserve_bp_slot() does.
 */
#ifndef HWBP_ARCH_H
#define HWBP_ARCH_H

#include <linux/ftrace.h>
#include <linux/ptrace.h>

#include <hwbp/compat.h>
#include <hwbp/constraint_table.h>

struct perf_event;

#include <hwbp_arch.h>

/* Fill @layout from what the running CPUs report.  0 or -errno. */
int hwbp_arch_layout(struct hwbp_layout *layout);

/* Name of the arch for messages and the debugfs view. */
static inline const char *hwbp_arch_name(void)
{
	return HWBP_ARCH_NAME;
}

/*
 * 0 if hwbp can take this kernel over, else -errno after one dmesg line
 * saying why.  Called first at load, before any symbol is looked up.
 */
#ifndef hwbp_arch_check
static inline int hwbp_arch_check(void)
{
	return 0;
}
#endif

/* Slots a breakpoint event takes (the kernel's hw_breakpoint_weight()). */
#ifndef hwbp_arch_weight
static inline unsigned int hwbp_arch_weight(struct perf_event *bp)
{
	return 1;
}
#endif

/*
 * Table hooks (struct hwbp_arch_ops), after hwbp_arch_layout(); NULL when
 * the arch has no rule of its own.
 */
#ifndef hwbp_arch_table_ops
static inline const struct hwbp_arch_ops *hwbp_arch_table_ops(void)
{
	return NULL;
}
#endif

/*
 * Whether breakpoints may be admitted as flexible: not where the arch's
 * table hooks enforce a rule written for pinned breakpoints only.
 */
#ifndef hwbp_arch_flexible
static inline bool hwbp_arch_flexible(void)
{
	return true;
}
#endif

/*
 * Called when a breakpoint event goes away, before its slot is released;
 * must not look at bp->ctx (the event may have been swapped to another
 * task since it last fired).
 */
#ifndef hwbp_arch_unregister
static inline void hwbp_arch_unregister(struct perf_event *bp)
{
}
#endif

/*
 * From an ftrace callback registered with FTRACE_OPS_FL_IPMODIFY (and
 * SAVE_REGS where the kernel has it, see compat.h): make the traced
 * function's call go to @fn, a C function of this module with the same
 * prototype.
 */
#ifndef hwbp_ftrace_redirect
static __always_inline void hwbp_ftrace_redirect(struct ftrace_regs *fregs,
						 unsigned long fn)
{
	hwbp_ftrace_regs_set_ip(fregs, fn);
}
#endif

#endif /* HWBP_ARCH_H */
