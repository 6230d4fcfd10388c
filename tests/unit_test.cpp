// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the hwbp constraint table (host build, GoogleTest).
 */
#include <hwbp/constraint_table.h>
#include <hwbp/task_bp_list.h>

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

const hwbp_layout X86 = { { 4, 4 }, true };
const hwbp_layout ARM64 = { { 6, 4 }, false };

/* Owners are just distinct addresses; the table never dereferences them. */
char task_a, task_b, task_c, task_d;

struct Hooks {
	int fail = 0;
	int reserves = 0, releases = 0;
	unsigned int last_type = 0;
	std::function<void(const hwbp_bp *)> inside;
};

int hook_reserve(void *arg, const hwbp_bp *bp)
{
	Hooks *h = (Hooks *)arg;

	EXPECT_GT(hwbp_host_locks_held(), 0);
	h->last_type = bp->bp_type;
	if (h->inside) {
		std::function<void(const hwbp_bp *)> f = h->inside;

		f(bp);	/* a copy: the callback may clear h->inside */
	}
	if (h->fail) {
		int e = h->fail;

		h->fail = 0;
		return e;
	}
	h->reserves++;
	return 0;
}

void hook_release(void *arg, const hwbp_bp *bp)
{
	Hooks *h = (Hooks *)arg;

	(void)bp;
	EXPECT_GT(hwbp_host_locks_held(), 0);
	if (h->inside) {
		std::function<void(const hwbp_bp *)> f = h->inside;

		f(bp);	/* a copy: the callback may clear h->inside */
	}
	h->releases++;
}

struct Table : ::testing::Test {
	Hooks h;
	hwbp_arch_ops ops = { hook_reserve, hook_release, &h };

	hwbp_table *t = nullptr;
	long live0 = 0;
	unsigned long warn0 = 0;
	std::vector<std::unique_ptr<hwbp_bp>> bps;

	void make(const hwbp_layout &l, unsigned int cpus,
		  const hwbp_arch_ops *ops = nullptr)
	{
		t = hwbp_table_create(&l, cpus, ops);
		ASSERT_NE(t, nullptr);
	}

	void SetUp() override
	{
		live0 = hwbp_host_live;
		warn0 = hwbp_host_warnings;
	}

	void TearDown() override
	{
		if (t) {
			for (auto &b : bps)
				if (b->reserved)
					hwbp_release(t, b.get());
			EXPECT_FALSE(hwbp_table_is_used(t));
			hwbp_table_destroy(t);
		}
		EXPECT_EQ(hwbp_host_live, live0) << "leaked blocks";
		EXPECT_EQ(hwbp_host_warnings, warn0) << "WARN hit";
		hwbp_host_fail_all = false;
		hwbp_host_fail_nth = 0;
	}

	hwbp_bp *bp(const void *owner, int cpu, unsigned int bits = HWBP_W,
		    unsigned int weight = 1)
	{
		bps.emplace_back(new hwbp_bp());
		hwbp_bp *b = bps.back().get();

		b->owner = owner;
		b->cpu = cpu;
		b->bp_type = bits;
		b->weight = weight;
		return b;
	}

	int reg(const void *owner, int cpu, unsigned int bits = HWBP_W,
		unsigned int weight = 1)
	{
		return hwbp_reserve(t, bp(owner, cpu, bits, weight));
	}

	/* Reserve @n one-slot bps that must fit. */
	void fill(const void *owner, int cpu, unsigned int n,
		  unsigned int bits = HWBP_W)
	{
		for (unsigned int i = 0; i < n; i++)
			ASSERT_EQ(reg(owner, cpu, bits), 0) << "bp " << i;
	}

	unsigned int slots(hwbp_type ty = HWBP_TYPE_DATA)
	{
		return hwbp_table_slots(t, ty);
	}

	hwbp_cpu_usage usage(unsigned int cpu, hwbp_type ty = HWBP_TYPE_DATA)
	{
		hwbp_cpu_usage u;

		hwbp_snapshot_cpu(t, cpu, ty, &u);
		return u;
	}

