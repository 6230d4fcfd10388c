// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp_probe: calls the kernel's breakpoint entry points the way kgdb, ptrace
 * and upstream's KUnit test do, from a module that is not hwbp, and prints
 * what each returned and how many CPU-bound slots were left on CPU 0:
 *
 *   hwbp_probe: <step> <value>
 *
 * The guest plan loads it on the stock path and under hwbp and requires the
 * same lines; hwbp's hit counters then prove the calls went through hwbp.
 * Works without KUnit, so it runs on Debian's kernel too.
 *
 * With hold_release=1 it does only what kgdb does to one event (a CPU-bound
 * breakpoint on CPU 0: ->destroy cleared, then release_bp_slot()), for the
 * unload test: hwbp's debugfs unload_hold, armed, makes that call sleep in
 * hwbp's text after its slot is released (see the takeover plan).
 */
#include <linux/hw_breakpoint.h>
#include <linux/module.h>
#include <linux/perf_event.h>
#include <linux/sched.h>

#include <hwbp/compat.h>
#include <hwbp/kallsyms.h>

static struct {
	unsigned long is_used;
	unsigned long dbg_reserve;
	unsigned long dbg_release;
	unsigned long release_slot;
} sym;

static long probe_var;

static bool hold_release;
module_param(hold_release, bool, 0444);
MODULE_PARM_DESC(hold_release, "only release_bp_slot() one event, as kgdb does (the unload test)");

typedef bool (*bool_fn)(void);
typedef int (*event_fn)(struct perf_event *bp);
typedef void (*event_void_fn)(struct perf_event *bp);

static void step(const char *name, long value)
{
	pr_info("hwbp_probe: %s %ld\n", name, value);
}

static void probe_attr(struct perf_event_attr *attr, unsigned int type)
{
	hw_breakpoint_init(attr);
	attr->bp_addr = (unsigned long)&probe_var;
	attr->bp_len = HW_BREAKPOINT_LEN_8;
	attr->bp_type = type;
}

/* CPU-bound breakpoints that still fit on @cpu. */
static long free_slots(int cpu)
{
	struct perf_event *evs[8];
	struct perf_event_attr attr;
	int n = 0, fit;

	probe_attr(&attr, HW_BREAKPOINT_W);
	while (n < (int)ARRAY_SIZE(evs)) {
		struct perf_event *ev;

		ev = perf_event_create_kernel_counter(&attr, cpu, NULL, NULL,
						      NULL);
		if (IS_ERR(ev))
			break;
		evs[n++] = ev;
	}
	fit = n;
	while (n-- > 0)
		perf_event_release_kernel(evs[n]);
	return fit;
}

static int probe_kgdb_paths(void)
{
	struct perf_event * __percpu *wide;
	struct perf_event_attr attr;
	struct perf_event *ev0;
	int cpu;

	step("is_used_initial", ((bool_fn)sym.is_used)());
	/*
	 * Disabled, as kgdb's own: its slots are given back and taken again
	 * below while the probe fills the CPU; an installed event would then
	 * make one breakpoint too many in the debug registers.
	 */
	probe_attr(&attr, HW_BREAKPOINT_W);
	attr.disabled = 1;
	wide = register_wide_hw_breakpoint(&attr, NULL, NULL);
	if (IS_ERR_PCPU(wide)) {
		step("register_wide", PTR_ERR_PCPU(wide));
		return PTR_ERR_PCPU(wide);
	}
	step("register_wide", 0);
	step("is_used_wide", ((bool_fn)sym.is_used)());
	step("free_cpu0_wide", free_slots(0));

	ev0 = per_cpu(*wide, 0);
	step("dbg_release", ((event_fn)sym.dbg_release)(ev0));
	step("free_after_dbg_release", free_slots(0));
	step("dbg_reserve", ((event_fn)sym.dbg_reserve)(ev0));
	step("free_after_dbg_reserve", free_slots(0));

	/*
	 * What kgdb_arch_late() does to the events it keeps: ->destroy
	 * cleared, then the slot released; from here on nobody is told when
	 * they are freed.
	 */
	for_each_online_cpu(cpu) {
		struct perf_event *ev = per_cpu(*wide, cpu);

		if (ev->destroy) {
			ev->destroy = NULL;
			((event_void_fn)sym.release_slot)(ev);
		}
	}
	step("free_after_release_bp_slot", free_slots(0));
	step("is_used_after_release_bp_slot", ((bool_fn)sym.is_used)());
	/* What kgdb_set_hw_break() and kgdb_remove_hw_break() do. */
	step("dbg_reserve_kgdb", ((event_fn)sym.dbg_reserve)(ev0));
	step("free_after_dbg_reserve_kgdb", free_slots(0));
	step("is_used_dbg_reserve_kgdb", ((bool_fn)sym.is_used)());
	step("dbg_release_kgdb", ((event_fn)sym.dbg_release)(ev0));
	step("free_after_dbg_release_kgdb", free_slots(0));
	step("dbg_reserve_kgdb_again", ((event_fn)sym.dbg_reserve)(ev0));
	step("dbg_release_kgdb_again", ((event_fn)sym.dbg_release)(ev0));

	/* As kgdb_arch_exit(): the events go with no ->destroy to call. */
	unregister_wide_hw_breakpoint(wide);
	step("is_used_final", ((bool_fn)sym.is_used)());
	step("free_cpu0_final", free_slots(0));
	return 0;
}

