// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp_lockbench: the accounting lock under concurrency, in-kernel, with no
 * perf syscall and so no IPI.
 *
 * K kthreads, bound to CPUs 1..K, each reserve and release one task-bound
 * breakpoint (any CPU) of a fake task of their own, in a loop; one more
 * kthread, bound to CPU 0, reserves and releases a CPU-bound breakpoint on
 * CPU 0, 1, 2, ... in turn.  Each round runs four phases of @msecs:
 *   alone  the K task-bound threads only
 *   churn  the K task-bound threads and the CPU-bound one together, as
 *          fast as each can: the sides may split the time differently
 *   paced  the same, but the CPU-bound thread sleeps @pace_us after each
 *          pair, so both sides churn at (about) the same rate
 *   cpu    the CPU-bound thread only
 * and reports the pairs each side completed, per second of ktime.
 *
 * Built twice from this file (tests/kmod/Kbuild):
 *   hwbp_lockbench.ko        through a private table of hwbp.ko; needs
 *                            hwbp.ko loaded (namespace HWBP)
 *   hwbp_lockbench_stock.ko  through the running kernel's reserve_bp_slot()
 *                            and release_bp_slot() on fake zeroed
 *                            perf_events and task_structs.  Load it only
 *                            without hwbp.ko: hwbp hooks release_bp_slot().
 *                            It calls them through a pointer, which an IBT
 *                            kernel traps when they are sealed (no ENDBR):
 *                            it refuses to load where IBT is enforced.
 *
 * Results go to the kernel log, one line per phase:
 *   hwbp_lockbench: side=S phase=P round=R cpus=C threads=K
 *                   task_ops=N cpu_ops=M ns=T errs=E
 * and the module stays loaded until rmmod.
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/hw_breakpoint.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#ifdef CONFIG_X86
#include <asm/cpufeature.h>
#endif

#ifdef HWBP_LOCKBENCH_STOCK
#include <hwbp/kallsyms.h>
#define BENCH_SIDE "stock"
#else
#include <hwbp/compat.h>
#include <hwbp/constraint_table.h>
#define BENCH_SIDE "hwbp"
#endif

static unsigned int msecs = 2000;
module_param(msecs, uint, 0444);
MODULE_PARM_DESC(msecs, "length of each phase, ms");
static unsigned int rounds = 3;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "rounds of the three phases");
static unsigned int pace_us = 1000;
module_param(pace_us, uint, 0444);
MODULE_PARM_DESC(pace_us, "sleep of the CPU-bound thread after each pair, phase paced");
static char *only;
module_param(only, charp, 0444);
MODULE_PARM_DESC(only, "run this phase only (profiles)");
static unsigned int threads;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "task-bound threads (default: online CPUs - 1)");

#define LB_MAX_THREADS	64

/* One breakpoint of one side: a fake perf_event, or an hwbp_bp. */
struct lb_bp {
#ifdef HWBP_LOCKBENCH_STOCK
	struct perf_event ev;
#else
	struct hwbp_bp bp;
#endif
};

struct lb_worker {
	struct task_struct *thread;
	struct lb_bp *bp;		/* allocated: a perf_event is big */
	unsigned int cpu;		/* the CPU it is bound to */
	bool cpu_bound;			/* the CPU-bound churner */
	unsigned long ops;		/* pairs done in this phase */
	unsigned long errs;		/* reserves refused in this phase */
};

/*
 * The controller sets @run and @phase_seq to start a phase and clears @run
 * to end it; a worker counts its pairs only while @run is set and its phase
 * includes it, then waits for the next phase.  @stop ends the threads.
 */
static struct {
	struct lb_worker w[LB_MAX_THREADS + 1];
	unsigned int nr;		/* task-bound workers: w[0..nr-1] */
	bool want_task, want_cpu;	/* who runs in this phase */
	unsigned int pace;		/* the CPU-bound thread's sleep, us */
	int run;
	int stop;
	atomic_t parked;		/* workers done with this phase */
	struct completion all_parked;
	unsigned int phase_seq;
} lb;

#ifdef HWBP_LOCKBENCH_STOCK

static long bench_var;

typedef int (*event_fn)(struct perf_event *bp);
typedef void (*event_void_fn)(struct perf_event *bp);
typedef bool (*bool_fn)(void);

static event_fn stock_reserve;
static event_void_fn stock_release;
static bool_fn stock_is_used;
static struct task_struct *fake_tasks;