	static int dump_task(void *arg, const hwbp_task *tk)
	{
		std::set<std::string> *s = (std::set<std::string> *)arg;
		char buf[64];

		snprintf(buf, sizeof(buf), "%p:%u", hwbp_task_owner(tk),
			 hwbp_task_nr_bps(tk));
		s->insert(buf);
		return 0;
	}

	/* Everything the read-only API shows, for "unchanged" checks. */
	std::string state()
	{
		const void *owners[] = { &task_a, &task_b, &task_c, &task_d };
		std::set<std::string> tasks;
		std::string s;

		for (unsigned int c = 0; c < hwbp_table_nr_cpus(t); c++) {
			for (int ty = 0; ty < HWBP_NR_TYPES; ty++) {
				hwbp_cpu_usage u = usage(c, (hwbp_type)ty);

				s += std::to_string(u.cpu_pinned) + "/" +
				     std::to_string(u.task_max) + " ";
				for (const void *o : owners)
					s += std::to_string(hwbp_owner_pinned(t, o, c,
							(hwbp_type)ty));
				s += "|";
			}
		}
		hwbp_walk_tasks(t, dump_task, &tasks);
		for (auto &x : tasks)
			s += x + ",";
		s += hwbp_table_is_used(t) ? "used" : "idle";
		return s;
	}
};

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

/* --- exit orders and owner keys --- */

/* Task exits (its memory goes) before its events are freed. */
TEST_F(Table, TaskGoneBeforeEventsFreed)
{
	char *owner = new char[64];
	std::vector<hwbp_bp *> mine;

	make(X86, 4);
	for (int i = 0; i < 3; i++) {
		mine.push_back(bp(owner, i - 1));
		ASSERT_EQ(hwbp_reserve(t, mine.back()), 0);
	}
	delete[] owner;		/* ASan catches any later dereference */
	hwbp_release(t, mine[1]);
	EXPECT_EQ(usage(0).task_max, 1u);
	hwbp_release(t, mine[0]);
	hwbp_release(t, mine[2]);
	EXPECT_FALSE(hwbp_table_is_used(t));
}

/* Parent exits before its children; inherited bps have the child as owner. */
TEST_F(Table, ParentBeforeChildren)
{
	hwbp_bp *parent[2], *child[2][2];

	make(X86, 2);
	for (int i = 0; i < 2; i++) {
		parent[i] = bp(&task_a, -1);
		ASSERT_EQ(hwbp_reserve(t, parent[i]), 0);
		child[0][i] = bp(&task_b, -1);
		ASSERT_EQ(hwbp_reserve(t, child[0][i]), 0);
		child[1][i] = bp(&task_c, i);
		ASSERT_EQ(hwbp_reserve(t, child[1][i]), 0);
	}
	hwbp_release(t, parent[0]);
	hwbp_release(t, parent[1]);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_a, 0, HWBP_TYPE_DATA), 0u);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_b, 0, HWBP_TYPE_DATA), 2u);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_c, 1, HWBP_TYPE_DATA), 1u);
	EXPECT_EQ(usage(0).task_max, 2u);
	hwbp_release(t, child[1][0]);
	hwbp_release(t, child[0][1]);
	EXPECT_EQ(usage(0).task_max, 1u);
	EXPECT_EQ(usage(1).task_max, 1u);
	hwbp_release(t, child[1][1]);
	hwbp_release(t, child[0][0]);
	EXPECT_FALSE(hwbp_table_is_used(t));
}

/* Children exit first, then the parent. */
TEST_F(Table, ChildrenBeforeParent)
{
	make(X86, 2);
	fill(&task_a, 0, 2);
	fill(&task_b, -1, 1);
	fill(&task_c, 1, 3);
	EXPECT_EQ(usage(1).task_max, 3u);
	hwbp_release(t, bps[3].get());
	hwbp_release(t, bps[4].get());
	EXPECT_EQ(usage(1).task_max, 1u);
	hwbp_release(t, bps[2].get());
	EXPECT_EQ(usage(1).task_max, 1u);
	EXPECT_EQ(usage(0).task_max, 2u);
	hwbp_release(t, bps[5].get());
	EXPECT_EQ(usage(1).task_max, 0u);
	EXPECT_EQ(usage(0).task_max, 2u);
}

