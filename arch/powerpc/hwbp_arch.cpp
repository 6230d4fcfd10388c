// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp powerpc hooks: the DAWR registers (1, or 2 with CPU_FTR_DAWR1 on
 * POWER10) take data breakpoints only; there is no instruction pool.
 *
 * Under hwbp the kernel's arch_reserve_bp_slot(), arch_release_bp_slot() and
 * arch_unregister_hw_breakpoint() are no longer called for hwbp's events
 * (they live in the stock reserve/release path hwbp replaces), so this file
 * does their work:
 *  - the perf/ptrace co-existence rule through hwbp_ppc.h's per-task index,
 *    from the table's reserve/release hooks (table locks held: no sleeping,
 *    no allocation; the record is allocated in hwbp_arch_weight(), called
 *    for the event just before its reservation, in the same task);
 *  - at unregister, every reference the kernel's exception handler left to
 *    the event in a thread's last_hit_ubp[] is cleared, found without
 *    event->ctx (see hwbp_arch_unregister()).
 */
#include <linux/hw_breakpoint.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include <asm/hw_breakpoint.h>

#include <hwbp/arch.h>
#include <hwbp/kallsyms.h>
#include <hwbp/kernel.h>

#include "hwbp_ppc.h"

const char hwbp_arch_name[] = "powerpc";

static struct hwbp_ppc_index hwbp_ppc_idx;
static unsigned long hwbp_ptrace_triggered;

/* Records between hwbp_arch_weight() and the reserve hook, by task. */
#define HWBP_PPC_PENDING	32U
static struct {
	const void *task;
	struct hwbp_ppc_bp *r;
} hwbp_ppc_pending[HWBP_PPC_PENDING];

/* Records of reserved events released by a type change, to be re-added. */
static struct hwbp_ppc_bp *hwbp_ppc_parked;

int hwbp_arch_layout(struct hwbp_layout *layout)
{
	hwbp_lookup_fn lookup = hwbp_find_lookup();

	if (!lookup)
		return -ENOENT;
	hwbp_ptrace_triggered = lookup("ptrace_triggered");
	if (!hwbp_ptrace_triggered)
		return -ENOENT;
	hwbp_ppc_index_init(&hwbp_ppc_idx);
	layout->slots[HWBP_TYPE_INST] = 0;
	layout->slots[HWBP_TYPE_DATA] = (unsigned int)nr_wp_slots();
	layout->shared = false;
	return 0;
}

static bool hwbp_is_ptrace_bp(struct perf_event *bp)
{
	return (unsigned long)bp->overflow_handler == hwbp_ptrace_triggered;
}

unsigned int hwbp_arch_weight(struct perf_event *bp)
{
	struct hwbp_ppc_bp *r = (struct hwbp_ppc_bp *)kzalloc(sizeof(*r),
							       GFP_KERNEL);
	struct hwbp_ppc_bp *stale = NULL;
	unsigned int i, h;

	if (!r)
		return 1;	/* the reserve hook then refuses: -ENOSPC */
	hwbp_ppc_bp_init(r, NULL, bp->hw.target, bp->cpu,
			 hwbp_is_ptrace_bp(bp),
			 is_kernel_addr(bp->attr.bp_addr), bp->attr.bp_addr,
			 bp->attr.bp_len);
	h = hash_ptr(current, 5) % HWBP_PPC_PENDING;
	spin_lock(&hwbp_ppc_idx.lock);
	for (i = 0; i < HWBP_PPC_PENDING; i++) {
		unsigned int k = (h + i) % HWBP_PPC_PENDING;

		if (!hwbp_ppc_pending[k].task ||
		    hwbp_ppc_pending[k].task == current) {
			stale = hwbp_ppc_pending[k].r;
			hwbp_ppc_pending[k].task = current;
			hwbp_ppc_pending[k].r = r;
			r = NULL;
			break;
		}
	}
	spin_unlock(&hwbp_ppc_idx.lock);
	kfree(stale);
	kfree(r);		/* no pending slot free: refused at reserve */
	return 1;
}

static struct hwbp_ppc_bp *hwbp_ppc_take_pending(void)
{
	unsigned int i;

