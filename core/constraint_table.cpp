// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp: breakpoint slot constraint table.
 *
 * Counts pinned breakpoint slots per CPU, per task and per pool, and admits
 * a new breakpoint by the rule of kernel/events/hw_breakpoint.c (6.1),
 * written above fits() below.  Unlike 6.1 it needs no sleeping lock and
 * no RCU grace period: a task-bound operation reads the CPU counts under a
 * shared lock and touches only its own task's entry and the CPUs that task's
 * own breakpoints name; a CPU-bound one excludes them all for a few loads.
 */
#include "task_bp_list.h"

/*
 * The table.  Its invariants and lock rules, the one place they are written.
 *
 * Data, for each pool p: nr_pools is 1 when the layout shares one pool
 * between both types (pool_of(), the one place that fact is kept), else 2
 * and p = type.
 *  cpu_pinned[c][p]   slots taken on CPU c by CPU-bound (owner == NULL) bps.
 *  task entry tk      one per owner having a reserved bp (see below):
 *    tk->bps          all its reserved bps, sorted by (pool, cpu), cpu -1
 *                     first; tk->nr_bps of them.
 *    tk->any_cpu[p]   slots of its cpu == -1 bps.
 *    tk->nr_cpu_bps[p] how many of its bps have cpu >= 0 (walks of the
 *                     CPU-specific groups are skipped when 0).
 *    bp->pool         pool of bp->bp_type, set with it.
 *    task_pinned(tk, c, p) = any_cpu[p] + slots of its cpu == c bps.
 *  Histograms, counting entries or CPUs by value v = 1..slots[p] (0 is not
 *  counted), so that a maximum is one short scan from the top:
 *    cpu_hist[p][v]   CPUs c with cpu_pinned[c][p] == v.
 *    tsk_all[p][v]    entries with any_cpu[p] == v.
 *    tsk_cpu[c][p][v] entries having some cpu == c bp in pool p, with
 *                     task_pinned(tk, c, p) == v.
 *  Hence max over tasks of task_pinned(c, p) is the larger of the tops of
 *  tsk_all[p] and tsk_cpu[c][p]: a task without cpu == c bps pins any_cpu
 *  on c, one with some pins task_pinned >= any_cpu.
 *  nr_reserved        reserved bps; index.nr_tasks: entries, empty included.
 *  nr_flexible[p]     reserved flexible bps of pool p.  A flexible bp is in
 *                     no count above and in no task entry (bp->task stays
 *                     NULL): only nr_flexible and nr_reserved know of it.
 *
 * (I1) for all c, p, tk: cpu_pinned[c][p] + task_pinned(tk, c, p) <= slots[p].
 *      Every change is admitted against exact, stable counts under the locks
 *      below, so no CPU is ever oversubscribed and no refusal is spurious.
 * (I2) An entry is keyed by the owner pointer alone, which is never
 *      dereferenced: owners may die and their address be reused once their
 *      last bp is released.  It lives in bucket hash_ptr(owner, index.bits).
 *      Its storage is the entry field of one of its own reserved bps: the
 *      bp that created it, until that bp is released while others remain,
 *      when it moves into the first of them (hwbp_bucket_move(), which
 *      repoints every bp->task).  So bp->task may change under another
 *      bp's release, and is read only under the owner's bucket lock.  The
 *      release (normal or debugger) of its last bp removes it.  Only a
 *      modify may leave it empty for a moment, between giving the old slot
 *      and taking the new or the old one back, under the same locks;
 *      readers skip empty entries all the same.
 *
 * Locks, all spinning; nothing sleeps or allocates while holding one:
 *  order: table_lock (rwlock_t), then one bucket lock (spinlock_t).
 *  lock_bp()/unlock_bp() take and drop an operation's locks, whichever
 *  they are (below); every lock rule is also a lockdep assert where the
 *  data is touched.
 *  write(table_lock): CPU-bound reserve/release/modify, growing the index,
 *    and every reader of a histogram top about tasks (admission of a
 *    CPU-bound bp, snapshots, hwbp_walk_tasks()).  It excludes all other
 *    operations, so all counts are stable.  cpu_pinned, cpu_hist,
 *    index.buckets and index.bits change only under it.
 *  read(table_lock) + the owner's bucket lock: every task-bound operation,
 *    held for the whole of it (lookup, admission, arch hook, update), so
 *    cpu_pinned and cpu_hist are stable and the owner's entry is ours.
 *    Operations on tasks in other buckets run concurrently: they update
 *    tsk_all and tsk_cpu with atomics and never read them.
 *  read(table_lock) alone: a CPU-bound flexible bp, which touches only
 *    nr_flexible (atomic) and reads cpu_pinned and cpu_hist.
 *  The only allocation is a bigger bucket array, made before locking with
 *  GFP_KERNEL and freed after unlocking when unused; failing it merely
 *  leaves the index ungrown (longer chains).
 *  The hwbp_dbg_*() variants take the same locks with trylocks and return
 *  -EBUSY instead of waiting; hwbp_table_is_used() reads nr_reserved racily.
 */
