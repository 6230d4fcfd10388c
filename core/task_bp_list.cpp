// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp: the per-task breakpoint index.
 *
 * Entries are found by hashing the owner pointer into an array of buckets,
 * each with its own spinlock, so that operations on different tasks only
 * meet on the table's table_lock, taken for read.  A task's breakpoints hang
 * off its entry on a list sorted by (pool, cpu), so that the slots it pins
 * on one CPU, or on every CPU it names, come out of one walk of its own list.
 *
 * Locking is the caller's (constraint_table.cpp); the rules are written
 * above struct hwbp_table there.  Nothing here allocates with a lock held:
 * bucket arrays come from hwbp_buckets_alloc() before the lock is taken,
 * and entries live in the callers' breakpoints.
 */
#include "task_bp_list.h"

/* --- the index --- */

struct hwbp_bucket *hwbp_buckets_alloc(unsigned int bits)
{
	struct hwbp_bucket *nb;
	unsigned int i, n = 1U << bits;

	might_sleep();
	nb = (struct hwbp_bucket *)kvcalloc(n, sizeof(*nb), GFP_KERNEL);
	if (!nb)
		return NULL;
	for (i = 0; i < n; i++) {
		spin_lock_init(&nb[i].lock);
		nb[i].head = NULL;
	}
	return nb;
}

int hwbp_index_init(struct hwbp_task_index *idx)
{
	idx->buckets = hwbp_buckets_alloc(HWBP_INDEX_MIN_BITS);
	if (!idx->buckets)
		return -ENOMEM;
	idx->bits = HWBP_INDEX_MIN_BITS;
	atomic_set(&idx->nr_tasks, 0);
	return 0;
}

unsigned int hwbp_index_destroy(struct hwbp_task_index *idx)
{
	unsigned int i, left = 0;
	struct hwbp_task *tk;

	for (i = 0; i < (1U << idx->bits); i++)
		for (tk = idx->buckets[i].head; tk; tk = tk->hash_next)
			left++;
	kvfree(idx->buckets);
	idx->buckets = NULL;
	return left;
}

void hwbp_bucket_insert(struct hwbp_task_index *idx, struct hwbp_bucket *b,
			struct hwbp_task *tk)
{
	lockdep_assert_held(&b->lock);
	tk->hash_next = b->head;
	b->head = tk;
	atomic_inc(&idx->nr_tasks);
}

void hwbp_bucket_remove(struct hwbp_task_index *idx, struct hwbp_bucket *b,
			struct hwbp_task *tk)
{
	struct hwbp_task **pp;

	lockdep_assert_held(&b->lock);
	WARN_ON_ONCE(tk->nr_bps);
	for (pp = &b->head; *pp; pp = &(*pp)->hash_next) {
		if (*pp == tk) {
			*pp = tk->hash_next;
			tk->hash_next = NULL;
			atomic_dec(&idx->nr_tasks);
			return;
		}
	}
	WARN_ON_ONCE(1);
}

void hwbp_bucket_move(struct hwbp_bucket *b, struct hwbp_task *from,
		      struct hwbp_task *to)
{
	struct hwbp_task **pp;
	struct hwbp_bp *bp;

	lockdep_assert_held(&b->lock);
	for (pp = &b->head; *pp; pp = &(*pp)->hash_next) {
		if (*pp == from) {
			*to = *from;
			*pp = to;
			for (bp = to->bps; bp; bp = bp->task_next)
				bp->task = to;
			memset(from, 0, sizeof(*from));
			return;
		}
	}
	WARN_ON_ONCE(1);
}

struct hwbp_bucket *hwbp_index_rehash(struct hwbp_task_index *idx,
				      rwlock_t *table_lock,
				      struct hwbp_bucket *nb,
				      unsigned int bits)
{
	struct hwbp_bucket *old = idx->buckets;
	struct hwbp_task *tk, *next;
	struct hwbp_bucket *dst;
	unsigned int i;

	lockdep_assert_held_write(table_lock);
	for (i = 0; i < (1U << idx->bits); i++) {
		for (tk = old[i].head; tk; tk = next) {
			next = tk->hash_next;
			dst = &nb[hash_ptr(tk->owner, bits)];
			tk->hash_next = dst->head;
			dst->head = tk;
		}
		old[i].head = NULL;
	}
	idx->buckets = nb;
	idx->bits = bits;
	return old;
}

int hwbp_index_for_each(struct hwbp_task_index *idx, rwlock_t *table_lock,
			int (*fn)(void *arg, const struct hwbp_task *tk),
			void *arg)
{
	struct hwbp_task *tk;
	unsigned int i;
	int ret;

	lockdep_assert_held_write(table_lock);
	for (i = 0; i < (1U << idx->bits); i++) {
		for (tk = idx->buckets[i].head; tk; tk = tk->hash_next) {
			if (!tk->nr_bps)
				continue;
			ret = fn(arg, tk);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* --- read-only accessors, for hwbp_walk_tasks() callbacks --- */

const void *hwbp_task_owner(const struct hwbp_task *tk)
{
	return tk->owner;
}
EXPORT_SYMBOL_NS_GPL(hwbp_task_owner, HWBP_NS);

unsigned int hwbp_task_nr_bps(const struct hwbp_task *tk)
{
	return tk->nr_bps;
}
EXPORT_SYMBOL_NS_GPL(hwbp_task_nr_bps, HWBP_NS);
