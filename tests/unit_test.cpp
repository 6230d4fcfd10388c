// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the hwbp constraint table (host build, GoogleTest): types,
 * creation, the admission rule and modify.  Lifecycle, memory, debugger,
 * snapshot and lock-rule tests are in unit_lifecycle_test.cpp.
 */
#include "table_fixture.h"

namespace {


/* --- types, creation, validation --- */

TEST(TypeOf, MatchesUpstream)
{
	EXPECT_EQ(hwbp_type_of(HWBP_EMPTY), -EINVAL);
	EXPECT_EQ(hwbp_type_of(HWBP_INVALID), -EINVAL);
	EXPECT_EQ(hwbp_type_of(HWBP_X), HWBP_TYPE_INST);
	EXPECT_EQ(hwbp_type_of(HWBP_R), HWBP_TYPE_DATA);
	EXPECT_EQ(hwbp_type_of(HWBP_W), HWBP_TYPE_DATA);
	EXPECT_EQ(hwbp_type_of(HWBP_RW), HWBP_TYPE_DATA);
	/* 6.1 find_slot_idx(): any R/W bit makes it a data breakpoint */
	EXPECT_EQ(hwbp_type_of(HWBP_X | HWBP_R), HWBP_TYPE_DATA);
	EXPECT_EQ(hwbp_type_of(HWBP_X | HWBP_W), HWBP_TYPE_DATA);
	/* other bits are the arch parser's business, after the reservation */
	EXPECT_EQ(hwbp_type_of(8), HWBP_TYPE_INST);
	EXPECT_EQ(hwbp_type_of(8 | HWBP_W), HWBP_TYPE_DATA);
	EXPECT_EQ(hwbp_type_of(8 | HWBP_INVALID), HWBP_TYPE_DATA);
}

TEST_F(Table, CreateRejectsBadLayouts)
{
	hwbp_layout big = { { HWBP_MAX_SLOTS + 1, 4 }, false };
	hwbp_layout big_data = { { 4, HWBP_MAX_SLOTS + 1 }, false };
	hwbp_layout shared_ignores_data = { { 4, HWBP_MAX_SLOTS + 1 }, true };
	hwbp_table *x;

	EXPECT_EQ(hwbp_table_create(&big, 4, nullptr), nullptr);
	EXPECT_EQ(hwbp_table_create(&big_data, 4, nullptr), nullptr);
	EXPECT_EQ(hwbp_table_create(&X86, 0, nullptr), nullptr);
	EXPECT_EQ(hwbp_table_create(nullptr, 4, nullptr), nullptr);
	x = hwbp_table_create(&shared_ignores_data, 2, nullptr);
	ASSERT_NE(x, nullptr);
	EXPECT_EQ(hwbp_table_slots(x, HWBP_TYPE_DATA), 4u);
	EXPECT_EQ(hwbp_table_nr_cpus(x), 2u);
	hwbp_table_destroy(x);
}

TEST_F(Table, SlotsPerLayout)
{
	make(ARM64, 2);
	EXPECT_EQ(slots(HWBP_TYPE_INST), 6u);
	EXPECT_EQ(slots(HWBP_TYPE_DATA), 4u);
	hwbp_table_destroy(t);
	make(X86, 2);
	EXPECT_EQ(slots(HWBP_TYPE_INST), 4u);
	EXPECT_EQ(slots(HWBP_TYPE_DATA), 4u);
}

TEST_F(Table, InvalidRequests)
{
	hwbp_bp *b;
	std::string s0;

	make(X86, 4);
	ASSERT_EQ(reg(&task_a, 1), 0);
	s0 = state();
	EXPECT_EQ(reg(&task_a, 0, HWBP_EMPTY), -EINVAL);
	EXPECT_EQ(reg(&task_a, 0, HWBP_INVALID), -EINVAL);
	EXPECT_EQ(reg(&task_a, 0, HWBP_W, 0), -EINVAL);
	EXPECT_EQ(reg(&task_a, 4), -EINVAL);
	EXPECT_EQ(reg(&task_a, -2), -EINVAL);
	EXPECT_EQ(reg(nullptr, -1), -EINVAL);
	EXPECT_EQ(reg(nullptr, 4), -EINVAL);
	b = bp(&task_b, 0);
	ASSERT_EQ(hwbp_reserve(t, b), 0);
	EXPECT_EQ(hwbp_reserve(t, b), -EINVAL);	/* already reserved */
	hwbp_release(t, b);
	EXPECT_EQ(state(), s0);
	/* modify of a free bp, to an invalid type */
	EXPECT_EQ(hwbp_modify_type(t, b, HWBP_X), -EINVAL);
	ASSERT_EQ(hwbp_reserve(t, b), 0);
	EXPECT_EQ(hwbp_modify_type(t, b, HWBP_EMPTY), -EINVAL);
	EXPECT_EQ(hwbp_modify_type(t, b, HWBP_INVALID), -EINVAL);
	EXPECT_EQ(b->bp_type, HWBP_W);
	/* a weight above the pool never fits */
	EXPECT_EQ(reg(&task_c, 0, HWBP_W, 5), -ENOSPC);
	EXPECT_EQ(reg(nullptr, 0, HWBP_W, 0xffffffffu), -ENOSPC);
}

/* --- the admission rule (the scenarios of 6.1's KUnit test) --- */

TEST_F(Table, OneCpu)
{
	make(X86, 4);
	fill(nullptr, 0, slots());
	EXPECT_EQ(reg(&task_a, -1), -ENOSPC);
	EXPECT_EQ(reg(nullptr, 0), -ENOSPC);
	EXPECT_EQ(reg(&task_a, 1), 0);	/* other CPUs are free */
}

TEST_F(Table, ManyCpusIndependent)
{
	make(X86, 4);
	for (int c = 0; c < 4; c++) {
		fill(nullptr, c, slots());
		EXPECT_EQ(reg(nullptr, c), -ENOSPC);
	}
}

TEST_F(Table, OneTaskOnAllCpus)
{
	make(X86, 4);
	fill(&task_a, -1, slots());
	EXPECT_EQ(reg(&task_a, -1), -ENOSPC);
	EXPECT_EQ(reg(&task_a, 0), -ENOSPC);
	EXPECT_EQ(reg(nullptr, 0), -ENOSPC);
	hwbp_release(t, bps[0].get());
	EXPECT_EQ(reg(nullptr, 0), 0);
}

TEST_F(Table, TwoTasksOnAllCpus)
{
	make(X86, 4);
	fill(&task_a, -1, slots());
	fill(&task_b, -1, slots());
	EXPECT_EQ(reg(&task_a, -1), -ENOSPC);
	EXPECT_EQ(reg(&task_b, -1), -ENOSPC);
	EXPECT_EQ(reg(&task_a, 0), -ENOSPC);
	EXPECT_EQ(reg(&task_b, 0), -ENOSPC);
	EXPECT_EQ(reg(nullptr, 0), -ENOSPC);
	hwbp_release(t, bps[0].get());
	EXPECT_EQ(reg(nullptr, 0), -ENOSPC);	/* task_b still full */
}

TEST_F(Table, OneTaskOnOneCpu)
{
	make(X86, 4);
	fill(&task_a, 0, slots());
	EXPECT_EQ(reg(&task_a, -1), -ENOSPC);
	EXPECT_EQ(reg(&task_a, 0), -ENOSPC);
	EXPECT_EQ(reg(nullptr, 0), -ENOSPC);
	EXPECT_EQ(reg(&task_a, 1), 0);
	hwbp_release(t, bps[0].get());
	EXPECT_EQ(reg(nullptr, 0), 0);
}

TEST_F(Table, OneTaskMixed)
{
	make(X86, 4);
	fill(&task_a, 0, 1);
	fill(&task_a, -1, slots() - 1);
	EXPECT_EQ(reg(&task_a, -1), -ENOSPC);
	EXPECT_EQ(reg(&task_a, 0), -ENOSPC);
	EXPECT_EQ(reg(nullptr, 0), -ENOSPC);
	EXPECT_EQ(usage(0).task_max, slots());
	EXPECT_EQ(usage(1).task_max, slots() - 1);
	/* from CPU-dependent back to CPU-independent */
	hwbp_release(t, bps[0].get());
	hwbp_release(t, bps[1].get());
	EXPECT_EQ(usage(0).task_max, slots() - 2);
	fill(nullptr, 0, 2);
	EXPECT_EQ(reg(nullptr, 0), -ENOSPC);
}

TEST_F(Table, TwoTasksOnOneCpu)
{
	make(X86, 4);
	fill(&task_a, 0, slots());
	fill(&task_b, 0, slots());
	EXPECT_EQ(reg(&task_a, -1), -ENOSPC);
	EXPECT_EQ(reg(&task_b, -1), -ENOSPC);
	EXPECT_EQ(reg(&task_a, 0), -ENOSPC);
	EXPECT_EQ(reg(&task_b, 0), -ENOSPC);
	EXPECT_EQ(reg(nullptr, 0), -ENOSPC);
	fill(nullptr, 1, slots());
}

TEST_F(Table, TwoTasksOneAllCpus)
{
	make(X86, 4);
	fill(&task_a, 0, slots());
	fill(&task_b, -1, slots());
	EXPECT_EQ(reg(&task_a, -1), -ENOSPC);
	EXPECT_EQ(reg(&task_b, -1), -ENOSPC);
	EXPECT_EQ(reg(&task_a, 0), -ENOSPC);
	EXPECT_EQ(reg(&task_b, 0), -ENOSPC);
	EXPECT_EQ(reg(nullptr, 0), -ENOSPC);
	EXPECT_EQ(reg(nullptr, 1), -ENOSPC);
}

TEST_F(Table, TaskOnAllAndOneCpu)
{
	hwbp_bp *on_cpu, *cpu_bp;

	make(X86, 4);
	fill(&task_a, -1, slots() - 2);
	on_cpu = bp(&task_a, 0);
	ASSERT_EQ(hwbp_reserve(t, on_cpu), 0);
	fill(&task_a, -1, 1);
	EXPECT_EQ(reg(&task_a, -1), -ENOSPC);
	EXPECT_EQ(reg(&task_a, 0), -ENOSPC);
	EXPECT_EQ(reg(nullptr, 0), -ENOSPC);
	cpu_bp = bp(nullptr, 1);
	ASSERT_EQ(hwbp_reserve(t, cpu_bp), 0);
	EXPECT_EQ(reg(nullptr, 1), -ENOSPC);
	hwbp_release(t, on_cpu);
	EXPECT_EQ(reg(&task_a, -1), -ENOSPC);	/* CPU 1 has a CPU bp */
	hwbp_release(t, cpu_bp);
	fill(&task_a, -1, 1);
	EXPECT_EQ(reg(&task_a, -1), -ENOSPC);
	EXPECT_EQ(reg(&task_a, 0), -ENOSPC);
	EXPECT_EQ(reg(nullptr, 0), -ENOSPC);
	EXPECT_EQ(reg(nullptr, 1), -ENOSPC);
}

TEST_F(Table, SharedPoolX86)
{
	make(X86, 2);
	fill(nullptr, 0, 2, HWBP_X);
	fill(nullptr, 0, 2, HWBP_RW);
	EXPECT_EQ(reg(nullptr, 0, HWBP_X), -ENOSPC);
	EXPECT_EQ(reg(nullptr, 0, HWBP_R), -ENOSPC);
	EXPECT_EQ(usage(0, HWBP_TYPE_INST).cpu_pinned, 4u);
	EXPECT_EQ(usage(0, HWBP_TYPE_DATA).cpu_pinned, 4u);
}

TEST_F(Table, SeparatePoolsArm64)
{
	make(ARM64, 2);
	fill(&task_a, -1, 6, HWBP_X);
	fill(&task_a, -1, 4, HWBP_W);
	EXPECT_EQ(reg(&task_a, -1, HWBP_X), -ENOSPC);
	EXPECT_EQ(reg(&task_a, 1, HWBP_R), -ENOSPC);
	EXPECT_EQ(reg(nullptr, 0, HWBP_X), -ENOSPC);
	EXPECT_EQ(usage(1, HWBP_TYPE_INST).task_max, 6u);
	EXPECT_EQ(usage(1, HWBP_TYPE_DATA).task_max, 4u);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_a, 0, HWBP_TYPE_INST), 6u);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_a, 0, HWBP_TYPE_DATA), 4u);
}