static int side_init(void)
{
	hwbp_lookup_fn lookup;
	unsigned int i;

	/*
	 * reserve_bp_slot() and release_bp_slot() are only ever called
	 * directly in the kernel, so an IBT build seals them: an indirect
	 * call would trap.
	 */
#if defined(CONFIG_X86_KERNEL_IBT)
	if (cpu_feature_enabled(X86_FEATURE_IBT)) {
		pr_err("hwbp_lockbench: IBT is enforced: the stock side calls sealed functions through a pointer\n");
		return -EOPNOTSUPP;
	}
#endif
	lookup = hwbp_find_lookup();
	if (!lookup)
		return -ENOENT;
	stock_reserve = (event_fn)lookup("reserve_bp_slot");
	stock_release = (event_void_fn)lookup("release_bp_slot");
	stock_is_used = (bool_fn)lookup("hw_breakpoint_is_used");
	if (!stock_reserve || !stock_release || !stock_is_used)
		return -ENOENT;
	if (stock_is_used()) {
		pr_err("hwbp_lockbench: the kernel's breakpoint table is in use\n");
		return -EBUSY;
	}
	fake_tasks = vzalloc(array_size(LB_MAX_THREADS, sizeof(*fake_tasks)));
	if (!fake_tasks)
		return -ENOMEM;
	for (i = 0; i < LB_MAX_THREADS; i++)
		mutex_init(&fake_tasks[i].perf_event_mutex);
	return 0;
}

static void side_exit(void)
{
	pr_info("hwbp_lockbench: side=stock table_clean=%d\n", !stock_is_used());
	vfree(fake_tasks);
}

static struct lb_bp *bp_alloc(unsigned int i, bool cpu_bound)
{
	struct lb_bp *b = kzalloc(sizeof(*b), GFP_KERNEL);
	struct perf_event *ev;

	if (!b)
		return NULL;
	ev = &b->ev;
	ev->attr.type = PERF_TYPE_BREAKPOINT;
	ev->attr.size = sizeof(ev->attr);
	ev->attr.bp_type = HW_BREAKPOINT_W;
	ev->attr.bp_len = HW_BREAKPOINT_LEN_8;
	ev->attr.bp_addr = (unsigned long)&bench_var;
	ev->cpu = cpu_bound ? 0 : -1;
	ev->hw.target = cpu_bound ? NULL : &fake_tasks[i];
	return b;
}

static void bp_set_cpu(struct lb_bp *b, int cpu)
{
	b->ev.cpu = cpu;
}

static int bp_pair(struct lb_bp *b)
{
	int err = stock_reserve(&b->ev);

	if (err)
		return err;
	stock_release(&b->ev);
	return 0;
}

#else /* hwbp's table */

MODULE_IMPORT_NS(HWBP_NS);

static struct hwbp_table *table;
static char owners[LB_MAX_THREADS];	/* owner i is &owners[i] */

static int side_init(void)
{
	struct hwbp_layout layout;

	memset(&layout, 0, sizeof(layout));
	layout.slots[HWBP_TYPE_INST] = HBP_NUM;
	layout.slots[HWBP_TYPE_DATA] = HBP_NUM;
	layout.shared = true;
	table = hwbp_table_create(&layout, nr_cpu_ids, NULL);
	return table ? 0 : -ENOMEM;
}

static void side_exit(void)
{
	pr_info("hwbp_lockbench: side=hwbp table_clean=%d\n",
		!hwbp_table_is_used(table));
	hwbp_table_destroy(table);
}

static struct lb_bp *bp_alloc(unsigned int i, bool cpu_bound)
{
	struct lb_bp *b = kzalloc(sizeof(*b), GFP_KERNEL);
	struct hwbp_bp *bp;

	if (!b)
		return NULL;
	bp = &b->bp;
	bp->owner = cpu_bound ? NULL : &owners[i];
	bp->cpu = cpu_bound ? 0 : -1;
	bp->bp_type = HWBP_W;
	bp->weight = 1;
	return b;
}

static void bp_set_cpu(struct lb_bp *b, int cpu)
{
	b->bp.cpu = cpu;
}

static int bp_pair(struct lb_bp *b)
{
	int err = hwbp_reserve(table, &b->bp);

	if (err)
		return err;
	hwbp_release(table, &b->bp);
	return 0;
}

#endif /* HWBP_LOCKBENCH_STOCK */