struct hwbp_table {
	rwlock_t table_lock;
	unsigned int nr_cpus;
	unsigned int nr_pools;
	unsigned int slots[HWBP_NR_TYPES];	/* per pool */
	unsigned int hlen;			/* histogram row length */
	struct hwbp_arch_ops ops;
	unsigned int *cpu_pinned;	/* [cpu * nr_pools + pool] */
	atomic_t *cpu_hist;		/* [pool * hlen + v - 1] */
	atomic_t *tsk_all;		/* [pool * hlen + v - 1] */
	atomic_t *tsk_cpu;		/* [(cpu * nr_pools + pool) * hlen + v - 1] */
	atomic_t nr_reserved;
	atomic_t nr_flexible[HWBP_NR_TYPES];	/* per pool */
	struct hwbp_task_index index;
};

/*
 * As 6.1: only an empty or the invalid mask is refused here; other stray
 * bits are the arch parser's to refuse, after the reservation, so that a
 * full table answers -ENOSPC to them as the kernel does.
 */
int hwbp_type_of(unsigned int bp_type)
{
	if (bp_type == HWBP_EMPTY || bp_type == HWBP_INVALID)
		return -EINVAL;
	return (bp_type & HWBP_RW) ? HWBP_TYPE_DATA : HWBP_TYPE_INST;
}
EXPORT_SYMBOL_NS_GPL(hwbp_type_of, HWBP_NS);

/* --- counts and histograms --- */

/* Pool of a breakpoint type: 0 for both when the layout shares one. */
static unsigned int pool_of(const struct hwbp_table *t, enum hwbp_type type)
{
	return t->nr_pools == 1 ? 0U : (unsigned int)type;
}

static unsigned int *cpu_pinned_of(struct hwbp_table *t, int cpu,
				   unsigned int pool)
{
	return &t->cpu_pinned[(size_t)cpu * t->nr_pools + pool];
}

static atomic_t *cpu_hist_row(struct hwbp_table *t, unsigned int pool)
{
	return &t->cpu_hist[(size_t)pool * t->hlen];
}

static atomic_t *tsk_all_row(struct hwbp_table *t, unsigned int pool)
{
	return &t->tsk_all[(size_t)pool * t->hlen];
}

static atomic_t *tsk_cpu_row(struct hwbp_table *t, int cpu, unsigned int pool)
{
	return &t->tsk_cpu[((size_t)cpu * t->nr_pools + pool) * t->hlen];
}

/* Move one member of a histogram from value @from to value @to. */
static inline void hist_move(atomic_t *row, unsigned int slots,
			     unsigned int from, unsigned int to)
{
	if (to && !WARN_ON_ONCE(to > slots))
		atomic_inc(&row[to - 1]);
	if (from && !WARN_ON_ONCE(from > slots))
		atomic_dec(&row[from - 1]);
}

/* Largest value with a member; the caller has the histogram stable. */
static unsigned int hist_top(atomic_t *row, unsigned int slots)
{
	unsigned int v;
	int n;

	for (v = slots; v > 0; v--) {
		n = atomic_read(&row[v - 1]);
		if (n > 0)
			return v;
		WARN_ON_ONCE(n < 0);
	}
	return 0;
}

/* Largest task_pinned(tk, @cpu, @pool) over all tasks. */
static unsigned int max_task_pinned(struct hwbp_table *t, int cpu,
				    unsigned int pool)
{
	unsigned int all, one;

	lockdep_assert_held_write(&t->table_lock);
	all = hist_top(tsk_all_row(t, pool), t->slots[pool]);
	one = hist_top(tsk_cpu_row(t, cpu, pool), t->slots[pool]);
	return all > one ? all : one;
}

static int arch_reserve(struct hwbp_table *t, const struct hwbp_task *tk,
			const struct hwbp_bp *bp)
{
	return t->ops.reserve ? t->ops.reserve(t->ops.arg, t, tk, bp) : 0;
}

static void arch_release(struct hwbp_table *t, const struct hwbp_task *tk,
			 const struct hwbp_bp *bp)
{
	if (t->ops.release)
		t->ops.release(t->ops.arg, t, tk, bp);
}

/* --- admission of pinned breakpoints --- */

