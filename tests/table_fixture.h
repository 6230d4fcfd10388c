/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of the host unit tests of the hwbp constraint table: tables
 * of a given layout, breakpoints owned by the test, the arch hook recorder
 * and a textual dump of the whole table state to compare before and after.
 */
#ifndef HWBP_TABLE_FIXTURE_H
#define HWBP_TABLE_FIXTURE_H

#include <hwbp/constraint_table.h>
#include "../core/task_bp_list.h"

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

/*
 * The owner's entry a hook gets: none for a CPU-bound bp, the owner's for a
 * pinned task-bound one, listing @bp exactly when @listed (release, not
 * reserve); a flexible bp is never listed.
 */
void check_entry(const hwbp_task *tk, const hwbp_bp *bp, bool listed)
{
	const hwbp_bp *pos;
	bool found = false;

	if (!bp->owner) {
		EXPECT_EQ(tk, nullptr);
		return;
	}
	if (bp->flexible && !tk)
		return;
	ASSERT_NE(tk, nullptr);
	EXPECT_EQ(hwbp_task_owner(tk), bp->owner);
	for (pos = hwbp_task_bps(tk); pos; pos = hwbp_task_next_bp(pos))
		found |= pos == bp;
	EXPECT_EQ(found, listed && !bp->flexible);
}

int hook_reserve(void *arg, hwbp_table *t, const hwbp_task *tk,
		 const hwbp_bp *bp)
{
	Hooks *h = (Hooks *)arg;

	EXPECT_GT(hwbp_host_locks_held(), 0);
	hwbp_lockdep_assert_held(t, bp);
	check_entry(tk, bp, false);
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

void hook_release(void *arg, hwbp_table *t, const hwbp_task *tk,
		  const hwbp_bp *bp)
{
	Hooks *h = (Hooks *)arg;

	EXPECT_GT(hwbp_host_locks_held(), 0);
	hwbp_lockdep_assert_held(t, bp);
	check_entry(tk, bp, true);
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

} /* namespace */

#endif /* HWBP_TABLE_FIXTURE_H */
