// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite: the running kernel's breakpoint APIs with hwbp.ko loaded.
 * Breakpoints are made with register_user_hw_breakpoint(),
 * register_wide_hw_breakpoint(), perf_event_create_kernel_counter() and
 * changed with modify_user_hw_breakpoint(); the live hwbp table must show
 * exactly them, and nothing else.  Load after hwbp.ko.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/hw_breakpoint.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/perf_event.h>

#include <hwbp/compat.h>
#include <hwbp/constraint_table.h>

#include "../glue/glue.h"

MODULE_IMPORT_NS(HWBP_NS);

static long targets[8];

static void attr_init(struct perf_event_attr *attr, int i, unsigned int type)
{
	hw_breakpoint_init(attr);
	attr->bp_addr = (unsigned long)&targets[i];
	attr->bp_len = HW_BREAKPOINT_LEN_8;
	attr->bp_type = type;
}

static unsigned int pinned(struct task_struct *tsk, unsigned int cpu)
{
	return hwbp_owner_pinned(hwbp_live_table(), tsk, cpu, HWBP_TYPE_DATA);
}

static unsigned int cpu_pinned(unsigned int cpu)
{
	struct hwbp_cpu_usage u;

	hwbp_snapshot_cpu(hwbp_live_table(), cpu, HWBP_TYPE_DATA, &u);
	return u.cpu_pinned;
}

static int e2e_init(struct kunit *test)
{
	if (!hwbp_live_table())
		kunit_skip(test, "hwbp.ko holds no table");
	/* Start from an empty table: nothing else may hold breakpoints. */
	KUNIT_ASSERT_FALSE(test, hwbp_table_is_used(hwbp_live_table()));
	return 0;
}

static void e2e_exit(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, hwbp_table_is_used(hwbp_live_table()));
}

static void test_user_bp_accounted(struct kunit *test)
{
	struct perf_event_attr attr;
	struct perf_event *bp;

	attr_init(&attr, 0, HW_BREAKPOINT_W);
	bp = register_user_hw_breakpoint(&attr, NULL, NULL, current);
	KUNIT_ASSERT_FALSE(test, IS_ERR(bp));
	KUNIT_EXPECT_EQ(test, pinned(current, 0), 1U);
	KUNIT_EXPECT_EQ(test, pinned(current, nr_cpu_ids - 1), 1U);
	unregister_hw_breakpoint(bp);
	KUNIT_EXPECT_EQ(test, pinned(current, 0), 0U);
}

static void test_wide_bp_accounted(struct kunit *test)
{
	struct perf_event * __percpu *wide;
	struct perf_event_attr attr;
	unsigned int cpu;

	attr_init(&attr, 1, HW_BREAKPOINT_RW);
	wide = register_wide_hw_breakpoint(&attr, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR((void __force *)wide));
	for_each_online_cpu(cpu)
		KUNIT_EXPECT_EQ(test, cpu_pinned(cpu), 1U);
	unregister_wide_hw_breakpoint(wide);
	for_each_online_cpu(cpu)
		KUNIT_EXPECT_EQ(test, cpu_pinned(cpu), 0U);
}

static void test_fifth_enospc(struct kunit *test)
{
	struct perf_event *bps[HBP_NUM + 1];
	struct perf_event_attr attr;
	int i;

	for (i = 0; i < HBP_NUM; i++) {
		attr_init(&attr, i, HW_BREAKPOINT_W);
		bps[i] = perf_event_create_kernel_counter(&attr, -1, current,
							  NULL, NULL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(bps[i]));
	}
	attr_init(&attr, i, HW_BREAKPOINT_W);
	bps[i] = perf_event_create_kernel_counter(&attr, -1, current, NULL,
						  NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(bps[i]), -ENOSPC);
	/* a CPU-bound one finds CPU 0 full too */
	bps[i] = perf_event_create_kernel_counter(&attr, 0, NULL, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(bps[i]), -ENOSPC);
	KUNIT_EXPECT_EQ(test, pinned(current, 0), (unsigned int)HBP_NUM);
	for (i = 0; i < HBP_NUM; i++)
		unregister_hw_breakpoint(bps[i]);
}

