// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp debugfs view, /sys/kernel/debug/hwbp/:
 *   table  per CPU and pool: CPU-bound slots, the largest task count, free,
 *          and the registers installed now (through the PMU's add()) and
 *          held by the debugger; per task: pid, comm and the slots it pins
 *          per pool and CPU; flexible breakpoints apart, each with how
 *          often it was installed and refused a register
 *   stats  counters: reservations, releases, refusals by reason, and the
 *          calls that reached hwbp through each interception point
 *   unload_hold  a test of the unload rule (see hwbp_unload_hold_point())
 */
#include <linux/debugfs.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>

#include <hwbp/arch.h>
#include "glue.h"

DEFINE_PER_CPU(unsigned long, hwbp_counters[HWBP_NR_COUNTERS]);

/* In the order of enum hwbp_counter (glue.h), one name each. */
static const char *const hwbp_counter_names[] = {
	"reserved",
	"released",
	"modified",
	"refused_enospc",
	"refused_einval",
	"refused_enomem",
	"refused_other",
	"dbg_busy",
	"dbg_adopted",
	"dbg_pool_empty",
	"dbg_record_freed",
	"passed_to_stock",
	"reserved_flexible",
	"sched_in",
	"sched_out_flexible",
	"sched_out_pinned",
	"dbg_refused_regs",
	"hit_event_init",
	"hit_destroy",
	"hit_modify_user_hw_breakpoint",
	"hit_modify_user_hw_breakpoint_check",
	"hit_dbg_reserve_bp_slot",
	"hit_dbg_release_bp_slot",
	"hit_release_bp_slot",
	"hit_hw_breakpoint_is_used",
};

static_assert(ARRAY_SIZE(hwbp_counter_names) == HWBP_NR_COUNTERS);

unsigned long hwbp_counter_sum(enum hwbp_counter c)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(hwbp_counters[c], cpu);
	return sum;
}

/* Count a refused reservation or modify under its reason. */
void hwbp_count_refusal(int err)
{
	switch (err) {
	case -ENOSPC:
		hwbp_count(HWBP_CNT_REFUSED_ENOSPC);
		break;
	case -EINVAL:
		hwbp_count(HWBP_CNT_REFUSED_EINVAL);
		break;
	case -ENOMEM:
		hwbp_count(HWBP_CNT_REFUSED_ENOMEM);
		break;
	default:
		hwbp_count(HWBP_CNT_REFUSED_OTHER);
		break;
	}
}

static struct dentry *hwbp_dir;
static struct hwbp_table *hwbp_view;

/* Pools to show: one when instruction and data share it. */
static unsigned int hwbp_nr_pools(void)
{
	return hwbp_table_shared(hwbp_view) ? 1 : HWBP_NR_TYPES;
}

static const char *hwbp_pool_name(unsigned int pool)
{
	if (hwbp_nr_pools() == 1)
		return "inst+data";
	return pool == HWBP_TYPE_INST ? "inst" : "data";
}

/*
 * The tasks of the table, copied under its lock by hwbp_walk_tasks() and
 * printed after it is dropped, so that a reader of the view holds up no
 * reservation for longer than the copy: per task its pid, comm and
 * breakpoints (CPU, pool, weight), into arrays sized before the walk; a
 * walk that finds more than they hold is made again, larger.
 */
struct hwbp_snap_task {
	pid_t pid;
	char comm[TASK_COMM_LEN];
	unsigned int nr_bps;
	unsigned int first;		/* into hwbp_snap.bps */
};

struct hwbp_snap_bp {
	int cpu;
	unsigned int pool;
	unsigned int weight;
};

struct hwbp_snap {
	struct hwbp_snap_task *tasks;
	struct hwbp_snap_bp *bps;
	unsigned int max_tasks, max_bps;
	unsigned int nr_tasks, nr_bps;	/* found, even beyond the max */
};

static int hwbp_snap_task(void *arg, const struct hwbp_task *tk)
{
	struct hwbp_snap *snap = arg;
	struct task_struct *tsk = (struct task_struct *)hwbp_task_owner(tk);
	const struct hwbp_bp *bp;
	struct hwbp_snap_task *st;

	if (snap->nr_tasks < snap->max_tasks &&
	    snap->nr_bps + hwbp_task_nr_bps(tk) <= snap->max_bps) {
		st = &snap->tasks[snap->nr_tasks];
		st->pid = task_pid_nr(tsk);
		memcpy(st->comm, tsk->comm, sizeof(st->comm));
		st->nr_bps = hwbp_task_nr_bps(tk);
		st->first = snap->nr_bps;
		for (bp = hwbp_task_bps(tk); bp; bp = hwbp_task_next_bp(bp)) {
			snap->bps[snap->nr_bps].cpu = bp->cpu;
			snap->bps[snap->nr_bps].pool = bp->pool;
			snap->bps[snap->nr_bps].weight = bp->weight;
			snap->nr_bps++;
		}
	} else {
		snap->nr_bps += hwbp_task_nr_bps(tk);
	}
	snap->nr_tasks++;
	return 0;
}

