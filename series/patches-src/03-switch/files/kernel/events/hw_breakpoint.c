// SPDX-License-Identifier: GPL-2.0+
/*
 * Copyright (C) 2007 Alan Stern
 * Copyright (C) IBM Corporation, 2009
 * Copyright (C) 2009, Frederic Weisbecker <fweisbec@gmail.com>
 *
 * Thanks to Ingo Molnar for his many suggestions.
 *
 * Authors: Alan Stern <stern@rowland.harvard.edu>
 *          K.Prasad <prasad@linux.vnet.ibm.com>
 *          Frederic Weisbecker <fweisbec@gmail.com>
 */

/*
 * HW_breakpoint: a unified kernel/user-space hardware breakpoint facility,
 * using the CPU's debug registers.
 * This file contains the arch-independent routines.
 */

#include <linux/hw_breakpoint.h>

#include <linux/bug.h>
#include <linux/cpu.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/irqflags.h>
#include <linux/kdebug.h>
#include <linux/kernel.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <hwbp/constraint_table.h>

/*
 * Breakpoint slots are accounted by the constraint table in
 * kernel/events/hwbp/, which does its own locking with spinlocks only.
 *
 * Every breakpoint event embeds its table entry, hw.bp_slot.  It is filled
 * in from the event just before the slot is reserved: the owner is the
 * target task (NULL for a CPU-bound breakpoint), then the CPU, the access
 * type and the weight.  The owner pointer is only a key, so the entry does
 * not care whether the task, its perf context or the event's ctx are still
 * around when the slot is released.
 *
 * The table is created once at boot and never freed; without it the PMU is
 * not registered and no breakpoint event can be created.
 */
static struct hwbp_table *bp_table __ro_after_init;

#ifndef hw_breakpoint_weight
static inline int hw_breakpoint_weight(struct perf_event *bp)
{
	return 1;
}
#endif

/*
 * Instruction slots unless the breakpoint reads or writes data.  On an arch
 * with CONFIG_HAVE_MIXED_BREAKPOINTS_REGS both are the table's one pool.
 */
static enum hwbp_type bp_slot_type(u64 bp_type)
{
	return (bp_type & HW_BREAKPOINT_RW) ? HWBP_TYPE_DATA : HWBP_TYPE_INST;
}

/* Describe @bp to the table; a reserved entry is left as it is. */
static struct hwbp_bp *bp_slot_fill(struct perf_event *bp)
{
	struct hwbp_bp *slot = &bp->hw.bp_slot;

	if (slot->reserved)
		return slot;
	memset(slot, 0, sizeof(*slot));
	slot->owner = bp->hw.target;
	slot->cpu = bp->cpu;
	slot->bp_type = bp->attr.bp_type;
	slot->weight = hw_breakpoint_weight(bp);
	return slot;
}

/*
 * Reserve a slot for @bp, pinned: a breakpoint counts against every CPU it
 * may run on whether or not it is scheduled (see the admission rule in
 * include/hwbp/constraint_table.h).  The errnos and the order in which they
 * are checked are those of the accounting this replaced: -ENOMEM without a
 * table, -EINVAL for an empty or invalid type, then -ENOSPC.
 */
int reserve_bp_slot(struct perf_event *bp)
{
	if (!bp_table)
		return -ENOMEM;
	return hwbp_reserve(bp_table, bp_slot_fill(bp));
}

void release_bp_slot(struct perf_event *bp)
{
	hwbp_release(bp_table, &bp->hw.bp_slot);
}

/*
 * Move @bp's slot to the pool of @new_type.  If the new type does not fit,
 * the table puts the old slot back under the same lock hold, so nobody can
 * take it in between.
 */
static int modify_bp_slot(struct perf_event *bp, u64 new_type)
{
	return hwbp_modify_type(bp_table, &bp->hw.bp_slot,
				(unsigned int)new_type);
}

/*
 * Allow the kernel debugger to reserve and release breakpoint slots while
 * every other CPU is stopped: the table is only tried, never waited for,
 * and -1 tells the debugger that someone holds it.
 */
int dbg_reserve_bp_slot(struct perf_event *bp)
{
	int ret;

	if (!bp_table)
		return -ENOMEM;
	ret = hwbp_dbg_reserve(bp_table, bp_slot_fill(bp));
	return ret == -EBUSY ? -1 : ret;
}

int dbg_release_bp_slot(struct perf_event *bp)
{
	if (hwbp_dbg_release(bp_table, &bp->hw.bp_slot))
		return -1;
	return 0;
}

