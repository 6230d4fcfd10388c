/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwbp: per-task breakpoint index, internal to the core.
 *
 * A hash table of task entries keyed by the owner pointer, one spinlock per
 * bucket; each entry keeps its task's breakpoints on a list sorted by
 * (pool, cpu), cpu -1 first.  The invariants and lock rules of these fields
 * are in the comment above struct hwbp_table in constraint_table.cpp, the
 * one place they are written down.
 */
#ifndef HWBP_TASK_BP_LIST_H
#define HWBP_TASK_BP_LIST_H

#include <hwbp/constraint_table.h>

#define HWBP_INDEX_MIN_BITS	4U
#define HWBP_INDEX_MAX_BITS	20U

struct hwbp_bucket {
	spinlock_t lock;		/* guards head and its entries (see I2) */
	struct hwbp_task *head;
};

struct hwbp_task_index {
	struct hwbp_bucket *buckets;	/* 1 << bits of them */
	unsigned int bits;
	atomic_t nr_tasks;		/* entries, empty ones included */
};

/* --- the index --- */

struct hwbp_bucket *hwbp_buckets_alloc(unsigned int bits);
int hwbp_index_init(struct hwbp_task_index *idx);
/*
 * Frees the buckets.  Returns the entries still in the index, which live in
 * their callers' breakpoints: 0 unless the table is destroyed in use.
 */
unsigned int hwbp_index_destroy(struct hwbp_task_index *idx);
void hwbp_bucket_insert(struct hwbp_task_index *idx, struct hwbp_bucket *b,
			struct hwbp_task *tk);
void hwbp_bucket_remove(struct hwbp_task_index *idx, struct hwbp_bucket *b,
			struct hwbp_task *tk);
/*
 * Move entry @from, in bucket @b, to the storage at @to: the chain and
 * every bp of the task then point at @to, and @from is unused.
 */
void hwbp_bucket_move(struct hwbp_bucket *b, struct hwbp_task *from,
		      struct hwbp_task *to);
/*
 * Move every entry to @nb (1 << @bits buckets, from hwbp_buckets_alloc())
 * and return the old bucket array for the caller to free after unlocking.
 * @table_lock must be held for write.
 */
struct hwbp_bucket *hwbp_index_rehash(struct hwbp_task_index *idx,
				      rwlock_t *table_lock,
				      struct hwbp_bucket *nb,
				      unsigned int bits);
/* Call @fn on every entry; @table_lock must be held for write. */
int hwbp_index_for_each(struct hwbp_task_index *idx, rwlock_t *table_lock,
			int (*fn)(void *arg, const struct hwbp_task *tk),
			void *arg);

/*
 * The hot helpers below are inline: each reserve and release runs them
 * under the locks, and a call costs more than most of their bodies.
 */

/* Bucket of @owner; stable under read(table_lock). */
static inline struct hwbp_bucket *
hwbp_index_bucket(const struct hwbp_task_index *idx, const void *owner)
{
	return &idx->buckets[hash_ptr(owner, idx->bits)];
}

/* @owner's entry in locked bucket @b, or NULL. */
static inline struct hwbp_task *hwbp_bucket_find(struct hwbp_bucket *b,
						 const void *owner)
{
	struct hwbp_task *tk;

	lockdep_assert_held(&b->lock);
	for (tk = b->head; tk; tk = tk->hash_next)
		if (tk->owner == owner)
			return tk;
	return NULL;
}

/* True when the index would like 1 << @bits buckets more (load > 1). */
static inline bool hwbp_index_wants_grow(const struct hwbp_task_index *idx)
{
	return idx->bits < HWBP_INDEX_MAX_BITS &&
	       (unsigned int)atomic_read(&idx->nr_tasks) > (1U << idx->bits);
}

/* --- one task's list; @b is its bucket, locked --- */

/* Order of the task list: by pool, then by cpu (-1 first). */
static inline bool hwbp_bp_before(const struct hwbp_bp *a,
				  const struct hwbp_bp *b)
{
	if (a->pool != b->pool)
		return a->pool < b->pool;
	return a->cpu < b->cpu;
}

static inline void hwbp_task_link(struct hwbp_bucket *b, struct hwbp_task *tk,
				  struct hwbp_bp *bp)
{
	struct hwbp_bp **pp;

	lockdep_assert_held(&b->lock);
	/* After every bp that sorts before or with it: stable order. */
	for (pp = &tk->bps; *pp; pp = &(*pp)->task_next)
		if (hwbp_bp_before(bp, *pp))
			break;
	bp->task_next = *pp;
	*pp = bp;
	bp->task = tk;
	tk->nr_bps++;
	if (bp->cpu >= 0)
		tk->nr_cpu_bps[bp->pool]++;
}

static inline void hwbp_task_unlink(struct hwbp_bucket *b,
				    struct hwbp_task *tk, struct hwbp_bp *bp)
{
	struct hwbp_bp **pp;

	lockdep_assert_held(&b->lock);
	for (pp = &tk->bps; *pp; pp = &(*pp)->task_next) {
		if (*pp == bp) {
			*pp = bp->task_next;
			bp->task_next = NULL;
			tk->nr_bps--;
			if (bp->cpu >= 0)
				tk->nr_cpu_bps[bp->pool]--;
			return;
		}
	}
	WARN_ON_ONCE(1);
}

/* Slots of @pool the task pins on @cpu only (cpu == @cpu bps). */
static inline unsigned int hwbp_task_extra(const struct hwbp_task *tk,
					   unsigned int pool, int cpu)
{
	const struct hwbp_bp *bp;
	unsigned int sum = 0;

	if (!tk->nr_cpu_bps[pool])
		return 0;
	for (bp = tk->bps; bp; bp = bp->task_next) {
		if (bp->pool < pool || (bp->pool == pool && bp->cpu < cpu))
			continue;
		if (bp->pool > pool || bp->cpu > cpu)
			break;
		sum += bp->weight;
	}
	return sum;
}

/*
 * Walk of the CPU-specific groups of a pool: each step gives one CPU the
 * task has cpu >= 0 breakpoints on, with their total weight.
 */
struct hwbp_group_iter {
	const struct hwbp_bp *pos;
	unsigned int pool;
	int cpu;			/* out: the group's CPU */
	unsigned int extra;		/* out: its slots */
};

static inline void hwbp_group_start(struct hwbp_group_iter *it,
				    const struct hwbp_task *tk,
				    unsigned int pool)
{
	const struct hwbp_bp *bp = NULL;

	it->pool = pool;
	it->cpu = -1;
	it->extra = 0;
	if (tk->nr_cpu_bps[pool]) {
		for (bp = tk->bps; bp; bp = bp->task_next)
			if (bp->pool > pool || (bp->pool == pool && bp->cpu >= 0))
				break;
	}
	it->pos = bp;
}

static inline bool hwbp_group_next(struct hwbp_group_iter *it)
{
	const struct hwbp_bp *bp = it->pos;

	if (!bp || bp->pool != it->pool)
		return false;
	it->cpu = bp->cpu;
	it->extra = 0;
	for (; bp; bp = bp->task_next) {
		if (bp->cpu != it->cpu || bp->pool != it->pool)
			break;
		it->extra += bp->weight;
	}
	it->pos = bp;
	return true;
}

#endif /* HWBP_TASK_BP_LIST_H */
