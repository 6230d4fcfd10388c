// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp_bench: in-kernel micro-benchmark of breakpoint slot accounting.
 *
 * Times K reserve+release pairs of
 *   task: one more task-bound breakpoint (any CPU) of an owner that holds one
 *   cpu:  a CPU-bound breakpoint on CPU 0
 *   new:  the first breakpoint of one more owner (any CPU), so its entry
 *         in the task index comes and goes with it
 * while N other owners hold one task-bound breakpoint each, for N in
 * {1, 10, 100, 1000, 10000}.  Each point is the median (and the fastest) of
 * @rounds runs of @reps pairs, in ns per pair.
 *
 * Built twice from this file (tests/kmod/Kbuild):
 *   hwbp_bench.ko        through a private table of hwbp.ko
 *                        (hwbp_table_create(), x86 layout), for 1 to 64
 *                        CPUs; needs hwbp.ko loaded (namespace HWBP)
 *   hwbp_bench_stock.ko  through the running kernel's own reserve_bp_slot()
 *                        and release_bp_slot() (resolved at load), on fake
 *                        zeroed perf_events and task_structs, for the CPUs
 *                        the kernel has.  Load it only without hwbp.ko: hwbp
 *                        hooks release_bp_slot().
 *
 * Results go to the kernel log, one line per point:
 *   hwbp_bench: side=<hwbp|stock> kind=<task|cpu|new> tasks=N cpus=C ns=X.Y min=Z.W
 * and the module stays loaded until rmmod.
 */
#include <linux/hw_breakpoint.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#ifdef CONFIG_X86
#include <asm/cpufeature.h>
#endif

#ifdef HWBP_BENCH_STOCK
#include <hwbp/kallsyms.h>
#define BENCH_SIDE "stock"
#else
#include <hwbp/compat.h>
#include <hwbp/constraint_table.h>
#define BENCH_SIDE "hwbp"
#endif

static unsigned int reps = 2000;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "reserve+release pairs per run");
static unsigned int rounds = 7;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "runs per point; the median is reported");
static unsigned int max_tasks = 10000;
module_param(max_tasks, uint, 0444);
MODULE_PARM_DESC(max_tasks, "largest number of other owners");

#define MAX_ROUNDS	15

static const unsigned int task_counts[] = { 1, 10, 100, 1000, 10000 };

typedef int (*pair_fn)(void *ctx);

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Time @rounds runs of @reps calls of @fn: result[0] is the median, result[1]
 * the fastest run, in ns/10 per call.
 */
static int time_pairs(pair_fn fn, void *ctx, u64 *result)
{
	u64 v[MAX_ROUNDS];
	unsigned int r, i, n = clamp_val(rounds, 1U, (unsigned int)MAX_ROUNDS);
	int err;

	/* warm up: caches, and the first CPU-bound write lock of the stock side */
	for (i = 0; i < 16; i++) {
		err = fn(ctx);
		if (err)
			return err;
	}
	for (r = 0; r < n; r++) {
		u64 t0, t1;

		cond_resched();
		t0 = ktime_get_ns();
		for (i = 0; i < reps; i++) {
			err = fn(ctx);
			if (err)
				return err;
		}
		t1 = ktime_get_ns();
		v[r] = div64_u64((t1 - t0) * 10, max(reps, 1U));
	}
	sort(v, n, sizeof(v[0]), cmp_u64, NULL);
	result[0] = v[n / 2];
	result[1] = v[0];
	return 0;
}

static void report(const char *kind, unsigned int tasks, unsigned int cpus,
		   int err, const u64 *ns10)
{
	if (err)
		pr_info("hwbp_bench: side=%s kind=%s tasks=%u cpus=%u err=%d\n",
			BENCH_SIDE, kind, tasks, cpus, err);
	else
		pr_info("hwbp_bench: side=%s kind=%s tasks=%u cpus=%u ns=%llu.%llu min=%llu.%llu\n",
			BENCH_SIDE, kind, tasks, cpus, ns10[0] / 10,
			ns10[0] % 10, ns10[1] / 10, ns10[1] % 10);
}

#ifdef HWBP_BENCH_STOCK

typedef int (*event_fn)(struct perf_event *bp);
typedef void (*event_void_fn)(struct perf_event *bp);
typedef bool (*bool_fn)(void);

static event_fn stock_reserve;
static event_void_fn stock_release;
static bool_fn stock_is_used;
static long bench_var;