static int probe_user_paths(void)
{
	struct perf_event_attr attr;
	struct perf_event *bp;

	probe_attr(&attr, HW_BREAKPOINT_W);
	bp = register_user_hw_breakpoint(&attr, NULL, NULL, current);
	step("register_user", IS_ERR(bp) ? PTR_ERR(bp) : 0);
	if (IS_ERR(bp))
		return PTR_ERR(bp);
	step("free_cpu0_user", free_slots(0));
	attr.bp_type = HW_BREAKPOINT_RW;
	attr.disabled = 0;
	step("modify_user", modify_user_hw_breakpoint(bp, &attr));
	step("modified_type", bp->attr.bp_type);
	attr.bp_len = 3;
	step("modify_user_bad_len", modify_user_hw_breakpoint(bp, &attr));
	step("type_after_bad_modify", bp->attr.bp_type);
	unregister_hw_breakpoint(bp);
	step("free_cpu0_user_final", free_slots(0));
	return 0;
}

/* One event through release_bp_slot(), as kgdb_arch_late() does. */
static int probe_hold_release(void)
{
	struct perf_event_attr attr;
	struct perf_event *ev;

	probe_attr(&attr, HW_BREAKPOINT_W);
	attr.disabled = 1;
	ev = perf_event_create_kernel_counter(&attr, 0, NULL, NULL, NULL);
	step("hold_created", IS_ERR(ev) ? PTR_ERR(ev) : 0);
	if (IS_ERR(ev))
		return PTR_ERR(ev);
	ev->destroy = NULL;
	((event_void_fn)sym.release_slot)(ev);
	step("hold_released", 0);
	perf_event_release_kernel(ev);
	return 0;
}

static int __init hwbp_probe_init(void)
{
	hwbp_lookup_fn lookup = hwbp_find_lookup();

	if (!lookup)
		return -ENOENT;
	sym.is_used = lookup("hw_breakpoint_is_used");
	sym.dbg_reserve = lookup("dbg_reserve_bp_slot");
	sym.dbg_release = lookup("dbg_release_bp_slot");
	sym.release_slot = lookup("release_bp_slot");
	if (!sym.is_used || !sym.dbg_reserve || !sym.dbg_release ||
	    !sym.release_slot)
		return -ENOENT;
	if (hold_release)
		return probe_hold_release();
	probe_kgdb_paths();
	probe_user_paths();
	step("done", 0);
	return 0;
}

static void __exit hwbp_probe_exit(void)
{
}

module_init(hwbp_probe_init);
module_exit(hwbp_probe_exit);
MODULE_DESCRIPTION("hwbp test: calls the kernel's breakpoint slot entry points");
MODULE_LICENSE("GPL");
