/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwbp: breakpoint slot constraint table.
 *
 * The table decides whether a hardware breakpoint fits in the debug registers
 * of the CPUs it may run on, and keeps the count of pinned slots per CPU, per
 * task and per type.  It knows nothing of perf: callers describe a breakpoint
 * with a struct hwbp_bp and the table answers 0 or an errno.
 *
 * Admission is the rule of kernel/events/hw_breakpoint.c in 6.1, written
 * above fits() in constraint_table.cpp, where it is enforced; a breakpoint
 * the caller marks flexible (opt-in, beyond 6.1) has its own rule, above
 * flex_fits() there.
 *
 * The same file builds as kernel C and as C++17 on the host.
 */
#ifndef HWBP_CONSTRAINT_TABLE_H
#define HWBP_CONSTRAINT_TABLE_H

#include <hwbp/platform.h>

/* Access bits of a breakpoint, as in the perf ABI (HW_BREAKPOINT_*). */
#define HWBP_EMPTY	0U
#define HWBP_R		1U
#define HWBP_W		2U
#define HWBP_RW		(HWBP_R | HWBP_W)
#define HWBP_X		4U
#define HWBP_INVALID	(HWBP_RW | HWBP_X)

enum hwbp_type {
	HWBP_TYPE_INST = 0,
	HWBP_TYPE_DATA = 1,
	HWBP_NR_TYPES = 2,
};

/* Largest pool the table accepts; every real arch is far below it. */
#define HWBP_MAX_SLOTS	32U

/*
 * What the arch has: slots[] per type, and whether data breakpoints take
 * their slots from the instruction pool (x86: one pool of 4 for both).
 * When shared, slots[HWBP_TYPE_DATA] is ignored.
 */
struct hwbp_layout {
	unsigned int slots[HWBP_NR_TYPES];
	bool shared;
};

struct hwbp_table;

/*
 * A task's entry in the table's task index.  The table's alone: callers
 * only see it through the hwbp_task_*() accessors below.  It is stored in
 * one of the task's own reserved breakpoints (see I2 in
 * constraint_table.cpp), so a task's first breakpoint needs no allocation.
 */
struct hwbp_task {
	const void *owner;		/* key; never dereferenced */
	struct hwbp_task *hash_next;	/* bucket chain */
	struct hwbp_bp *bps;		/* sorted by (pool, cpu) */
	unsigned int nr_bps;
	unsigned int any_cpu[HWBP_NR_TYPES];	/* per pool, cpu == -1 bps */
	unsigned int nr_cpu_bps[HWBP_NR_TYPES];	/* per pool, cpu >= 0 bps */
};

/*
 * One breakpoint as the table sees it.  The caller owns the memory and fills
 * in the first five fields before hwbp_reserve(); they must not change while
 * the breakpoint is reserved, except bp_type through hwbp_modify_type(), and
 * the memory must not move.  The rest is the table's and is only valid
 * while reserved.
 */
struct hwbp_bp {
	const void *owner;		/* task key; NULL for a CPU-bound bp */
	int cpu;			/* CPU, or -1 for every CPU (task-bound only) */
	unsigned int bp_type;		/* HWBP_R/W/X bits */
	unsigned int weight;		/* slots it takes, 1 today */
	bool flexible;			/* admit as flexible, not pinned */

	struct hwbp_task *task;		/* owner's entry in the task index */
	struct hwbp_bp *task_next;	/* next bp of the same task */
	unsigned int pool;		/* pool of bp_type in this table */
	bool reserved;
	struct hwbp_task entry;		/* room for the owner's entry */
};

/* Pool type of an access mask: HWBP_TYPE_* or -EINVAL (empty, invalid). */
int hwbp_type_of(unsigned int bp_type);

/*
 * Optional arch hooks, called with the locks of @bp's operation held (see
 * hwbp_lockdep_assert_held()), after the admission check passed and before
 * the counts change (reserve), or before the counts change (release).  They
 * must not sleep nor allocate.  A reserve hook error is returned to the
 * caller with the table unchanged.  @t is the table; @tk is the owner's entry, stable under
 * those locks: on reserve it does not list @bp yet, on release it still
 * does; NULL for a CPU-bound bp, and for a flexible bp whose owner has no
 * pinned one (flexible bps are never listed).  An arch walks the owner's
 * breakpoints there (hwbp_task_bps()) and keeps no index of its own.
 */
struct hwbp_arch_ops {
	int (*reserve)(void *arg, struct hwbp_table *t,
		       const struct hwbp_task *tk, const struct hwbp_bp *bp);
	void (*release)(void *arg, struct hwbp_table *t,
			const struct hwbp_task *tk, const struct hwbp_bp *bp);
	void *arg;
};

/*
 * The reserved pinned bps of entry @tk, under its owner's locks:
 * for (bp = hwbp_task_bps(tk); bp; bp = hwbp_task_next_bp(bp)).
 */
static inline const struct hwbp_bp *hwbp_task_bps(const struct hwbp_task *tk)
{
	return tk->bps;
}