struct stock_ctx {
	struct task_struct *tasks;	/* fake owners, zeroed but the mutex */
	struct perf_event *held;	/* one per owner */
	unsigned int nr;
	struct perf_event *probe;	/* allocated: too big for the stack */
};

static void fake_event(struct perf_event *ev, struct task_struct *tsk, int cpu)
{
	memset(ev, 0, sizeof(*ev));
	ev->attr.type = PERF_TYPE_BREAKPOINT;
	ev->attr.size = sizeof(ev->attr);
	ev->attr.bp_type = HW_BREAKPOINT_W;
	ev->attr.bp_len = HW_BREAKPOINT_LEN_8;
	ev->attr.bp_addr = (unsigned long)&bench_var;
	ev->cpu = cpu;
	ev->hw.target = tsk;
}

static int stock_pair(void *arg)
{
	struct stock_ctx *c = arg;
	int err = stock_reserve(c->probe);

	if (err)
		return err;
	stock_release(c->probe);
	return 0;
}

static void stock_teardown(struct stock_ctx *c)
{
	while (c->nr > 0) {
		c->nr--;
		stock_release(&c->held[c->nr]);
	}
}

static int stock_setup(struct stock_ctx *c, unsigned int n)
{
	unsigned int i;
	int err;

	c->nr = 0;
	for (i = 0; i < n; i++) {
		fake_event(&c->held[i], &c->tasks[i], -1);
		err = stock_reserve(&c->held[i]);
		if (err) {
			stock_teardown(c);
			return err;
		}
		c->nr++;
		if (!(i & 255))
			cond_resched();
	}
	return 0;
}

static int run_bench(void)
{
	hwbp_lookup_fn lookup = hwbp_find_lookup();
	struct stock_ctx c;
	unsigned int i, k, cpus = nr_cpu_ids;
	int err = 0;
	u64 ns[2];

	/*
	 * reserve_bp_slot() and release_bp_slot() are only ever called
	 * directly in the kernel, so an IBT build seals them: an indirect
	 * call would trap.
	 */
#if defined(CONFIG_X86_KERNEL_IBT)
	if (cpu_feature_enabled(X86_FEATURE_IBT)) {
		pr_err("hwbp_bench: IBT is enforced: the stock side calls sealed functions through a pointer\n");
		return -EOPNOTSUPP;
	}
#endif
	if (!lookup)
		return -ENOENT;
	stock_reserve = (event_fn)lookup("reserve_bp_slot");
	stock_release = (event_void_fn)lookup("release_bp_slot");
	stock_is_used = (bool_fn)lookup("hw_breakpoint_is_used");
	if (!stock_reserve || !stock_release || !stock_is_used)
		return -ENOENT;
	if (stock_is_used()) {
		pr_err("hwbp_bench: the kernel's breakpoint table is in use\n");
		return -EBUSY;
	}

	memset(&c, 0, sizeof(c));
	c.tasks = vzalloc(array_size(max_tasks + 1, sizeof(*c.tasks)));
	c.held = vzalloc(array_size(max_tasks, sizeof(*c.held)));
	c.probe = kzalloc(sizeof(*c.probe), GFP_KERNEL);
	if (!c.tasks || !c.held || !c.probe) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i <= max_tasks; i++)
		mutex_init(&c.tasks[i].perf_event_mutex);

	for (k = 0; k < ARRAY_SIZE(task_counts); k++) {
		unsigned int n = task_counts[k];

		if (n > max_tasks)
			break;
		err = stock_setup(&c, n);
		if (err) {
			report("task", n, cpus, err, NULL);
			continue;
		}
		/* a second bp of owner 0 */
		fake_event(c.probe, &c.tasks[0], -1);
		err = time_pairs(stock_pair, &c, ns);
		report("task", n, cpus, err, ns);
		fake_event(c.probe, NULL, 0);
		err = time_pairs(stock_pair, &c, ns);
		report("cpu", n, cpus, err, ns);
		/* owner n holds nothing */
		fake_event(c.probe, &c.tasks[n], -1);
		err = time_pairs(stock_pair, &c, ns);
		report("new", n, cpus, err, ns);
		stock_teardown(&c);
	}
	err = 0;
	pr_info("hwbp_bench: side=stock table_clean=%d\n", !stock_is_used());
out:
	kfree(c.probe);
	vfree(c.held);
	vfree(c.tasks);
	return err;
}

#else /* hwbp's table */

MODULE_IMPORT_NS(HWBP_NS);

static const unsigned int cpu_counts[] = { 1, 2, 4, 8, 16, 32, 64 };