static int hw_breakpoint_parse(struct perf_event *bp,
			       const struct perf_event_attr *attr,
			       struct arch_hw_breakpoint *hw)
{
	int err;

	err = hw_breakpoint_arch_parse(bp, attr, hw);
	if (err)
		return err;

	if (arch_check_bp_in_kernelspace(hw)) {
		if (attr->exclude_kernel)
			return -EINVAL;
		/*
		 * Don't let unprivileged users set a breakpoint in the trap
		 * path to avoid trap recursion attacks.
		 */
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
	}

	return 0;
}

int register_perf_hw_breakpoint(struct perf_event *bp)
{
	struct arch_hw_breakpoint hw = { };
	int err;

	err = reserve_bp_slot(bp);
	if (err)
		return err;

	err = hw_breakpoint_parse(bp, &bp->attr, &hw);
	if (err) {
		release_bp_slot(bp);
		return err;
	}

	bp->hw.info = hw;

	return 0;
}

/**
 * register_user_hw_breakpoint - register a hardware breakpoint for user space
 * @attr: breakpoint attributes
 * @triggered: callback to trigger when we hit the breakpoint
 * @context: context data could be used in the triggered callback
 * @tsk: pointer to 'task_struct' of the process to which the address belongs
 */
struct perf_event *
register_user_hw_breakpoint(struct perf_event_attr *attr,
			    perf_overflow_handler_t triggered,
			    void *context,
			    struct task_struct *tsk)
{
	return perf_event_create_kernel_counter(attr, -1, tsk, triggered,
						context);
}
EXPORT_SYMBOL_GPL(register_user_hw_breakpoint);

static void hw_breakpoint_copy_attr(struct perf_event_attr *to,
				    struct perf_event_attr *from)
{
	to->bp_addr = from->bp_addr;
	to->bp_type = from->bp_type;
	to->bp_len  = from->bp_len;
	to->disabled = from->disabled;
}

int
modify_user_hw_breakpoint_check(struct perf_event *bp, struct perf_event_attr *attr,
			        bool check)
{
	struct arch_hw_breakpoint hw = { };
	int err;

	err = hw_breakpoint_parse(bp, attr, &hw);
	if (err)
		return err;

	if (check) {
		struct perf_event_attr old_attr;

		old_attr = bp->attr;
		hw_breakpoint_copy_attr(&old_attr, attr);
		if (memcmp(&old_attr, attr, sizeof(*attr)))
			return -EINVAL;
	}

	if (bp->attr.bp_type != attr->bp_type) {
		err = modify_bp_slot(bp, attr->bp_type);
		if (err)
			return err;
	}

	hw_breakpoint_copy_attr(&bp->attr, attr);
	bp->hw.info = hw;

	return 0;
}

/**
 * modify_user_hw_breakpoint - modify a user-space hardware breakpoint
 * @bp: the breakpoint structure to modify
 * @attr: new breakpoint attributes
 */
int modify_user_hw_breakpoint(struct perf_event *bp, struct perf_event_attr *attr)
{
	int err;

	/*
	 * modify_user_hw_breakpoint can be invoked with IRQs disabled and hence it
	 * will not be possible to raise IPIs that invoke __perf_event_disable.
	 * So call the function directly after making sure we are targeting the
	 * current task.
	 */
	if (irqs_disabled() && bp->ctx && bp->ctx->task == current)
		perf_event_disable_local(bp);
	else
		perf_event_disable(bp);

	err = modify_user_hw_breakpoint_check(bp, attr, false);

	if (!bp->attr.disabled)
		perf_event_enable(bp);

	return err;
}
EXPORT_SYMBOL_GPL(modify_user_hw_breakpoint);

/**
 * unregister_hw_breakpoint - unregister a user-space hardware breakpoint
 * @bp: the breakpoint structure to unregister
 */
void unregister_hw_breakpoint(struct perf_event *bp)
{
	if (!bp)
		return;
	perf_event_release_kernel(bp);
}
EXPORT_SYMBOL_GPL(unregister_hw_breakpoint);

/**
 * register_wide_hw_breakpoint - register a wide breakpoint in the kernel
 * @attr: breakpoint attributes
 * @triggered: callback to trigger when we hit the breakpoint
 * @context: context data could be used in the triggered callback
 *
 * @return a set of per_cpu pointers to perf events
 */
