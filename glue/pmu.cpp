// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp: what the takeover needs from perf's PMU layer, through exported
 * interfaces only (no data symbols: Debian's arm64 kernel has no
 * CONFIG_KALLSYMS_ALL): the breakpoint PMU itself, and a way to wait for
 * every caller of a PMU's event_init that started before now.  And what
 * flexible breakpoints need: the register budget of the PMU's add(), and
 * perf's rotation for the breakpoint PMU's context.
 */
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/hrtimer.h>
#include <linux/hw_breakpoint.h>
#include <linux/module.h>
#include <linux/perf_event.h>
#include <linux/slab.h>

#include "glue.h"

static int hwbp_sync_event_init(struct perf_event *event)
{
	return -ENOENT;
}

static int hwbp_sync_add(struct perf_event *event, int flags)
{
	return 0;
}

static void hwbp_sync_flags(struct perf_event *event, int flags)
{
}

static void hwbp_sync_read(struct perf_event *event)
{
}

/*
 * A PMU that matches no event, registered for a moment: perf's bus and the
 * wait below come with its registration.
 */
static struct pmu *hwbp_sync_pmu_register(void)
{
	struct pmu *pmu = kzalloc_obj(*pmu, GFP_KERNEL);
	int err;

	if (!pmu)
		return ERR_PTR(-ENOMEM);
	pmu->module = THIS_MODULE;
	pmu->task_ctx_nr = perf_invalid_context;
	pmu->event_init = hwbp_sync_event_init;
	pmu->add = hwbp_sync_add;
	pmu->del = hwbp_sync_flags;
	pmu->start = hwbp_sync_flags;
	pmu->stop = hwbp_sync_flags;
	pmu->read = hwbp_sync_read;
	err = perf_pmu_register(pmu, "hwbp_sync", -1);
	if (err) {
		kfree(pmu);
		return ERR_PTR(err);
	}
	return pmu;
}

static void hwbp_sync_pmu_unregister(struct pmu *pmu)
{
	perf_pmu_unregister(pmu);
	kfree(pmu);
}

/*
 * Wait until every caller that may still run an event_init pointer it read
 * before now has returned.  Those calls run under perf's pmus_srcu, which is
 * static; perf_pmu_unregister() synchronizes it, so a PMU that matches no
 * event is registered only to be unregistered.
 */
int hwbp_sync_pmu_callers(void)
{
	struct pmu *pmu = hwbp_sync_pmu_register();

	if (IS_ERR(pmu))
		return PTR_ERR(pmu);
	hwbp_sync_pmu_unregister(pmu);
	return 0;
}

/* As above, and it cannot give up: unload and failed loads rely on it. */
void hwbp_sync_pmu_callers_nofail(void)
{
	while (hwbp_sync_pmu_callers())
		msleep(20);
}

/*
 * The PMU perf resolves PERF_TYPE_BREAKPOINT to, found without creating an
 * event: a breakpoint event made to find it would hold a slot of the stock
 * table meanwhile, and a user's breakpoint on that CPU could get ENOSPC
 * just because hwbp was being loaded (the faults plan's storm saw it, once
 * in 22,015 rounds).  perf gives each PMU a device named after it on its
 * bus, the PMU as the device's driver data (pmu_dev_alloc() in 6.1 and
 * since); the bus is that of the device of a PMU registered here.  The
 * breakpoint PMU is static and never unregistered, so the pointer outlives
 * the device reference.
 */
struct pmu *hwbp_find_breakpoint_pmu(void)
{
	struct pmu *probe = hwbp_sync_pmu_register();
	struct pmu *pmu = ERR_PTR(-ENODEV);
	struct device *dev = NULL;

	if (IS_ERR(probe))
		return probe;
	if (probe->dev && probe->dev->bus)
		dev = bus_find_device_by_name(probe->dev->bus, NULL, "breakpoint");
	if (dev) {
		struct pmu *found = (struct pmu *)dev_get_drvdata(dev);

		if (found && found->type == PERF_TYPE_BREAKPOINT)
			pmu = found;
		put_device(dev);
	}
	hwbp_sync_pmu_unregister(probe);
	return pmu;
}