/*
 * Admission, the rule of kernel/events/hw_breakpoint.c in 6.1:
 *  - a CPU-bound breakpoint on CPU c fits iff
 *      cpu_pinned(c) + max over tasks of task_pinned(t, c) + weight <= slots
 *  - a task-bound breakpoint fits iff, on every CPU c it may run on,
 *      cpu_pinned(c) + task_pinned(owner, c) + weight <= slots
 * where slots is the size of the breakpoint's pool, and every count is of
 * pinned breakpoints only (flexible ones: flex_fits() below).
 * cpu_fits() and task_used() compute the left-hand sides from the counts
 * and histograms of I1, under the locks of the operation.
 */
static bool fits(const struct hwbp_table *t, unsigned int pool,
		 unsigned int used, unsigned int weight)
{
	return weight <= t->slots[pool] && used <= t->slots[pool] - weight;
}

/* CPU-bound: the first rule.  write(table_lock). */
static bool cpu_fits(struct hwbp_table *t, const struct hwbp_bp *bp,
		     unsigned int pool)
{
	unsigned int used;

	lockdep_assert_held_write(&t->table_lock);
	used = *cpu_pinned_of(t, bp->cpu, pool) +
	       max_task_pinned(t, bp->cpu, pool);
	return fits(t, pool, used, bp->weight);
}

/*
 * Task-bound: the largest cpu_pinned + task_pinned over the CPUs @bp may
 * run on, for the second rule.  read(table_lock) + the owner's bucket.
 */
static unsigned int task_used(struct hwbp_table *t, const struct hwbp_task *tk,
			      const struct hwbp_bp *bp, unsigned int pool)
{
	unsigned int any = tk->any_cpu[pool];
	struct hwbp_group_iter it;
	unsigned int used, u;

	lockdep_assert_held_read(&t->table_lock);
	if (bp->cpu >= 0)
		return *cpu_pinned_of(t, bp->cpu, pool) + any +
		       hwbp_task_extra(tk, pool, bp->cpu);
	/*
	 * Every CPU: on those the task names, cpu_pinned + any + extra; on
	 * the others cpu_pinned + any, bounded by the busiest CPU overall
	 * (which, if named, is covered more tightly by its own term).
	 */
	used = hist_top(cpu_hist_row(t, pool), t->slots[pool]) + any;
	hwbp_group_start(&it, tk, pool);
	while (hwbp_group_next(&it)) {
		u = *cpu_pinned_of(t, it.cpu, pool) + any + it.extra;
		if (u > used)
			used = u;
	}
	return used;
}

/* --- taking and giving slots: one toggle per kind of count --- */

/* @bp's weight into (@take) or out of cpu_pinned and cpu_hist. */
static inline void cpu_toggle(struct hwbp_table *t, const struct hwbp_bp *bp,
			      unsigned int pool, bool take)
{
	unsigned int *pinned = cpu_pinned_of(t, bp->cpu, pool);
	unsigned int to;

	lockdep_assert_held_write(&t->table_lock);
	if (!take && WARN_ON_ONCE(*pinned < bp->weight))
		return;
	to = take ? *pinned + bp->weight : *pinned - bp->weight;
	hist_move(cpu_hist_row(t, pool), t->slots[pool], *pinned, to);
	*pinned = to;
}

/*
 * @bp into (@take: linked last) or out of (unlinked first) its owner's
 * entry @tk, with the entry's counts and the task histograms.  A cpu >= 0
 * bp moves its CPU's group (any + extra, counted when extra > 0); a
 * cpu == -1 bp moves any_cpu, so every group of the task moves with it.
 */
static inline void task_toggle(struct hwbp_table *t, struct hwbp_bucket *b,
			       struct hwbp_task *tk, struct hwbp_bp *bp,
			       unsigned int pool, bool take)
{
	unsigned int any = tk->any_cpu[pool], w = bp->weight;
	unsigned int s = t->slots[pool], e, lo, hi, na;
	struct hwbp_group_iter it;

	lockdep_assert_held_read(&t->table_lock);
	lockdep_assert_held(&b->lock);
	if (!take)
		hwbp_task_unlink(b, tk, bp);
	if (bp->cpu >= 0) {
		e = hwbp_task_extra(tk, pool, bp->cpu);
		lo = e ? any + e : 0;
		hi = any + e + w;
		hist_move(tsk_cpu_row(t, bp->cpu, pool), s, take ? lo : hi,
			  take ? hi : lo);
	} else {
		if (!take && WARN_ON_ONCE(any < w))
			return;
		na = take ? any + w : any - w;
		hist_move(tsk_all_row(t, pool), s, any, na);
		hwbp_group_start(&it, tk, pool);
		while (hwbp_group_next(&it))
			hist_move(tsk_cpu_row(t, it.cpu, pool), s,
				  any + it.extra, na + it.extra);
		tk->any_cpu[pool] = na;
	}
	if (take)
		hwbp_task_link(b, tk, bp);
}