TEST_F(Table, Weights)
{
	make(X86, 2);
	ASSERT_EQ(reg(&task_a, -1, HWBP_W, 2), 0);
	EXPECT_EQ(reg(nullptr, 0, HWBP_W, 3), -ENOSPC);
	EXPECT_EQ(reg(nullptr, 0, HWBP_W, 2), 0);
	EXPECT_EQ(reg(&task_a, 1, HWBP_W, 2), 0);
	EXPECT_EQ(reg(&task_a, 1, HWBP_W, 1), -ENOSPC);
	EXPECT_EQ(reg(&task_b, 1, HWBP_W, 4), 0);
	EXPECT_EQ(usage(1).task_max, 4u);
	EXPECT_EQ(usage(0).task_max, 2u);
	EXPECT_EQ(usage(0).cpu_pinned, 2u);
}

/* A task bp on every CPU: the busiest CPU it does not name still counts. */
TEST_F(Table, AllCpusSeesBusiestUnnamedCpu)
{
	make(X86, 8);
	fill(nullptr, 5, 3);
	fill(&task_a, 2, 2);
	EXPECT_EQ(reg(&task_a, -1, HWBP_W, 2), -ENOSPC);	/* CPU 5: 3+0+2 */
	EXPECT_EQ(reg(&task_a, -1, HWBP_W, 1), 0);
	EXPECT_EQ(reg(&task_a, -1, HWBP_W, 1), -ENOSPC);	/* CPU 5 */
	EXPECT_EQ(reg(&task_a, 2, HWBP_W, 1), 0);		/* 0+1+2+1 */
	EXPECT_EQ(reg(&task_a, 2, HWBP_W, 1), -ENOSPC);
}

