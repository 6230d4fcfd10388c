// SPDX-License-Identifier: GPL-2.0
/*
 * Brute-force reference model of the hwbp constraint table, and a harness
 * that drives the real table and the model with the same operation stream
 * and compares them decision by decision and count by count.
 *
 * The model keeps only the list of live breakpoints and recomputes every
 * count from it at each step; it shares no code with the table.  With
 * Config::flex some breakpoints ask for flexible admission (the opt-in
 * rule above flex_fits() in constraint_table.cpp), restated here from its
 * definition: pinned counts never include them.  The op
 * stream comes from a Source: a PRNG (differential test) or the fuzzer's
 * bytes.
 */
#ifndef HWBP_TESTS_MODEL_H
#define HWBP_TESTS_MODEL_H

#include <hwbp/constraint_table.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace model {

struct Source {
	virtual ~Source() {}
	/* A value in [0, n); 0 when n == 0 or the source is exhausted. */
	virtual unsigned int next(unsigned int n) = 0;
	virtual bool done() const = 0;
};

struct RngSource : Source {
	uint64_t s;
	explicit RngSource(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
	unsigned int next(unsigned int n) override
	{
		/* xorshift64* */
		s ^= s >> 12;
		s ^= s << 25;
		s ^= s >> 27;
		uint64_t v = s * 0x2545F4914F6CDD1Dull;
		return n ? (unsigned int)((v >> 32) % n) : 0;
	}
	bool done() const override { return false; }
};

struct ByteSource : Source {
	const uint8_t *p;
	size_t n, i = 0;
	ByteSource(const uint8_t *d, size_t sz) : p(d), n(sz) {}
	unsigned int next(unsigned int m) override
	{
		if (i >= n || m == 0)
			return 0;
		unsigned int v = p[i++];
		if (m > 256 && i < n)
			v = (v << 8) | p[i++];
		return v % m;
	}
	bool done() const override { return i >= n; }
};

struct Config {
	hwbp_layout layout;
	unsigned int nr_cpus;
	unsigned int nr_owners;
	unsigned int nr_bps;
	bool flex;		/* some bps ask for flexible admission */
};

/*
 * Reference type rule of 6.1's __reserve_bp_slot()/find_slot_idx(): only
 * EMPTY (0) and INVALID (7) are refused; bits beyond R/W/X are left to the
 * arch parser, which runs after the reservation.
 */
static inline int ref_type(unsigned int bits)
{
	if (bits == 0 || bits == 7)
		return -EINVAL;
	return (bits & 3) ? HWBP_TYPE_DATA : HWBP_TYPE_INST;
}

struct MBp {
	int owner = -1;		/* -1: CPU-bound */
	int cpu = 0;
	unsigned int bits = 0;
	unsigned int weight = 1;
	bool flex = false;
	bool live = false;
};

class Harness {
public:
	Config cfg;
	hwbp_table *t = nullptr;
	std::unique_ptr<hwbp_bp[]> bps;
	std::vector<MBp> m;
	std::unique_ptr<char[]> owner_mem;
	long ops = 0, checks = 0;
	/* outcomes of reserve/modify: 0, ENOSPC, EINVAL, ENOMEM, hook error */
	long outcome[5] = { 0, 0, 0, 0, 0 };
	/* reserves of flexible bps: admitted, refused with ENOSPC */
	long flex_outcome[2] = { 0, 0 };

	void count(int r)
	{
		outcome[r == 0 ? 0 : r == -ENOSPC ? 1 : r == -EINVAL ? 2 :
			r == -ENOMEM ? 3 : 4]++;
	}
	long live_before = 0;
	unsigned long warn_before = 0;
	std::string error;
	bool verbose_fail = true;

	/* arch hooks: fail the next reserve with hook_err when armed */
	int hook_err = 0;
	long hook_balance = 0;
	bool hook_unlocked = false;

	const void *owner_ptr(int o) const
	{
		return o < 0 ? nullptr : (const void *)&owner_mem[o];
	}

	static int hook_reserve(void *arg, hwbp_table *tbl,
				const hwbp_task *tk,
				const hwbp_bp *bp)
	{
		Harness *h = (Harness *)arg;

		(void)tk;
		hwbp_lockdep_assert_held(tbl, bp);
		if (!hwbp_host_locks_held())
			h->hook_unlocked = true;
		if (h->hook_err) {
			int e = h->hook_err;

			h->hook_err = 0;
			return e;
		}
		h->hook_balance++;
		return 0;
	}