/*
 * A pinned bp's slots, CPU-bound when @b is NULL, else in entry @tk of
 * bucket @b: pinned_take() admits it, asks the arch and takes them;
 * pinned_give() gives them back; put_back() takes them again after a
 * failed modify, which cannot be refused (they were free a moment ago,
 * under the same locks).
 */
static int pinned_take(struct hwbp_table *t, struct hwbp_bucket *b,
		       struct hwbp_task *tk, struct hwbp_bp *bp,
		       unsigned int pool)
{
	int ret;

	if (!(b ? fits(t, pool, task_used(t, tk, bp, pool), bp->weight) :
	      cpu_fits(t, bp, pool)))
		return -ENOSPC;
	ret = arch_reserve(t, tk, bp);
	if (ret)
		return ret;
	if (b)
		task_toggle(t, b, tk, bp, pool, true);
	else
		cpu_toggle(t, bp, pool, true);
	return 0;
}

static inline void pinned_give(struct hwbp_table *t, struct hwbp_bucket *b,
			       struct hwbp_task *tk, struct hwbp_bp *bp,
			       unsigned int pool)
{
	arch_release(t, tk, bp);
	if (b)
		task_toggle(t, b, tk, bp, pool, false);
	else
		cpu_toggle(t, bp, pool, false);
}

static void put_back(struct hwbp_table *t, struct hwbp_bucket *b,
		     struct hwbp_task *tk, struct hwbp_bp *bp,
		     unsigned int pool)
{
	WARN_ON_ONCE(arch_reserve(t, tk, bp));
	if (b)
		task_toggle(t, b, tk, bp, pool, true);
	else
		cpu_toggle(t, bp, pool, true);
}

/* --- flexible breakpoints --- */

/*
 * Flexible admission, opt-in and beyond 6.1, which counts every breakpoint
 * as pinned.  The caller marks a bp flexible (hwbp.ko: a perf_event_open()
 * event with attr.pinned == 0, when its flexible parameter is on); perf then
 * multiplexes it like any other flexible event, installing it only while a
 * register is free (the PMU's add() answers -EBUSY otherwise).
 *  - Pinned admission (the rule above fits()) counts pinned bps
 *    only, so no flexible bp ever makes a pinned one fail: ptrace, kgdb and
 *    in-kernel users, all pinned, get exactly the answers they would get if
 *    no flexible bp existed.
 *  - A flexible bp is refused (-ENOSPC) only when no register could ever be
 *    free for it: when the pinned bps alone fill its pool on some CPU it may
 *    run on.  Task-bound: on some such CPU c,
 *      cpu_pinned(c) + task_pinned(owner, c) + weight > slots;
 *    CPU-bound on c (it also runs beside tasks with no pinned bp):
 *      cpu_pinned(c) + weight > slots.
 *    So it is admitted whenever it would fit as pinned, and also when only
 *    other tasks' or other flexible bps stand in its way.
 *  - It never enters a pinned count (I1 holds for pinned bps alone) and is
 *    counted in nr_flexible of its pool.
 * Called under read(table_lock), and the owner's bucket lock for a task-bound
 * bp, whose entry (or NULL, no pinned bp) is @tk: cpu_pinned and the
 * owner's counts are stable.
 */
static bool flex_fits(struct hwbp_table *t, const struct hwbp_task *tk,
		      const struct hwbp_bp *bp, unsigned int pool)
{
	unsigned int used;

	lockdep_assert_held_read(&t->table_lock);
	if (tk)
		used = task_used(t, tk, bp, pool);
	else if (bp->cpu >= 0)
		used = *cpu_pinned_of(t, bp->cpu, pool);
	else
		used = hist_top(cpu_hist_row(t, pool), t->slots[pool]);
	return fits(t, pool, used, bp->weight);
}

static int flex_admit(struct hwbp_table *t, const struct hwbp_task *tk,
		      struct hwbp_bp *bp, unsigned int pool)
{
	int ret;

	if (!flex_fits(t, tk, bp, pool))
		return -ENOSPC;
	ret = arch_reserve(t, tk, bp);
	if (ret)
		return ret;
	atomic_inc(&t->nr_flexible[pool]);
	return 0;
}

static void flex_drop(struct hwbp_table *t, const struct hwbp_task *tk,
		      struct hwbp_bp *bp, unsigned int pool)
{
	arch_release(t, tk, bp);
	WARN_ON_ONCE(atomic_dec_return(&t->nr_flexible[pool]) < 0);
}

