/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwbp powerpc logic that builds in the kernel and on the host (tests/
 * arch_powerpc_test.cpp): the perf/ptrace co-existence rule of 6.1's
 * arch_reserve_bp_slot() over a per-task index, and a per-CPU last-hit
 * store that never reaches a task through event->ctx.
 *
 * Co-existence (6.1): a ptrace breakpoint and a perf breakpoint whose
 * address ranges (rounded to HW_BREAKPOINT_SIZE, 8) overlap may not both be
 * set on the same task, nor a ptrace one on any task while a CPU-bound perf
 * one overlaps it; perf breakpoints on kernel addresses are exempt.  6.1
 * walks one global list of every task breakpoint on each reservation; here
 * a task's records hang off a hash of its owner, ptrace records are also on
 * a short list of their own (for CPU-bound perf requests) and CPU-bound perf
 * records on another (for ptrace requests).  Everything is under one
 * spinlock and never allocates: callers pass records they own.
 */
#ifndef HWBP_PPC_H
#define HWBP_PPC_H

#include <hwbp/platform.h>

#ifdef __KERNEL__
#define hwbp_ppc_cmpxchg(p, o, n)	cmpxchg(p, o, n)
#else
#define hwbp_ppc_cmpxchg(p, o, n)	__sync_val_compare_and_swap(p, o, n)
#endif

#define HWBP_PPC_BP_SIZE	8ULL	/* HW_BREAKPOINT_SIZE */
#define HWBP_PPC_HASH_BITS	6U
#define HWBP_PPC_MAX_SLOTS	2U	/* HBP_NUM_MAX: DAWR0, DAWR1 */

struct hwbp_ppc_bp {
	const void *key;		/* the event (or test handle) */
	const void *owner;		/* task, NULL for CPU-bound */
	int cpu;			/* -1: any CPU */
	bool ptrace;
	bool kernel;			/* kernel address: exempt */
	u64 start, end;			/* [start, end), rounded */
	bool linked;
	struct hwbp_ppc_bp *next;	/* task bucket or cpu_bound list */
	struct hwbp_ppc_bp *pnext;	/* ptrace list */
};

struct hwbp_ppc_index {
	spinlock_t lock;		/* guards all below and the records */
	struct hwbp_ppc_bp *tasks[1U << HWBP_PPC_HASH_BITS];
	struct hwbp_ppc_bp *cpu_bound;	/* perf, owner == NULL */
	struct hwbp_ppc_bp *ptrace_bps;	/* every ptrace record */
	unsigned int nr;
};

static inline void hwbp_ppc_index_init(struct hwbp_ppc_index *idx)
{
	memset(idx, 0, sizeof(*idx));
	spin_lock_init(&idx->lock);
}

static inline void hwbp_ppc_bp_init(struct hwbp_ppc_bp *r, const void *key,
				    const void *owner, int cpu, bool ptrace,
				    bool kernel, u64 addr, u64 len)
{
	memset(r, 0, sizeof(*r));
	r->key = key;
	r->owner = owner;
	r->cpu = cpu;
	r->ptrace = ptrace;
	r->kernel = kernel;
	r->start = addr & ~(HWBP_PPC_BP_SIZE - 1);
	r->end = (addr + len + HWBP_PPC_BP_SIZE - 1) & ~(HWBP_PPC_BP_SIZE - 1);
}

/* 6.1's !can_co_exist(): other infrastructure and overlapping ranges. */
static inline bool hwbp_ppc_conflict(const struct hwbp_ppc_bp *a,
				     const struct hwbp_ppc_bp *b)
{
	return a->ptrace != b->ptrace && a->start < b->end &&
	       a->end > b->start;
}

static inline struct hwbp_ppc_bp **hwbp_ppc_bucket(struct hwbp_ppc_index *idx,
						   const void *owner)
{
	return &idx->tasks[hash_ptr(owner, HWBP_PPC_HASH_BITS)];
}

/* Does a record of @r's own task conflict with it?  Lock held. */
static inline bool hwbp_ppc_same_task_conflict(struct hwbp_ppc_index *idx,
					       const struct hwbp_ppc_bp *r)
{
	const struct hwbp_ppc_bp *p;

	for (p = *hwbp_ppc_bucket(idx, r->owner); p; p = p->next)
		if (p->owner == r->owner && hwbp_ppc_conflict(p, r))
			return true;
	return false;
}

static inline bool hwbp_ppc_list_conflict(const struct hwbp_ppc_bp *list,
					  const struct hwbp_ppc_bp *r,
					  bool ptrace_list)
{
	const struct hwbp_ppc_bp *p;

	for (p = list; p; p = ptrace_list ? p->pnext : p->next)
		if (hwbp_ppc_conflict(p, r))
			return true;
	return false;
}

