/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the guest test programs: perf_event_open of breakpoints, a tiny
 * KTAP printer, and checks of the slot accounting that work on the stock
 * kernel and under hwbp alike (they probe with real breakpoint events).
 */
#ifndef HWBP_GUEST_BP_UTIL_H
#define HWBP_GUEST_BP_UTIL_H

#include <errno.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NR_SLOTS 4	/* x86: DR0-DR3 */
#define MAX_CPUS 64

static inline void bp_attr_init(struct perf_event_attr *attr, const void *addr,
				unsigned int type, unsigned int len)
{
	memset(attr, 0, sizeof(*attr));
	attr->type = PERF_TYPE_BREAKPOINT;
	attr->size = sizeof(*attr);
	attr->bp_addr = (uintptr_t)addr;
	attr->bp_type = type;
	attr->bp_len = len;
	attr->exclude_kernel = 1;
	attr->exclude_hv = 1;
}

/* fd, or -errno */
static inline int bp_open_attr(struct perf_event_attr *attr, pid_t pid, int cpu)
{
	long fd = syscall(__NR_perf_event_open, attr, pid, cpu, -1, 0);

	return fd < 0 ? -errno : (int)fd;
}

static inline int bp_open(const void *addr, unsigned int type, pid_t pid,
			  int cpu)
{
	struct perf_event_attr attr;

	bp_attr_init(&attr, addr, type, type == HW_BREAKPOINT_X ?
		     sizeof(long) : (unsigned int)HW_BREAKPOINT_LEN_4);
	return bp_open_attr(&attr, pid, cpu);
}

static inline long long bp_count(int fd)
{
	long long v = -1;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return -1;
	return v;
}

static inline int nr_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > MAX_CPUS ? MAX_CPUS : (int)n;
}

/* Targets for breakpoints: one word each, far enough apart. */
extern volatile long bp_vars[16];

/*
 * How many CPU-bound breakpoints fit on @cpu right now (0..NR_SLOTS):
 * opens them one by one and closes them again.  The probe of the table.
 */
static inline int cpu_free_slots(int cpu)
{
	int fds[NR_SLOTS + 1];
	int n = 0;

	while (n <= NR_SLOTS) {
		int fd = bp_open((const void *)&bp_vars[n], HW_BREAKPOINT_W,
				 -1, cpu);
		if (fd < 0)
			break;
		fds[n++] = fd;
	}
	for (int i = 0; i < n; i++)
		close(fds[i]);
	return n;
}

/* True iff every CPU has all its slots free (the table is back to zero). */
static inline bool all_slots_free(void)
{
	for (int cpu = 0; cpu < nr_cpus(); cpu++)
		if (cpu_free_slots(cpu) != NR_SLOTS)
			return false;
	return true;
}

/*
 * --- KTAP ---
 * A program prints one suite, nested as KUnit prints it, so that a plan can
 * put several programs' suites in one document: the plan prints the header
 * ("KTAP version 1", "1..K") and passes each program its number in
 * KTAP_SUITE_NR.  Run alone (no KTAP_SUITE_NR) a program prints the header
 * itself and is suite 1.  KTAP_SUITE_NAME renames the suite (the same
 * program may run on the stock path and under hwbp in one plan).
 */

struct ktap {
	const char *suite;
	int nr;
	int n;
	int failed;
	bool cur_ok;
};

extern struct ktap ktap;

static inline void ktap_suite(const char *suite, int cases)
{
	const char *nr = getenv("KTAP_SUITE_NR");
	const char *name = getenv("KTAP_SUITE_NAME");

	ktap.suite = name ? name : suite;
	ktap.nr = nr ? atoi(nr) : 1;
	if (!nr)
		printf("KTAP version 1\n1..1\n");
	printf("    KTAP version 1\n    # Subtest: %s\n    1..%d\n",
	       ktap.suite, cases);
	fflush(stdout);
}

/* Record a failed expectation of the current test, with a reason. */
static inline void ktap_fail(const char *fmt, ...)
{
	va_list ap;

	printf("    # FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	ktap.cur_ok = false;
}

#define EXPECT(cond) do {						\
	if (!(cond))							\
		ktap_fail("%s:%d: %s", __FILE__, __LINE__, #cond);	\
} while (0)

#define EXPECT_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b)							\
		ktap_fail("%s:%d: %s == %lld, expected %s == %lld",	\
			  __FILE__, __LINE__, #a, _a, #b, _b);		\
} while (0)

static inline void ktap_run(const char *name, void (*fn)(void))
{
	ktap.cur_ok = true;
	fn();
	ktap.n++;
	if (!ktap.cur_ok)
		ktap.failed++;
	printf("    %s %d %s\n", ktap.cur_ok ? "ok" : "not ok", ktap.n, name);
	fflush(stdout);
}

/* The suite's own result line; the exit status of the program. */
static inline int ktap_done(void)
{
	printf("%s %d %s\n", ktap.failed ? "not ok" : "ok", ktap.nr,
	       ktap.suite);
	fflush(stdout);
	return ktap.failed ? 1 : 0;
}

#endif /* HWBP_GUEST_BP_UTIL_H */