/*
 * fds closed long after the task died, and the task's address reused by a
 * new task once the last bp of the old one is gone: the new owner starts
 * from zero.  A key is the task: bps still reserved under it count with
 * the new task's (the contract keeps the key valid until the last release).
 */
TEST_F(Table, OwnerKeyReuse)
{
	static char slot[64];	/* where the old and the new task live */
	hwbp_bp *old1, *old2;

	make(X86, 2);
	old1 = bp(slot, -1);
	old2 = bp(slot, 1);
	ASSERT_EQ(hwbp_reserve(t, old1), 0);
	ASSERT_EQ(hwbp_reserve(t, old2), 0);
	hwbp_release(t, old2);
	EXPECT_EQ(hwbp_owner_pinned(t, slot, 1, HWBP_TYPE_DATA), 1u);
	hwbp_release(t, old1);		/* the old task is gone */
	EXPECT_EQ(hwbp_owner_pinned(t, slot, 1, HWBP_TYPE_DATA), 0u);
	fill(slot, 1, 4);		/* the new task */
	EXPECT_EQ(usage(1).task_max, 4u);
	EXPECT_EQ(usage(0).task_max, 0u);
	EXPECT_EQ(hwbp_reserve(t, old2), -ENOSPC);
	for (size_t i = 2; i < bps.size(); i++)
		hwbp_release(t, bps[i].get());
	EXPECT_EQ(hwbp_reserve(t, old2), 0);
	hwbp_release(t, old2);
	EXPECT_FALSE(hwbp_table_is_used(t));
}

/* --- allocation failure --- */

TEST_F(Table, CreateSurvivesEveryAllocationFailure)
{
	for (long n = 1;; n++) {
		hwbp_table *x;
		long live = hwbp_host_live;

		hwbp_host_fail_nth = n;
		x = hwbp_table_create(&ARM64, 8, nullptr);
		if (x) {
			hwbp_host_fail_nth = 0;
			EXPECT_GT(n, 3);
			hwbp_table_destroy(x);
			break;
		}
		EXPECT_EQ(hwbp_host_live, live) << "leak at failure " << n;
		ASSERT_LT(n, 100);
	}
}

TEST_F(Table, ReserveAndReleaseNeedNoMemory)
{
	long allocs;

	make(X86, 4);
	fill(&task_a, 0, 1);
	allocs = hwbp_host_allocs;
	hwbp_host_fail_all = true;
	/* a task's first bp holds its entry: nothing to allocate */
	EXPECT_EQ(reg(&task_b, -1), 0);
	EXPECT_EQ(reg(&task_a, -1), 0);
	EXPECT_EQ(reg(nullptr, 2), 0);
	EXPECT_EQ(reg(&task_b, 2), 0);
	while (!bps.empty()) {
		hwbp_release(t, bps.back().get());
		bps.pop_back();
	}
	hwbp_host_fail_all = false;
	EXPECT_EQ(hwbp_host_allocs, allocs);
	EXPECT_FALSE(hwbp_table_is_used(t));
}

/* The entry moves when the bp holding it goes and others stay (I2). */
TEST_F(Table, EntryMovesToARemainingBp)
{
	hwbp_bp *a, *b, *c;

	make(X86, 4);
	a = bp(&task_a, -1);
	b = bp(&task_a, 1);
	c = bp(&task_a, 1);
	ASSERT_EQ(hwbp_reserve(t, a), 0);
	ASSERT_EQ(hwbp_reserve(t, b), 0);
	ASSERT_EQ(hwbp_reserve(t, c), 0);
	EXPECT_EQ(a->task, &a->entry);
	EXPECT_EQ(b->task, &a->entry);
	hwbp_release(t, a);
	EXPECT_TRUE(b->task == &b->entry || b->task == &c->entry);
	EXPECT_EQ(b->task, c->task);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_a, 1, HWBP_TYPE_DATA), 2u);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_a, 0, HWBP_TYPE_DATA), 0u);
	/* and again, from wherever it went */
	hwbp_release(t, b->task == &b->entry ? b : c);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_a, 1, HWBP_TYPE_DATA), 1u);
	ASSERT_EQ(reg(&task_a, -1), 0);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_a, 1, HWBP_TYPE_DATA), 2u);
	EXPECT_EQ(usage(1).task_max, 2u);
}