/* 6.1's arch_reserve_bp_slot() decision for @r.  0 or -ENOSPC. */
static inline int hwbp_ppc_check_locked(struct hwbp_ppc_index *idx,
					const struct hwbp_ppc_bp *r)
{
	if (r->ptrace) {
		if (hwbp_ppc_list_conflict(idx->cpu_bound, r, false))
			return -ENOSPC;
		return hwbp_ppc_same_task_conflict(idx, r) ? -ENOSPC : 0;
	}
	if (r->kernel)
		return 0;
	if (!r->owner)
		return hwbp_ppc_list_conflict(idx->ptrace_bps, r, true) ?
		       -ENOSPC : 0;
	return hwbp_ppc_same_task_conflict(idx, r) ? -ENOSPC : 0;
}

/* Check @r and, if it may co-exist, add it.  Lock held.  0 or -ENOSPC. */
static inline int hwbp_ppc_add_locked(struct hwbp_ppc_index *idx,
				      struct hwbp_ppc_bp *r)
{
	struct hwbp_ppc_bp **head;
	int err;

	if (WARN_ON_ONCE(r->linked))
		return -EINVAL;
	err = hwbp_ppc_check_locked(idx, r);
	if (err)
		return err;
	if (r->kernel && !r->ptrace)
		return 0;	/* never recorded, as in 6.1 */
	head = r->owner ? hwbp_ppc_bucket(idx, r->owner) : &idx->cpu_bound;
	r->next = *head;
	*head = r;
	if (r->ptrace) {
		r->pnext = idx->ptrace_bps;
		idx->ptrace_bps = r;
	}
	r->linked = true;
	idx->nr++;
	return 0;
}

static inline void hwbp_ppc_unlink(struct hwbp_ppc_bp **head,
				   struct hwbp_ppc_bp *r, bool ptrace_list)
{
	struct hwbp_ppc_bp **pp;

	for (pp = head; *pp; pp = ptrace_list ? &(*pp)->pnext : &(*pp)->next) {
		if (*pp == r) {
			*pp = ptrace_list ? r->pnext : r->next;
			return;
		}
	}
	WARN_ON_ONCE(1);
}

/* Remove @r if it was added.  Lock held. */
static inline void hwbp_ppc_del_locked(struct hwbp_ppc_index *idx,
				       struct hwbp_ppc_bp *r)
{
	if (!r->linked)
		return;
	hwbp_ppc_unlink(r->owner ? hwbp_ppc_bucket(idx, r->owner) :
			&idx->cpu_bound, r, false);
	if (r->ptrace)
		hwbp_ppc_unlink(&idx->ptrace_bps, r, true);
	r->linked = false;
	r->next = NULL;
	r->pnext = NULL;
	idx->nr--;
}

/*
 * Last hit, per CPU.  powerpc disables a DAWR that fired on an instruction
 * it cannot emulate, single-steps it and re-arms the DAWR afterwards; the
 * event between the two is the "last hit".  Kept per CPU and slot, keyed by
 * nothing but the event pointer: forgetting an event clears it wherever it
 * is, whichever task the event belongs to now (an inherited event may have
 * been swapped to another task since it fired, so ctx->task is no guide).
 */
struct hwbp_last_hit {
	unsigned int nr_cpus;
	unsigned int nr_slots;
	const void **hit;		/* [cpu * nr_slots + slot] */
};

static inline const void **hwbp_last_hit_ptr(struct hwbp_last_hit *lh,
					     unsigned int cpu,
					     unsigned int slot)
{
	return &lh->hit[cpu * lh->nr_slots + slot];
}

/* The handler, on @cpu, after disabling @slot for a step over @bp. */
static inline void hwbp_last_hit_record(struct hwbp_last_hit *lh,
					unsigned int cpu, unsigned int slot,
					const void *bp)
{
	WRITE_ONCE(*hwbp_last_hit_ptr(lh, cpu, slot), bp);
}

/* The step is done: take the event to re-arm (NULL if it went away). */
static inline const void *hwbp_last_hit_take(struct hwbp_last_hit *lh,
					     unsigned int cpu,
					     unsigned int slot)
{
	const void **p = hwbp_last_hit_ptr(lh, cpu, slot);
	const void *bp = READ_ONCE(*p);

	while (bp) {
		const void *old = hwbp_ppc_cmpxchg(p, bp, (const void *)NULL);

		if (old == bp)
			break;
		bp = old;
	}
	return bp;
}

/* @bp is being unregistered: clear it on every CPU.  Entries cleared. */
static inline unsigned int hwbp_last_hit_forget(struct hwbp_last_hit *lh,
						const void *bp)
{
	unsigned int i, n = 0;

	for (i = 0; i < lh->nr_cpus * lh->nr_slots; i++)
		if (READ_ONCE(lh->hit[i]) == bp &&
		    hwbp_ppc_cmpxchg(&lh->hit[i], bp, (const void *)NULL) == bp)
			n++;
	return n;
}

#endif /* HWBP_PPC_H */
