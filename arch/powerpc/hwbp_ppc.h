/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwbp powerpc: the perf/ptrace exclusion rule of 6.1's
 * arch_reserve_bp_slot(), over the core's own index.  Builds in the kernel
 * (hwbp_arch.cpp) and on the host (tests/arch_powerpc_test.cpp).
 *
 * The rule: a ptrace breakpoint and a perf breakpoint whose address ranges
 * (rounded to HW_BREAKPOINT_SIZE, 8) overlap may not both be set on the
 * same task, nor a ptrace one on any task while a CPU-bound perf one
 * overlaps it; perf breakpoints on kernel addresses are exempt.
 *
 * Where each side is found, under the table's own locks (no lock here):
 *  - a task's breakpoints: the owner's entry, which the table hands to its
 *    hooks with the owner's locks held (struct hwbp_arch_ops);
 *  - every ptrace breakpoint, for a CPU-bound perf reservation: a walk of
 *    the table's entries (hwbp_walk_tasks_locked()), the table being held
 *    exclusively by any CPU-bound operation;
 *  - the CPU-bound perf breakpoints, for a ptrace reservation: cpu_bps
 *    below, written only by the hooks of CPU-bound breakpoints (the table
 *    held exclusively) and read by those of task-bound ones (held shared).
 * The rule is about pinned breakpoints (hwbp_arch_flexible() is false
 * where it applies).  The includer defines hwbp_ppc_range_of(): what a
 * breakpoint covers (in the kernel, from its perf event).
 */
#ifndef HWBP_PPC_H
#define HWBP_PPC_H

#include <hwbp/constraint_table.h>

#define HWBP_PPC_BP_SIZE	8ULL	/* HW_BREAKPOINT_SIZE */

struct hwbp_ppc_range {
	bool ptrace;
	bool kernel;			/* perf, on a kernel address: exempt */
	u64 start, end;			/* [start, end), rounded */
};

/*
 * The CPU-bound perf breakpoints (not exempt), @nr_slots a CPU: at most
 * the pool's size, since the table admitted them.
 */
struct hwbp_ppc {
	unsigned int nr_cpus;
	unsigned int nr_slots;
	const struct hwbp_bp **cpu_bps;	/* [cpu * nr_slots + i] */
};

static void hwbp_ppc_range_of(const struct hwbp_bp *bp,
			      struct hwbp_ppc_range *r);

static inline void hwbp_ppc_range_set(struct hwbp_ppc_range *r, u64 addr,
				      u64 len)
{
	r->start = addr & ~(HWBP_PPC_BP_SIZE - 1);
	r->end = (addr + len + HWBP_PPC_BP_SIZE - 1) & ~(HWBP_PPC_BP_SIZE - 1);
}

/* 6.1's !can_co_exist(): other infrastructure and overlapping ranges. */
static inline bool hwbp_ppc_conflict(const struct hwbp_ppc_range *a,
				     const struct hwbp_ppc_range *b)
{
	return a->ptrace != b->ptrace && !a->kernel && !b->kernel &&
	       a->start < b->end && a->end > b->start;
}

/* Does a breakpoint of entry @tk (may be NULL) conflict with @r? */
static inline int hwbp_ppc_task_conflict(void *arg, const struct hwbp_task *tk)
{
	const struct hwbp_ppc_range *r = (const struct hwbp_ppc_range *)arg;
	struct hwbp_ppc_range o;
	const struct hwbp_bp *pos;

	if (!tk)
		return 0;
	for (pos = hwbp_task_bps(tk); pos; pos = hwbp_task_next_bp(pos)) {
		hwbp_ppc_range_of(pos, &o);
		if (hwbp_ppc_conflict(&o, r))
			return 1;
	}
	return 0;
}

static inline bool hwbp_ppc_cpu_conflict(struct hwbp_ppc *p,
					 const struct hwbp_ppc_range *r)
{
	struct hwbp_ppc_range o;
	unsigned int i;

	for (i = 0; i < p->nr_cpus * p->nr_slots; i++) {
		if (!p->cpu_bps[i])
			continue;
		hwbp_ppc_range_of(p->cpu_bps[i], &o);
		if (hwbp_ppc_conflict(&o, r))
			return true;
	}
	return false;
}

static inline int hwbp_ppc_cpu_add(struct hwbp_ppc *p, const struct hwbp_bp *bp)
{
	const struct hwbp_bp **row = &p->cpu_bps[bp->cpu * p->nr_slots];
	unsigned int i;

	for (i = 0; i < p->nr_slots; i++) {
		if (!row[i]) {
			row[i] = bp;
			return 0;
		}
	}
	WARN_ON_ONCE(1);	/* more than the table admitted */
	return -ENOSPC;
}

/* Table hook: 6.1's arch_reserve_bp_slot() decision.  0 or -ENOSPC. */
static inline int hwbp_ppc_reserve(void *arg, struct hwbp_table *t,
				   const struct hwbp_task *tk,
				   const struct hwbp_bp *bp)
{
	struct hwbp_ppc *p = (struct hwbp_ppc *)arg;
	struct hwbp_ppc_range r;

	hwbp_lockdep_assert_held(t, bp);
	if (WARN_ON_ONCE(bp->flexible))
		return -EINVAL;
	hwbp_ppc_range_of(bp, &r);
	if (r.ptrace)
		return hwbp_ppc_cpu_conflict(p, &r) ||
		       hwbp_ppc_task_conflict(&r, tk) ? -ENOSPC : 0;
	if (r.kernel)
		return 0;
	if (bp->owner)
		return hwbp_ppc_task_conflict(&r, tk) ? -ENOSPC : 0;
	if (hwbp_walk_tasks_locked(t, hwbp_ppc_task_conflict, &r))
		return -ENOSPC;
	return hwbp_ppc_cpu_add(p, bp);
}

/* Table hook: a CPU-bound breakpoint leaves cpu_bps, wherever it is. */
static inline void hwbp_ppc_release(void *arg, struct hwbp_table *t,
				    const struct hwbp_task *tk,
				    const struct hwbp_bp *bp)
{
	struct hwbp_ppc *p = (struct hwbp_ppc *)arg;
	const struct hwbp_bp **row;
	unsigned int i;

	hwbp_lockdep_assert_held(t, bp);
	/* Pinned only: a task-bound breakpoint is listed in its entry. */
	if (WARN_ON_ONCE(!tk != !bp->owner) || bp->owner)
		return;
	row = &p->cpu_bps[bp->cpu * p->nr_slots];
	for (i = 0; i < p->nr_slots; i++)
		if (row[i] == bp)
			row[i] = NULL;
}

#endif /* HWBP_PPC_H */