/* hwbp_modify_type() of a flexible bp: its own rule, in the new pool. */
static int flex_modify_locked(struct hwbp_table *t, const struct hwbp_task *tk,
			      struct hwbp_bp *bp, unsigned int new_bp_type,
			      unsigned int new_pool)
{
	unsigned int old_bp_type = bp->bp_type, old_pool = bp->pool;
	int ret;

	flex_drop(t, tk, bp, old_pool);
	bp->bp_type = new_bp_type;
	bp->pool = new_pool;
	ret = flex_admit(t, tk, bp, new_pool);
	if (ret) {
		bp->bp_type = old_bp_type;
		bp->pool = old_pool;
		/*
		 * Back as it was: it keeps its admission even if pinned bps
		 * arrived since (a flexible bp takes no room to put back).
		 */
		WARN_ON_ONCE(arch_reserve(t, tk, bp));
		atomic_inc(&t->nr_flexible[old_pool]);
	}
	return ret;
}

/* --- locking: one helper pair for every operation --- */

/*
 * The locks of an operation on @bp (the rules above struct hwbp_table):
 * write(table_lock) for a CPU-bound pinned bp; read(table_lock) and the
 * owner's bucket lock for a task-bound one; read(table_lock) alone for a
 * CPU-bound flexible one.  lock_bp() waits for them, or with @dbg only
 * takes them if free, and says whether it holds them; *@bucket is the
 * owner's bucket, NULL for a CPU-bound bp.  unlock_bp() drops them.
 */
static __always_inline bool __lock_bp(struct hwbp_table *t,
				      const struct hwbp_bp *bp, bool dbg,
				      struct hwbp_bucket **bucket)
{
	struct hwbp_bucket *b;

	*bucket = NULL;
	if (!bp->owner && !bp->flexible) {
		if (!dbg)
			write_lock(&t->table_lock);
		else if (!write_trylock(&t->table_lock))
			return false;
		/* Held: the checker learns it at the call, lock_bp(). */
		__release(&t->table_lock);
		return true;
	}
	if (!dbg)
		read_lock(&t->table_lock);
	else if (!read_trylock(&t->table_lock))
		return false;
	if (!bp->owner) {
		__release(&t->table_lock);
		return true;
	}
	b = hwbp_index_bucket(&t->index, bp->owner);
	if (!dbg) {
		spin_lock(&b->lock);
	} else if (!spin_trylock(&b->lock)) {
		read_unlock(&t->table_lock);
		return false;
	}
	*bucket = b;
	__release(&b->lock);
	__release(&t->table_lock);
	return true;
}

/*
 * Spelled out rather than with __cond_lock(), which 7.0 removed together
 * with sparse's context tracking: __acquire() exists on every kernel.
 */
#define lock_bp(t, bp, dbg, bucket)					\
	(__lock_bp(t, bp, dbg, bucket) ?				\
	 ({ __acquire(bp_locks); true; }) : false)

static __always_inline void unlock_bp(struct hwbp_table *t,
				      const struct hwbp_bp *bp,
				      struct hwbp_bucket *b)
	__releases(bp_locks)
{
	if (b) {
		__acquire(bp_locks);
		spin_unlock(&b->lock);
		read_unlock(&t->table_lock);
	} else if (bp->flexible) {
		read_unlock(&t->table_lock);
	} else {
		write_unlock(&t->table_lock);
	}
}

/* --- entry points --- */

/* The checks of hwbp_reserve(); the pool type or -EINVAL. */
static int check_bp(const struct hwbp_table *t, const struct hwbp_bp *bp)
{
	int type = hwbp_type_of(bp->bp_type);

	if (type < 0)
		return type;
	if (bp->reserved || !bp->weight)
		return -EINVAL;
	if (bp->cpu < -1 || bp->cpu >= (int)t->nr_cpus)
		return -EINVAL;
	if (!bp->owner && bp->cpu < 0)
		return -EINVAL;
	return type;
}

static void mark_reserved(struct hwbp_table *t, struct hwbp_bp *bp)
{
	bp->reserved = true;
	atomic_inc(&t->nr_reserved);
}

static void mark_released(struct hwbp_table *t, struct hwbp_bp *bp)
{
	bp->reserved = false;
	atomic_dec(&t->nr_reserved);
}

/* Double the buckets when there are more entries than buckets. */
static void grow_index(struct hwbp_table *t, unsigned int bits)
{
	struct hwbp_bucket *nb = hwbp_buckets_alloc(bits + 1);

	if (!nb)
		return;		/* longer chains, still correct */
	write_lock(&t->table_lock);
	if (t->index.bits == bits && hwbp_index_wants_grow(&t->index))
		nb = hwbp_index_rehash(&t->index, &t->table_lock, nb, bits + 1);
	write_unlock(&t->table_lock);
	kvfree(nb);
}

/* A task-bound pinned reservation, in bucket @b; its entry made if new. */
static int reserve_in_task(struct hwbp_table *t, struct hwbp_bucket *b,
			   struct hwbp_bp *bp, unsigned int pool)
{
	struct hwbp_task *tk = hwbp_bucket_find(b, bp->owner);
	bool inserted = false;
	int ret;