static void test_bad_attr_errno(struct kunit *test)
{
	struct perf_event_attr attr;
	struct perf_event *bp;

	attr_init(&attr, 0, HW_BREAKPOINT_EMPTY);
	bp = perf_event_create_kernel_counter(&attr, -1, current, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(bp), -EINVAL);
	attr_init(&attr, 0, HW_BREAKPOINT_W);
	attr.bp_len = 3;
	bp = perf_event_create_kernel_counter(&attr, -1, current, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(bp), -EINVAL);
	/* a kernel address, excluded from counting in the kernel */
	attr_init(&attr, 0, HW_BREAKPOINT_W);
	attr.exclude_kernel = 1;
	bp = perf_event_create_kernel_counter(&attr, -1, current, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(bp), -EINVAL);
	KUNIT_EXPECT_EQ(test, pinned(current, 0), 0U);
}

static void test_modify(struct kunit *test)
{
	struct perf_event_attr attr;
	struct perf_event *bp;

	attr_init(&attr, 0, HW_BREAKPOINT_W);
	bp = register_user_hw_breakpoint(&attr, NULL, NULL, current);
	KUNIT_ASSERT_FALSE(test, IS_ERR(bp));
	attr.bp_type = HW_BREAKPOINT_RW;
	KUNIT_EXPECT_EQ(test, modify_user_hw_breakpoint(bp, &attr), 0);
	KUNIT_EXPECT_EQ(test, bp->attr.bp_type, (u64)HW_BREAKPOINT_RW);
	attr.bp_len = 3;
	KUNIT_EXPECT_EQ(test, modify_user_hw_breakpoint(bp, &attr), -EINVAL);
	KUNIT_EXPECT_EQ(test, bp->attr.bp_type, (u64)HW_BREAKPOINT_RW);
	KUNIT_EXPECT_EQ(test, pinned(current, 0), 1U);
	unregister_hw_breakpoint(bp);
}

static int idle_fn(void *arg)
{
	struct completion *started = arg;

	complete(started);
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return 0;
}

/*
 * The first seed: the task exits before its events are freed.  The slots
 * stay with the dead task until the last event goes, then all is zero.
 */
static void test_task_exits_first(struct kunit *test)
{
	DECLARE_COMPLETION_ONSTACK(started);
	struct perf_event *bps[2];
	struct perf_event_attr attr;
	struct task_struct *tsk;

	tsk = kthread_run(idle_fn, &started, "hwbp_e2e");
	KUNIT_ASSERT_FALSE(test, IS_ERR(tsk));
	get_task_struct(tsk);
	wait_for_completion(&started);
	for (int i = 0; i < 2; i++) {
		attr_init(&attr, 2 + i, HW_BREAKPOINT_W);
		bps[i] = register_user_hw_breakpoint(&attr, NULL, NULL, tsk);
		KUNIT_ASSERT_FALSE(test, IS_ERR(bps[i]));
	}
	KUNIT_EXPECT_EQ(test, pinned(tsk, 0), 2U);
	kthread_stop(tsk);
	/* the task is gone; its events are not */
	KUNIT_EXPECT_EQ(test, pinned(tsk, 0), 2U);
	unregister_hw_breakpoint(bps[1]);
	KUNIT_EXPECT_EQ(test, pinned(tsk, 0), 1U);
	unregister_hw_breakpoint(bps[0]);
	KUNIT_EXPECT_EQ(test, pinned(tsk, 0), 0U);
	put_task_struct(tsk);
}

static struct kunit_case hwbp_e2e_cases[] = {
	KUNIT_CASE(test_user_bp_accounted),
	KUNIT_CASE(test_wide_bp_accounted),
	KUNIT_CASE(test_fifth_enospc),
	KUNIT_CASE(test_bad_attr_errno),
	KUNIT_CASE(test_modify),
	KUNIT_CASE(test_task_exits_first),
	{}
};

static struct kunit_suite hwbp_e2e_suite = {
	.name = "hwbp_e2e",
	.init = e2e_init,
	.exit = e2e_exit,
	.test_cases = hwbp_e2e_cases,
};

kunit_test_suite(hwbp_e2e_suite);

MODULE_DESCRIPTION("KUnit suite: kernel breakpoint APIs under hwbp");
MODULE_LICENSE("GPL");