static int lb_thread(void *arg)
{
	struct lb_worker *w = arg;
	unsigned int seen = 0, next_cpu = 0;

	while (!kthread_should_stop()) {
		bool mine;

		/* wait for a phase */
		while (READ_ONCE(lb.phase_seq) == seen && !READ_ONCE(lb.stop))
			schedule_timeout_interruptible(1);
		if (READ_ONCE(lb.stop))
			break;
		seen = READ_ONCE(lb.phase_seq);
		smp_rmb();	/* want_* are written before phase_seq */
		mine = w->cpu_bound ? lb.want_cpu : lb.want_task;
		w->ops = 0;
		w->errs = 0;
		while (mine && READ_ONCE(lb.run)) {
			if (w->cpu_bound) {
				bp_set_cpu(w->bp, next_cpu);
				next_cpu = cpumask_next(next_cpu, cpu_online_mask);
				if (next_cpu >= nr_cpu_ids)
					next_cpu = cpumask_first(cpu_online_mask);
			}
			if (bp_pair(w->bp))
				w->errs++;
			else
				w->ops++;
			if (w->cpu_bound && lb.pace)
				usleep_range(lb.pace, lb.pace + lb.pace / 8);
			else
				cond_resched();
		}
		if (atomic_dec_and_test(&lb.parked))
			complete(&lb.all_parked);
	}
	/* park until kthread_stop() */
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void run_phase(const char *name, unsigned int round, bool task,
		      bool cpu, unsigned int pace)
{
	unsigned long task_ops = 0, errs = 0;
	unsigned int i;
	u64 t0, t1;

	if (only && strcmp(only, name))
		return;
	reinit_completion(&lb.all_parked);
	atomic_set(&lb.parked, lb.nr + 1);
	lb.want_task = task;
	lb.want_cpu = cpu;
	lb.pace = pace;
	WRITE_ONCE(lb.run, 1);
	smp_wmb();	/* want_* and run before phase_seq */
	t0 = ktime_get_ns();
	WRITE_ONCE(lb.phase_seq, lb.phase_seq + 1);
	msleep(msecs);
	WRITE_ONCE(lb.run, 0);
	wait_for_completion(&lb.all_parked);
	t1 = ktime_get_ns();
	for (i = 0; i < lb.nr; i++) {
		task_ops += lb.w[i].ops;
		errs += lb.w[i].errs;
	}
	errs += lb.w[lb.nr].errs;
	pr_info("hwbp_lockbench: side=%s phase=%s round=%u cpus=%u threads=%u task_ops=%lu cpu_ops=%lu ns=%llu errs=%lu\n",
		BENCH_SIDE, name, round, num_online_cpus(), lb.nr, task_ops,
		lb.w[lb.nr].ops, t1 - t0, errs);
}

static void stop_threads(unsigned int n)
{
	unsigned int i;

	WRITE_ONCE(lb.stop, 1);
	for (i = 0; i < n; i++) {
		if (lb.w[i].thread)
			kthread_stop(lb.w[i].thread);
	}
}

static int run_bench(void)
{
	unsigned int i, r, n, cpu;
	int err = 0;

	n = threads ? threads : num_online_cpus() - 1;
	if (n < 1 || n > LB_MAX_THREADS || num_online_cpus() < 2)
		return -EINVAL;
	memset(&lb, 0, sizeof(lb));
	init_completion(&lb.all_parked);
	lb.nr = n;
	/* w[0..n-1] task-bound, on the CPUs after the first; w[n] CPU-bound */
	cpu = cpumask_first(cpu_online_mask);
	lb.w[n].cpu = cpu;
	lb.w[n].cpu_bound = true;
	for (i = 0; i < n; i++) {
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)	/* more threads than CPUs: wrap */
			cpu = cpumask_next(cpumask_first(cpu_online_mask),
					   cpu_online_mask);
		lb.w[i].cpu = cpu;
	}
	for (i = 0; i <= n; i++) {
		lb.w[i].bp = bp_alloc(i, lb.w[i].cpu_bound);
		if (!lb.w[i].bp) {
			err = -ENOMEM;
			goto out;
		}
	}
	for (i = 0; i <= n; i++) {
		struct task_struct *t;

		t = kthread_create(lb_thread, &lb.w[i], "hwbp_lb/%u", i);
		if (IS_ERR(t)) {
			err = PTR_ERR(t);
			stop_threads(i);
			goto out;
		}
		kthread_bind(t, lb.w[i].cpu);
		lb.w[i].thread = t;
		wake_up_process(t);
	}
	for (r = 1; r <= rounds; r++) {
		run_phase("alone", r, true, false, 0);
		run_phase("churn", r, true, true, 0);
		run_phase("paced", r, true, true, pace_us);
		run_phase("cpu", r, false, true, 0);
	}
	stop_threads(n + 1);
out:
	for (i = 0; i <= n; i++)
		kfree(lb.w[i].bp);
	return err;
}

static int __init hwbp_lockbench_init(void)
{
	int err = side_init();

	if (err)
		return err;
	pr_info("hwbp_lockbench: side=%s start msecs=%u rounds=%u cpus=%u\n",
		BENCH_SIDE, msecs, rounds, num_online_cpus());
	err = run_bench();
	pr_info("hwbp_lockbench: side=%s done %d\n", BENCH_SIDE, err);
	side_exit();
	return err;
}

static void __exit hwbp_lockbench_exit(void)
{
}

module_init(hwbp_lockbench_init);
module_exit(hwbp_lockbench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hwbp: reserve+release under concurrency, hwbp table or stock");
