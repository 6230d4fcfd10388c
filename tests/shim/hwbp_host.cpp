// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp host shim: locks with lockdep-like owner tracking, allocation with
 * failure injection, WARN counting.
 */
#include "hwbp_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned long hwbp_host_warnings;
bool hwbp_host_fail_all;
long hwbp_host_fail_nth;
long hwbp_host_allocs;
long hwbp_host_live;

/* Locks held by this thread: rwlocks held for read, and a total. */
#define HOST_MAX_READ 16
static thread_local const rwlock_t *host_read_held[HOST_MAX_READ];
static thread_local int host_nr_read;
static thread_local int host_nr_locks;

bool hwbp_host_warn(bool cond, const char *what, const char *file, int line)
{
	if (cond) {
		__atomic_add_fetch(&hwbp_host_warnings, 1, __ATOMIC_RELAXED);
		fprintf(stderr, "WARNING: %s at %s:%d\n", what, file, line);
	}
	return cond;
}

void hwbp_host_die(const char *what, const char *file, int line)
{
	fprintf(stderr, "FATAL: %s at %s:%d\n", what, file, line);
	fflush(stderr);
	abort();
}

int hwbp_host_locks_held(void)
{
	return host_nr_locks;
}

void hwbp_host_might_sleep(const char *file, int line)
{
	if (host_nr_locks)
		hwbp_host_die("might_sleep() with a spinning lock held", file,
			      line);
}

/* --- spinlock --- */

void spin_lock_init(spinlock_t *l)
{
	pthread_mutex_init(&l->m, NULL);
	l->held = false;
}

static void spin_acquired(spinlock_t *l)
{
	__atomic_store_n(&l->owner, pthread_self(), __ATOMIC_RELAXED);
	__atomic_store_n(&l->held, true, __ATOMIC_RELAXED);
	host_nr_locks++;
}

void spin_lock(spinlock_t *l)
{
	if (hwbp_host_spin_held(l))
		hwbp_host_die("spinlock recursion", __FILE__, __LINE__);
	pthread_mutex_lock(&l->m);
	spin_acquired(l);
}

bool spin_trylock(spinlock_t *l)
{
	if (pthread_mutex_trylock(&l->m))
		return false;
	spin_acquired(l);
	return true;
}

void spin_unlock(spinlock_t *l)
{
	if (!hwbp_host_spin_held(l))
		hwbp_host_die("spin_unlock of a lock not held", __FILE__,
			      __LINE__);
	__atomic_store_n(&l->held, false, __ATOMIC_RELAXED);
	host_nr_locks--;
	pthread_mutex_unlock(&l->m);
}

bool hwbp_host_spin_held(const spinlock_t *l)
{
	/* Only the owner can see its own 'true' with owner == self. */
	return __atomic_load_n(&l->held, __ATOMIC_RELAXED) &&
	       pthread_equal(__atomic_load_n(&l->owner, __ATOMIC_RELAXED),
			     pthread_self());
}

/* --- rwlock --- */

void rwlock_init(rwlock_t *l)
{
	pthread_rwlockattr_t a;

	pthread_rwlockattr_init(&a);
	/* Like the kernel's queued rwlock: a waiting writer stops new readers. */
	pthread_rwlockattr_setkind_np(&a,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&l->rw, &a);
	pthread_rwlockattr_destroy(&a);
	l->wheld = false;
}

static void read_acquired(rwlock_t *l)
{
	if (host_nr_read == HOST_MAX_READ)
		hwbp_host_die("too many read locks", __FILE__, __LINE__);
	host_read_held[host_nr_read++] = l;
	host_nr_locks++;
}

void read_lock(rwlock_t *l)
{
	if (hwbp_host_read_held(l) || hwbp_host_write_held(l))
		hwbp_host_die("rwlock recursion", __FILE__, __LINE__);
	pthread_rwlock_rdlock(&l->rw);
	read_acquired(l);
}

bool read_trylock(rwlock_t *l)
{
	if (pthread_rwlock_tryrdlock(&l->rw))
		return false;
	read_acquired(l);
	return true;
}

void read_unlock(rwlock_t *l)
{
	int i;

	for (i = 0; i < host_nr_read; i++)
		if (host_read_held[i] == l)
			break;
	if (i == host_nr_read)
		hwbp_host_die("read_unlock of a lock not read-held", __FILE__,
			      __LINE__);
	host_read_held[i] = host_read_held[--host_nr_read];
	host_nr_locks--;
	pthread_rwlock_unlock(&l->rw);
}

static void write_acquired(rwlock_t *l)
{
	__atomic_store_n(&l->owner, pthread_self(), __ATOMIC_RELAXED);
	__atomic_store_n(&l->wheld, true, __ATOMIC_RELAXED);
	host_nr_locks++;
}

void write_lock(rwlock_t *l)
{
	if (hwbp_host_read_held(l) || hwbp_host_write_held(l))
		hwbp_host_die("rwlock recursion", __FILE__, __LINE__);
	pthread_rwlock_wrlock(&l->rw);
	write_acquired(l);
}

bool write_trylock(rwlock_t *l)
{
	if (pthread_rwlock_trywrlock(&l->rw))
		return false;
	write_acquired(l);
	return true;
}

void write_unlock(rwlock_t *l)
{
	if (!hwbp_host_write_held(l))
		hwbp_host_die("write_unlock of a lock not write-held",
			      __FILE__, __LINE__);
	__atomic_store_n(&l->wheld, false, __ATOMIC_RELAXED);
	host_nr_locks--;
	pthread_rwlock_unlock(&l->rw);
}

bool hwbp_host_write_held(const rwlock_t *l)
{
	return __atomic_load_n(&l->wheld, __ATOMIC_RELAXED) &&
	       pthread_equal(__atomic_load_n(&l->owner, __ATOMIC_RELAXED),
			     pthread_self());
}

bool hwbp_host_read_held(const rwlock_t *l)
{
	for (int i = 0; i < host_nr_read; i++)
		if (host_read_held[i] == l)
			return true;
	return false;
}

/* --- allocation --- */

static bool host_alloc_fails(gfp_t flags)
{
	if (flags & GFP_KERNEL)
		hwbp_host_might_sleep(__FILE__, __LINE__);
	__atomic_add_fetch(&hwbp_host_allocs, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&hwbp_host_fail_all, __ATOMIC_RELAXED))
		return true;
	if (__atomic_load_n(&hwbp_host_fail_nth, __ATOMIC_RELAXED) > 0 &&
	    __atomic_sub_fetch(&hwbp_host_fail_nth, 1, __ATOMIC_RELAXED) == 0)
		return true;
	return false;
}

void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	void *p;

	if (host_alloc_fails(flags))
		return NULL;
	if (size && n > SIZE_MAX / size)
		return NULL;
	p = calloc(n ? n : 1, size ? size : 1);
	if (p)
		__atomic_add_fetch(&hwbp_host_live, 1, __ATOMIC_RELAXED);
	return p;
}

void *kzalloc(size_t size, gfp_t flags)
{
	return kcalloc(1, size, flags);
}

void *kvcalloc(size_t n, size_t size, gfp_t flags)
{
	return kcalloc(n, size, flags);
}

void kfree(const void *p)
{
	if (!p)
		return;
	__atomic_sub_fetch(&hwbp_host_live, 1, __ATOMIC_RELAXED);
	free(const_cast<void *>(p));
}

void kvfree(const void *p)
{
	kfree(p);
}
