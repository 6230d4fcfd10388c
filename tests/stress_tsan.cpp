// SPDX-License-Identifier: GPL-2.0
/*
 * ThreadSanitizer stress test of the hwbp table with real threads.
 *
 * Task threads (two per owner, so owners' buckets are contended too) and
 * CPU-bound threads reserve, modify and release concurrently; a checker
 * thread takes snapshots, walks the tasks and uses the debugger variants.
 *
 * "Never oversubscribed" is checked from data the table does not own: the
 * arch hooks, called by the table under its locks right after admission,
 * keep their own occupancy per CPU and per task, and at each reserve check
 * that with the new bp every CPU it may run on still has
 *   CPU-bound occupancy + (that task's | the largest task's) <= slots.
 * That occupancy is plain memory: the table's locks are all that order
 * the hooks' accesses, so TSan also checks the lock design (a task op not
 * excluded by a CPU-bound op would be a reported race).
 * A third of the bps ask for flexible admission: the hooks keep them apart
 * (they never enter the pinned occupancy) and check the flexible rule: the
 * pinned occupancy alone leaves them a slot on every CPU they may run on.
 * At the end everything is released and must be back to zero.
 */
#include <hwbp/constraint_table.h>

#include <stdio.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

namespace {

const unsigned int NCPU = 4;
const unsigned int NOWN = 4;
const unsigned int TASK_THREADS = 2 * NOWN;
const unsigned int CPU_THREADS = 2;
const unsigned int HELD = 6;

struct Occ {
	hwbp_layout l;
	char owners[NOWN];
	unsigned int cpu[NCPU][2];
	unsigned int task[NOWN][NCPU][2];
	std::atomic<int> flex[2] = { { 0 }, { 0 } };	/* under read locks only */
	std::atomic<long> violations{ 0 };
	std::atomic<long> hook_calls{ 0 };

	unsigned int pool(const hwbp_bp *bp) const
	{
		int ty = hwbp_type_of(bp->bp_type);

		return l.shared ? 0 : (unsigned int)ty;
	}

	int owner_of(const hwbp_bp *bp) const
	{
		return bp->owner ? (int)((const char *)bp->owner - owners) : -1;
	}

	void apply(const hwbp_bp *bp, int sign)
	{
		unsigned int p = pool(bp);
		int o = owner_of(bp);

		if (bp->flexible) {
			flex[p] += sign;
			return;
		}
		for (unsigned int c = 0; c < NCPU; c++) {
			if (bp->cpu >= 0 && (unsigned int)bp->cpu != c)
				continue;
			if (o < 0)
				cpu[c][p] += sign * (int)bp->weight;
			else
				task[o][c][p] += sign * (int)bp->weight;
		}
	}