	static void hook_release(void *arg, hwbp_table *tbl,
				 const hwbp_task *tk,
				 const hwbp_bp *bp)
	{
		Harness *h = (Harness *)arg;

		(void)tk;
		hwbp_lockdep_assert_held(tbl, bp);
		if (!hwbp_host_locks_held())
			h->hook_unlocked = true;
		h->hook_balance--;
	}

	bool fail(const char *fmt, ...) __attribute__((format(printf, 2, 3)))
	{
		char buf[512];
		va_list ap;

		if (!error.empty())
			return false;
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		error = std::string("op ") + std::to_string(ops) + ": " + buf;
		if (verbose_fail)
			fprintf(stderr, "model mismatch: %s\n", error.c_str());
		return false;
	}

	bool ok() const { return error.empty(); }

	bool setup(const Config &c)
	{
		hwbp_arch_ops aops;

		cfg = c;
		live_before = hwbp_host_live;
		warn_before = hwbp_host_warnings;
		bps.reset(new hwbp_bp[c.nr_bps]);
		memset(bps.get(), 0, sizeof(hwbp_bp) * c.nr_bps);
		m.assign(c.nr_bps, MBp());
		owner_mem.reset(new char[c.nr_owners ? c.nr_owners : 1]);
		aops.reserve = hook_reserve;
		aops.release = hook_release;
		aops.arg = this;
		t = hwbp_table_create(&c.layout, c.nr_cpus, &aops);
		if (!t)
			return fail("create failed");
		return true;
	}

	/* --- the model --- */

	unsigned int npools() const { return cfg.layout.shared ? 1 : 2; }
	unsigned int pool_of(int type) const
	{
		return cfg.layout.shared ? 0 : (unsigned int)type;
	}
	unsigned int slots_of(unsigned int pool) const
	{
		return cfg.layout.slots[pool];
	}

	/* Everything recomputed from the live list. */
	struct Agg {
		unsigned int nc, no;
		std::vector<unsigned int> cpu;		/* [c][p] */
		std::vector<unsigned int> any;		/* [o][p] */
		std::vector<unsigned int> extra;	/* [o][c][p] */
		std::vector<unsigned int> count;	/* [o], pinned bps */
		unsigned int live = 0;
		unsigned int flex[2] = { 0, 0 };	/* [p] */
		unsigned int &cpu_at(int c, unsigned int p) { return cpu[c * 2 + p]; }
		unsigned int &any_at(int o, unsigned int p) { return any[o * 2 + p]; }
		unsigned int &extra_at(int o, int c, unsigned int p)
		{
			return extra[(o * nc + c) * 2 + p];
		}
		unsigned int task(int o, int c, unsigned int p)
		{
			return any_at(o, p) + extra_at(o, c, p);
		}
		unsigned int task_max(int c, unsigned int p)
		{
			unsigned int mx = 0;

			for (unsigned int o = 0; o < no; o++)
				mx = std::max(mx, task((int)o, c, p));
			return mx;
		}
	};

	void aggregate(Agg &a, int skip = -1)
	{
		a.nc = cfg.nr_cpus;
		a.no = cfg.nr_owners;
		a.cpu.assign(a.nc * 2, 0);
		a.any.assign(a.no * 2, 0);
		a.extra.assign(a.no * a.nc * 2, 0);
		a.count.assign(a.no, 0);
		a.live = 0;
		for (unsigned int i = 0; i < m.size(); i++) {
			const MBp &b = m[i];

			if (!b.live || (int)i == skip)
				continue;
			unsigned int p = pool_of(ref_type(b.bits));

			a.live++;
			if (b.flex) {
				a.flex[p]++;
				continue;
			}
			if (b.owner < 0) {
				a.cpu_at(b.cpu, p) += b.weight;
				continue;
			}
			a.count[b.owner]++;
			if (b.cpu < 0)
				a.any_at(b.owner, p) += b.weight;
			else
				a.extra_at(b.owner, b.cpu, p) += b.weight;
		}
	}

