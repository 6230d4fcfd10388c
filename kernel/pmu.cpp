// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp: what the takeover needs from perf's PMU layer, through exported
 * interfaces only (no data symbols: Debian's arm64 kernel has no
 * CONFIG_KALLSYMS_ALL): the breakpoint PMU itself, and a way to wait for
 * every caller of a PMU's event_init that started before now.
 */
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/hw_breakpoint.h>
#include <linux/module.h>
#include <linux/perf_event.h>
#include <linux/slab.h>

#include <hwbp/kernel.h>

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
 * Wait until every caller that may still run an event_init pointer it read
 * before now has returned.  Those calls run under perf's pmus_srcu, which is
 * static; perf_pmu_unregister() synchronizes it, so a PMU that matches no
 * event is registered only to be unregistered.
 */
int hwbp_sync_pmu_callers(void)
{
	struct pmu *pmu = (struct pmu *)kzalloc(sizeof(*pmu), GFP_KERNEL);
	int err;

	if (!pmu)
		return -ENOMEM;
	pmu->module = THIS_MODULE;
	pmu->task_ctx_nr = perf_invalid_context;
	pmu->event_init = hwbp_sync_event_init;
	pmu->add = hwbp_sync_add;
	pmu->del = hwbp_sync_flags;
	pmu->start = hwbp_sync_flags;
	pmu->stop = hwbp_sync_flags;
	pmu->read = hwbp_sync_read;
	err = perf_pmu_register(pmu, "hwbp_sync", -1);
	if (!err)
		perf_pmu_unregister(pmu);
	kfree(pmu);
	return err;
}

/* As above, and it cannot give up: unload and failed loads rely on it. */
void hwbp_sync_pmu_callers_nofail(void)
{
	while (hwbp_sync_pmu_callers())
		msleep(20);
}

/*
 * The PMU perf resolves PERF_TYPE_BREAKPOINT to: the one of a breakpoint
 * event, created disabled through the stock path and released again.
 */
struct pmu *hwbp_find_breakpoint_pmu(void)
{
	static long hwbp_probe_var;
	struct perf_event_attr attr;
	struct perf_event *ev;
	struct pmu *pmu;

	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)&hwbp_probe_var;
	attr.bp_len = sizeof(hwbp_probe_var);
	attr.bp_type = HW_BREAKPOINT_W;
	attr.disabled = 1;
	ev = perf_event_create_kernel_counter(&attr, cpumask_first(cpu_online_mask),
					      NULL, NULL, NULL);
	if (IS_ERR(ev))
		return ERR_CAST(ev);
	pmu = ev->pmu;
	perf_event_release_kernel(ev);
	return pmu;
}
