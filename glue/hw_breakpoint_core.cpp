// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp: make every breakpoint slot decision of the running kernel go through
 * the hwbp constraint table.
 *
 * Where the kernel is intercepted.  Each point is reached through a pointer or
 * from another source file, so no call site can have inlined it away (as gcc
 * does with reserve_bp_slot() on Debian's kernel):
 *
 *   perf_breakpoint.event_init       pointer, swapped    every bp event creation
 *                                                        (perf_event_open,
 *                                                        register_*_hw_breakpoint,
 *                                                        inheritance)
 *   perf_breakpoint.add, .del        pointers, swapped   install/uninstall on a
 *                                                        CPU: the register budget
 *                                                        of flexible breakpoints
 *   event->destroy                   pointer, set by us  every release
 *   modify_user_hw_breakpoint()      ftrace, ptrace.c    ptrace's DR7 changes
 *   modify_user_hw_breakpoint_check() ftrace, core.c     IOC_MODIFY_ATTRIBUTES
 *   dbg_reserve_bp_slot(), dbg_release_bp_slot(),
 *   release_bp_slot()                ftrace, kgdb.c      the kernel debugger
 *   hw_breakpoint_is_used()          ftrace              callers outside
 *
 * Arch parsing and the installing of breakpoints in debug registers stay the
 * kernel's: only the slot accounting moves.
 *
 * IBT.  hwbp never calls a kernel function through a pointer unless the
 * kernel itself takes that function's address (the breakpoint PMU's
 * event_init): Debian's 6.12 and 7.x amd64 kernels seal the ENDBR of every
 * other function at boot, and an indirect call into one is a
 * control-protection fault on a CPU with IBT.  So:
 *  - a hook that is not hwbp's business does not redirect the call, and the
 *    kernel's function runs natively (hooks.cpp);
 *  - the four kernel functions hwbp does call are static calls: on x86 the
 *    call site, or its trampoline, becomes a direct call or jmp to the
 *    function, which needs no ENDBR (elsewhere a static call is a plain
 *    pointer call, and no Debian arm64 or ppc64el kernel enforces branch
 *    targets);
 *  - symbols are found through kprobes, not by calling
 *    kallsyms_lookup_name().
 * scripts/ibt-check proves it against the images themselves.
 *
 * Takeover without a window.  The stock table must be empty and stay empty:
 *  1. the ftrace hooks go in; they claim no call of an event that is not
 *     ours, and no event is ours yet, so nothing changes yet;
 *  2. add and del are swapped for ours, which pass events that are not
 *     ours straight to the stock ones; event_init is swapped for ours, in
 *     ARMING state, where it still hands every event to the stock
 *     event_init, under hwbp_arming_sem (read);
 *  3. perf's pmus_srcu and RCU are synchronized (hwbp_sync_pmu_callers()):
 *     no caller still runs an old event_init, and no add() or del() (they
 *     run with interrupts off) an old add or del;
 *  4. with hwbp_arming_sem held for write (no hand-over in flight, none can
 *     start) the stock table is checked empty and the state set to LIVE.
 * While the stock table holds slots at 4, the load waits for it to empty
 * (breakpoints are short-lived: perf stat, a debugger's step) for up to
 * load_wait_ms, in turns: about 10 ms holding the sem (new events wait,
 * those held may be closed), then a moment without it (new events go to
 * the stock path, and each is released by the stock table that reserved
 * it).  If it never empties, everything is undone and the
 * load fails with -EBUSY; no event was ever reserved in our table.
 *
 * Every reserved slot, and every call a hook redirected here while it runs,
 * holds a reference on this module, so rmmod is refused while any is held;
 * on unload the pointers go back, pmus_srcu and RCU are synchronized and
 * the hooks come out, and the stock path is as it was (see hwbp_exit() for
 * why no task can be left in this module's text by then).  Calling the
 * stock add and del through the saved pointers is IBT-safe: perf_breakpoint
 * takes their address, so they begin with ENDBR.
 */
#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/delay.h>
#include <linux/hw_breakpoint.h>
#include <linux/module.h>
#include <linux/perf_event.h>
#include <linux/rcupdate.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/static_call.h>

#include <hwbp/arch.h>
#include "glue.h"

#define CREATE_TRACE_POINTS
#include "hwbp_trace.h"

/*
 * The stock kernel's functions hwbp calls (the first four, through the
 * static calls below) or hooks.  Functions only: data symbols are not in
 * kallsyms without CONFIG_KALLSYMS_ALL (Debian's 6.1 arm64).
 */
static struct {
	unsigned long arch_parse;
	unsigned long arch_in_kernelspace;
	unsigned long perf_event_disable_local;
	unsigned long is_used;
	unsigned long release_bp_slot;
	unsigned long modify_user;
	unsigned long modify_check;
	unsigned long dbg_reserve;
	unsigned long dbg_release;
} stock;

/* Each name once: the hooks below refer to their entries. */
enum hwbp_sym {
	SYM_ARCH_PARSE,
	SYM_IN_KERNELSPACE,
	SYM_DISABLE_LOCAL,
	SYM_IS_USED,
	SYM_RELEASE_BP_SLOT,
	SYM_MODIFY_USER,
	SYM_MODIFY_CHECK,
	SYM_DBG_RESERVE,
	SYM_DBG_RELEASE,
	HWBP_NR_SYMS,
};

static const struct hwbp_symbol hwbp_symbols[HWBP_NR_SYMS] = {
	[SYM_ARCH_PARSE] = { "hw_breakpoint_arch_parse", &stock.arch_parse },
	[SYM_IN_KERNELSPACE] = { "arch_check_bp_in_kernelspace",
				 &stock.arch_in_kernelspace },
	[SYM_DISABLE_LOCAL] = { "perf_event_disable_local",
				&stock.perf_event_disable_local },
	[SYM_IS_USED] = { "hw_breakpoint_is_used", &stock.is_used },
	[SYM_RELEASE_BP_SLOT] = { "release_bp_slot", &stock.release_bp_slot },
	[SYM_MODIFY_USER] = { "modify_user_hw_breakpoint", &stock.modify_user },
	[SYM_MODIFY_CHECK] = { "modify_user_hw_breakpoint_check",
			       &stock.modify_check },
	[SYM_DBG_RESERVE] = { "dbg_reserve_bp_slot", &stock.dbg_reserve },
	[SYM_DBG_RELEASE] = { "dbg_release_bp_slot", &stock.dbg_release },
};

/*
 * The kernel functions hwbp calls, none of them exported: set once at load
 * (hwbp_set_static_calls()), before any is called.  On x86 each call is a
 * direct call to the kernel's function, which IBT allows whether or not its
 * ENDBR was sealed.
 */
DEFINE_STATIC_CALL_NULL(hwbp_stock_arch_parse, hw_breakpoint_arch_parse);
DEFINE_STATIC_CALL_NULL(hwbp_stock_in_kernelspace, arch_check_bp_in_kernelspace);
DEFINE_STATIC_CALL_NULL(hwbp_stock_disable_local, perf_event_disable_local);
DEFINE_STATIC_CALL_NULL(hwbp_stock_is_used, hw_breakpoint_is_used);

static void hwbp_set_static_calls(void)
{
	static_call_update(hwbp_stock_arch_parse,
			   (typeof(hw_breakpoint_arch_parse) *)stock.arch_parse);
	static_call_update(hwbp_stock_in_kernelspace,
			   (typeof(arch_check_bp_in_kernelspace) *)
			   stock.arch_in_kernelspace);
	static_call_update(hwbp_stock_disable_local,
			   (typeof(perf_event_disable_local) *)
			   stock.perf_event_disable_local);
	static_call_update(hwbp_stock_is_used,
			   (typeof(hw_breakpoint_is_used) *)stock.is_used);
}

typedef int (*hwbp_event_fn)(struct perf_event *bp);

typedef int (*hwbp_add_fn)(struct perf_event *bp, int flags);
typedef void (*hwbp_del_fn)(struct perf_event *bp, int flags);

static struct hwbp_table *hwbp_table;
static struct pmu *hwbp_pmu;
static hwbp_event_fn hwbp_stock_event_init;
static hwbp_add_fn hwbp_stock_add;
static hwbp_del_fn hwbp_stock_del;

/*
 * Flexible breakpoints (opt-in): see flex_fits() in constraint_table.cpp for
 * the admission rule, pmu.cpp for the register budget, README.md for
 * what a perf user sees.  Read once per event_init: turning it off leaves
 * flexible events already open as they are.
 */
static bool flexible;
static bool hwbp_can_rotate;	/* perf's rotation set up (pmu.cpp) */
module_param(flexible, bool, 0644);
MODULE_PARM_DESC(flexible,
		 "Admit perf_event_open() breakpoints with attr.pinned == 0 as flexible: multiplexed by perf when they do not fit, never taking a slot from a pinned breakpoint (default: off, the kernel's answers)");

/* Step 4 of the takeover (top of this file): how long a load waits. */
static unsigned int load_wait_ms = 2000;
module_param(load_wait_ms, uint, 0444);
MODULE_PARM_DESC(load_wait_ms,
		 "At load, how long to wait for breakpoints held under the kernel's own accounting to be closed before failing with EBUSY (default: 2000 ms)");

bool hwbp_flexible_enabled(void)
{
	return READ_ONCE(flexible) && hwbp_can_rotate && hwbp_arch_flexible();
}

/* Reserved flexible events, for debugfs; hwbp_flex_lock guards the list. */
static LIST_HEAD(hwbp_flex_list);
static DEFINE_SPINLOCK(hwbp_flex_lock);

static void hwbp_flex_track(struct hwbp_event *ev)
{
	unsigned long flags;

	INIT_LIST_HEAD(&ev->flex_node);
	if (!ev->bp.flexible)
		return;
	spin_lock_irqsave(&hwbp_flex_lock, flags);
	list_add_tail(&ev->flex_node, &hwbp_flex_list);
	spin_unlock_irqrestore(&hwbp_flex_lock, flags);
}

static void hwbp_flex_untrack(struct hwbp_event *ev)
{
	unsigned long flags;

	if (!ev->bp.flexible)
		return;
	spin_lock_irqsave(&hwbp_flex_lock, flags);
	list_del_init(&ev->flex_node);
	spin_unlock_irqrestore(&hwbp_flex_lock, flags);
}

void hwbp_walk_flexible(hwbp_flex_fn fn, void *arg)
{
	struct hwbp_event *ev;
	unsigned long flags;

	spin_lock_irqsave(&hwbp_flex_lock, flags);
	list_for_each_entry(ev, &hwbp_flex_list, flex_node)
		fn(arg, ev->perf, ev);
	spin_unlock_irqrestore(&hwbp_flex_lock, flags);
}

enum hwbp_state {
	HWBP_ARMING,
	HWBP_LIVE,
};

/*
 * hwbp_state goes ARMING -> LIVE once, under hwbp_arming_sem held for write;
 * event_init reads it with acquire and, while ARMING, hands events to the
 * stock event_init under hwbp_arming_sem held for read.
 */
static int hwbp_state;
static DECLARE_RWSEM(hwbp_arming_sem);

static struct hwbp_event *hwbp_event_of(struct perf_event *bp)
{
	struct hwbp_event *ev = bp->pmu_private;

	if (bp->pmu != hwbp_pmu || !ev || ev->magic != HWBP_EVENT_MAGIC)
		return NULL;
	return ev;
}

/*
 * Records for the debugger's events that have none: created before hwbp
 * was loaded (kgdb_arch_late() at boot), or created under hwbp and since
 * handed to the debugger, which clears ->destroy and calls release_bp_slot()
 * (hwbp_release_bp_slot() lets their record go then).
 *
 * Rule: a pool record is attached to an event (bp->pmu_private) exactly
 * while that event holds a slot in our table.  hwbp_dbg_reserve_bp_slot()
 * attaches it and takes the slot, or gives the record back at once if the
 * slot is refused; whatever releases the slot (dbg_release_bp_slot(),
 * release_bp_slot()) detaches it and gives it back.  Hence:
 *  - a held slot pins this module, so at rmmod no record is attached: the
 *    stock path finds the debugger's events exactly as they were, with
 *    pmu_private NULL, and hwbp never writes to an event it is not told
 *    about (kgdb may free its events, destroy-less, at any time while no
 *    slot is held: kgdb_arch_exit() on kgdboc or kgdbts unregistering);
 *  - held slots are at most nr_cpu_ids times the slots of both pools, so
 *    the pool, sized so, is empty only when the table is full.
 * The debugger reserves with the other CPUs stopped and interrupts off: a
 * record is taken and given back with atomic bit operations only, and the
 * pool's memory is allocated at load and freed at unload.
 */
static struct hwbp_event *hwbp_pool;
static unsigned long *hwbp_pool_map;
static unsigned int hwbp_pool_size;

static bool hwbp_pool_owns(const struct hwbp_event *ev)
{
	return ev >= hwbp_pool && ev < hwbp_pool + hwbp_pool_size;
}

/* A record for @bp, which has none, or NULL.  Never sleeps or allocates. */
static struct hwbp_event *hwbp_pool_take(struct perf_event *bp)
{
	struct hwbp_event *ev;
	unsigned int i;

	do {
		i = find_first_zero_bit(hwbp_pool_map, hwbp_pool_size);
		if (i >= hwbp_pool_size)
			return NULL;
	} while (test_and_set_bit_lock(i, hwbp_pool_map));

	ev = &hwbp_pool[i];
	memset(ev, 0, sizeof(*ev));
	ev->bp.owner = bp->hw.target;
	ev->bp.cpu = bp->cpu;
	ev->bp.bp_type = (unsigned int)bp->attr.bp_type;
	ev->bp.weight = hwbp_arch_weight(bp);
	ev->magic = HWBP_EVENT_MAGIC;
	ev->perf = bp;
	bp->pmu_private = ev;
	hwbp_count(HWBP_CNT_ADOPTED);
	return ev;
}

/* Detach a pool record from @bp, its slot released, and give it back. */
static void hwbp_pool_put(struct perf_event *bp, struct hwbp_event *ev)
{
	bp->pmu_private = NULL;
	ev->magic = 0;
	clear_bit_unlock((unsigned int)(ev - hwbp_pool), hwbp_pool_map);
}

static void hwbp_pool_destroy(void)
{
	/*
	 * By the rule above, no record is attached once no slot is held; if
	 * one were, an event would point into it: better leak the pool.
	 */
	if (hwbp_pool_map &&
	    WARN_ON_ONCE(!bitmap_empty(hwbp_pool_map, hwbp_pool_size)))
		return;
	kfree(hwbp_pool);
	bitmap_free(hwbp_pool_map);
	hwbp_pool = NULL;
	hwbp_pool_map = NULL;
}

static int hwbp_pool_create(void)
{
	hwbp_pool_size = nr_cpu_ids *
			 (hwbp_table_slots(hwbp_table, HWBP_TYPE_INST) +
			  hwbp_table_slots(hwbp_table, HWBP_TYPE_DATA));
	hwbp_pool = kcalloc(hwbp_pool_size, sizeof(*hwbp_pool), GFP_KERNEL);
	hwbp_pool_map = bitmap_zalloc(hwbp_pool_size, GFP_KERNEL);
	if (!hwbp_pool || !hwbp_pool_map) {
		hwbp_pool_destroy();
		return -ENOMEM;
	}
	return 0;
}

/*
 * Reserve a slot for @bp in our table.  A reserved slot pins this module;
 * during unload (module going) nothing new is reserved here.
 */
static int hwbp_reserve_event(struct perf_event *bp, struct hwbp_event *ev,
			      bool dbg)
{
	int err;

	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	err = dbg ? hwbp_dbg_reserve(hwbp_table, &ev->bp) :
		    hwbp_reserve(hwbp_table, &ev->bp);
	if (err) {
		if (err == -EBUSY)
			hwbp_count(HWBP_CNT_DBG_BUSY);
		else
			hwbp_count_refusal(err);
		trace_hwbp_refuse(bp, ev->bp.flexible, err);
		module_put(THIS_MODULE);
		return err;
	}
	hwbp_count(HWBP_CNT_RESERVED);
	if (ev->bp.flexible)
		hwbp_count(HWBP_CNT_RESERVED_FLEXIBLE);
	trace_hwbp_reserve(bp, ev->bp.flexible, 0);
	return 0;
}

/*
 * The debugger installs its breakpoints through the arch, not through the
 * PMU's add(): keep their registers out of add()'s reach (pmu.cpp).
 */
static void hwbp_dbg_hold(struct hwbp_event *ev, bool hold)
{
	if (ev->dbg_held == hold)
		return;
	hwbp_regs_dbg_hold(ev->bp.cpu, ev->bp.pool, ev->bp.weight, hold);
	ev->dbg_held = hold;
}

/*
 * Give back @ev's slot (as the debugger if @dbg: 0 or -EBUSY) and the
 * registers the debugger held.  The module reference the slot held is the
 * caller's to drop, last: hwbp_release_event(), or hwbp_event_destroy()
 * after freeing @ev.
 */
static int hwbp_release_slot(struct perf_event *bp, struct hwbp_event *ev,
			     bool dbg)
{
	if (dbg) {
		int err = hwbp_dbg_release(hwbp_table, &ev->bp);

		if (err) {
			hwbp_count(HWBP_CNT_DBG_BUSY);
			return err;
		}
	} else {
		hwbp_release(hwbp_table, &ev->bp);
	}
	hwbp_dbg_hold(ev, false);
	hwbp_count(HWBP_CNT_RELEASED);
	trace_hwbp_release(bp, ev->bp.flexible, 0);
	return 0;
}

static int hwbp_release_event(struct perf_event *bp, struct hwbp_event *ev,
			      bool dbg)
{
	int err = hwbp_release_slot(bp, ev, dbg);

	if (!err)
		module_put(THIS_MODULE);
	return err;
}

/* The checks of the kernel's hw_breakpoint_parse(), with its errnos. */
static int hwbp_parse(struct perf_event *bp, const struct perf_event_attr *attr,
		      struct arch_hw_breakpoint *hw)
{
	int err;

	err = static_call(hwbp_stock_arch_parse)(bp, attr, hw);
	if (err)
		return err;
	if (static_call(hwbp_stock_in_kernelspace)(hw)) {
		if (attr->exclude_kernel)
			return -EINVAL;
		/* No breakpoints in the trap path for the unprivileged. */
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
	}
	return 0;
}

static void hwbp_event_destroy(struct perf_event *bp)
{
	struct hwbp_event *ev = hwbp_event_of(bp);
	bool reserved;

	hwbp_count(HWBP_CNT_HIT_DESTROY);
	if (WARN_ON_ONCE(!ev))
		return;
	hwbp_arch_unregister(bp);
	bp->pmu_private = NULL;
	reserved = ev->bp.reserved;
	if (reserved) {
		hwbp_flex_untrack(ev);
		hwbp_release_slot(bp, ev, false);
	}
	kfree(ev);
	/* Last: the slot's reference; this may let the module go. */
	if (reserved)
		module_put(THIS_MODULE);
}

/*
 * Whether @bp asks for flexible admission: the parameter is on and perf
 * would schedule it as flexible, that is its group leader (itself, or the
 * leader it is created in, inherited events included) is not pinned.
 * Every in-kernel user (ptrace, kgdb, register_wide_hw_breakpoint()) gets
 * attr.pinned from hw_breakpoint_init(), so only perf_event_open() and the
 * events inherited from them are ever flexible.
 */
static bool hwbp_wants_flexible(struct perf_event *bp)
{
	struct perf_event *leader = bp->group_leader ? bp->group_leader : bp;

	return hwbp_flexible_enabled() && !bp->attr.pinned &&
	       !leader->attr.pinned;
}

static int hwbp_event_init_live(struct perf_event *bp)
{
	int type = hwbp_type_of((unsigned int)bp->attr.bp_type);
	struct arch_hw_breakpoint hw = { };
	struct hwbp_event *ev;
	int err;

	/*
	 * As the kernel's event_init, whose find_slot_idx() takes an empty or
	 * invalid mask for an instruction breakpoint: where there is no
	 * instruction pool (powerpc) that is -EOPNOTSUPP, elsewhere the
	 * table's -EINVAL.
	 */
	if (type < 0)
		type = HWBP_TYPE_INST;
	if (!hwbp_table_slots(hwbp_table, type) ||
	    has_branch_stack(bp))
		return -EOPNOTSUPP;

	ev = kzalloc_obj(*ev, GFP_KERNEL);
	if (!ev)
		return -ENOMEM;
	ev->bp.owner = bp->hw.target;
	ev->bp.cpu = bp->cpu;
	ev->bp.bp_type = (unsigned int)bp->attr.bp_type;
	ev->bp.weight = hwbp_arch_weight(bp);
	ev->bp.flexible = hwbp_wants_flexible(bp);
	ev->magic = HWBP_EVENT_MAGIC;
	ev->perf = bp;

	/* Reserve, then parse: the kernel's order, so the same errno wins. */
	err = hwbp_reserve_event(bp, ev, false);
	if (err == -ENODEV) {
		/* Unloading: the stock path takes over again. */
		kfree(ev);
		hwbp_count(HWBP_CNT_PASSED_TO_STOCK);
		return hwbp_stock_event_init(bp);
	}
	if (!err) {
		err = hwbp_parse(bp, &bp->attr, &hw);
		if (err)
			hwbp_release_event(bp, ev, false);
	}
	if (err) {
		kfree(ev);
		return err;
	}

	bp->hw.info = hw;
	bp->pmu_private = ev;
	bp->destroy = hwbp_event_destroy;
	hwbp_flex_track(ev);
	return 0;
}

/*
 * Replaces the PMU's add(): install @bp only if its pool has a register
 * free on this CPU (pmu.cpp), else -EBUSY with no WARN, which perf
 * takes as "try again at the next rotation" for a flexible group.  Events
 * that are not ours go to the stock add() untouched.
 */
static int hwbp_pmu_add(struct perf_event *bp, int flags)
{
	struct hwbp_event *ev = hwbp_event_of(bp);
	int err;

	if (!ev)
		return hwbp_stock_add(bp, flags);
	if (hwbp_regs_take(ev)) {
		if (ev->bp.flexible)
			hwbp_mux_kick();
		ev->nr_sched_out++;
		hwbp_count(ev->bp.flexible ? HWBP_CNT_SCHED_OUT_FLEXIBLE :
			   HWBP_CNT_SCHED_OUT_PINNED);
		trace_hwbp_sched_out(bp, ev->bp.flexible, ev->nr_sched_out);
		return -EBUSY;
	}
	err = hwbp_stock_add(bp, flags);
	if (err) {
		hwbp_regs_give(ev);
		return err;
	}
	ev->nr_sched_in++;
	hwbp_count(HWBP_CNT_SCHED_IN);
	return 0;
}

/* Replaces the PMU's del(): uninstall, and give the registers back. */
static void hwbp_pmu_del(struct perf_event *bp, int flags)
{
	struct hwbp_event *ev = hwbp_event_of(bp);

	hwbp_stock_del(bp, flags);
	if (ev)
		hwbp_regs_give(ev);
}

static int hwbp_event_init(struct perf_event *bp)
{
	int err;

	if (bp->attr.type != PERF_TYPE_BREAKPOINT)
		return -ENOENT;
	hwbp_count(HWBP_CNT_HIT_EVENT_INIT);
	/*
	 * Pairs with the release in hwbp_take_over(): LIVE implies a table
	 * that is set up and a stock table that was empty.
	 */
	if (likely(smp_load_acquire(&hwbp_state) == HWBP_LIVE))
		return hwbp_event_init_live(bp);

	down_read(&hwbp_arming_sem);
	if (hwbp_state == HWBP_LIVE) {
		err = hwbp_event_init_live(bp);
	} else {
		hwbp_count(HWBP_CNT_PASSED_TO_STOCK);
		err = hwbp_stock_event_init(bp);
	}
	up_read(&hwbp_arming_sem);
	return err;
}

static void hwbp_copy_attr(struct perf_event_attr *to,
			   const struct perf_event_attr *from)
{
	to->bp_addr = from->bp_addr;
	to->bp_type = from->bp_type;
	to->bp_len = from->bp_len;
	to->disabled = from->disabled;
}

/* modify_user_hw_breakpoint_check() for an event of ours. */
static int hwbp_modify_event(struct perf_event *bp, struct hwbp_event *ev,
			     struct perf_event_attr *attr, bool check)
{
	struct arch_hw_breakpoint hw = { };
	int err;

	err = hwbp_parse(bp, attr, &hw);
	if (err)
		return err;

	if (check) {
		struct perf_event_attr old_attr = bp->attr;

		/* Only the breakpoint fields may change. */
		hwbp_copy_attr(&old_attr, attr);
		if (memcmp(&old_attr, attr, sizeof(*attr)))
			return -EINVAL;
	}

	if (bp->attr.bp_type != attr->bp_type) {
		err = hwbp_modify_type(hwbp_table, &ev->bp,
				       (unsigned int)attr->bp_type);
		if (err) {
			hwbp_count_refusal(err);
			trace_hwbp_refuse(bp, ev->bp.flexible, err);
			return err;
		}
		hwbp_count(HWBP_CNT_MODIFIED);
	}

	hwbp_copy_attr(&bp->attr, attr);
	bp->hw.info = hw;
	return 0;
}

/*
 * Claims of the hooks (struct hwbp_hook): which calls are hwbp's.  Those of
 * an event hwbp did not create are left to the kernel's function, which
 * then runs natively (and is counted as passed to stock).  The event's
 * caller holds it, so it stays ours (or not) until the call returns.
 */
static bool hwbp_claim_own_event(struct ftrace_regs *fregs)
{
	struct perf_event *bp = (struct perf_event *)hwbp_ftrace_arg(fregs, 0);

	if (hwbp_event_of(bp))
		return true;
	hwbp_count(HWBP_CNT_PASSED_TO_STOCK);
	return false;
}

/* The kernel debugger's calls: always hwbp's (see hwbp_dbg_reserve_bp_slot()). */
static bool hwbp_claim_always(struct ftrace_regs *fregs)
{
	return true;
}

/*
 * hw_breakpoint_is_used() while hwbp holds slots: true.  Otherwise the
 * kernel's answers for its own table, which is empty once hwbp is live and
 * may hold slots while it is arming.
 */
static bool hwbp_claim_is_used(struct ftrace_regs *fregs)
{
	return hwbp_table_is_used(hwbp_table);
}

/* The event a claimed call is about: ours, or a bug (not the kernel's). */
static struct hwbp_event *hwbp_claimed_event(struct perf_event *bp)
{
	struct hwbp_event *ev = hwbp_event_of(bp);

	WARN_ON_ONCE(!ev);
	return ev;
}

/* Replaces modify_user_hw_breakpoint_check(), IOC_MODIFY_ATTRIBUTES' entry. */
static int hwbp_modify_check(struct perf_event *bp,
			     struct perf_event_attr *attr, bool check)
{
	struct hwbp_event *ev = hwbp_claimed_event(bp);
	int err = -EINVAL;

	hwbp_count(HWBP_CNT_HIT_MODIFY_CHECK);
	if (ev)
		err = hwbp_modify_event(bp, ev, attr, check);
	hwbp_hook_done();
	return err;
}

/* Replaces modify_user_hw_breakpoint(), ptrace's entry. */
static int hwbp_modify_user(struct perf_event *bp, struct perf_event_attr *attr)
{
	struct hwbp_event *ev = hwbp_claimed_event(bp);
	int err;

	hwbp_count(HWBP_CNT_HIT_MODIFY_USER);
	if (!ev) {
		hwbp_hook_done();
		return -EINVAL;
	}

	/*
	 * With interrupts off no IPI can disable the event; then it can only
	 * be the current task's, and is disabled right here.
	 */
	if (irqs_disabled() && bp->ctx && bp->ctx->task == current)
		static_call(hwbp_stock_disable_local)(bp);
	else
		perf_event_disable(bp);

	err = hwbp_modify_event(bp, ev, attr, false);

	if (!bp->attr.disabled)
		perf_event_enable(bp);
	hwbp_hook_done();
	return err;
}

/*
 * Replaces release_bp_slot(), which kgdb calls on the events it keeps, after
 * clearing their ->destroy.  Such an event will be freed without a word to
 * us (kgdb_arch_exit()), so its record goes now, whatever made it: with the
 * event's slot and pmu_private gone, the event is as one created before hwbp
 * was loaded, and a later dbg_reserve_bp_slot() gives it a pool record.  An
 * event that still has our ->destroy keeps its record until then.
 */
static void hwbp_release_bp_slot(struct perf_event *bp)
{
	struct hwbp_event *ev = hwbp_claimed_event(bp);

	hwbp_count(HWBP_CNT_HIT_RELEASE_SLOT);
	if (ev) {
		hwbp_arch_unregister(bp);
		if (ev->bp.reserved)
			hwbp_release_event(bp, ev, false);
		if (hwbp_pool_owns(ev)) {
			hwbp_pool_put(bp, ev);
		} else if (bp->destroy != hwbp_event_destroy) {
			bp->pmu_private = NULL;
			kfree(ev);
			hwbp_count(HWBP_CNT_RECORD_FREED);
		}
	}
	/* The unload test: asleep here, only the hook's reference pins us. */
	hwbp_unload_hold_point();
	hwbp_hook_done();
}

/*
 * After the debugger's reservation: its CPU's registers must have room for
 * it now, since it installs them itself on its way out, and x86's install
 * WARNs when none is free.  Pinned events alone always leave that room
 * (B1 in pmu.cpp); flexible ones installed on that CPU may not, and
 * they cannot be moved off a stopped CPU, so the debugger is refused, as
 * when the table is locked, until they rotate out.  Only with flexible
 * breakpoints reserved can this refuse anything.
 */
static int hwbp_dbg_claim_regs(struct perf_event *bp, struct hwbp_event *ev)
{
	enum hwbp_type type = hwbp_type_of(ev->bp.bp_type);

	if (hwbp_table_nr_flexible(hwbp_table, type) &&
	    !hwbp_regs_dbg_fits(ev->bp.cpu, ev->bp.pool, ev->bp.weight)) {
		hwbp_count(HWBP_CNT_DBG_REFUSED_REGS);
		/* Its locks were free a moment ago; every other CPU is stopped. */
		WARN_ON_ONCE(hwbp_release_event(bp, ev, true));
		return -EBUSY;
	}
	hwbp_dbg_hold(ev, true);
	return 0;
}

/*
 * Replace dbg_reserve_bp_slot()/dbg_release_bp_slot(): -1 when the table is
 * locked, as the kernel's.  A breakpoint event without a record (kgdb's,
 * set up before hwbp was loaded or let go by hwbp_release_bp_slot()) gets
 * one from the pool for as long as it holds its slot; no pool record left
 * is answered as a locked table.
 */
static int hwbp_dbg_reserve_bp_slot(struct perf_event *bp)
{
	struct hwbp_event *ev = hwbp_event_of(bp);
	int err;

	hwbp_count(HWBP_CNT_HIT_DBG_RESERVE);
	if (!ev && bp->pmu == hwbp_pmu && !bp->pmu_private) {
		ev = hwbp_pool_take(bp);
		if (!ev)
			hwbp_count(HWBP_CNT_POOL_EMPTY);
	} else if (!ev) {
		hwbp_count(HWBP_CNT_REFUSED_OTHER);
	}
	if (ev) {
		err = hwbp_reserve_event(bp, ev, true);
		if (!err)
			err = hwbp_dbg_claim_regs(bp, ev);
		if (err && hwbp_pool_owns(ev))
			hwbp_pool_put(bp, ev);
		if (err == -EBUSY || err == -ENODEV)
			err = -1;
	} else {
		err = -1;
	}
	hwbp_hook_done();
	return err;
}

static int hwbp_dbg_release_bp_slot(struct perf_event *bp)
{
	struct hwbp_event *ev = hwbp_event_of(bp);

	int err = -1;

	hwbp_count(HWBP_CNT_HIT_DBG_RELEASE);
	if (ev && !ev->bp.reserved) {
		err = 0;
	} else if (ev) {
		err = hwbp_release_event(bp, ev, true) ? -1 : 0;
		if (!err && hwbp_pool_owns(ev))
			hwbp_pool_put(bp, ev);
	}
	hwbp_hook_done();
	return err;
}

/*
 * Replaces hw_breakpoint_is_used() while hwbp holds slots (the claim): then
 * the answer is yes, whatever the stock table holds.
 */
static bool hwbp_is_used(void)
{
	hwbp_count(HWBP_CNT_HIT_IS_USED);
	hwbp_hook_done();
	return true;
}

static struct hwbp_hook hwbp_hooks[] = {
	{ &hwbp_symbols[SYM_MODIFY_USER], hwbp_claim_own_event, (void *)hwbp_modify_user },
	{ &hwbp_symbols[SYM_MODIFY_CHECK], hwbp_claim_own_event, (void *)hwbp_modify_check },
	{ &hwbp_symbols[SYM_DBG_RESERVE], hwbp_claim_always, (void *)hwbp_dbg_reserve_bp_slot },
	{ &hwbp_symbols[SYM_DBG_RELEASE], hwbp_claim_always, (void *)hwbp_dbg_release_bp_slot },
	{ &hwbp_symbols[SYM_RELEASE_BP_SLOT], hwbp_claim_own_event, (void *)hwbp_release_bp_slot },
	{ &hwbp_symbols[SYM_IS_USED], hwbp_claim_is_used, (void *)hwbp_is_used },
};

/* The live table, for hwbp's KUnit suites: read it, never change it. */
struct hwbp_table *hwbp_live_table(void)
{
	return hwbp_table;
}
EXPORT_SYMBOL_NS_GPL(hwbp_live_table, HWBP_NS);

static bool hwbp_stock_table_used(void)
{
	/* Called from this module, so the hook leaves the call alone. */
	return static_call(hwbp_stock_is_used)();
}

/* Put the PMU's pointers back, and wait for callers of ours (step 3). */
static void hwbp_restore_pmu(void)
{
	WRITE_ONCE(hwbp_pmu->event_init, hwbp_stock_event_init);
	WRITE_ONCE(hwbp_pmu->add, hwbp_stock_add);
	WRITE_ONCE(hwbp_pmu->del, hwbp_stock_del);
	hwbp_sync_pmu_callers_nofail();
}

/* Steps 2-4 of the takeover (see the top of this file). */
static int hwbp_take_over(void)
{
	unsigned long deadline;
	int err;

	hwbp_stock_event_init = hwbp_pmu->event_init;
	hwbp_stock_add = hwbp_pmu->add;
	hwbp_stock_del = hwbp_pmu->del;
	if (!hwbp_stock_event_init || !hwbp_stock_add || !hwbp_stock_del) {
		pr_err("hwbp: the breakpoint PMU has no event_init, add or del\n");
		return -ENOENT;
	}
	/* add/del first: every event of ours then goes through both. */
	WRITE_ONCE(hwbp_pmu->add, hwbp_pmu_add);
	WRITE_ONCE(hwbp_pmu->del, hwbp_pmu_del);
	WRITE_ONCE(hwbp_pmu->event_init, hwbp_event_init);
	err = hwbp_sync_pmu_callers();
	if (err) {
		hwbp_restore_pmu();
		pr_err("hwbp: cannot wait for breakpoint event creation in flight: %d\n",
		       err);
		return err;
	}

	deadline = jiffies + msecs_to_jiffies(load_wait_ms);
	for (;;) {
		unsigned int ms;

		/*
		 * New events wait for the sem a few milliseconds while those
		 * the stock table holds may be closed: a table kept busy by
		 * many short-lived breakpoints is seldom empty at one look.
		 */
		down_write(&hwbp_arming_sem);
		for (ms = 0; ms < 10 && hwbp_stock_table_used(); ms++)
			usleep_range(1000, 2000);
		if (!hwbp_stock_table_used())
			break;
		up_write(&hwbp_arming_sem);
		if (time_after(jiffies, deadline) ||
		    fatal_signal_pending(current)) {
			hwbp_restore_pmu();
			pr_err("hwbp: the kernel's breakpoint table holds slots; close all breakpoint events and load again\n");
			return -EBUSY;
		}
		usleep_range(1000, 2000);
	}
	/* Pairs with the acquire in hwbp_event_init(). */
	smp_store_release(&hwbp_state, HWBP_LIVE);
	up_write(&hwbp_arming_sem);
	return 0;
}

static int __init hwbp_init(void)
{
	struct hwbp_layout layout;
	int err;

	err = hwbp_arch_check();
	if (err)
		return err;
	err = hwbp_resolve_symbols(hwbp_symbols, ARRAY_SIZE(hwbp_symbols));
	if (err)
		return err;
	hwbp_set_static_calls();
	err = hwbp_arch_layout(&layout);
	if (err) {
		pr_err("hwbp: no breakpoint layout for %s: %d\n",
		       hwbp_arch_name(), err);
		return err;
	}
	hwbp_table = hwbp_table_create(&layout, nr_cpu_ids,
				       hwbp_arch_table_ops());
	if (!hwbp_table) {
		pr_err("hwbp: cannot allocate the table\n");
		return -ENOMEM;
	}
	err = hwbp_pool_create();
	if (err) {
		pr_err("hwbp: cannot allocate the debugger's records\n");
		goto out_table;
	}
	hwbp_pmu = hwbp_find_breakpoint_pmu();
	if (IS_ERR(hwbp_pmu)) {
		err = PTR_ERR(hwbp_pmu);
		hwbp_pmu = NULL;
		pr_err("hwbp: cannot find the breakpoint PMU: %d\n", err);
		goto out_table;
	}
	err = hwbp_hooks_install(hwbp_hooks, ARRAY_SIZE(hwbp_hooks));
	if (err)
		goto out_table;
	hwbp_regs_init(&layout);
	/* Optional: without it, flexible admission stays off. */
	hwbp_can_rotate = hwbp_mux_init(hwbp_pmu);
	if (!hwbp_can_rotate)
		pr_warn("hwbp: cannot set up perf's rotation: flexible breakpoints unavailable\n");
	err = hwbp_take_over();
	if (err)
		goto out_mux;
	hwbp_debugfs_init(hwbp_table);
	if (layout.shared)
		pr_info("hwbp: breakpoint slots now accounted by hwbp (%s, %u slots, shared)\n",
			hwbp_arch_name(),
			hwbp_table_slots(hwbp_table, HWBP_TYPE_INST));
	else
		pr_info("hwbp: breakpoint slots now accounted by hwbp (%s, %u instruction, %u data slots)\n",
			hwbp_arch_name(),
			hwbp_table_slots(hwbp_table, HWBP_TYPE_INST),
			hwbp_table_slots(hwbp_table, HWBP_TYPE_DATA));
	return 0;

out_mux:
	hwbp_mux_exit();
	hwbp_hooks_remove(hwbp_hooks, ARRAY_SIZE(hwbp_hooks));
out_table:
	hwbp_pool_destroy();
	hwbp_table_destroy(hwbp_table);
	return err;
}

/*
 * No task is left in this module's text when it is freed.  Module text is
 * entered only from:
 *  - hwbp_event_init(), hwbp_pmu_add() and hwbp_pmu_del(), through the
 *    PMU's pointers: restored first, and pmus_srcu and RCU synchronized,
 *    so no caller still runs them (nor the multiplexing timer, stopped by
 *    hwbp_mux_exit());
 *  - the hooks' callback and the calls it redirected.  The callback takes a
 *    module reference before it redirects a call (try_module_get(), which
 *    fails once rmmod has begun: the call then stays the kernel's), and
 *    the replacement drops it with hwbp_hook_done() just before it
 *    returns.  That reference, not the wait below, is what covers a
 *    replacement that sleeps (perf_event_disable() takes a mutex; debugfs
 *    unload_hold makes one sleep on purpose, see the takeover plan): a
 *    sleep is a voluntary context switch, which RCU Tasks counts as a
 *    quiescent state, so synchronize_rcu_tasks() alone would not prove the
 *    task gone.  delete_module() refuses while any reference is held, and
 *    stops new ones in the same atomic step, so this never runs with a
 *    replacement in flight;
 *  - hwbp_event_destroy() and the debugfs files: each slot pins the module
 *    until its destroy has run its module_put(), and debugfs_remove()
 *    waits for readers.
 * What remains is the few instructions after a module_put() (of a
 * replacement or of a destroy) up to the return into the kernel, which
 * never sleep; and the ftrace callback itself, which runs with preemption
 * off.  A task preempted there has made no voluntary context switch and
 * is still on its runqueue, so it stays an RCU Tasks holdout (quiescent
 * states are voluntary switches, user mode and idle: kernel/rcu/tasks.h).
 * The hooks come out, and synchronize_rcu_tasks() waits until every task
 * has passed such a state (or, without PREEMPTION, where it is
 * synchronize_rcu(), until every CPU has scheduled): none of that code can
 * still be running when it returns.
 */
static void __exit hwbp_exit(void)
{
	hwbp_debugfs_exit();
	/*
	 * No slot is held (each pins the module), so no event of ours is
	 * installed; new events go to stock.
	 */
	hwbp_restore_pmu();
	hwbp_mux_exit();
	hwbp_hooks_remove(hwbp_hooks, ARRAY_SIZE(hwbp_hooks));
	synchronize_rcu_tasks();
	hwbp_pool_destroy();
	hwbp_table_destroy(hwbp_table);
	pr_info("hwbp: breakpoint slots handed back to the kernel\n");
}

module_init(hwbp_init);
module_exit(hwbp_exit);
MODULE_DESCRIPTION("hw_breakpoint slot accounting (perf, ptrace, kgdb) taken over from the kernel");
MODULE_VERSION("0.1.0");
MODULE_LICENSE("GPL");