TEST_F(Table, IndexGrowsAndSurvivesGrowFailure)
{
	std::unique_ptr<char[]> owners(new char[5000]);

	make(X86, 4);
	/* 16 buckets to start: the 17th entry wants a grow; fail it */
	for (int i = 0; i < 16; i++)
		ASSERT_EQ(reg(&owners[i], i % 4), 0);
	hwbp_host_fail_nth = 1;	/* the bucket array */
	ASSERT_EQ(reg(&owners[16], 0), 0);
	EXPECT_EQ(hwbp_host_fail_nth, 0);
	for (int i = 17; i < 5000; i++)
		ASSERT_EQ(reg(&owners[i], i % 4), 0);
	for (int i = 0; i < 5000; i++)
		ASSERT_EQ(hwbp_owner_pinned(t, &owners[i], i % 4,
					    HWBP_TYPE_DATA), 1u) << i;
	EXPECT_EQ(usage(3).task_max, 1u);
	for (int i = 0; i < 5000; i += 2)
		hwbp_release(t, bps[i].get());
	EXPECT_EQ(hwbp_owner_pinned(t, &owners[1], 1, HWBP_TYPE_DATA), 1u);
	EXPECT_EQ(hwbp_owner_pinned(t, &owners[2], 2, HWBP_TYPE_DATA), 0u);
}

/* --- arch hooks --- */

TEST_F(Table, ArchHookErrorLeavesTableUnchanged)
{
	hwbp_bp *b;
	std::string s0;

	make(ARM64, 2, &ops);
	fill(&task_a, 0, 1);
	s0 = state();
	h.fail = -EIO;
	EXPECT_EQ(reg(&task_b, 0), -EIO);
	h.fail = -EIO;
	EXPECT_EQ(reg(nullptr, 0), -EIO);
	h.fail = -EIO;
	EXPECT_EQ(reg(&task_a, -1), -EIO);
	EXPECT_EQ(state(), s0);
	b = bp(&task_c, 1, HWBP_X);
	ASSERT_EQ(hwbp_reserve(t, b), 0);
	EXPECT_EQ(h.last_type, HWBP_X);
	h.fail = -EIO;
	EXPECT_EQ(hwbp_modify_type(t, b, HWBP_W), -EIO);
	EXPECT_EQ(h.last_type, HWBP_X);		/* put back with the old type */
	EXPECT_EQ(hwbp_modify_type(t, b, HWBP_W), 0);
	EXPECT_EQ(h.last_type, HWBP_W);
	EXPECT_EQ(h.reserves - h.releases, 2);
}

/* --- debugger variants --- */

TEST_F(Table, DbgBusyWhenLockedOnThisCpu)
{
	hwbp_bp *cpu_bp, *task_bp, *other_bp, *held;
	int r[6] = { 1, 1, 1, 1, 1, 1 };

	make(X86, 2, &ops);
	cpu_bp = bp(nullptr, 0);
	task_bp = bp(&task_a, 0);
	other_bp = bp(&task_a, 1);
	ASSERT_EQ(hwbp_reserve(t, other_bp), 0);
	/* The debugger stops this CPU inside a CPU-bound operation. */
	h.inside = [&](const hwbp_bp *) {
		h.inside = nullptr;
		r[0] = hwbp_dbg_reserve(t, cpu_bp);
		r[1] = hwbp_dbg_reserve(t, task_bp);
		r[2] = hwbp_dbg_release(t, other_bp);
	};
	held = bp(nullptr, 1);
	ASSERT_EQ(hwbp_reserve(t, held), 0);
	EXPECT_EQ(r[0], -EBUSY);
	EXPECT_EQ(r[1], -EBUSY);
	EXPECT_EQ(r[2], -EBUSY);
	/* ... and inside an operation on task_a (its bucket is locked). */
	h.inside = [&](const hwbp_bp *) {
		h.inside = nullptr;
		r[3] = hwbp_dbg_reserve(t, task_bp);
		r[4] = hwbp_dbg_reserve(t, cpu_bp);
		r[5] = hwbp_dbg_release(t, other_bp);
	};
	ASSERT_EQ(reg(&task_a, -1), 0);
	EXPECT_EQ(r[3], -EBUSY);
	EXPECT_EQ(r[4], -EBUSY);
	EXPECT_EQ(r[5], -EBUSY);
	EXPECT_FALSE(task_bp->reserved);
	EXPECT_FALSE(cpu_bp->reserved);
	EXPECT_TRUE(other_bp->reserved);
}