static void hwbp_snap_free(struct hwbp_snap *snap)
{
	kvfree(snap->tasks);
	kvfree(snap->bps);
	snap->tasks = NULL;
	snap->bps = NULL;
}

/* 0, or -ENOMEM; a table that keeps growing gets a few tries. */
static int hwbp_snap_take(struct hwbp_snap *snap)
{
	unsigned int want_tasks = 64, want_bps = 256;
	int tries;

	for (tries = 0; tries < 4; tries++) {
		snap->tasks = kvcalloc(want_tasks, sizeof(*snap->tasks),
				       GFP_KERNEL);
		snap->bps = kvcalloc(want_bps, sizeof(*snap->bps), GFP_KERNEL);
		if (!snap->tasks || !snap->bps) {
			hwbp_snap_free(snap);
			return -ENOMEM;
		}
		snap->max_tasks = want_tasks;
		snap->max_bps = want_bps;
		snap->nr_tasks = 0;
		snap->nr_bps = 0;
		hwbp_walk_tasks(hwbp_view, hwbp_snap_task, snap);
		if (snap->nr_tasks <= want_tasks && snap->nr_bps <= want_bps)
			return 0;
		want_tasks = 2 * snap->nr_tasks;
		want_bps = 2 * snap->nr_bps;
		hwbp_snap_free(snap);
	}
	return -EAGAIN;
}

/* Slots @st pins on @cpu in @pool: its any-CPU bps and those on @cpu. */
static unsigned int hwbp_snap_pinned(const struct hwbp_snap *snap,
				     const struct hwbp_snap_task *st,
				     unsigned int pool, int cpu)
{
	const struct hwbp_snap_bp *b = &snap->bps[st->first];
	unsigned int i, n = 0;

	for (i = 0; i < st->nr_bps; i++)
		if (b[i].pool == pool && (b[i].cpu < 0 || b[i].cpu == cpu))
			n += b[i].weight;
	return n;
}

static void hwbp_show_task(struct seq_file *m, const struct hwbp_snap *snap,
			   const struct hwbp_snap_task *st)
{
	unsigned int nr_cpus = hwbp_table_nr_cpus(hwbp_view);
	unsigned int pool, first;
	int cpu;
	bool same;

	seq_printf(m, "%7d %-16s %3u", st->pid, st->comm, st->nr_bps);
	for (pool = 0; pool < hwbp_nr_pools(); pool++) {
		first = hwbp_snap_pinned(snap, st, pool, 0);
		same = true;
		for (cpu = 1; cpu < (int)nr_cpus; cpu++)
			same &= hwbp_snap_pinned(snap, st, pool, cpu) == first;
		seq_printf(m, "  %s:", hwbp_pool_name(pool));
		if (same) {
			seq_printf(m, " all=%u", first);
			continue;
		}
		for (cpu = 0; cpu < (int)nr_cpus; cpu++)
			seq_printf(m, " cpu%d=%u", cpu,
				   hwbp_snap_pinned(snap, st, pool, cpu));
	}
	seq_putc(m, '\n');
}

static void hwbp_show_flexible(void *arg, struct perf_event *bp,
			       struct hwbp_event *ev)
{
	struct seq_file *m = arg;
	struct task_struct *tsk = bp->hw.target;

	seq_printf(m, "%7d %-16s %4d %-9s 0x%-16llx %9lu %9lu\n",
		   tsk ? task_pid_nr(tsk) : -1, tsk ? tsk->comm : "-", bp->cpu,
		   hwbp_pool_name(ev->bp.pool), bp->attr.bp_addr,
		   READ_ONCE(ev->nr_sched_in), READ_ONCE(ev->nr_sched_out));
}

