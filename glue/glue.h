/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwbp: the glue's private interface, between the files of glue/
 * (hw_breakpoint_core.cpp, hooks.cpp, pmu.cpp, debugfs.cpp) and for the
 * arch hooks (arch/<arch>/hwbp_arch.cpp) and the end-to-end KUnit suite.
 * Kernel C only: the core does not include it.
 */
#ifndef HWBP_GLUE_H
#define HWBP_GLUE_H

#include <linux/container_of.h>
#include <linux/ftrace.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/types.h>

#include <hwbp/constraint_table.h>

struct perf_event;

/*
 * What hwbp keeps per breakpoint event it accounts, in event->pmu_private:
 * allocated by hwbp's event_init, or taken from the debugger's pool (see
 * hwbp_pool in hw_breakpoint_core.cpp).  @magic tells our events from any
 * other.
 */
struct hwbp_event {
	struct hwbp_bp bp;
	unsigned long magic;
	struct perf_event *perf;	/* the event this is of */
	/*
	 * The register budget (pmu.cpp), touched only by the PMU's
	 * add() and del(), which perf calls for one event on one CPU at a
	 * time with interrupts off: while @installed, the event holds
	 * @inst_weight registers of pool @inst_pool on that CPU.
	 */
	bool installed;
	bool dbg_held;		/* reserved by the debugger, see dbg_held */
	unsigned int inst_pool;
	unsigned int inst_weight;
	/* How often add() installed it, and refused it for want of a register. */
	unsigned long nr_sched_in;
	unsigned long nr_sched_out;
	/* On hwbp_flex_list while a reserved flexible event (debugfs). */
	struct list_head flex_node;
};

/* The event of a slot the table hands to an arch hook. */
static inline struct hwbp_event *hwbp_event_of_slot(const struct hwbp_bp *bp)
{
	return container_of(bp, struct hwbp_event, bp);
}

#define HWBP_EVENT_MAGIC	0x6877627045564e54UL	/* "hwbpEVNT" */

/* --- kernel symbols, resolved at load --- */

struct hwbp_symbol {
	const char *name;
	unsigned long *addr;
};

/*
 * Look up every symbol of @syms (hwbp_kernel_symbol(): never through
 * kallsyms_lookup_name()); -ENOENT naming the first one missing.
 */
int hwbp_resolve_symbols(const struct hwbp_symbol *syms, unsigned int nr);
/* One symbol's address, or 0 if it cannot be found (an optional one). */
unsigned long hwbp_lookup_symbol(const char *name);

/* --- redirection of a kernel function to ours, through ftrace --- */

/*
 * A hook sends a call of @sym to @replacement when @claim says the call
 * is hwbp's (e.g. its event is one of ours).  Any other call is left alone:
 * the kernel's function runs natively, as if hwbp were not loaded.  hwbp
 * never calls the kernel's function itself, through a pointer or otherwise:
 * with IBT, a function whose address the kernel never takes has its ENDBR
 * sealed, and an indirect call into it is a control-protection fault.
 * Calls made from this module (the static calls of hw_breakpoint_core.cpp)
 * are never redirected.
 *
 * @claim runs in the ftrace callback (preemption off, any context): it may
 * read the traced call's arguments (hwbp_ftrace_arg()) and must not sleep.
 *
 * Each redirected call holds a reference on this module, taken by the hook
 * before the call enters @replacement, so that rmmod cannot free the code a
 * caller is in while @replacement sleeps.  @replacement drops it with
 * hwbp_hook_done() just before it returns, on every path; the few
 * instructions it runs after that are waited for at unload (see
 * hwbp_exit()).  Once unloading has begun the reference cannot be taken, and
 * the call stays with the kernel's function.
 */
struct hwbp_hook {
	const struct hwbp_symbol *sym;	/* the function, resolved at load */
	bool (*claim)(struct ftrace_regs *fregs);
	void *replacement;
	struct ftrace_ops ops;
	bool installed;
};

/* The last thing a hook's replacement does before returning. */
static inline void hwbp_hook_done(void)
{
	module_put(THIS_MODULE);
}

int hwbp_hook_install(struct hwbp_hook *hook);
void hwbp_hook_remove(struct hwbp_hook *hook);
int hwbp_hooks_install(struct hwbp_hook *hooks, unsigned int nr);
void hwbp_hooks_remove(struct hwbp_hook *hooks, unsigned int nr);

/* --- perf's PMU layer (pmu.cpp) --- */

/* The PMU perf resolves PERF_TYPE_BREAKPOINT to, or an ERR_PTR. */
struct pmu *hwbp_find_breakpoint_pmu(void);
/* Wait for callers of any event_init they read before now.  0 or -ENOMEM. */
int hwbp_sync_pmu_callers(void);
/* The same, retrying until it succeeds (unload and failed loads need it). */
void hwbp_sync_pmu_callers_nofail(void);

/* --- the register budget: the PMU's add() and del() (pmu.cpp) --- */

