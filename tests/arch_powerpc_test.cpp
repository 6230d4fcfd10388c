// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of arch/powerpc/hwbp_ppc.h: 6.1's perf/ptrace exclusion rule,
 * run as the table hooks of a real core table, so that a task's
 * breakpoints are found in its entry of the core's index and every
 * decision is made under the table's own locks (the shim's lockdep).
 */
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "../arch/powerpc/hwbp_ppc.h"

namespace {

/* A breakpoint as the hooks see it: the table's part and what it covers. */
struct Rec {
	hwbp_bp bp;
	hwbp_ppc_range r;
};

} // namespace

static void hwbp_ppc_range_of(const hwbp_bp *bp, hwbp_ppc_range *r)
{
	*r = reinterpret_cast<const Rec *>(bp)->r;
}

namespace {

int task_a, task_b;	/* task keys */

constexpr unsigned int CPUS = 4, SLOTS = 4;

struct Ix : ::testing::Test {
	const hwbp_bp *cpu_bps[CPUS * SLOTS] = {};
	hwbp_ppc p = { CPUS, SLOTS, cpu_bps };
	hwbp_arch_ops ops = { hwbp_ppc_reserve, hwbp_ppc_release, &p };
	hwbp_layout layout = { { 0, SLOTS }, false };
	hwbp_table *t = nullptr;
	std::vector<std::unique_ptr<Rec>> recs;

	void SetUp() override
	{
		t = hwbp_table_create(&layout, CPUS, &ops);
		ASSERT_NE(t, nullptr);
	}
	void TearDown() override
	{
		while (!recs.empty())
			del_last();
		EXPECT_FALSE(hwbp_table_is_used(t));
		EXPECT_EQ(cpu_bps_used(), 0U);
		hwbp_table_destroy(t);
	}
	unsigned int cpu_bps_used() const
	{
		unsigned int n = 0;

		for (const hwbp_bp *b : cpu_bps)
			n += b != nullptr;
		return n;
	}
	int add(const void *owner, int cpu, bool ptrace, u64 addr,
		u64 len = 8, bool kernel = false)
	{
		std::unique_ptr<Rec> r(new Rec());

		r->bp.owner = owner;
		r->bp.cpu = cpu;
		r->bp.bp_type = HWBP_W;
		r->bp.weight = 1;
		r->r.ptrace = ptrace;
		r->r.kernel = kernel;
		hwbp_ppc_range_set(&r->r, addr, len);
		int err = hwbp_reserve(t, &r->bp);

		if (!err)
			recs.push_back(std::move(r));
		return err;
	}
	void del_last()
	{
		hwbp_release(t, &recs.back()->bp);
		recs.pop_back();
	}
	static int count(void *arg, const hwbp_task *tk)
	{
		*(unsigned int *)arg += hwbp_task_nr_bps(tk);
		return 0;
	}
	unsigned int task_bps()
	{
		unsigned int n = 0;

		hwbp_walk_tasks(t, count, &n);
		return n;
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
	EXPECT_EQ(cpu_bps_used(), 1U);
	EXPECT_EQ(add(&task_a, -1, true, 0x1000), -ENOSPC);
	EXPECT_EQ(add(&task_b, -1, true, 0x3000), 0);
	del_last();
	del_last();
	EXPECT_EQ(cpu_bps_used(), 0U);
	EXPECT_EQ(add(&task_a, -1, true, 0x1000), 0);
}

TEST_F(Ix, PtraceOnAnyTaskBlocksCpuBoundPerf)
{
	EXPECT_EQ(add(&task_b, -1, true, 0x1000), 0);
	EXPECT_EQ(add(nullptr, 0, false, 0x1000), -ENOSPC);
	EXPECT_EQ(add(nullptr, 0, false, 0x2000), 0);
}

/*
 * 6.1 neither checks nor records a perf breakpoint on a kernel address: it
 * is admitted beside an overlapping ptrace one, and a ptrace one is
 * admitted beside it, on its task or, CPU-bound, on any.
 */
TEST_F(Ix, KernelAddressPerfExemptAndUnrecorded)
{
	EXPECT_EQ(add(&task_a, -1, true, 0x1000), 0);
	EXPECT_EQ(add(&task_a, -1, false, 0x1000, 8, true), 0);
	EXPECT_EQ(add(&task_a, -1, true, 0x1000), 0);
	EXPECT_EQ(add(nullptr, 2, false, 0x1000, 8, true), 0);
	EXPECT_EQ(cpu_bps_used(), 0U);
	EXPECT_EQ(add(&task_b, -1, true, 0x1000), 0);
}

TEST_F(Ix, ManyTasksHashCollisionsKeepOwnersApart)
{
	static int tasks[500];

	for (int i = 0; i < 500; i++)
		ASSERT_EQ(add(&tasks[i], -1, (i & 1) != 0, 0x1000), 0);
	for (int i = 0; i < 500; i++)
		EXPECT_EQ(add(&tasks[i], -1, (i & 1) == 0, 0x1000), -ENOSPC);
	EXPECT_EQ(task_bps(), 500U);
}

/* A refused reservation leaves the table and cpu_bps as they were. */
TEST_F(Ix, RefusalLeavesNoTrace)
{
	EXPECT_EQ(add(&task_b, -1, true, 0x1000), 0);
	EXPECT_EQ(add(nullptr, 3, false, 0x1000), -ENOSPC);
	EXPECT_EQ(cpu_bps_used(), 0U);
	hwbp_cpu_usage u;

	hwbp_snapshot_cpu(t, 3, HWBP_TYPE_DATA, &u);
	EXPECT_EQ(u.cpu_pinned, 0U);
	EXPECT_EQ(task_bps(), 1U);
}

} // namespace