	if (!tk) {
		/* The owner's first bp: the entry lives in it (I2). */
		tk = &bp->entry;
		memset(tk, 0, sizeof(*tk));
		tk->owner = bp->owner;
		hwbp_bucket_insert(&t->index, b, tk);
		inserted = true;
	}
	ret = pinned_take(t, b, tk, bp, pool);
	if (ret && inserted)
		hwbp_bucket_remove(&t->index, b, tk);
	return ret;
}

static int reserve_locked(struct hwbp_table *t, struct hwbp_bucket *b,
			  struct hwbp_bp *bp, unsigned int pool)
{
	if (bp->flexible)
		return flex_admit(t, b ? hwbp_bucket_find(b, bp->owner) : NULL,
				  bp, pool);
	if (b)
		return reserve_in_task(t, b, bp, pool);
	return pinned_take(t, NULL, NULL, bp, pool);
}

static int reserve(struct hwbp_table *t, struct hwbp_bp *bp, bool dbg)
{
	int type = check_bp(t, bp);
	unsigned int grow_bits = 0;
	struct hwbp_bucket *b;
	int ret;

	if (type < 0)
		return type;
	bp->pool = pool_of(t, (enum hwbp_type)type);
	bp->task = NULL;
	bp->task_next = NULL;
	if (!lock_bp(t, bp, dbg, &b))
		return -EBUSY;
	ret = reserve_locked(t, b, bp, bp->pool);
	if (!ret) {
		mark_reserved(t, bp);
		if (b && !dbg && hwbp_index_wants_grow(&t->index))
			grow_bits = t->index.bits;
	}
	unlock_bp(t, bp, b);
	if (grow_bits)
		grow_index(t, grow_bits);
	return ret;
}

int hwbp_reserve(struct hwbp_table *t, struct hwbp_bp *bp)
{
	might_sleep();
	return reserve(t, bp, false);
}
EXPORT_SYMBOL_NS_GPL(hwbp_reserve, HWBP_NS);

int hwbp_dbg_reserve(struct hwbp_table *t, struct hwbp_bp *bp)
{
	return reserve(t, bp, true);
}
EXPORT_SYMBOL_NS_GPL(hwbp_dbg_reserve, HWBP_NS);

/*
 * The owner's entry of a reserved task-bound pinned @bp, stable only now
 * (I2), or NULL after a WARN if @bp is not in its owner's entry: then the
 * counts are left alone and the caller fails with -EINVAL.
 */
static inline struct hwbp_task *owner_entry(struct hwbp_bucket *b,
					    struct hwbp_bp *bp)
{
	struct hwbp_task *tk = bp->task;

	lockdep_assert_held(&b->lock);
	if (WARN_ON_ONCE(!tk || tk->owner != bp->owner))
		return NULL;
	return tk;
}

static int release_locked(struct hwbp_table *t, struct hwbp_bucket *b,
			  struct hwbp_bp *bp)
{
	struct hwbp_task *tk = NULL;

	if (bp->flexible) {
		flex_drop(t, b ? hwbp_bucket_find(b, bp->owner) : NULL, bp,
			  bp->pool);
		mark_released(t, bp);
		return 0;
	}
	if (b) {
		tk = owner_entry(b, bp);
		if (!tk)
			return -EINVAL;
	}
	pinned_give(t, b, tk, bp, bp->pool);
	mark_released(t, bp);
	if (!tk)
		return 0;
	bp->task = NULL;
	if (!tk->nr_bps)
		hwbp_bucket_remove(&t->index, b, tk);
	else if (tk == &bp->entry)
		hwbp_bucket_move(b, tk, &tk->bps->entry);
	return 0;
}

static int release(struct hwbp_table *t, struct hwbp_bp *bp, bool dbg)
{
	struct hwbp_bucket *b;
	int ret;

	if (WARN_ON_ONCE(!bp->reserved))
		return -EINVAL;
	if (!lock_bp(t, bp, dbg, &b))
		return -EBUSY;
	ret = release_locked(t, b, bp);
	unlock_bp(t, bp, b);
	return ret;
}

void hwbp_release(struct hwbp_table *t, struct hwbp_bp *bp)
{
	release(t, bp, false);
}
EXPORT_SYMBOL_NS_GPL(hwbp_release, HWBP_NS);

int hwbp_dbg_release(struct hwbp_table *t, struct hwbp_bp *bp)
{
	return release(t, bp, true);
}
EXPORT_SYMBOL_NS_GPL(hwbp_dbg_release, HWBP_NS);

/*
 * A pinned bp to @new_bp_type: give, retype, take, or put back.  The
 * entry may drop to no bp in between; it stays where it is (I2).
 */