static int hwbp_table_show(struct seq_file *m, void *unused)
{
	unsigned int nr_cpus = hwbp_table_nr_cpus(hwbp_view);
	struct hwbp_snap snap = { };
	unsigned long cpu_pinned = 0;
	unsigned int pool, cpu, i;
	int err;

	seq_printf(m, "hwbp constraint table, %s, flexible %s\n",
		   hwbp_arch_name(), hwbp_flexible_enabled() ? "on" : "off");
	for (pool = 0; pool < hwbp_nr_pools(); pool++)
		seq_printf(m, "pool %-9s %u slots, %u flexible\n",
			   hwbp_pool_name(pool),
			   hwbp_table_slots(hwbp_view, pool),
			   hwbp_table_nr_flexible(hwbp_view, pool));
	seq_puts(m, "\ncpu pool      cpu_pinned task_max free installed dbg_held\n");
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		for (pool = 0; pool < hwbp_nr_pools(); pool++) {
			enum hwbp_type type = pool;
			struct hwbp_cpu_usage u;

			hwbp_snapshot_cpu(hwbp_view, cpu, type, &u);
			cpu_pinned += u.cpu_pinned;
			seq_printf(m, "%3u %-9s %10u %8u %4d %9u %8u\n", cpu,
				   hwbp_pool_name(pool), u.cpu_pinned,
				   u.task_max,
				   (int)hwbp_table_slots(hwbp_view, type) -
				   (int)(u.cpu_pinned + u.task_max),
				   hwbp_regs_installed((int)cpu, pool),
				   hwbp_regs_dbg_held((int)cpu, pool));
		}
	}
	seq_puts(m, "\n    pid comm             bps  slots per pool and CPU\n");
	err = hwbp_snap_take(&snap);
	if (err)
		return err;
	for (i = 0; i < snap.nr_tasks; i++)
		hwbp_show_task(m, &snap, &snap.tasks[i]);
	hwbp_snap_free(&snap);
	seq_puts(m, "\nflexible (pinned counts above leave them out):\n");
	seq_puts(m, "    pid comm              cpu pool      addr               sched_in sched_out\n");
	hwbp_walk_flexible(hwbp_show_flexible, m);
	seq_printf(m, "\ntotals: cpu_pinned=%lu tasks=%u task_bps=%u used=%d\n",
		   cpu_pinned, snap.nr_tasks, snap.nr_bps,
		   hwbp_table_is_used(hwbp_view));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hwbp_table);

static int hwbp_stats_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	for (i = 0; i < HWBP_NR_COUNTERS; i++)
		seq_printf(m, "%-36s %lu\n", hwbp_counter_names[i],
			   hwbp_counter_sum(i));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hwbp_stats);

/*
 * unload_hold, a test of the unload rule (hwbp_exit()): that a call a hook
 * redirected here keeps the module loaded for as long as it runs, even
 * asleep, when nothing else pins it.  Writing 1 arms it; the next call of
 * release_bp_slot() redirected to hwbp then sleeps at the end of
 * hwbp_release_bp_slot(), its slot already released, until 0 is written
 * (or 60 s pass).  Reading says 0 (off), 1 (armed) or 2 (a call sleeps).
 * release_bp_slot() is called only where sleeping is allowed (kgdb's setup
 * and teardown, and the tests); unarmed, this costs one atomic read.
 */
enum { HWBP_HOLD_OFF, HWBP_HOLD_ARMED, HWBP_HOLD_SLEEPING };

static atomic_t hwbp_hold_state = ATOMIC_INIT(HWBP_HOLD_OFF);
static DECLARE_WAIT_QUEUE_HEAD(hwbp_hold_wq);

void hwbp_unload_hold_point(void)
{
	if (atomic_cmpxchg(&hwbp_hold_state, HWBP_HOLD_ARMED,
			   HWBP_HOLD_SLEEPING) != HWBP_HOLD_ARMED)
		return;
	might_sleep();
	wait_event_timeout(hwbp_hold_wq,
			   atomic_read(&hwbp_hold_state) != HWBP_HOLD_SLEEPING,
			   60 * HZ);
	atomic_set(&hwbp_hold_state, HWBP_HOLD_OFF);
}

static int hwbp_hold_get(void *data, u64 *val)
{
	*val = (u64)atomic_read(&hwbp_hold_state);
	return 0;
}

static int hwbp_hold_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	if (val) {
		atomic_cmpxchg(&hwbp_hold_state, HWBP_HOLD_OFF,
			       HWBP_HOLD_ARMED);
		return 0;
	}
	atomic_set(&hwbp_hold_state, HWBP_HOLD_OFF);
	wake_up(&hwbp_hold_wq);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(hwbp_hold_fops, hwbp_hold_get, hwbp_hold_set,
			 "%llu\n");

int hwbp_debugfs_init(struct hwbp_table *t)
{
	hwbp_view = t;
	hwbp_dir = debugfs_create_dir("hwbp", NULL);
	debugfs_create_file("table", 0444, hwbp_dir, NULL, &hwbp_table_fops);
	debugfs_create_file("stats", 0444, hwbp_dir, NULL, &hwbp_stats_fops);
	debugfs_create_file_unsafe("unload_hold", 0600, hwbp_dir, NULL,
				   &hwbp_hold_fops);
	return 0;
}

void hwbp_debugfs_exit(void)
{
	debugfs_remove_recursive(hwbp_dir);
	hwbp_dir = NULL;
}