TEST_F(Table, DbgNeverAllocates)
{
	hwbp_bp *a, *b;
	long allocs, live;
	std::set<std::string> tasks;

	make(X86, 2);
	a = bp(&task_a, 0);
	b = bp(&task_a, -1);
	allocs = hwbp_host_allocs;
	live = hwbp_host_live;
	/* a new task too: its entry lives in its first bp */
	EXPECT_EQ(hwbp_dbg_reserve(t, a), 0);
	EXPECT_EQ(hwbp_dbg_reserve(t, b), 0);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_a, 0, HWBP_TYPE_DATA), 2u);
	EXPECT_EQ(hwbp_dbg_release(t, a), 0);	/* the entry moves to b */
	EXPECT_EQ(b->task, &b->entry);
	EXPECT_EQ(hwbp_dbg_release(t, b), 0);
	EXPECT_EQ(hwbp_host_allocs, allocs);
	EXPECT_EQ(hwbp_host_live, live);
	EXPECT_FALSE(hwbp_table_is_used(t));
	hwbp_walk_tasks(t, dump_task, &tasks);
	EXPECT_TRUE(tasks.empty());
	EXPECT_EQ(usage(0).task_max, 0u);
	/* mixed with normal calls */
	ASSERT_EQ(hwbp_reserve(t, a), 0);
	EXPECT_EQ(hwbp_dbg_reserve(t, b), 0);
	hwbp_release(t, a);
	EXPECT_EQ(hwbp_dbg_release(t, b), 0);
	EXPECT_FALSE(hwbp_table_is_used(t));
}

TEST_F(Table, DbgSameRulesAsNormal)
{
	make(X86, 2);
	fill(&task_a, -1, 1);
	fill(nullptr, 0, 3);
	EXPECT_EQ(hwbp_dbg_reserve(t, bp(nullptr, 0)), -ENOSPC);
	EXPECT_EQ(hwbp_dbg_reserve(t, bp(&task_a, 1)), 0);
	EXPECT_EQ(hwbp_dbg_reserve(t, bp(&task_a, 0)), -ENOSPC);
	EXPECT_EQ(hwbp_dbg_reserve(t, bp(nullptr, -1)), -EINVAL);
}

/* --- snapshots --- */

int stop_at_second(void *arg, const hwbp_task *tk)
{
	int *n = (int *)arg;

	(void)tk;
	return ++*n == 2 ? 42 : 0;
}

TEST_F(Table, SnapshotsAndWalk)
{
	int n = 0;
	hwbp_cpu_usage u;

	make(X86, 2);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_a, 0, HWBP_TYPE_DATA), 0u);
	fill(&task_a, 0, 1);
	fill(&task_b, 1, 1);
	fill(&task_c, -1, 1);
	EXPECT_EQ(hwbp_walk_tasks(t, stop_at_second, &n), 42);
	EXPECT_EQ(n, 2);
	hwbp_snapshot_cpu(t, 2, HWBP_TYPE_DATA, &u);
	EXPECT_EQ(u.cpu_pinned, 0u);
	EXPECT_EQ(u.task_max, 0u);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_a, 2, HWBP_TYPE_DATA), 0u);
	EXPECT_EQ(hwbp_owner_pinned(t, nullptr, 0, HWBP_TYPE_DATA), 0u);
	EXPECT_EQ(hwbp_owner_pinned(t, &task_a, 0, HWBP_TYPE_DATA), 1u);
}

