// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the hwbp constraint table on its own, in the kernel: the
 * same rules the host harness checks, here under lockdep, KASAN and the
 * kernel's own locks and allocator.  Every case builds private tables (the
 * x86 layout: 4 slots shared by both types; the arm64 one: 6 instruction and
 * 4 data slots apart) and never touches the live one.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <hwbp/constraint_table.h>

MODULE_IMPORT_NS(HWBP_NS);

#define NR_TEST_CPUS	4
#define NR_OWNERS	1000

/* Distinct owner keys: the table only compares the pointers. */
static char owners[NR_OWNERS];

static struct hwbp_table *make_table(struct kunit *test, bool arm64)
{
	struct hwbp_layout layout;
	struct hwbp_table *t;

	layout.slots[HWBP_TYPE_INST] = arm64 ? 6 : 4;
	layout.slots[HWBP_TYPE_DATA] = 4;
	layout.shared = !arm64;
	t = hwbp_table_create(&layout, NR_TEST_CPUS, NULL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	return t;
}

static void bp_init(struct hwbp_bp *bp, int owner, int cpu, unsigned int type)
{
	memset(bp, 0, sizeof(*bp));
	bp->owner = owner < 0 ? NULL : &owners[owner];
	bp->cpu = cpu;
	bp->bp_type = type;
	bp->weight = 1;
}

static int reserve(struct hwbp_table *t, struct hwbp_bp *bp, int owner,
		   int cpu, unsigned int type)
{
	bp_init(bp, owner, cpu, type);
	return hwbp_reserve(t, bp);
}

static void release_all(struct hwbp_table *t, struct hwbp_bp *bps, int n)
{
	for (int i = 0; i < n; i++)
		if (bps[i].reserved)
			hwbp_release(t, &bps[i]);
}

static void done(struct kunit *test, struct hwbp_table *t)
{
	KUNIT_EXPECT_FALSE(test, hwbp_table_is_used(t));
	hwbp_table_destroy(t);
}

static void test_task_slots(struct kunit *test)
{
	struct hwbp_table *t = make_table(test, false);
	struct hwbp_bp bps[6];

	for (int i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, reserve(t, &bps[i], 0, -1, HWBP_W), 0);
	KUNIT_EXPECT_EQ(test, reserve(t, &bps[4], 0, -1, HWBP_X), -ENOSPC);
	/* another task has its own 4 */
	KUNIT_EXPECT_EQ(test, reserve(t, &bps[5], 1, -1, HWBP_W), 0);
	KUNIT_EXPECT_EQ(test, hwbp_owner_pinned(t, &owners[0], 2,
						HWBP_TYPE_DATA), 4U);
	release_all(t, bps, 6);
	done(test, t);
}

static void test_cpu_and_task(struct kunit *test)
{
	struct hwbp_table *t = make_table(test, false);
	struct hwbp_cpu_usage u;
	struct hwbp_bp bps[8];

	/* 2 CPU-bound on CPU 0, a task with 2 everywhere: CPU 0 is full */
	KUNIT_EXPECT_EQ(test, reserve(t, &bps[0], -1, 0, HWBP_W), 0);
	KUNIT_EXPECT_EQ(test, reserve(t, &bps[1], -1, 0, HWBP_W), 0);
	KUNIT_EXPECT_EQ(test, reserve(t, &bps[2], 0, -1, HWBP_W), 0);
	KUNIT_EXPECT_EQ(test, reserve(t, &bps[3], 0, -1, HWBP_W), 0);
	KUNIT_EXPECT_EQ(test, reserve(t, &bps[4], -1, 0, HWBP_W), -ENOSPC);
	KUNIT_EXPECT_EQ(test, reserve(t, &bps[4], 0, -1, HWBP_W), -ENOSPC);
	KUNIT_EXPECT_EQ(test, reserve(t, &bps[4], 0, 0, HWBP_W), -ENOSPC);
	/* the task may still take CPU 1's last two */
	KUNIT_EXPECT_EQ(test, reserve(t, &bps[4], 0, 1, HWBP_W), 0);
	KUNIT_EXPECT_EQ(test, reserve(t, &bps[5], 0, 1, HWBP_W), 0);
	KUNIT_EXPECT_EQ(test, reserve(t, &bps[6], -1, 1, HWBP_W), -ENOSPC);
	hwbp_snapshot_cpu(t, 1, HWBP_TYPE_DATA, &u);
	KUNIT_EXPECT_EQ(test, u.cpu_pinned, 0U);
	KUNIT_EXPECT_EQ(test, u.task_max, 4U);
	hwbp_snapshot_cpu(t, 0, HWBP_TYPE_DATA, &u);
	KUNIT_EXPECT_EQ(test, u.cpu_pinned, 2U);
	KUNIT_EXPECT_EQ(test, u.task_max, 2U);
	release_all(t, bps, 7);
	done(test, t);
}

static void test_separate_pools(struct kunit *test)
{
	struct hwbp_table *t = make_table(test, true);
	struct hwbp_bp bps[12];
	int n = 0;

	for (int i = 0; i < 6; i++)
		KUNIT_EXPECT_EQ(test, reserve(t, &bps[n++], 0, -1, HWBP_X), 0);
	KUNIT_EXPECT_EQ(test, reserve(t, &bps[n], 0, -1, HWBP_X), -ENOSPC);
	for (int i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, reserve(t, &bps[n++], 0, -1, HWBP_RW), 0);
	KUNIT_EXPECT_EQ(test, reserve(t, &bps[n], 0, -1, HWBP_R), -ENOSPC);
	KUNIT_EXPECT_EQ(test, hwbp_table_slots(t, HWBP_TYPE_INST), 6U);
	KUNIT_EXPECT_EQ(test, hwbp_table_slots(t, HWBP_TYPE_DATA), 4U);
	release_all(t, bps, n);
	done(test, t);
}

static void test_modify_put_back(struct kunit *test)
{
	struct hwbp_table *t = make_table(test, true);
	struct hwbp_bp bps[7];

	for (int i = 0; i < 6; i++)
		KUNIT_EXPECT_EQ(test, reserve(t, &bps[i], 0, -1, HWBP_X), 0);
	KUNIT_EXPECT_EQ(test, reserve(t, &bps[6], 0, -1, HWBP_W), 0);
	/* no instruction slot left: refused, and the data slot is back */
	KUNIT_EXPECT_EQ(test, hwbp_modify_type(t, &bps[6], HWBP_X), -ENOSPC);
	KUNIT_EXPECT_EQ(test, bps[6].bp_type, HWBP_W);
	KUNIT_EXPECT_EQ(test, hwbp_owner_pinned(t, &owners[0], 0,
						HWBP_TYPE_DATA), 1U);
	KUNIT_EXPECT_EQ(test, hwbp_modify_type(t, &bps[6], HWBP_EMPTY),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hwbp_modify_type(t, &bps[6], HWBP_RW), 0);
	/* free an instruction slot and move the data bp there */
	hwbp_release(t, &bps[0]);
	KUNIT_EXPECT_EQ(test, hwbp_modify_type(t, &bps[6], HWBP_X), 0);
	KUNIT_EXPECT_EQ(test, hwbp_owner_pinned(t, &owners[0], 0,
						HWBP_TYPE_DATA), 0U);
	KUNIT_EXPECT_EQ(test, hwbp_owner_pinned(t, &owners[0], 0,
						HWBP_TYPE_INST), 6U);
	release_all(t, bps, 7);
	done(test, t);
}

static void test_invalid(struct kunit *test)
{
	struct hwbp_table *t = make_table(test, false);
	struct hwbp_bp bp;

	KUNIT_EXPECT_EQ(test, reserve(t, &bp, 0, -1, HWBP_EMPTY), -EINVAL);
	KUNIT_EXPECT_EQ(test, reserve(t, &bp, 0, -1, HWBP_INVALID), -EINVAL);
	KUNIT_EXPECT_EQ(test, reserve(t, &bp, 0, NR_TEST_CPUS, HWBP_W),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, reserve(t, &bp, -1, -1, HWBP_W), -EINVAL);
	bp_init(&bp, 0, -1, HWBP_W);
	bp.weight = 0;
	KUNIT_EXPECT_EQ(test, hwbp_reserve(t, &bp), -EINVAL);
	bp.weight = 5;
	KUNIT_EXPECT_EQ(test, hwbp_reserve(t, &bp), -ENOSPC);
	bp.weight = 2;
	KUNIT_EXPECT_EQ(test, hwbp_reserve(t, &bp), 0);
	KUNIT_EXPECT_EQ(test, hwbp_reserve(t, &bp), -EINVAL);
	KUNIT_EXPECT_EQ(test, hwbp_owner_pinned(t, &owners[0], 3,
						HWBP_TYPE_DATA), 2U);
	hwbp_release(t, &bp);
	done(test, t);
}

/* The first seed's exit orders, at table level: release order is free. */
static void test_exit_orders(struct kunit *test)
{
	struct hwbp_table *t = make_table(test, false);
	struct hwbp_bp parent[2], child[2][2];

	for (int i = 0; i < 2; i++) {
		KUNIT_EXPECT_EQ(test, reserve(t, &parent[i], 0, -1, HWBP_W), 0);
		for (int c = 0; c < 2; c++)
			KUNIT_EXPECT_EQ(test, reserve(t, &child[c][i], 1 + c,
						      -1, HWBP_W), 0);
	}
	/* children exit, parent's fds closed long after */
	release_all(t, child[0], 2);
	KUNIT_EXPECT_EQ(test, hwbp_owner_pinned(t, &owners[1], 0,
						HWBP_TYPE_DATA), 0U);
	KUNIT_EXPECT_EQ(test, hwbp_owner_pinned(t, &owners[0], 0,
						HWBP_TYPE_DATA), 2U);
	/* parent's events freed before the other child's */
	release_all(t, parent, 2);
	KUNIT_EXPECT_EQ(test, hwbp_owner_pinned(t, &owners[2], 0,
						HWBP_TYPE_DATA), 2U);
	release_all(t, child[1], 2);
	KUNIT_EXPECT_FALSE(test, hwbp_table_is_used(t));
	/* a new task at a dead one's address starts from zero */
	KUNIT_EXPECT_EQ(test, reserve(t, &parent[0], 0, -1, HWBP_W), 0);
	KUNIT_EXPECT_EQ(test, hwbp_owner_pinned(t, &owners[0], 0,
						HWBP_TYPE_DATA), 1U);
	hwbp_release(t, &parent[0]);
	done(test, t);
}

static void test_dbg(struct kunit *test)
{
	struct hwbp_table *t = make_table(test, false);
	struct hwbp_bp cpu_bp, task_bp, other;

	bp_init(&cpu_bp, -1, 0, HWBP_W);
	KUNIT_EXPECT_EQ(test, hwbp_dbg_reserve(t, &cpu_bp), 0);
	KUNIT_EXPECT_EQ(test, hwbp_dbg_release(t, &cpu_bp), 0);
	/* never allocates: a new task's entry lives in its first bp */
	bp_init(&task_bp, 0, -1, HWBP_W);
	KUNIT_EXPECT_EQ(test, hwbp_dbg_reserve(t, &task_bp), 0);
	KUNIT_EXPECT_EQ(test, reserve(t, &other, 0, -1, HWBP_W), 0);
	KUNIT_EXPECT_EQ(test, hwbp_owner_pinned(t, &owners[0], 0,
						HWBP_TYPE_DATA), 2U);
	/* the entry moves to the bp that stays */
	KUNIT_EXPECT_EQ(test, hwbp_dbg_release(t, &task_bp), 0);
	KUNIT_EXPECT_EQ(test, hwbp_owner_pinned(t, &owners[0], 0,
						HWBP_TYPE_DATA), 1U);
	hwbp_release(t, &other);
	KUNIT_EXPECT_EQ(test, hwbp_owner_pinned(t, &owners[0], 0,
						HWBP_TYPE_DATA), 0U);
	done(test, t);
}

struct count_arg {
	struct hwbp_table *t;
	unsigned int n[3];
};

static int count_task(void *arg, const struct hwbp_task *tk)
{
	struct count_arg *c = arg;

	c->n[0]++;
	c->n[1] += hwbp_task_nr_bps(tk);
	c->n[2] += hwbp_task_pinned(c->t, tk, 1, HWBP_TYPE_DATA);
	return 0;
}

/* Many tasks: the index grows (allocation outside the locks). */
static void test_many_tasks(struct kunit *test)
{
	struct hwbp_table *t = make_table(test, false);
	struct count_arg c = { t, { 0, 0, 0 } };
	struct hwbp_bp *bps;

	bps = kcalloc(NR_OWNERS, sizeof(*bps), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bps);
	for (int i = 0; i < NR_OWNERS; i++)
		KUNIT_EXPECT_EQ(test, reserve(t, &bps[i], i, i % 2 ? 1 : -1,
					      HWBP_W), 0);
	hwbp_walk_tasks(t, count_task, &c);
	KUNIT_EXPECT_EQ(test, c.n[0], (unsigned int)NR_OWNERS);
	KUNIT_EXPECT_EQ(test, c.n[1], (unsigned int)NR_OWNERS);
	KUNIT_EXPECT_EQ(test, c.n[2], (unsigned int)NR_OWNERS);
	release_all(t, bps, NR_OWNERS);
	kfree(bps);
	done(test, t);
}

struct stress_arg {
	struct hwbp_table *t;
	int owner;
	int rounds;
	int errors;
	struct completion done;
};

static int stress_fn(void *data)
{
	struct stress_arg *a = data;
	struct hwbp_bp bps[4];

	for (int r = 0; r < a->rounds; r++) {
		for (int i = 0; i < 4; i++) {
			int err = reserve(a->t, &bps[i], a->owner,
					  i == 3 ? r % NR_TEST_CPUS : -1,
					  HWBP_W);

			if (err && err != -ENOSPC)
				a->errors++;
		}
		release_all(a->t, bps, 4);
		cond_resched();
	}
	complete(&a->done);
	return 0;
}

/*
 * Task-bound operations of several tasks on several CPUs, CPU-bound ones
 * alongside: under lockdep, and never oversubscribed.
 */
static void test_concurrent(struct kunit *test)
{
	struct hwbp_table *t = make_table(test, false);
	struct stress_arg args[4];
	struct hwbp_bp cpu_bp;

	for (int i = 0; i < 4; i++) {
		struct task_struct *k;

		args[i].t = t;
		args[i].owner = i;
		args[i].rounds = 500;
		args[i].errors = 0;
		init_completion(&args[i].done);
		k = kthread_run(stress_fn, &args[i], "hwbp_stress/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	}
	for (int r = 0; r < 2000; r++) {
		int cpu = r % NR_TEST_CPUS;
		struct hwbp_cpu_usage u;

		if (!reserve(t, &cpu_bp, -1, cpu, HWBP_W)) {
			hwbp_snapshot_cpu(t, cpu, HWBP_TYPE_DATA, &u);
			KUNIT_EXPECT_LE(test, u.cpu_pinned + u.task_max, 4U);
			hwbp_release(t, &cpu_bp);
		}
		cond_resched();
	}
	for (int i = 0; i < 4; i++) {
		wait_for_completion(&args[i].done);
		KUNIT_EXPECT_EQ(test, args[i].errors, 0);
	}
	done(test, t);
}

static struct kunit_case hwbp_table_cases[] = {
	KUNIT_CASE(test_task_slots),
	KUNIT_CASE(test_cpu_and_task),
	KUNIT_CASE(test_separate_pools),
	KUNIT_CASE(test_modify_put_back),
	KUNIT_CASE(test_invalid),
	KUNIT_CASE(test_exit_orders),
	KUNIT_CASE(test_dbg),
	KUNIT_CASE(test_many_tasks),
	KUNIT_CASE(test_concurrent),
	{}
};

static struct kunit_suite hwbp_table_suite = {
	.name = "hwbp_table",
	.test_cases = hwbp_table_cases,
};

kunit_test_suite(hwbp_table_suite);

MODULE_DESCRIPTION("KUnit suite for the hwbp constraint table");
MODULE_LICENSE("GPL");