/* --- modify --- */

TEST_F(Table, ModifyAcrossPools)
{
	hwbp_bp *b;

	make(ARM64, 2);
	fill(&task_a, -1, 4, HWBP_W);
	b = bp(&task_a, -1, HWBP_X);
	ASSERT_EQ(hwbp_reserve(t, b), 0);
	EXPECT_EQ(hwbp_modify_type(t, b, HWBP_R), -ENOSPC);	/* data full */
	EXPECT_EQ(b->bp_type, HWBP_X);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_a, 0, HWBP_TYPE_INST), 1u);
	hwbp_release(t, bps[0].get());
	EXPECT_EQ(hwbp_modify_type(t, b, HWBP_R), 0);
	EXPECT_EQ(b->bp_type, HWBP_R);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_a, 0, HWBP_TYPE_INST), 0u);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_a, 0, HWBP_TYPE_DATA), 4u);
}

TEST_F(Table, ModifyPutBackLeavesTableUnchanged)
{
	hwbp_bp *b, *c;
	std::string s0;

	make(ARM64, 4);
	/* CPU 2's data pool full from CPU bps; task's bp pinned on CPU 2 */
	fill(nullptr, 2, 4, HWBP_W);
	b = bp(&task_a, 2, HWBP_X);
	ASSERT_EQ(hwbp_reserve(t, b), 0);
	c = bp(nullptr, 1, HWBP_X);
	ASSERT_EQ(hwbp_reserve(t, c), 0);
	fill(&task_a, 1, 4, HWBP_RW);
	s0 = state();
	hwbp_host_fail_all = true;	/* and no allocation either */
	EXPECT_EQ(hwbp_modify_type(t, b, HWBP_W), -ENOSPC);
	EXPECT_EQ(hwbp_modify_type(t, c, HWBP_R), -ENOSPC);
	hwbp_host_fail_all = false;
	EXPECT_EQ(state(), s0);
	EXPECT_EQ(b->bp_type, HWBP_X);
	EXPECT_EQ(c->bp_type, HWBP_X);
}