/*
 * The register budget.  perf schedules pinned groups before flexible ones
 * and asks the PMU's add() to install each event; a flexible breakpoint
 * must be told -EBUSY when its pool's registers on this CPU are all in use,
 * so that perf's rotation tries it again later.  x86's
 * arch_install_hw_breakpoint() WARNs when it finds no free register, so
 * hwbp decides before calling the PMU's own add().
 *
 * Per CPU and pool:
 *   installed  registers held by events add() installed (hwbp's events
 *              only; this CPU's add() and del() change it, interrupts off)
 *   dbg_held   registers the debugger (kgdb) reserved on this CPU: it
 *              installs them through the arch directly, never through
 *              add(), so they are kept out of add()'s reach.  Written only
 *              from the debugger, with every other CPU stopped.
 * (B1) add() installs only while installed + dbg_held <= slots.  Pinned
 *      events alone never reach the bound: the table admits them against
 *      every pinned slot, the debugger's included, and perf schedules
 *      flexible groups out before pinned ones go in.
 * (B2) take() counts the registers before it checks, and the debugger
 *      reads the counts of stopped CPUs: a CPU stopped inside add() has
 *      either counted its install (the debugger sees it) or not yet checked
 *      (it sees the debugger's hold when it does).
 */
struct hwbp_regs {
	unsigned int installed[HWBP_NR_TYPES];
	unsigned int dbg_held[HWBP_NR_TYPES];
};

static DEFINE_PER_CPU(struct hwbp_regs, hwbp_regs);
static unsigned int hwbp_pool_slots[HWBP_NR_TYPES];

void hwbp_regs_init(const struct hwbp_layout *layout)
{
	unsigned int p;

	for (p = 0; p < HWBP_NR_TYPES; p++)
		hwbp_pool_slots[p] = layout->slots[p];
	if (layout->shared)
		hwbp_pool_slots[0] = layout->slots[HWBP_TYPE_INST];
}

int hwbp_regs_take(struct hwbp_event *ev)
{
	struct hwbp_regs *r = this_cpu_ptr(&hwbp_regs);
	unsigned int pool = ev->bp.pool, w = ev->bp.weight;

	lockdep_assert_irqs_disabled();
	if (WARN_ON_ONCE(ev->installed || pool >= HWBP_NR_TYPES))
		return -EBUSY;
	r->installed[pool] += w;
	barrier();	/* (B2): counted before the debugger's hold is read */
	if (r->installed[pool] + READ_ONCE(r->dbg_held[pool]) >
	    hwbp_pool_slots[pool]) {
		r->installed[pool] -= w;
		return -EBUSY;
	}
	ev->installed = true;
	ev->inst_pool = pool;
	ev->inst_weight = w;
	return 0;
}

void hwbp_regs_give(struct hwbp_event *ev)
{
	struct hwbp_regs *r = this_cpu_ptr(&hwbp_regs);

	lockdep_assert_irqs_disabled();
	if (!ev->installed)
		return;
	if (!WARN_ON_ONCE(r->installed[ev->inst_pool] < ev->inst_weight))
		r->installed[ev->inst_pool] -= ev->inst_weight;
	ev->installed = false;
}

void hwbp_regs_dbg_hold(int cpu, unsigned int pool, unsigned int w, bool hold)
{
	struct hwbp_regs *r;

	if (cpu < 0 || cpu >= nr_cpu_ids || pool >= HWBP_NR_TYPES)
		return;
	r = per_cpu_ptr(&hwbp_regs, cpu);
	if (hold)
		WRITE_ONCE(r->dbg_held[pool], r->dbg_held[pool] + w);
	else if (!WARN_ON_ONCE(r->dbg_held[pool] < w))
		WRITE_ONCE(r->dbg_held[pool], r->dbg_held[pool] - w);
}

bool hwbp_regs_dbg_fits(int cpu, unsigned int pool, unsigned int w)
{
	struct hwbp_regs *r;

	if (cpu < 0 || cpu >= nr_cpu_ids || pool >= HWBP_NR_TYPES)
		return true;
	r = per_cpu_ptr(&hwbp_regs, cpu);
	return READ_ONCE(r->installed[pool]) + r->dbg_held[pool] + w <=
	       hwbp_pool_slots[pool];
}

unsigned int hwbp_regs_installed(int cpu, unsigned int pool)
{
	return READ_ONCE(per_cpu_ptr(&hwbp_regs, cpu)->installed[pool]);
}

unsigned int hwbp_regs_dbg_held(int cpu, unsigned int pool)
{
	return READ_ONCE(per_cpu_ptr(&hwbp_regs, cpu)->dbg_held[pool]);
}