struct perf_event * __percpu *
register_wide_hw_breakpoint(struct perf_event_attr *attr,
			    perf_overflow_handler_t triggered,
			    void *context)
{
	struct perf_event * __percpu *cpu_events, *bp;
	long err = 0;
	int cpu;

	cpu_events = alloc_percpu(typeof(*cpu_events));
	if (!cpu_events)
		return ERR_PTR_PCPU(-ENOMEM);

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		bp = perf_event_create_kernel_counter(attr, cpu, NULL,
						      triggered, context);
		if (IS_ERR(bp)) {
			err = PTR_ERR(bp);
			break;
		}

		per_cpu(*cpu_events, cpu) = bp;
	}
	cpus_read_unlock();

	if (likely(!err))
		return cpu_events;

	unregister_wide_hw_breakpoint(cpu_events);
	return ERR_PTR_PCPU(err);
}
EXPORT_SYMBOL_GPL(register_wide_hw_breakpoint);

/**
 * unregister_wide_hw_breakpoint - unregister a wide breakpoint in the kernel
 * @cpu_events: the per cpu set of events to unregister
 */
void unregister_wide_hw_breakpoint(struct perf_event * __percpu *cpu_events)
{
	int cpu;

	for_each_possible_cpu(cpu)
		unregister_hw_breakpoint(per_cpu(*cpu_events, cpu));

	free_percpu(cpu_events);
}
EXPORT_SYMBOL_GPL(unregister_wide_hw_breakpoint);

/**
 * hw_breakpoint_is_used - check if breakpoints are currently used
 *
 * Returns: true if breakpoints are used, false otherwise.
 */
bool hw_breakpoint_is_used(void)
{
	return bp_table && hwbp_table_is_used(bp_table);
}

static struct notifier_block hw_breakpoint_exceptions_nb = {
	.notifier_call = hw_breakpoint_exceptions_notify,
	/* we need to be notified first */
	.priority = 0x7fffffff
};

static void bp_perf_event_destroy(struct perf_event *event)
{
	release_bp_slot(event);
}

static int hw_breakpoint_event_init(struct perf_event *bp)
{
	int err;

	if (bp->attr.type != PERF_TYPE_BREAKPOINT)
		return -ENOENT;

	/*
	 * Check if breakpoint type is supported before proceeding.
	 * Also, no branch sampling for breakpoint events.
	 */
	if (!hwbp_table_slots(bp_table, bp_slot_type(bp->attr.bp_type)) ||
	    has_branch_stack(bp))
		return -EOPNOTSUPP;

	err = register_perf_hw_breakpoint(bp);
	if (err)
		return err;

	bp->destroy = bp_perf_event_destroy;

	return 0;
}

static int hw_breakpoint_add(struct perf_event *bp, int flags)
{
	if (!(flags & PERF_EF_START))
		bp->hw.state = PERF_HES_STOPPED;

	if (is_sampling_event(bp)) {
		bp->hw.last_period = bp->hw.sample_period;
		perf_swevent_set_period(bp);
	}

	return arch_install_hw_breakpoint(bp);
}

static void hw_breakpoint_del(struct perf_event *bp, int flags)
{
	arch_uninstall_hw_breakpoint(bp);
}

static void hw_breakpoint_start(struct perf_event *bp, int flags)
{
	bp->hw.state = 0;
}

static void hw_breakpoint_stop(struct perf_event *bp, int flags)
{
	bp->hw.state = PERF_HES_STOPPED;
}

static struct pmu perf_breakpoint = {
	.task_ctx_nr	= perf_sw_context, /* could eventually get its own */

	.event_init	= hw_breakpoint_event_init,
	.add		= hw_breakpoint_add,
	.del		= hw_breakpoint_del,
	.start		= hw_breakpoint_start,
	.stop		= hw_breakpoint_stop,
	.read		= hw_breakpoint_pmu_read,
};

int __init init_hw_breakpoint(void)
{
	struct hwbp_layout layout = {
		.slots = {
			[HWBP_TYPE_INST] = hw_breakpoint_slots(TYPE_INST),
			[HWBP_TYPE_DATA] = hw_breakpoint_slots(TYPE_DATA),
		},
		/*
		 * With CONFIG_HAVE_MIXED_BREAKPOINTS_REGS (x86, sh) both types
		 * take the same registers: enum bp_type_idx has
		 * TYPE_DATA == TYPE_INST, and the table one pool.
		 */
		.shared = TYPE_DATA == TYPE_INST,
	};

	bp_table = hwbp_table_create(&layout, nr_cpu_ids, NULL);
	if (!bp_table)
		return -ENOMEM;

	perf_pmu_register(&perf_breakpoint, "breakpoint", PERF_TYPE_BREAKPOINT);

	return register_die_notifier(&hw_breakpoint_exceptions_nb);
}