	/*
	 * The 6.1 admission rule over pinned bps, with @skip left out of the
	 * counts.  A flexible bp: refused only when the pinned ones alone
	 * leave it no slot on some CPU it may run on; a CPU-bound one also
	 * runs beside tasks without pinned bps, so only CPU-bound ones count.
	 */
	int decide(const MBp &b, int skip)
	{
		Agg a;
		unsigned int used = 0, p, s;
		int type = ref_type(b.bits);

		p = pool_of(type);
		s = slots_of(p);
		aggregate(a, skip);
		if (b.owner < 0 && b.flex) {
			used = a.cpu_at(b.cpu, p);
		} else if (b.owner < 0) {
			used = a.cpu_at(b.cpu, p) + a.task_max(b.cpu, p);
		} else {
			for (int c = 0; c < (int)cfg.nr_cpus; c++) {
				if (b.cpu >= 0 && c != b.cpu)
					continue;
				used = std::max(used, a.cpu_at(c, p) +
						      a.task(b.owner, c, p));
			}
		}
		if ((unsigned long)used + b.weight > s)
			return -ENOSPC;
		return 0;
	}

	int expect_reserve(int i, const MBp &b)
	{
		if (m[i].live)
			return -EINVAL;
		if (ref_type(b.bits) < 0 || !b.weight || b.cpu < -1 ||
		    b.cpu >= (int)cfg.nr_cpus || (b.owner < 0 && b.cpu < 0))
			return -EINVAL;
		int r = decide(b, -1);

		if (r)
			return r;
		if (hook_err)
			return hook_err;
		return 0;
	}

	/* --- operations on both --- */

	bool do_reserve(int i, const MBp &b, bool dbg, bool nomem)
	{
		hwbp_bp *bp = &bps[i];
		int want, got;

		/* dbg or not, with memory or not: the same answer */
		want = expect_reserve(i, b);
		if (!m[i].live) {
			bp->owner = owner_ptr(b.owner);
			bp->cpu = b.cpu;
			bp->bp_type = b.bits;
			bp->weight = b.weight;
			bp->flexible = b.flex;
		}
		hwbp_host_fail_all = nomem;
		got = dbg ? hwbp_dbg_reserve(t, bp) : hwbp_reserve(t, bp);
		hwbp_host_fail_all = false;
		hook_err = 0;
		if (got != want)
			return fail("reserve #%d owner %d cpu %d bits %u w %u%s%s%s: got %d want %d",
				    i, b.owner, b.cpu, b.bits, b.weight,
				    b.flex ? " flex" : "",
				    dbg ? " dbg" : "", nomem ? " nomem" : "",
				    got, want);
		count(got);
		if (b.flex && !m[i].live && (!got || got == -ENOSPC))
			flex_outcome[got ? 1 : 0]++;
		if (!got) {
			m[i] = b;
			m[i].live = true;
		}
		return check_after(b.owner);
	}

	bool do_release(int i, bool dbg)
	{
		int o = m[i].owner;
		int got = 0;

		if (dbg)
			got = hwbp_dbg_release(t, &bps[i]);
		else
			hwbp_release(t, &bps[i]);
		if (got)
			return fail("dbg release #%d: %d", i, got);
		m[i].live = false;
		return check_after(o);
	}

	bool do_modify(int i, unsigned int bits)
	{
		MBp nb = m[i];
		int want, got, armed = hook_err;

		nb.bits = bits;
		if (ref_type(bits) < 0 || !m[i].live)
			want = -EINVAL;
		else
			want = decide(nb, i);
		if (!want && armed)
			want = armed;
		else
			hook_err = 0;	/* a failing put-back is not this test */
		got = hwbp_modify_type(t, &bps[i], bits);
		hook_err = 0;
		if (got != want)
			return fail("modify #%d %u -> %u: got %d want %d", i,
				    m[i].bits, bits, got, want);
		count(got);
		if (!got)
			m[i].bits = bits;
		return check_after(m[i].owner);
	}

	/* --- comparison --- */

	bool check_after(int owner)
	{
		Agg a;

		ops++;
		aggregate(a);
		if (hwbp_host_warnings != warn_before)
			return fail("kernel WARN hit");
		if (hook_unlocked)
			return fail("arch hook called unlocked");
		if (hook_balance != (long)a.live)
			return fail("hooks: balance %ld, live %u", hook_balance,
				    a.live);
		if (hwbp_table_is_used(t) != (a.live > 0))
			return fail("is_used %d, live %u", hwbp_table_is_used(t),
				    a.live);
		for (unsigned int i = 0; i < m.size(); i++) {
			if (bps[i].reserved != m[i].live)
				return fail("bp #%u reserved %d want %d", i,
					    bps[i].reserved, m[i].live);
			if (m[i].live && bps[i].bp_type != m[i].bits)
				return fail("bp #%u type %u want %u", i,
					    bps[i].bp_type, m[i].bits);
		}
		for (int ty = 0; ty < HWBP_NR_TYPES; ty++) {
			unsigned int n = hwbp_table_nr_flexible(t, (hwbp_type)ty);

			checks++;
			if (n != a.flex[pool_of(ty)])
				return fail("type %d: %u flexible, want %u", ty,
					    n, a.flex[pool_of(ty)]);
		}
		if (!check_cpus(a))
			return false;
		if (owner >= 0 && !check_owner(a, owner))
			return false;
		if (ops % 64 == 0)
			return check_full(a);
		return true;
	}