struct hwbp_ctx {
	struct hwbp_table *t;
	char *owners;			/* owner i is &owners[i] */
	struct hwbp_bp *held;
	unsigned int nr;
	struct hwbp_bp probe;
};

static void fake_bp(struct hwbp_bp *bp, const void *owner, int cpu)
{
	memset(bp, 0, sizeof(*bp));
	bp->owner = owner;
	bp->cpu = cpu;
	bp->bp_type = HWBP_W;
	bp->weight = 1;
}

static int hwbp_pair(void *arg)
{
	struct hwbp_ctx *c = arg;
	int err = hwbp_reserve(c->t, &c->probe);

	if (err)
		return err;
	hwbp_release(c->t, &c->probe);
	return 0;
}

static void hwbp_teardown(struct hwbp_ctx *c)
{
	while (c->nr > 0) {
		c->nr--;
		hwbp_release(c->t, &c->held[c->nr]);
	}
}

static int hwbp_setup(struct hwbp_ctx *c, unsigned int n)
{
	unsigned int i;
	int err;

	c->nr = 0;
	for (i = 0; i < n; i++) {
		fake_bp(&c->held[i], &c->owners[i], -1);
		err = hwbp_reserve(c->t, &c->held[i]);
		if (err) {
			hwbp_teardown(c);
			return err;
		}
		c->nr++;
		if (!(i & 255))
			cond_resched();
	}
	return 0;
}

static void bench_point(struct hwbp_ctx *c, unsigned int n, unsigned int cpus)
{
	int err = hwbp_setup(c, n);
	u64 ns[2];

	if (err) {
		report("task", n, cpus, err, NULL);
		return;
	}
	fake_bp(&c->probe, &c->owners[0], -1);
	err = time_pairs(hwbp_pair, c, ns);
	report("task", n, cpus, err, ns);
	fake_bp(&c->probe, NULL, 0);
	err = time_pairs(hwbp_pair, c, ns);
	report("cpu", n, cpus, err, ns);
	/* owner n holds nothing */
	fake_bp(&c->probe, &c->owners[n], -1);
	err = time_pairs(hwbp_pair, c, ns);
	report("new", n, cpus, err, ns);
	hwbp_teardown(c);
}

static int run_bench(void)
{
	struct hwbp_layout layout;
	struct hwbp_ctx c;
	unsigned int i, k;
	int err = 0;

	memset(&layout, 0, sizeof(layout));
	layout.slots[HWBP_TYPE_INST] = HBP_NUM;
	layout.slots[HWBP_TYPE_DATA] = HBP_NUM;
	layout.shared = true;

	memset(&c, 0, sizeof(c));
	c.owners = (char *)vzalloc(max_tasks + 1);
	c.held = vzalloc(array_size(max_tasks, sizeof(*c.held)));
	if (!c.owners || !c.held) {
		err = -ENOMEM;
		goto out;
	}
	/* the guest's CPU count first, to compare with the stock side */
	for (i = 0; i <= ARRAY_SIZE(cpu_counts); i++) {
		unsigned int cpus = i ? cpu_counts[i - 1] : nr_cpu_ids;

		if (i && cpus == nr_cpu_ids)
			continue;
		c.t = hwbp_table_create(&layout, cpus, NULL);
		if (!c.t) {
			err = -ENOMEM;
			goto out;
		}
		for (k = 0; k < ARRAY_SIZE(task_counts); k++) {
			if (task_counts[k] > max_tasks)
				break;
			bench_point(&c, task_counts[k], cpus);
		}
		pr_info("hwbp_bench: side=hwbp cpus=%u table_clean=%d\n", cpus,
			!hwbp_table_is_used(c.t));
		hwbp_table_destroy(c.t);
		c.t = NULL;
	}
out:
	vfree(c.held);
	vfree(c.owners);
	return err;
}

#endif /* HWBP_BENCH_STOCK */

static int __init hwbp_bench_init(void)
{
	int err;

	pr_info("hwbp_bench: side=%s start reps=%u rounds=%u nr_cpu_ids=%u\n",
		BENCH_SIDE, reps, rounds, nr_cpu_ids);
	err = run_bench();
	pr_info("hwbp_bench: side=%s done %d\n", BENCH_SIDE, err);
	return err;
}

static void __exit hwbp_bench_exit(void)
{
}

module_init(hwbp_bench_init);
module_exit(hwbp_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hwbp: reserve+release micro-benchmark, hwbp table or stock");