/* Size the budget from the layout; before the PMU's add/del are wrapped. */
void hwbp_regs_init(const struct hwbp_layout *layout);
/*
 * Take @ev's registers on this CPU if its pool has them free, counting
 * those the debugger holds: 0, or -EBUSY with nothing taken.  Interrupts
 * off (the PMU's add()).
 */
int hwbp_regs_take(struct hwbp_event *ev);
/* Give back what hwbp_regs_take() took, if anything (the PMU's del()). */
void hwbp_regs_give(struct hwbp_event *ev);
/*
 * The debugger (all other CPUs stopped) holds, or no longer holds, @w
 * registers of @pool on @cpu: it installs them itself, not through add().
 */
void hwbp_regs_dbg_hold(int cpu, unsigned int pool, unsigned int w, bool hold);
/* Would @w more debugger registers of @pool fit on @cpu right now? */
bool hwbp_regs_dbg_fits(int cpu, unsigned int pool, unsigned int w);
/* Registers of @pool installed through add() on @cpu, and debugger-held. */
unsigned int hwbp_regs_installed(int cpu, unsigned int pool);
unsigned int hwbp_regs_dbg_held(int cpu, unsigned int pool);

/*
 * perf's rotation for the breakpoint PMU's context (pmu.cpp):
 * hwbp_mux_init() makes sure perf rotates @pmu's flexible events (where
 * perf does not by itself, it sets up each CPU's hrtimer with perf's own
 * handler; false if it cannot); hwbp_mux_kick() arms this CPU's, from add();
 * hwbp_mux_exit() stops them all, at unload.
 */
bool hwbp_mux_init(struct pmu *pmu);
void hwbp_mux_kick(void);
void hwbp_mux_exit(void);

/* --- flexible events, for debugfs (hw_breakpoint_core.cpp) --- */

/*
 * Call @fn on every reserved flexible event, under a spinlock (@fn must not
 * sleep): the event and its target task stay alive meanwhile.
 */
typedef void (*hwbp_flex_fn)(void *arg, struct perf_event *bp,
			     struct hwbp_event *ev);
void hwbp_walk_flexible(hwbp_flex_fn fn, void *arg);
/* Whether new perf_event_open() breakpoints may be flexible (parameter). */
bool hwbp_flexible_enabled(void);

/* --- counters, for debugfs and the tests --- */

/* Each has its name in hwbp_counter_names[] (debugfs.cpp), in this order. */
enum hwbp_counter {
	HWBP_CNT_RESERVED,
	HWBP_CNT_RELEASED,
	HWBP_CNT_MODIFIED,
	HWBP_CNT_REFUSED_ENOSPC,
	HWBP_CNT_REFUSED_EINVAL,
	HWBP_CNT_REFUSED_ENOMEM,
	HWBP_CNT_REFUSED_OTHER,
	HWBP_CNT_DBG_BUSY,
	/* the debugger's events: pool records taken, none left, records let go */
	HWBP_CNT_ADOPTED,
	HWBP_CNT_POOL_EMPTY,
	HWBP_CNT_RECORD_FREED,
	HWBP_CNT_PASSED_TO_STOCK,
	/* flexible breakpoints and the register budget */
	HWBP_CNT_RESERVED_FLEXIBLE,
	HWBP_CNT_SCHED_IN,
	HWBP_CNT_SCHED_OUT_FLEXIBLE,
	HWBP_CNT_SCHED_OUT_PINNED,
	HWBP_CNT_DBG_REFUSED_REGS,
	/* calls that reached hwbp through each interception point */
	HWBP_CNT_HIT_EVENT_INIT,
	HWBP_CNT_HIT_DESTROY,
	HWBP_CNT_HIT_MODIFY_USER,
	HWBP_CNT_HIT_MODIFY_CHECK,
	HWBP_CNT_HIT_DBG_RESERVE,
	HWBP_CNT_HIT_DBG_RELEASE,
	HWBP_CNT_HIT_RELEASE_SLOT,
	HWBP_CNT_HIT_IS_USED,
	HWBP_NR_COUNTERS,
};

DECLARE_PER_CPU(unsigned long, hwbp_counters[HWBP_NR_COUNTERS]);

static inline void hwbp_count(enum hwbp_counter c)
{
	this_cpu_inc(hwbp_counters[c]);
}

unsigned long hwbp_counter_sum(enum hwbp_counter c);
/* Count a refusal (-ENOSPC, -EINVAL, -ENOMEM, other) under its reason. */
void hwbp_count_refusal(int err);

/* The table hwbp.ko accounts the running kernel's breakpoints in. */
struct hwbp_table *hwbp_live_table(void);

/* --- debugfs view: /sys/kernel/debug/hwbp/ --- */

int hwbp_debugfs_init(struct hwbp_table *t);
void hwbp_debugfs_exit(void);
/* Where a redirected call may be made to sleep by the unload test (debugfs). */
void hwbp_unload_hold_point(void);

#endif /* HWBP_GLUE_H */