static inline const struct hwbp_bp *hwbp_task_next_bp(const struct hwbp_bp *bp)
{
	return bp->task_next;
}

/*
 * Create a table for CPUs 0..nr_cpus-1.  Returns NULL on allocation failure
 * or a layout with a pool of more than HWBP_MAX_SLOTS.  May sleep.
 */
struct hwbp_table *hwbp_table_create(const struct hwbp_layout *layout,
				     unsigned int nr_cpus,
				     const struct hwbp_arch_ops *ops);
/* Free a table; it must be empty (WARNs and leaks it otherwise). */
void hwbp_table_destroy(struct hwbp_table *t);

/*
 * Reserve slots for @bp.  0 on success; -EINVAL for an empty or invalid
 * bp_type, a CPU out of range, a CPU-bound bp without a CPU, a zero weight or
 * a bp already reserved; -ENOSPC when it does not fit.  On error the table
 * is exactly as before.  Never fails for want of memory; may sleep (it may
 * grow the task index, which is optional); takes the table's locks itself.
 */
int hwbp_reserve(struct hwbp_table *t, struct hwbp_bp *bp);

/*
 * Give back the slots of a reserved @bp.  Never fails for a bp reserved in
 * @t (it WARNs, and leaves the table alone, for any other).
 */
void hwbp_release(struct hwbp_table *t, struct hwbp_bp *bp);

/*
 * Change the type of a reserved @bp to @new_bp_type, as ptrace does: the old
 * slot is released, the new one reserved, and if it does not fit the old one
 * is put back (which cannot fail) and the error returned.  -EINVAL for a
 * bp that is not reserved, and (after a WARN) for one that is not in its
 * owner's entry.  No debugger variant: the kernel's debugger never changes
 * a type.
 */
int hwbp_modify_type(struct hwbp_table *t, struct hwbp_bp *bp,
		     unsigned int new_bp_type);

/*
 * Debugger variants (kgdb, all other CPUs stopped): never sleep, never
 * allocate, and return -EBUSY instead of waiting when a lock the operation
 * needs is held.  Otherwise the same answers as the normal ones; a release
 * of a bp that is not in its owner's entry WARNs and returns -EINVAL.
 */
int hwbp_dbg_reserve(struct hwbp_table *t, struct hwbp_bp *bp);
int hwbp_dbg_release(struct hwbp_table *t, struct hwbp_bp *bp);

/* True while any slot of any CPU or task is reserved. */
bool hwbp_table_is_used(struct hwbp_table *t);

/* --- read-only snapshots, for debugfs and tests --- */

/* Slots the table has for @type (the pool's size). */
unsigned int hwbp_table_slots(const struct hwbp_table *t, enum hwbp_type type);
unsigned int hwbp_table_nr_cpus(const struct hwbp_table *t);
/* Whether both types draw from one pool (the layout's shared). */
bool hwbp_table_shared(const struct hwbp_table *t);

struct hwbp_cpu_usage {
	unsigned int cpu_pinned;	/* CPU-bound slots on this CPU */
	unsigned int task_max;		/* largest task_pinned(t, cpu) */
};

/* Reserved flexible breakpoints whose type draws from @type's pool. */
unsigned int hwbp_table_nr_flexible(struct hwbp_table *t, enum hwbp_type type);

/* Usage of @type's pool on @cpu, from a consistent state of the table. */
void hwbp_snapshot_cpu(struct hwbp_table *t, unsigned int cpu,
		       enum hwbp_type type, struct hwbp_cpu_usage *u);

/*
 * Call @fn for every task with a reserved breakpoint, with the table locked
 * against changes (@fn must not sleep nor call back into the table, except
 * the hwbp_task_*() accessors).  Stops at and returns the first non-zero
 * value @fn returns.
 */
int hwbp_walk_tasks(struct hwbp_table *t,
		    int (*fn)(void *arg, const struct hwbp_task *tk),
		    void *arg);
/*
 * The same from an arch hook of a CPU-bound bp, which holds the table
 * exclusively already: @fn as above.
 */
int hwbp_walk_tasks_locked(struct hwbp_table *t,
			   int (*fn)(void *arg, const struct hwbp_task *tk),
			   void *arg);
/* Lockdep: the locks an operation on @bp holds (arch hooks' data). */
void hwbp_lockdep_assert_held(struct hwbp_table *t, const struct hwbp_bp *bp);
const void *hwbp_task_owner(const struct hwbp_task *tk);
unsigned int hwbp_task_nr_bps(const struct hwbp_task *tk);
/*
 * Slots of @type the task pins on @cpu (cpu-independent ones included).
 * Like hwbp_task_nr_bps(), pinned breakpoints only.
 */
unsigned int hwbp_task_pinned(const struct hwbp_table *t,
			      const struct hwbp_task *tk, unsigned int cpu,
			      enum hwbp_type type);

/* task_pinned(@owner, @cpu) for @type, locked; 0 for an unknown owner. */
unsigned int hwbp_owner_pinned(struct hwbp_table *t, const void *owner,
			       unsigned int cpu, enum hwbp_type type);

#endif /* HWBP_CONSTRAINT_TABLE_H */