TEST_F(Table, ModifyOnlyBpKeepsEntryAndNeedsNoMemory)
{
	hwbp_bp *b;
	long allocs;

	make(ARM64, 2);
	b = bp(&task_a, 0, HWBP_X);
	ASSERT_EQ(hwbp_reserve(t, b), 0);
	allocs = hwbp_host_allocs;
	hwbp_host_fail_all = true;
	EXPECT_EQ(hwbp_modify_type(t, b, HWBP_W), 0);
	EXPECT_EQ(hwbp_modify_type(t, b, HWBP_X), 0);
	hwbp_host_fail_all = false;
	EXPECT_EQ(hwbp_host_allocs, allocs);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_a, 0, HWBP_TYPE_INST), 1u);
}

TEST_F(Table, ModifyCpuBound)
{
	hwbp_bp *b;

	make(ARM64, 2);
	b = bp(nullptr, 0, HWBP_X);
	ASSERT_EQ(hwbp_reserve(t, b), 0);
	fill(&task_a, 0, 4, HWBP_W);
	EXPECT_EQ(hwbp_modify_type(t, b, HWBP_W), -ENOSPC);
	EXPECT_EQ(usage(0, HWBP_TYPE_INST).cpu_pinned, 1u);
	EXPECT_EQ(usage(0, HWBP_TYPE_DATA).cpu_pinned, 0u);
	EXPECT_EQ(hwbp_modify_type(t, b, HWBP_X), 0);
	hwbp_release(t, bps[1].get());
	EXPECT_EQ(hwbp_modify_type(t, b, HWBP_R), 0);
	EXPECT_EQ(usage(0, HWBP_TYPE_INST).cpu_pinned, 0u);
	EXPECT_EQ(usage(0, HWBP_TYPE_DATA).cpu_pinned, 1u);
}

} /* namespace */