	bool check_cpus(Agg &a)
	{
		for (unsigned int c = 0; c < cfg.nr_cpus; c++) {
			for (int ty = 0; ty < HWBP_NR_TYPES; ty++) {
				unsigned int p = pool_of(ty);
				hwbp_cpu_usage u;

				hwbp_snapshot_cpu(t, c, (hwbp_type)ty, &u);
				checks++;
				if (u.cpu_pinned != a.cpu_at(c, p) ||
				    u.task_max != a.task_max(c, p))
					return fail("cpu %u type %d: pinned %u/%u task_max %u/%u",
						    c, ty, u.cpu_pinned,
						    a.cpu_at(c, p), u.task_max,
						    a.task_max(c, p));
				/* (I1), on the model */
				if (a.cpu_at(c, p) + a.task_max(c, p) >
				    slots_of(p))
					return fail("model oversubscribed");
			}
		}
		return true;
	}

	/*
	 * The owner's entry (I2): every live bp of @o points at it, and it
	 * is stored in one of them.
	 */
	bool check_entry(int o)
	{
		const hwbp_task *tk = nullptr;
		bool stored = false;

		for (unsigned int i = 0; i < m.size(); i++) {
			if (!m[i].live || m[i].owner != o)
				continue;
			if (m[i].flex) {
				if (bps[i].task)
					return fail("flexible bp #%u in a task entry", i);
				continue;
			}
			if (tk && bps[i].task != tk)
				return fail("owner %d: bps point at two entries", o);
			tk = bps[i].task;
			if (tk == &bps[i].entry)
				stored = true;
		}
		if (tk && !stored)
			return fail("owner %d: entry not in one of its bps", o);
		return true;
	}

	bool check_owner(Agg &a, int o)
	{
		if (!check_entry(o))
			return false;
		for (unsigned int c = 0; c < cfg.nr_cpus; c++) {
			for (int ty = 0; ty < HWBP_NR_TYPES; ty++) {
				unsigned int n = hwbp_owner_pinned(t, owner_ptr(o),
							c, (hwbp_type)ty);

				checks++;
				if (n != a.task(o, (int)c, pool_of(ty)))
					return fail("owner %d cpu %u type %d: %u want %u",
						    o, c, ty, n,
						    a.task(o, (int)c, pool_of(ty)));
			}
		}
		return true;
	}

	struct Walk {
		Harness *h;
		Agg *a;
		std::vector<int> seen;
		bool bad = false;
	};

	static int walk_fn(void *arg, const hwbp_task *tk)
	{
		Walk *w = (Walk *)arg;
		Harness *h = w->h;
		const char *base = &h->owner_mem[0];
		const char *o = (const char *)hwbp_task_owner(tk);
		int oi = (int)(o - base);

		if (oi < 0 || oi >= (int)h->cfg.nr_owners) {
			w->bad = true;
			return 1;
		}
		w->seen[oi]++;
		if (hwbp_task_nr_bps(tk) != w->a->count[oi])
			w->bad = true;
		for (unsigned int c = 0; c < h->cfg.nr_cpus; c++)
			for (int ty = 0; ty < HWBP_NR_TYPES; ty++)
				if (hwbp_task_pinned(h->t, tk, c, (hwbp_type)ty) !=
				    w->a->task(oi, (int)c, h->pool_of(ty)))
					w->bad = true;
		return 0;
	}

	bool check_full(Agg &a)
	{
		Walk w;

		for (unsigned int o = 0; o < cfg.nr_owners; o++)
			if (!check_owner(a, (int)o))
				return false;
		w.h = this;
		w.a = &a;
		w.seen.assign(cfg.nr_owners, 0);
		if (hwbp_walk_tasks(t, walk_fn, &w) || w.bad)
			return fail("for_each_task disagrees");
		for (unsigned int o = 0; o < cfg.nr_owners; o++)
			if (w.seen[o] != (a.count[o] ? 1 : 0))
				return fail("owner %u seen %d times, count %u", o,
					    w.seen[o], a.count[o]);
		return true;
	}