	for (i = 0; i < HWBP_PPC_PENDING; i++) {
		if (hwbp_ppc_pending[i].task == current) {
			struct hwbp_ppc_bp *r = hwbp_ppc_pending[i].r;

			hwbp_ppc_pending[i].task = NULL;
			hwbp_ppc_pending[i].r = NULL;
			return r;
		}
	}
	return NULL;
}

static struct hwbp_ppc_bp *hwbp_ppc_unpark(const void *key)
{
	struct hwbp_ppc_bp **pp;

	for (pp = &hwbp_ppc_parked; *pp; pp = &(*pp)->next) {
		struct hwbp_ppc_bp *r = *pp;

		if (r->key == key) {
			*pp = r->next;
			r->next = NULL;
			return r;
		}
	}
	return NULL;
}

static struct hwbp_ppc_bp *hwbp_ppc_find(const void *owner, const void *key)
{
	struct hwbp_ppc_bp *r;

	r = owner ? *hwbp_ppc_bucket(&hwbp_ppc_idx, owner) :
		    hwbp_ppc_idx.cpu_bound;
	for (; r; r = r->next)
		if (r->key == key)
			return r;
	return NULL;
}

static int hwbp_ppc_reserve(void *arg, const struct hwbp_bp *bp)
{
	struct hwbp_ppc_bp *r;
	int err;

	spin_lock(&hwbp_ppc_idx.lock);
	r = hwbp_ppc_unpark(bp);
	if (!r)
		r = hwbp_ppc_take_pending();
	if (!r) {
		spin_unlock(&hwbp_ppc_idx.lock);
		return -ENOSPC;
	}
	r->key = bp;
	err = hwbp_ppc_add_locked(&hwbp_ppc_idx, r);
	if (!err && !r->linked) {
		/* kernel-address perf bp: exempt, not recorded */
		spin_unlock(&hwbp_ppc_idx.lock);
		kfree(r);
		return 0;
	}
	spin_unlock(&hwbp_ppc_idx.lock);
	if (err)
		kfree(r);
	return err;
}

static void hwbp_ppc_release(void *arg, const struct hwbp_bp *bp)
{
	struct hwbp_ppc_bp *r;

	spin_lock(&hwbp_ppc_idx.lock);
	r = hwbp_ppc_find(bp->owner, bp);
	if (r) {
		hwbp_ppc_del_locked(&hwbp_ppc_idx, r);
		/* A type change re-reserves it; unregister frees it. */
		r->next = hwbp_ppc_parked;
		hwbp_ppc_parked = r;
	}
	spin_unlock(&hwbp_ppc_idx.lock);
}

static const struct hwbp_arch_ops hwbp_ppc_ops = {
	hwbp_ppc_reserve,
	hwbp_ppc_release,
	NULL,
};

const struct hwbp_arch_ops *hwbp_arch_table_ops(void)
{
	return &hwbp_ppc_ops;
}

/*
 * 6.1's arch_unregister_hw_breakpoint() clears bp from
 * bp->ctx->task->thread.last_hit_ubp[], which is wrong once an inherited
 * event has been swapped to another task: the task that hit it is not
 * ctx->task any more.  Without ctx, the task is unknown, so every thread is
 * looked at; the event is out of its context by now, so no new hit can
 * store it, and cmpxchg() leaves any other event in place.
 */
void hwbp_arch_unregister(struct perf_event *bp)
{
	struct hwbp_event *ev = (struct hwbp_event *)bp->pmu_private;
	struct task_struct *g, *t;
	struct hwbp_ppc_bp *r = NULL;
	int i;

	if (ev) {
		spin_lock(&hwbp_ppc_idx.lock);
		r = hwbp_ppc_find(ev->bp.owner, &ev->bp);
		if (r)
			hwbp_ppc_del_locked(&hwbp_ppc_idx, r);
		else
			r = hwbp_ppc_unpark(&ev->bp);
		spin_unlock(&hwbp_ppc_idx.lock);
		kfree(r);
	}
	if (is_kernel_addr(bp->attr.bp_addr))
		return;
	rcu_read_lock();
	for_each_process_thread(g, t) {
		for (i = 0; i < HBP_NUM_MAX; i++)
			cmpxchg(&t->thread.last_hit_ubp[i], bp,
				(struct perf_event *)NULL);
	}
	rcu_read_unlock();
}