/* --- flexible admission (opt-in, beyond 6.1) --- */

static int flex_reg(Table *f, const void *owner, int cpu,
		    unsigned int bits = HWBP_W)
{
	hwbp_bp *b = f->bp(owner, cpu, bits);

	b->flexible = true;
	return hwbp_reserve(f->t, b);
}

/* 8 flexible watchpoints on 4 registers; pinned ones never see them. */
TEST_F(Table, FlexibleBeyondSlotsAndPinnedUntouched)
{
	make(X86, 2);
	for (int i = 0; i < 8; i++)
		ASSERT_EQ(flex_reg(this, &task_a, -1), 0) << "flexible " << i;
	EXPECT_EQ(hwbp_table_nr_flexible(t, HWBP_TYPE_DATA), 8u);
	EXPECT_EQ(hwbp_table_nr_flexible(t, HWBP_TYPE_INST), 8u);
	EXPECT_EQ(usage(0).task_max, 0u);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_a, 0, HWBP_TYPE_DATA), 0u);
	/* ptrace's four on the same task: exactly as with no flexible bp */
	fill(&task_a, -1, 4);
	EXPECT_EQ(reg(&task_a, -1), -ENOSPC);
	/* now pinned alone fill the task's pool: no register ever free */
	EXPECT_EQ(flex_reg(this, &task_a, -1), -ENOSPC);
	EXPECT_EQ(flex_reg(this, &task_a, 1, HWBP_X), -ENOSPC);
	/* another task, and CPU-bound flexible, still have room */
	EXPECT_EQ(flex_reg(this, &task_b, -1), 0);
	EXPECT_EQ(flex_reg(this, nullptr, 0), 0);
	EXPECT_EQ(hwbp_table_nr_flexible(t, HWBP_TYPE_DATA), 10u);
	EXPECT_TRUE(hwbp_table_is_used(t));
}

