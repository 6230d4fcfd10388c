// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the hwbp constraint table (host build, GoogleTest): exit
 * orders and owner keys, allocation, arch hooks, the debugger variants,
 * snapshots, the lock rules and concurrency properties.
 */
#include "table_fixture.h"

namespace {

/* Its own suite name: the fixture is a different class in each file. */
using Lifecycle = Table;

/* --- exit orders and owner keys --- */

/* Task exits (its memory goes) before its events are freed. */
TEST_F(Lifecycle, TaskGoneBeforeEventsFreed)
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
TEST_F(Lifecycle, ParentBeforeChildren)
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
TEST_F(Lifecycle, ChildrenBeforeParent)
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
TEST_F(Lifecycle, OwnerKeyReuse)
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

TEST_F(Lifecycle, CreateSurvivesEveryAllocationFailure)
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

TEST_F(Lifecycle, ReserveAndReleaseNeedNoMemory)
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
TEST_F(Lifecycle, EntryMovesToARemainingBp)
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

TEST_F(Lifecycle, IndexGrowsAndSurvivesGrowFailure)
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

TEST_F(Lifecycle, ArchHookErrorLeavesTableUnchanged)
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

TEST_F(Lifecycle, DbgBusyWhenLockedOnThisCpu)
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

TEST_F(Lifecycle, DbgNeverAllocates)
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

TEST_F(Lifecycle, DbgSameRulesAsNormal)
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

TEST_F(Lifecycle, SnapshotsAndWalk)
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

TEST_F(Lifecycle, DestroyOfUsedTableWarnsAndKeepsIt)
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
TEST_F(Lifecycle, TasksInOtherBucketsDoNotSerialize)
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
	/* th holds read(table_lock) + a's bucket; b proceeds */
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