TEST_F(Table, DestroyOfUsedTableWarnsAndKeepsIt)
{
	hwbp_bp *b;
	hwbp_table *keep;

	make(X86, 2);
	b = bp(&task_a, 0);
	ASSERT_EQ(hwbp_reserve(t, b), 0);
	keep = t;
	hwbp_table_destroy(t);
	EXPECT_EQ(hwbp_host_warnings, warn0 + 1);
	warn0 = hwbp_host_warnings;
	hwbp_release(keep, b);	/* still usable: it was leaked, not freed */
}

/* --- lock rules, checked by the shim --- */

using TableDeathTest = Table;

TEST_F(TableDeathTest, ShimCatchesLockViolations)
{
	spinlock_t l;
	rwlock_t rw;

	spin_lock_init(&l);
	rwlock_init(&rw);
	EXPECT_DEATH(lockdep_assert_held(&l), "lockdep");
	EXPECT_DEATH(lockdep_assert_held_write(&rw), "lockdep");
	read_lock(&rw);
	EXPECT_DEATH(lockdep_assert_held_write(&rw), "lockdep");
	lockdep_assert_held_read(&rw);
	lockdep_assert_held(&rw);
	EXPECT_DEATH(might_sleep(), "might_sleep");
	read_unlock(&rw);
	EXPECT_DEATH(lockdep_assert_held_read(&rw), "lockdep");
}

TEST_F(TableDeathTest, SleepingCallFromArchHookDies)
{
	make(X86, 2, &ops);
	h.inside = [&](const hwbp_bp *) {
		h.inside = nullptr;
		hwbp_reserve(t, bp(&task_b, 0));	/* may sleep: forbidden */
	};
	EXPECT_DEATH(reg(&task_a, 0), "might_sleep");
	h.inside = nullptr;
}

/* --- concurrency properties --- */

/* Two owners that land in different buckets of a fresh table. */
void two_buckets(const void **a, const void **b, std::vector<char> &mem)
{
	mem.resize(256);
	*a = &mem[0];
	for (size_t i = 1; i < mem.size(); i++) {
		if (hash_ptr(&mem[i], HWBP_INDEX_MIN_BITS) !=
		    hash_ptr(&mem[0], HWBP_INDEX_MIN_BITS)) {
			*b = &mem[i];
			return;
		}
	}
	FAIL();
}

/*
 * A task-bound operation stalled inside the table (its hook waits) does not
 * stop an operation on a task in another bucket; a CPU-bound one waits.
 */
TEST_F(Table, TasksInOtherBucketsDoNotSerialize)
{
	std::atomic<int> phase(0);
	std::atomic<bool> cpu_done(false);
	std::vector<char> mem;
	const void *a = nullptr, *b = nullptr;
	hwbp_bp *ba, *bb, *bc;

	two_buckets(&a, &b, mem);
	make(X86, 2, &ops);
	ba = bp(a, -1);
	bb = bp(b, -1);
	bc = bp(nullptr, 0);
	h.inside = [&](const hwbp_bp *x) {
		if (x != ba)
			return;
		phase = 1;
		while (phase != 2)
			std::this_thread::yield();
	};
	std::thread th([&] { EXPECT_EQ(hwbp_reserve(t, ba), 0); });
	while (phase != 1)
		std::this_thread::yield();
	/* th holds read(cpu_lock) + a's bucket; b proceeds */
	EXPECT_EQ(hwbp_reserve(t, bb), 0);
	EXPECT_EQ(hwbp_dbg_release(t, bb), 0);
	std::thread tc([&] {
		EXPECT_EQ(hwbp_reserve(t, bc), 0);
		cpu_done = true;
	});
	std::this_thread::sleep_for(std::chrono::milliseconds(50));
	EXPECT_FALSE(cpu_done);		/* CPU-bound waits for task ops */
	phase = 2;
	th.join();
	tc.join();
	h.inside = nullptr;
	EXPECT_TRUE(cpu_done);
	EXPECT_EQ(usage(0).cpu_pinned, 1u);
	EXPECT_EQ(usage(0).task_max, 1u);
}

} /* namespace */