	/* With @bp added, does every CPU it may run on still fit? */
	bool fits(const hwbp_bp *bp) const
	{
		unsigned int p = pool(bp), s = l.slots[p];
		int o = owner_of(bp);

		for (unsigned int c = 0; c < NCPU; c++) {
			unsigned int used = cpu[c][p], mx = 0;

			if (bp->cpu >= 0 && (unsigned int)bp->cpu != c)
				continue;
			if (o >= 0) {
				used += task[o][c][p];
			} else if (!bp->flexible) {
				for (unsigned int k = 0; k < NOWN; k++)
					mx = std::max(mx, task[k][c][p]);
				used += mx;
			}
			if (used + bp->weight > s)
				return false;
		}
		return true;
	}
};

/*
 * A flexible bp keeps its admission when pinned ones arrive later, so the
 * put-back of a failed modify may not fit the rule any more: a modify's
 * flexible check counts only when the modify succeeded.
 */
thread_local bool in_modify;
thread_local long modify_misfits;

/*
 * Reads every bp of the owner's entry, as powerpc's rule does: TSan checks
 * that the entry is stable under the locks the hooks run with.
 */
long entry_weight(const hwbp_task *tk)
{
	const hwbp_bp *pos;
	long w = 0;

	for (pos = tk ? hwbp_task_bps(tk) : nullptr; pos;
	     pos = hwbp_task_next_bp(pos))
		w += pos->weight;
	return w;
}

int hook_reserve(void *arg, hwbp_table *t, const hwbp_task *tk,
		 const hwbp_bp *bp)
{
	Occ *occ = (Occ *)arg;

	hwbp_lockdep_assert_held(t, bp);
	if (entry_weight(tk) < 0)
		occ->violations++;
	occ->hook_calls++;
	if (!occ->fits(bp)) {
		if (in_modify && bp->flexible)
			modify_misfits++;
		else
			occ->violations++;
	}
	occ->apply(bp, 1);
	return 0;
}

void hook_release(void *arg, hwbp_table *t, const hwbp_task *tk,
		  const hwbp_bp *bp)
{
	hwbp_lockdep_assert_held(t, bp);
	if (bp->owner && !bp->flexible && entry_weight(tk) < (long)bp->weight)
		((Occ *)arg)->violations++;
	((Occ *)arg)->apply(bp, -1);
}

int walk(void *arg, const hwbp_task *tk)
{
	(*(long *)arg) += hwbp_task_nr_bps(tk);
	return 0;
}

struct Result {
	std::atomic<long> ops{ 0 }, ok{ 0 }, nospc{ 0 }, busy{ 0 }, bad{ 0 };
	std::atomic<long> flex_ok{ 0 }, flex_nospc{ 0 };
};

void worker(hwbp_table *t, Occ *occ, Result *res, int owner, unsigned int seed,
	    std::chrono::steady_clock::time_point end)
{
	static const unsigned int types[] = { HWBP_X, HWBP_W, HWBP_RW, HWBP_R };
	std::mt19937 rng(seed);
	hwbp_bp bps[HELD] = {};
	long n = 0;

	while (std::chrono::steady_clock::now() < end || n < 2000) {
		hwbp_bp *b = &bps[rng() % HELD];
		int r;

		n++;
		if (b->reserved) {
			if (rng() % 4 == 0) {
				in_modify = true;
				modify_misfits = 0;
				r = hwbp_modify_type(t, b, types[rng() % 4]);
				in_modify = false;
				if (!r)
					occ->violations += modify_misfits;
				if (r && r != -ENOSPC)
					res->bad++;
			} else {
				hwbp_release(t, b);
			}
			continue;
		}
		b->owner = owner < 0 ? nullptr : &occ->owners[owner];
		b->cpu = (int)(rng() % (NCPU + 1)) - 1;
		if (owner < 0 && b->cpu < 0)
			b->cpu = 0;
		b->bp_type = types[rng() % 4];
		b->weight = rng() % 8 ? 1 : 2;
		b->flexible = rng() % 3 == 0;
		r = hwbp_reserve(t, b);
		if (!r)
			(b->flexible ? res->flex_ok : res->ok)++;
		else if (r == -ENOSPC)
			(b->flexible ? res->flex_nospc : res->nospc)++;
		else
			res->bad++;
	}
	for (auto &b : bps)
		if (b.reserved)
			hwbp_release(t, &b);
	res->ops += n;
}

void checker(hwbp_table *t, Occ *occ, Result *res, std::atomic<bool> *stop)
{
	hwbp_bp dbg = {};
	long n = 0;

	dbg.owner = nullptr;
	dbg.cpu = 1;
	dbg.bp_type = HWBP_W;
	dbg.weight = 1;
	while (!*stop) {
		long nr = 0;

		for (unsigned int c = 0; c < NCPU; c++) {
			for (int ty = 0; ty < HWBP_NR_TYPES; ty++) {
				hwbp_cpu_usage u;

				hwbp_snapshot_cpu(t, c, (hwbp_type)ty, &u);
				if (u.cpu_pinned + u.task_max >
				    hwbp_table_slots(t, (hwbp_type)ty))
					res->bad++;
			}
		}
		hwbp_walk_tasks(t, walk, &nr);
		for (unsigned int o = 0; o < NOWN; o++)
			if (hwbp_owner_pinned(t, &occ->owners[o], 0,
					      HWBP_TYPE_DATA) >
			    hwbp_table_slots(t, HWBP_TYPE_DATA))
				res->bad++;
		/* the debugger variants, racing with everyone */
		int r = dbg.reserved ? hwbp_dbg_release(t, &dbg) :
				       hwbp_dbg_reserve(t, &dbg);
		if (r == -EBUSY)
			res->busy++;
		else if (r && r != -ENOSPC)
			res->bad++;
		n++;
	}
	while (dbg.reserved)
		if (hwbp_dbg_release(t, &dbg) == -EBUSY)
			std::this_thread::yield();
	res->ops += n;
}

bool run(const hwbp_layout &l, double seconds)
{
	Occ *occ = new Occ();
	Result res;
	std::atomic<bool> stop(false);
	std::vector<std::thread> th;
	hwbp_table *t;
	auto end = std::chrono::steady_clock::now() +
		   std::chrono::milliseconds((long)(seconds * 1000));
	bool ok = true;

	occ->l = l;
	hwbp_arch_ops ops = { hook_reserve, hook_release, occ };
	t = hwbp_table_create(&l, NCPU, &ops);
	if (!t)
		return false;
	for (unsigned int i = 0; i < TASK_THREADS; i++)
		th.emplace_back(worker, t, occ, &res, (int)(i / 2), 100 + i, end);
	for (unsigned int i = 0; i < CPU_THREADS; i++)
		th.emplace_back(worker, t, occ, &res, -1, 200 + i, end);
	std::thread chk(checker, t, occ, &res, &stop);
	for (auto &x : th)
		x.join();
	stop = true;
	chk.join();

	long nr = 0;

	hwbp_walk_tasks(t, walk, &nr);
	for (unsigned int c = 0; c < NCPU; c++) {
		for (int ty = 0; ty < HWBP_NR_TYPES; ty++) {
			hwbp_cpu_usage u;

			hwbp_snapshot_cpu(t, c, (hwbp_type)ty, &u);
			if (u.cpu_pinned || u.task_max)
				ok = false;
		}
		for (int p = 0; p < 2; p++) {
			if (occ->flex[p])
				ok = false;
			if (occ->cpu[c][p])
				ok = false;
			for (unsigned int o = 0; o < NOWN; o++)
				if (occ->task[o][c][p])
					ok = false;
		}
	}
	if (nr || hwbp_table_is_used(t) ||
	    hwbp_table_nr_flexible(t, HWBP_TYPE_INST) ||
	    hwbp_table_nr_flexible(t, HWBP_TYPE_DATA))
		ok = false;
	printf("tsan stress %s: %ld ops (%ld reserved, %ld ENOSPC, "
	       "flexible %ld reserved, %ld ENOSPC, %ld dbg EBUSY), "
	       "%ld hook checks, %ld oversubscriptions, %ld bad results, %s\n",
	       l.shared ? "shared pool" : "separate pools", res.ops.load(),
	       res.ok.load(), res.nospc.load(), res.flex_ok.load(),
	       res.flex_nospc.load(), res.busy.load(),
	       occ->hook_calls.load(), occ->violations.load(), res.bad.load(),
	       ok ? "back to zero" : "NOT back to zero");
	if (occ->violations || res.bad || !res.ok || !res.nospc ||
	    !res.flex_ok)
		ok = false;
	hwbp_table_destroy(t);
	delete occ;
	return ok;
}

} /* namespace */

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 8;
	const hwbp_layout x86 = { { 4, 4 }, true };
	const hwbp_layout arm = { { 2, 3 }, false };
	bool ok = run(x86, secs / 2);

	ok = run(arm, secs / 2) && ok;
	if (hwbp_host_warnings) {
		printf("tsan stress: %lu WARNs\n", hwbp_host_warnings);
		ok = false;
	}
	printf("tsan stress: %s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}