static int modify_locked(struct hwbp_table *t, struct hwbp_bucket *b,
			 struct hwbp_bp *bp, unsigned int new_bp_type,
			 unsigned int new_pool)
{
	unsigned int old_bp_type = bp->bp_type, old_pool = bp->pool;
	struct hwbp_task *tk = NULL;
	int ret;

	if (bp->flexible)
		return flex_modify_locked(t, b ? hwbp_bucket_find(b, bp->owner) :
					  NULL, bp, new_bp_type, new_pool);
	if (b) {
		tk = owner_entry(b, bp);
		if (!tk)
			return -EINVAL;
	}
	pinned_give(t, b, tk, bp, old_pool);
	bp->bp_type = new_bp_type;
	bp->pool = new_pool;
	ret = pinned_take(t, b, tk, bp, new_pool);
	if (ret) {
		bp->bp_type = old_bp_type;
		bp->pool = old_pool;
		put_back(t, b, tk, bp, old_pool);
	}
	return ret;
}

/*
 * No debugger variant: the kernel's debugger never changes a breakpoint's
 * type (6.1 has dbg_reserve_bp_slot() and dbg_release_bp_slot() only).
 */
int hwbp_modify_type(struct hwbp_table *t, struct hwbp_bp *bp,
		     unsigned int new_bp_type)
{
	int type = hwbp_type_of(new_bp_type);
	struct hwbp_bucket *b;
	int ret;

	might_sleep();
	if (type < 0)
		return type;
	if (!bp->reserved)
		return -EINVAL;
	if (!lock_bp(t, bp, false, &b))
		return -EBUSY;
	ret = modify_locked(t, b, bp, new_bp_type,
			    pool_of(t, (enum hwbp_type)type));
	unlock_bp(t, bp, b);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(hwbp_modify_type, HWBP_NS);

bool hwbp_table_is_used(struct hwbp_table *t)
{
	return atomic_read(&t->nr_reserved) != 0;
}
EXPORT_SYMBOL_NS_GPL(hwbp_table_is_used, HWBP_NS);

/* --- creation --- */

static void free_arrays(struct hwbp_table *t)
{
	kvfree(t->cpu_pinned);
	kfree(t->cpu_hist);
	kfree(t->tsk_all);
	kvfree(t->tsk_cpu);
}

struct hwbp_table *hwbp_table_create(const struct hwbp_layout *layout,
				     unsigned int nr_cpus,
				     const struct hwbp_arch_ops *ops)
{
	struct hwbp_table *t;
	unsigned int p;
	size_t rows;

	might_sleep();
	if (!layout || !nr_cpus || nr_cpus > (unsigned int)INT_MAX)
		return NULL;
	t = (struct hwbp_table *)kcalloc(1, sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	t->nr_cpus = nr_cpus;
	t->nr_pools = layout->shared ? 1 : HWBP_NR_TYPES;
	t->hlen = 1;
	for (p = 0; p < t->nr_pools; p++) {
		t->slots[p] = layout->slots[p];
		if (t->slots[p] > HWBP_MAX_SLOTS)
			goto fail;
		if (t->slots[p] > t->hlen)
			t->hlen = t->slots[p];
	}
	if (ops)
		t->ops = *ops;
	rows = (size_t)nr_cpus * t->nr_pools;
	t->cpu_pinned = (unsigned int *)kvcalloc(rows, sizeof(unsigned int),
						 GFP_KERNEL);
	t->cpu_hist = (atomic_t *)kcalloc((size_t)t->nr_pools * t->hlen,
					  sizeof(atomic_t), GFP_KERNEL);
	t->tsk_all = (atomic_t *)kcalloc((size_t)t->nr_pools * t->hlen,
					 sizeof(atomic_t), GFP_KERNEL);
	t->tsk_cpu = (atomic_t *)kvcalloc(rows * t->hlen, sizeof(atomic_t),
					  GFP_KERNEL);
	if (!t->cpu_pinned || !t->cpu_hist || !t->tsk_all || !t->tsk_cpu)
		goto fail;
	if (hwbp_index_init(&t->index))
		goto fail;
	rwlock_init(&t->table_lock);
	atomic_set(&t->nr_reserved, 0);
	for (p = 0; p < HWBP_NR_TYPES; p++)
		atomic_set(&t->nr_flexible[p], 0);
	return t;
fail:
	free_arrays(t);
	kfree(t);
	return NULL;
}
EXPORT_SYMBOL_NS_GPL(hwbp_table_create, HWBP_NS);

void hwbp_table_destroy(struct hwbp_table *t)
{
	if (!t)
		return;
	if (WARN_ON(hwbp_table_is_used(t)))
		return;		/* leak rather than free reserved state */
	WARN_ON(hwbp_index_destroy(&t->index));
	free_arrays(t);
	kfree(t);
}
EXPORT_SYMBOL_NS_GPL(hwbp_table_destroy, HWBP_NS);

/* --- read-only snapshots --- */

unsigned int hwbp_table_slots(const struct hwbp_table *t, enum hwbp_type type)
{
	if ((unsigned int)type >= HWBP_NR_TYPES)
		return 0;
	return t->slots[pool_of(t, type)];
}
EXPORT_SYMBOL_NS_GPL(hwbp_table_slots, HWBP_NS);

unsigned int hwbp_table_nr_cpus(const struct hwbp_table *t)
{
	return t->nr_cpus;
}
EXPORT_SYMBOL_NS_GPL(hwbp_table_nr_cpus, HWBP_NS);

void hwbp_snapshot_cpu(struct hwbp_table *t, unsigned int cpu,
		       enum hwbp_type type, struct hwbp_cpu_usage *u)
{
	unsigned int pool;

	u->cpu_pinned = 0;
	u->task_max = 0;
	if (cpu >= t->nr_cpus || (unsigned int)type >= HWBP_NR_TYPES)
		return;
	pool = pool_of(t, type);
	write_lock(&t->table_lock);
	u->cpu_pinned = *cpu_pinned_of(t, (int)cpu, pool);
	u->task_max = max_task_pinned(t, (int)cpu, pool);
	write_unlock(&t->table_lock);
}
EXPORT_SYMBOL_NS_GPL(hwbp_snapshot_cpu, HWBP_NS);

unsigned int hwbp_table_nr_flexible(struct hwbp_table *t, enum hwbp_type type)
{
	unsigned int pool;

	if ((unsigned int)type >= HWBP_NR_TYPES)
		return 0;
	pool = pool_of(t, type);
	return (unsigned int)atomic_read(&t->nr_flexible[pool]);
}
EXPORT_SYMBOL_NS_GPL(hwbp_table_nr_flexible, HWBP_NS);

int hwbp_walk_tasks(struct hwbp_table *t,
		    int (*fn)(void *arg, const struct hwbp_task *tk),
		    void *arg)
{
	int ret;

	write_lock(&t->table_lock);
	ret = hwbp_index_for_each(&t->index, &t->table_lock, fn, arg);
	write_unlock(&t->table_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(hwbp_walk_tasks, HWBP_NS);

int hwbp_walk_tasks_locked(struct hwbp_table *t,
			   int (*fn)(void *arg, const struct hwbp_task *tk),
			   void *arg)
{
	return hwbp_index_for_each(&t->index, &t->table_lock, fn, arg);
}
EXPORT_SYMBOL_NS_GPL(hwbp_walk_tasks_locked, HWBP_NS);

void hwbp_lockdep_assert_held(struct hwbp_table *t, const struct hwbp_bp *bp)
{
	if (!bp->owner) {
		if (bp->flexible)
			lockdep_assert_held_read(&t->table_lock);
		else
			lockdep_assert_held_write(&t->table_lock);
		return;
	}
	lockdep_assert_held_read(&t->table_lock);
	lockdep_assert_held(&hwbp_index_bucket(&t->index, bp->owner)->lock);
}
EXPORT_SYMBOL_NS_GPL(hwbp_lockdep_assert_held, HWBP_NS);

unsigned int hwbp_owner_pinned(struct hwbp_table *t, const void *owner,
			       unsigned int cpu, enum hwbp_type type)
{
	struct hwbp_bucket *b;
	struct hwbp_task *tk;
	struct hwbp_bp key;
	unsigned int n = 0;

	if (!owner || cpu >= t->nr_cpus || (unsigned int)type >= HWBP_NR_TYPES)
		return 0;
	memset(&key, 0, sizeof(key));
	key.owner = owner;
	if (!lock_bp(t, &key, false, &b))
		return 0;
	tk = hwbp_bucket_find(b, owner);
	if (tk)
		n = hwbp_task_pinned(t, tk, cpu, type);
	unlock_bp(t, &key, b);
	return n;
}
EXPORT_SYMBOL_NS_GPL(hwbp_owner_pinned, HWBP_NS);

unsigned int hwbp_task_pinned(const struct hwbp_table *t,
			      const struct hwbp_task *tk, unsigned int cpu,
			      enum hwbp_type type)
{
	unsigned int pool;

	if ((unsigned int)type >= HWBP_NR_TYPES || cpu >= t->nr_cpus)
		return 0;
	pool = pool_of(t, type);
	return tk->any_cpu[pool] + hwbp_task_extra(tk, pool, (int)cpu);
}
EXPORT_SYMBOL_NS_GPL(hwbp_task_pinned, HWBP_NS);

bool hwbp_table_shared(const struct hwbp_table *t)
{
	return t->nr_pools == 1;
}
EXPORT_SYMBOL_NS_GPL(hwbp_table_shared, HWBP_NS);