/*
 * Rotation.  perf multiplexes flexible groups from a per-CPU hrtimer of
 * each PMU's CPU context (perf_mux_hrtimer_handler(): rotate the flexible
 * groups of the CPU's context and of the current task's, then schedule
 * them in again), armed when a flexible group finds no room: add() said
 * -EBUSY.  perf_event_open() gives breakpoint events PERF_EV_CAP_SOFTWARE,
 * so every flexible group is offered to add() at each rotation, not only
 * those before the first refusal.
 *
 * 6.2 and later (HWBP_SHARED_CPU_CONTEXT == 0, compat.h): the breakpoint
 * PMU has its own CPU context, and perf sets up and arms its hrtimer as for
 * any PMU; hwbp has nothing to do.
 *
 * 6.1: the breakpoint PMU shares the software PMUs' struct
 * perf_cpu_context, hrtimer and all, and perf never initializes nor arms
 * that hrtimer (software events never fail to schedule).  Flexible
 * breakpoints do, so hwbp sets the hrtimer up exactly as perf does for
 * other PMUs, with perf's own handler (only the hrtimer core ever calls
 * it), and arms it as perf would, from add() when it refuses a flexible
 * breakpoint.  The handler stops it again once no context needs rotating.
 */
#if HWBP_SHARED_CPU_CONTEXT
static struct pmu *hwbp_mux_pmu;

bool hwbp_mux_init(struct pmu *pmu)
{
	unsigned long handler = hwbp_lookup_symbol("perf_mux_hrtimer_handler");
	ktime_t interval;
	int cpu;

	if (!handler || !pmu->pmu_cpu_context)
		return false;
	interval = ms_to_ktime(pmu->hrtimer_interval_ms ?
			       pmu->hrtimer_interval_ms : 1000 / HZ);
	for_each_possible_cpu(cpu) {
		struct perf_cpu_context *cpuctx =
			per_cpu_ptr(pmu->pmu_cpu_context, cpu);

		/* Set up already (by perf itself, or by an earlier load). */
		if (cpuctx->hrtimer.function)
			continue;
		raw_spin_lock_init(&cpuctx->hrtimer_lock);
		hrtimer_init(&cpuctx->hrtimer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_ABS_PINNED_HARD);
		cpuctx->hrtimer_interval = interval;
		cpuctx->hrtimer.function =
			(enum hrtimer_restart (*)(struct hrtimer *))handler;
	}
	hwbp_mux_pmu = pmu;
	return true;
}

/* As perf_mux_hrtimer_restart(), which returns early for this context. */
void hwbp_mux_kick(void)
{
	struct perf_cpu_context *cpuctx;
	unsigned long flags;

	if (!hwbp_mux_pmu)
		return;
	cpuctx = this_cpu_ptr(hwbp_mux_pmu->pmu_cpu_context);
	raw_spin_lock_irqsave(&cpuctx->hrtimer_lock, flags);
	if (!cpuctx->hrtimer_active) {
		cpuctx->hrtimer_active = 1;
		hrtimer_forward_now(&cpuctx->hrtimer, cpuctx->hrtimer_interval);
		hrtimer_start_expires(&cpuctx->hrtimer,
				      HRTIMER_MODE_ABS_PINNED_HARD);
	}
	raw_spin_unlock_irqrestore(&cpuctx->hrtimer_lock, flags);
}

/*
 * Unload, after add() is no longer ours: nothing of hwbp's is left to
 * rotate, and nothing arms the hrtimers again (perf never does for this
 * context).
 */
void hwbp_mux_exit(void)
{
	int cpu;

	if (!hwbp_mux_pmu)
		return;
	for_each_possible_cpu(cpu) {
		struct perf_cpu_context *cpuctx =
			per_cpu_ptr(hwbp_mux_pmu->pmu_cpu_context, cpu);
		unsigned long flags;

		hrtimer_cancel(&cpuctx->hrtimer);
		/* Disarmed: the next load's first refusal arms it again. */
		raw_spin_lock_irqsave(&cpuctx->hrtimer_lock, flags);
		cpuctx->hrtimer_active = 0;
		raw_spin_unlock_irqrestore(&cpuctx->hrtimer_lock, flags);
	}
	hwbp_mux_pmu = NULL;
}
#else
/* perf rotates the breakpoint PMU's own context by itself. */
bool hwbp_mux_init(struct pmu *pmu)
{
	return true;
}

void hwbp_mux_kick(void)
{
}

void hwbp_mux_exit(void)
{
}
#endif
