// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of arch/powerpc/hwbp_ppc.h: 6.1's perf/ptrace co-existence
 * rule over the per-task index, and the per-CPU last-hit store, including
 * the failure mode of 6.1's ctx->task clean-up that it cannot have.
 */
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "../arch/powerpc/hwbp_ppc.h"

namespace {

int task_a, task_b;	/* task keys */

struct Ix : ::testing::Test {
	hwbp_ppc_index idx;
	std::vector<hwbp_ppc_bp *> recs;

	void SetUp() override { hwbp_ppc_index_init(&idx); }
	void TearDown() override
	{
		for (hwbp_ppc_bp *r : recs) {
			spin_lock(&idx.lock);
			hwbp_ppc_del_locked(&idx, r);
			spin_unlock(&idx.lock);
			delete r;
		}
		EXPECT_EQ(idx.nr, 0U);
	}
	int add(const void *owner, int cpu, bool ptrace, u64 addr,
		u64 len = 8, bool kernel = false)
	{
		hwbp_ppc_bp *r = new hwbp_ppc_bp;

		hwbp_ppc_bp_init(r, r, owner, cpu, ptrace, kernel, addr, len);
		spin_lock(&idx.lock);
		int err = hwbp_ppc_add_locked(&idx, r);
		spin_unlock(&idx.lock);
		if (err || !r->linked) {
			delete r;
			return err;
		}
		recs.push_back(r);
		return 0;
	}
	void del_last()
	{
		hwbp_ppc_bp *r = recs.back();

		recs.pop_back();
		spin_lock(&idx.lock);
		hwbp_ppc_del_locked(&idx, r);
		spin_unlock(&idx.lock);
		delete r;
	}
};

TEST_F(Ix, PtraceAndPerfSameTaskOverlapRefused)
{
	EXPECT_EQ(add(&task_a, -1, true, 0x1000), 0);
	EXPECT_EQ(add(&task_a, -1, false, 0x1004, 4), -ENOSPC);
	EXPECT_EQ(add(&task_a, 2, false, 0x1000), -ENOSPC);
}

TEST_F(Ix, SameInfrastructureMayOverlap)
{
	EXPECT_EQ(add(&task_a, -1, true, 0x1000), 0);
	EXPECT_EQ(add(&task_a, -1, true, 0x1000), 0);
	EXPECT_EQ(add(&task_b, -1, false, 0x2000), 0);
	EXPECT_EQ(add(&task_b, -1, false, 0x2000), 0);
}

TEST_F(Ix, DisjointRangesCoexist)
{
	EXPECT_EQ(add(&task_a, -1, true, 0x1000), 0);
	EXPECT_EQ(add(&task_a, -1, false, 0x1008), 0);
	/* rounded to 8: 0x1007 + 1 ends in 0x1000's word */
	EXPECT_EQ(add(&task_a, -1, false, 0x0ff8, 9), -ENOSPC);
}

TEST_F(Ix, OtherTaskUnaffectedByTaskRecords)
{
	EXPECT_EQ(add(&task_a, -1, true, 0x1000), 0);
	EXPECT_EQ(add(&task_b, -1, false, 0x1000), 0);
}

TEST_F(Ix, CpuBoundPerfBlocksPtraceOnAnyTask)
{
	EXPECT_EQ(add(nullptr, 1, false, 0x1000), 0);
	EXPECT_EQ(add(&task_a, -1, true, 0x1000), -ENOSPC);
	EXPECT_EQ(add(&task_b, -1, true, 0x3000), 0);
	del_last();
	del_last();
	EXPECT_EQ(add(&task_a, -1, true, 0x1000), 0);
}

TEST_F(Ix, PtraceOnAnyTaskBlocksCpuBoundPerf)
{
	EXPECT_EQ(add(&task_b, -1, true, 0x1000), 0);
	EXPECT_EQ(add(nullptr, 0, false, 0x1000), -ENOSPC);
	EXPECT_EQ(add(nullptr, 0, false, 0x2000), 0);
}

TEST_F(Ix, KernelAddressPerfExemptAndUnrecorded)
{
	EXPECT_EQ(add(&task_a, -1, true, 0x1000), 0);
	EXPECT_EQ(add(&task_a, -1, false, 0x1000, 8, true), 0);
	EXPECT_EQ(idx.nr, 1U);
}

TEST_F(Ix, ManyTasksHashCollisionsKeepOwnersApart)
{
	static int tasks[500];

	for (int i = 0; i < 500; i++)
		ASSERT_EQ(add(&tasks[i], -1, (i & 1) != 0, 0x1000), 0);
	for (int i = 0; i < 500; i++)
		EXPECT_EQ(add(&tasks[i], -1, (i & 1) == 0, 0x1000), -ENOSPC);
	EXPECT_EQ(idx.nr, 500U);
}

/* --- last hit --- */

struct Lh : ::testing::Test {
	static constexpr unsigned int cpus = 4, slots = 2;
	const void *mem[cpus * slots] = {};
	hwbp_last_hit lh = { cpus, slots, mem };
};

TEST_F(Lh, RecordTake)
{
	int ev;

	hwbp_last_hit_record(&lh, 2, 1, &ev);
	EXPECT_EQ(hwbp_last_hit_take(&lh, 2, 0), nullptr);
	EXPECT_EQ(hwbp_last_hit_take(&lh, 2, 1), &ev);
	EXPECT_EQ(hwbp_last_hit_take(&lh, 2, 1), nullptr);
}

TEST_F(Lh, ForgetClearsEveryCpuOnlyThatEvent)
{
	int ev, other;

	hwbp_last_hit_record(&lh, 0, 0, &ev);
	hwbp_last_hit_record(&lh, 3, 1, &ev);
	hwbp_last_hit_record(&lh, 1, 0, &other);
	EXPECT_EQ(hwbp_last_hit_forget(&lh, &ev), 2U);
	EXPECT_EQ(hwbp_last_hit_take(&lh, 0, 0), nullptr);
	EXPECT_EQ(hwbp_last_hit_take(&lh, 3, 1), nullptr);
	EXPECT_EQ(hwbp_last_hit_take(&lh, 1, 0), &other);
}

/*
 * Peter Zijlstra's 2016 case.  An inherited event E of task A fires on
 * CPU 1 while A runs; before the single step completes, the perf context is
 * swapped (A's and B's equivalent contexts exchanged at a context switch),
 * so E's ctx->task is now B; then E is unregistered.
 *
 * 6.1 (thread.last_hit_ubp[] + ctx->task): the hit was stored in A's
 * thread, the clean-up looks in B's: A keeps a dangling pointer to the freed
 * event, which A's single-step path would then re-arm.  Per CPU, keyed by
 * the event only, the store has no task to get wrong.
 */
struct FakeTask {
	const void *last_hit_ubp[2];
};

struct FakeEvent {
	FakeTask *ctx_task;
};

TEST_F(Lh, InheritedEventSwappedBeforeUnregister)
{
	FakeTask a = {}, b = {};
	FakeEvent e = { &a };

	/* the hit, on CPU 1, while A runs */
	a.last_hit_ubp[0] = &e;			/* 6.1 */
	hwbp_last_hit_record(&lh, 1, 0, &e);	/* hwbp */

	/* context swap: E now belongs to B's context */
	e.ctx_task = &b;

	/* unregister, 6.1 style: through ctx->task */
	for (const void *&p : e.ctx_task->last_hit_ubp)
		if (p == &e)
			p = nullptr;
	EXPECT_EQ(a.last_hit_ubp[0], &e) << "6.1 leaves A dangling";

	/* unregister, hwbp style: no task involved */
	EXPECT_EQ(hwbp_last_hit_forget(&lh, &e), 1U);
	for (unsigned int cpu = 0; cpu < cpus; cpu++)
		for (unsigned int s = 0; s < slots; s++)
			EXPECT_EQ(hwbp_last_hit_take(&lh, cpu, s), nullptr);
}

TEST_F(Lh, ForgetRacesTakeExactlyOnce)
{
	int ev;

	for (int round = 0; round < 200; round++) {
		hwbp_last_hit_record(&lh, 0, 0, &ev);
		const void *got = nullptr;
		unsigned int n = 0;
		std::thread t([&] { got = hwbp_last_hit_take(&lh, 0, 0); });
		n = hwbp_last_hit_forget(&lh, &ev);
		t.join();
		EXPECT_EQ((got != nullptr) + n, 1U);
	}
}

} // namespace