/* Refused only when pinned bps fill its pool on some CPU it may run on. */
TEST_F(Table, FlexibleRefusedOnlyWhenPinnedFill)
{
	make(X86, 3);
	fill(nullptr, 2, 4);
	/* cpu 2 is full of CPU-bound bps: a task on every CPU may run there */
	EXPECT_EQ(flex_reg(this, &task_a, -1), -ENOSPC);
	EXPECT_EQ(flex_reg(this, &task_a, 2), -ENOSPC);
	EXPECT_EQ(flex_reg(this, nullptr, 2), -ENOSPC);
	EXPECT_EQ(flex_reg(this, &task_a, 1), 0);
	/* a CPU-bound flexible bp runs beside tasks without pinned bps */
	fill(&task_b, 0, 4);
	EXPECT_EQ(reg(nullptr, 0), -ENOSPC);
	EXPECT_EQ(flex_reg(this, nullptr, 0), 0);
	/* but not beside task_b on cpu 0 for task_b itself */
	EXPECT_EQ(flex_reg(this, &task_b, 0), -ENOSPC);
	EXPECT_EQ(flex_reg(this, &task_b, 1), 0);
}

/* Separate pools: a full watchpoint pool leaves instruction ones alone. */
TEST_F(Table, FlexibleSeparatePoolsArm64)
{
	make(ARM64, 2);
	fill(&task_a, -1, 4, HWBP_W);
	EXPECT_EQ(flex_reg(this, &task_a, -1, HWBP_R), -ENOSPC);
	EXPECT_EQ(flex_reg(this, &task_a, -1, HWBP_X), 0);
	EXPECT_EQ(hwbp_table_nr_flexible(t, HWBP_TYPE_INST), 1u);
	EXPECT_EQ(hwbp_table_nr_flexible(t, HWBP_TYPE_DATA), 0u);
}

/* A flexible modify follows the flexible rule in the new pool. */
TEST_F(Table, FlexibleModify)
{
	make(ARM64, 1);
	hwbp_bp *f = bp(&task_a, -1, HWBP_X);

	f->flexible = true;
	ASSERT_EQ(hwbp_reserve(t, f), 0);
	fill(&task_a, -1, 4, HWBP_W);
	EXPECT_EQ(hwbp_modify_type(t, f, HWBP_W), -ENOSPC);
	EXPECT_EQ(f->bp_type, HWBP_X);
	EXPECT_EQ(hwbp_table_nr_flexible(t, HWBP_TYPE_INST), 1u);
	EXPECT_EQ(hwbp_table_nr_flexible(t, HWBP_TYPE_DATA), 0u);
	hwbp_release(t, bps[1].get());
	EXPECT_EQ(hwbp_modify_type(t, f, HWBP_W), 0);
	EXPECT_EQ(hwbp_table_nr_flexible(t, HWBP_TYPE_INST), 0u);
	EXPECT_EQ(hwbp_table_nr_flexible(t, HWBP_TYPE_DATA), 1u);
	EXPECT_EQ(usage(0).task_max, 3u);
	/* debugger variants agree */
	EXPECT_EQ(hwbp_dbg_release(t, f), 0);
	EXPECT_EQ(hwbp_table_nr_flexible(t, HWBP_TYPE_DATA), 0u);
	EXPECT_EQ(hwbp_dbg_reserve(t, f), 0);
}