	/* --- the op stream --- */

	MBp random_bp(Source &s)
	{
		static const unsigned int good[] = { 4, 1, 2, 3, 4, 2, 3, 4 };
		static const unsigned int junk[] = { 0, 7, 5, 6, 8, 0x10, 0xc };
		MBp b;

		b.owner = s.next(4) == 0 ? -1 : (int)s.next(cfg.nr_owners);
		b.cpu = (int)s.next(cfg.nr_cpus + 1) - 1;
		if (b.owner < 0 && b.cpu < 0 && s.next(16))
			b.cpu = (int)s.next(cfg.nr_cpus);
		b.bits = s.next(32) ? good[s.next(8)] : junk[s.next(7)];
		b.weight = s.next(4) ? 1 : 2;
		if (!s.next(64))
			b.weight = s.next(2) ? 0 : 3 + s.next(40);
		if (!s.next(128))
			b.cpu = s.next(2) ? -2 : (int)cfg.nr_cpus + (int)s.next(3);
		b.flex = cfg.flex && s.next(3) == 0;
		return b;
	}

	unsigned int random_bits(Source &s)
	{
		static const unsigned int bits[] = { 4, 1, 2, 3, 4, 2, 3, 0, 7 };

		return bits[s.next(9)];
	}

	bool step(Source &s)
	{
		unsigned int k = s.next(32);
		int i = (int)s.next(cfg.nr_bps);
		bool live = m[i].live;

		if (k < 16 || k >= 26) {
			if (live)
				return do_release(i, false);
			return do_reserve(i, random_bp(s), false, false);
		}
		switch (k) {
		case 16: case 17: case 18: case 19:
			if (live)
				return do_modify(i, random_bits(s));
			return do_reserve(i, random_bp(s), false, false);
		case 20: case 21:
			if (live)
				return do_release(i, true);
			return do_reserve(i, random_bp(s), true, false);
		case 22: case 23:
			return do_reserve(i, random_bp(s), false, true);
		case 24:
			hook_err = -EIO;
			if (live)
				return do_modify(i, random_bits(s));
			return do_reserve(i, random_bp(s), false, false);
		default:
			/* reserve of a reserved bp, or modify of a free one */
			if (live)
				return do_reserve(i, m[i], false, false);
			return do_modify(i, random_bits(s));
		}
	}

	/* Release all in a random order, compare, destroy, check leaks. */
	bool teardown(Source &s)
	{
		std::vector<int> order;

		for (unsigned int i = 0; i < m.size(); i++)
			if (m[i].live)
				order.push_back((int)i);
		for (size_t j = order.size(); j > 1; j--)
			std::swap(order[j - 1], order[s.next((unsigned int)j)]);
		for (int i : order)
			if (!do_release(i, s.next(8) == 0))
				return false;
		Agg a;

		aggregate(a);
		if (!check_full(a))
			return false;
		if (hwbp_table_is_used(t))
			return fail("used after teardown");
		hwbp_table_destroy(t);
		t = nullptr;
		if (hwbp_host_live != live_before)
			return fail("leak: %ld blocks", hwbp_host_live - live_before);
		if (hwbp_host_warnings != warn_before)
			return fail("kernel WARN hit");
		return true;
	}
};

/* Layouts the random streams use. */
/* Bit 2 of @owners_sel turns flexible breakpoints on. */
static inline Config config_from(unsigned int sel, unsigned int cpus_sel,
				 unsigned int owners_sel)
{
	static const hwbp_layout layouts[] = {
		{ { 4, 4 }, true },	/* x86 */
		{ { 6, 4 }, false },	/* arm64 */
		{ { 1, 1 }, false },
		{ { 2, 0 }, true },
		{ { 2, 3 }, false },
		{ { 1, 0 }, true },
		{ { 0, 2 }, false },
	};
	static const unsigned int cpus[] = { 1, 2, 3, 5, 8 };
	static const unsigned int owners[] = { 1, 2, 4, 16 };
	Config c;

	c.layout = layouts[sel % (sizeof(layouts) / sizeof(layouts[0]))];
	c.nr_cpus = cpus[cpus_sel % 5];
	c.nr_owners = owners[owners_sel % 4];
	c.nr_bps = 48;
	c.flex = (owners_sel / 4) % 2;
	return c;
}

} /* namespace model */

#endif /* HWBP_TESTS_MODEL_H */
