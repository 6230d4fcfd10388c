/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwbp host shim: the small part of the kernel API the hwbp core uses,
 * on pthreads and __atomic, for host unit tests, sanitizers, fuzzing and
 * benchmarks.  C++17 only; included by include/hwbp/platform.h when
 * __KERNEL__ is not defined.
 *
 * What it checks for real:
 *  - lockdep_assert_held*(): every lock records its write owner and each
 *    thread records which rwlocks it holds for read;
 *  - might_sleep() (and so GFP_KERNEL allocation) with a lock held;
 *  - WARN*(): counted in hwbp_host_warnings (tests expect 0), printed.
 * A failed assert prints the site and aborts (gtest death tests use that).
 */
#ifndef HWBP_HOST_H
#define HWBP_HOST_H

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint32_t u32;
typedef uint64_t u64;
typedef unsigned int gfp_t;

#define GFP_KERNEL	0x1U
#define GFP_ATOMIC	0x2U
#define GFP_NOWAIT	0x4U

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define __acquires(x)
#define __releases(x)
#define __acquire(x)	((void)0)
#define __release(x)	((void)0)
#define __must_hold(x)
#define __must_check	__attribute__((warn_unused_result))
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* --- diagnostics --- */

extern unsigned long hwbp_host_warnings;
bool hwbp_host_warn(bool cond, const char *what, const char *file, int line);
[[noreturn]] void hwbp_host_die(const char *what, const char *file, int line);

/* Kernel symbol exports mean nothing here; keep the trailing ";" legal. */
#define EXPORT_SYMBOL_NS_GPL(sym, ns)	static_assert(true, #sym)

#define WARN_ON(c)		hwbp_host_warn(!!(c), #c, __FILE__, __LINE__)
#define WARN_ON_ONCE(c)		WARN_ON(c)
#define WARN(c, ...)		WARN_ON(c)
#define BUG_ON(c)							\
	do {								\
		if (c)							\
			hwbp_host_die("BUG_ON(" #c ")", __FILE__, __LINE__); \
	} while (0)

/* --- locks --- */

typedef struct {
	pthread_mutex_t m;
	pthread_t owner;
	bool held;
} spinlock_t;

typedef struct {
	pthread_rwlock_t rw;
	pthread_t owner;		/* write owner */
	bool wheld;
} rwlock_t;

void spin_lock_init(spinlock_t *l);
void spin_lock(spinlock_t *l);
bool spin_trylock(spinlock_t *l);
void spin_unlock(spinlock_t *l);

void rwlock_init(rwlock_t *l);
void read_lock(rwlock_t *l);
bool read_trylock(rwlock_t *l);
void read_unlock(rwlock_t *l);
void write_lock(rwlock_t *l);
bool write_trylock(rwlock_t *l);
void write_unlock(rwlock_t *l);

/* Destroy host lock resources (no-op in the kernel, so not called by core). */
bool hwbp_host_spin_held(const spinlock_t *l);
bool hwbp_host_write_held(const rwlock_t *l);
bool hwbp_host_read_held(const rwlock_t *l);
/* Locks the calling thread holds right now. */
int hwbp_host_locks_held(void);

#define HWBP_HOST_ASSERT(c)						\
	do {								\
		if (!(c))						\
			hwbp_host_die("lockdep: " #c, __FILE__, __LINE__); \
	} while (0)

static inline void hwbp_host_assert_held(const spinlock_t *l,
					 const char *file, int line)
{
	if (!hwbp_host_spin_held(l))
		hwbp_host_die("lockdep_assert_held(spinlock)", file, line);
}

static inline void hwbp_host_assert_held(const rwlock_t *l,
					 const char *file, int line)
{
	if (!hwbp_host_write_held(l) && !hwbp_host_read_held(l))
		hwbp_host_die("lockdep_assert_held(rwlock)", file, line);
}

#define lockdep_assert_held(l)	hwbp_host_assert_held((l), __FILE__, __LINE__)
#define lockdep_assert_held_write(l)					\
	do {								\
		if (!hwbp_host_write_held(l))				\
			hwbp_host_die("lockdep_assert_held_write", __FILE__, \
				      __LINE__);			\
	} while (0)
#define lockdep_assert_held_read(l)					\
	do {								\
		if (!hwbp_host_read_held(l))				\
			hwbp_host_die("lockdep_assert_held_read", __FILE__, \
				      __LINE__);			\
	} while (0)

void hwbp_host_might_sleep(const char *file, int line);
#define might_sleep()	hwbp_host_might_sleep(__FILE__, __LINE__)

/* --- atomics --- */

typedef struct {
	int counter;
} atomic_t;

static inline int atomic_read(const atomic_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic_set(atomic_t *v, int i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_add(int i, atomic_t *v)
{
	__atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_sub(int i, atomic_t *v)
{
	__atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_inc(atomic_t *v)
{
	atomic_add(1, v);
}

static inline void atomic_dec(atomic_t *v)
{
	atomic_sub(1, v);
}

static inline int atomic_dec_return(atomic_t *v)
{
	return __atomic_sub_fetch(&v->counter, 1, __ATOMIC_SEQ_CST);
}

static inline int atomic_inc_return(atomic_t *v)
{
	return __atomic_add_fetch(&v->counter, 1, __ATOMIC_SEQ_CST);
}

/* --- allocation, with failure injection --- */

/*
 * Failure injection: while hwbp_host_fail_all is set every allocation
 * fails; otherwise when hwbp_host_fail_nth is N > 0, the N-th allocation
 * from now fails (and the knob clears).  hwbp_host_allocs counts attempts,
 * hwbp_host_live counts blocks not yet freed.
 */
extern bool hwbp_host_fail_all;
extern long hwbp_host_fail_nth;
extern long hwbp_host_allocs;
extern long hwbp_host_live;

void *kzalloc(size_t size, gfp_t flags);
void *kcalloc(size_t n, size_t size, gfp_t flags);
void *kvcalloc(size_t n, size_t size, gfp_t flags);
void kfree(const void *p);
void kvfree(const void *p);

/* --- hash --- */

#define GOLDEN_RATIO_64 0x61C8864680B583EBull

static inline u32 hash_ptr(const void *ptr, unsigned int bits)
{
	u64 v = (u64)(uintptr_t)ptr * GOLDEN_RATIO_64;

	return bits ? (u32)(v >> (64 - bits)) : 0;
}

#endif /* HWBP_HOST_H */
