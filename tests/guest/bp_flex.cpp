// SPDX-License-Identifier: GPL-2.0
/*
 * bp_flex: flexible (multiplexed) breakpoints, hwbp's opt-in
 * (hwbp.flexible=1), against their documented semantics.
 *
 *   bp_flex --events N   print "mem:0xA:w,..." for the first N variables
 *   bp_flex write R [US] write each of the 8 variables R times, round by
 *                        round, spinning US microseconds (default 50)
 *                        between rounds so the writes spread evenly over
 *                        time; print what it wrote
 *   bp_flex on [--loose] KTAP suite: flexible admission is on; --loose
 *                        checks that every event counted and was
 *                        multiplexed, not how close its scaled count is
 *                        (SMP guests on a busy host, whose clock stalls)
 *   bp_flex off          KTAP suite: it is off, the kernel's answers
 *
 * The variables live at a fixed address no other program maps (FLEX_BASE),
 * so CPU-bound watchpoints count only this program's writes, and perf's
 * command line can name them before the program runs.
 */
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#if defined(__x86_64__)
#include <sys/ptrace.h>
#include <sys/user.h>
#endif

#include "bp_util.h"

volatile long bp_vars[16];
struct ktap ktap;

#define FLEX_BASE	0x1000000000UL	/* 64 GiB: free on x86-64 and arm64 */
#define NR_FLEX		8
#define NR_EXTRA	4		/* for ptrace, beside the 8 */
#define STRIDE		2		/* ints: 8 bytes apart */
#define ROUNDS		20000
#define SPIN_US		50

static volatile int *vars;
static bool loose;	/* bp_flex on --loose */

static volatile int *var(int i)
{
	return &vars[i * STRIDE];
}

static int map_vars(void)
{
	void *p = mmap((void *)FLEX_BASE, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != (void *)FLEX_BASE) {
		perror("bp_flex: mmap");
		return -1;
	}
	vars = (volatile int *)p;
	for (int i = 0; i < NR_FLEX + NR_EXTRA; i++)
		*var(i) = -1;	/* fault the page in before any watchpoint */
	return 0;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Each of the NR_FLEX variables @rounds times, evenly over time. */
static void write_rounds(long rounds, long spin_us)
{
	for (long r = 0; r < rounds; r++) {
		long long until = now_ns() + spin_us * 1000;

		for (int i = 0; i < NR_FLEX; i++)
			*var(i) = (int)r;
		while (now_ns() < until)
			;
	}
}

struct flex_ev {
	int fd;
	unsigned long long value, enabled, running;
};

/* A write watchpoint on var(@i); pinned or not; fd or -errno. */
static int open_w(int i, bool pinned, pid_t pid, int cpu, bool inherit)
{
	struct perf_event_attr attr;

	bp_attr_init(&attr, (const void *)var(i), HW_BREAKPOINT_W,
		     HW_BREAKPOINT_LEN_4);
	attr.pinned = pinned;
	attr.inherit = inherit;
	attr.disabled = 1;
	attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
			   PERF_FORMAT_TOTAL_TIME_RUNNING;
	return bp_open_attr(&attr, pid, cpu);
}

static bool read_ev(struct flex_ev *e)
{
	unsigned long long v[3];

	if (read(e->fd, v, sizeof(v)) != sizeof(v))
		return false;
	e->value = v[0];
	e->enabled = v[1];
	e->running = v[2];
	return true;
}

/*
 * Every event counted, its count scaled by time_enabled/time_running
 * within 10% of @truth, and time_running < time_enabled (it was
 * multiplexed).
 */
static void check_scaled(struct flex_ev *e, int n, long truth)
{
	for (int i = 0; i < n; i++) {
		double scaled;

		if (!read_ev(&e[i])) {
			ktap_fail("event %d: read failed", i);
			continue;
		}
		printf("    # event %d: count %llu enabled %llu running %llu",
		       i, e[i].value, e[i].enabled, e[i].running);
		if (!e[i].running || !e[i].value) {
			printf("\n");
			ktap_fail("event %d never counted", i);
			continue;
		}
		scaled = (double)e[i].value * e[i].enabled / e[i].running;
		printf(" scaled %.0f (truth %ld)\n", scaled, truth);
		EXPECT(e[i].running < e[i].enabled);
		if (!loose)
			EXPECT(scaled > truth * 0.9 && scaled < truth * 1.1);
	}
}

static void close_all(struct flex_ev *e, int n)
{
	for (int i = 0; i < n; i++)
		if (e[i].fd >= 0)
			close(e[i].fd);
}

/* Pinned write watchpoints that fit on this task: the data pool's size. */
static int pinned_slots(void)
{
	int fds[32], n = 0;

	while (n < 32) {
		fds[n] = open_w(n % (NR_FLEX + NR_EXTRA), true, 0, -1, false);
		if (fds[n] < 0)
			break;
		n++;
	}
	for (int i = 0; i < n; i++)
		close(fds[i]);
	return n;
}

static int slots;

/* --- hwbp.flexible=1 --- */

static void test_8_task_bound(void)
{
	struct flex_ev e[NR_FLEX];

	for (int i = 0; i < NR_FLEX; i++) {
		e[i].fd = open_w(i, false, 0, -1, false);
		EXPECT(e[i].fd >= 0);
	}
	prctl(PR_TASK_PERF_EVENTS_ENABLE);
	write_rounds(ROUNDS, SPIN_US);
	prctl(PR_TASK_PERF_EVENTS_DISABLE);
	check_scaled(e, NR_FLEX, ROUNDS);
	close_all(e, NR_FLEX);
}

/* The same, inherited by a child that does the writes. */
static void test_8_inherited(void)
{
	struct flex_ev e[NR_FLEX];
	int status;
	pid_t pid;

	for (int i = 0; i < NR_FLEX; i++) {
		e[i].fd = open_w(i, false, 0, -1, true);
		EXPECT(e[i].fd >= 0);
	}
	prctl(PR_TASK_PERF_EVENTS_ENABLE);
	pid = fork();
	if (pid == 0) {
		write_rounds(ROUNDS, SPIN_US);
		_exit(0);
	}
	EXPECT_EQ(waitpid(pid, &status, 0), pid);
	prctl(PR_TASK_PERF_EVENTS_DISABLE);
	check_scaled(e, NR_FLEX, ROUNDS);
	close_all(e, NR_FLEX);
}

/*
 * CPU-bound on the last CPU.  Its events rotate over that CPU's time, not
 * this task's, so the writes must fill the CPU's time evenly: this task
 * runs there as SCHED_FIFO with RT throttling off, so no other task (the
 * plan's busy loops included) takes a share of it meanwhile.
 */
static void test_8_cpu_bound(void)
{
	struct sched_param rt = { .sched_priority = 50 }, normal = { 0 };
	int cpu = nr_cpus() - 1;
	struct flex_ev e[NR_FLEX];
	cpu_set_t set, old;
	char rt_runtime[32] = "950000";
	FILE *f;

	f = fopen("/proc/sys/kernel/sched_rt_runtime_us", "r");
	if (f) {
		if (!fgets(rt_runtime, sizeof(rt_runtime), f))
			strcpy(rt_runtime, "950000");
		fclose(f);
	}
	f = fopen("/proc/sys/kernel/sched_rt_runtime_us", "w");
	EXPECT(f);
	if (f) {
		fputs("-1", f);
		fclose(f);
	}
	sched_getaffinity(0, sizeof(old), &old);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	EXPECT_EQ(sched_setaffinity(0, sizeof(set), &set), 0);
	fflush(stdout);
	EXPECT_EQ(sched_setscheduler(0, SCHED_FIFO, &rt), 0);
	for (int i = 0; i < NR_FLEX; i++) {
		e[i].fd = open_w(i, false, -1, cpu, false);
		EXPECT(e[i].fd >= 0);
	}
	prctl(PR_TASK_PERF_EVENTS_ENABLE);
	write_rounds(ROUNDS, SPIN_US);
	prctl(PR_TASK_PERF_EVENTS_DISABLE);
	sched_setscheduler(0, SCHED_OTHER, &normal);
	sched_setaffinity(0, sizeof(old), &old);
	f = fopen("/proc/sys/kernel/sched_rt_runtime_us", "w");
	if (f) {
		fputs(rt_runtime, f);
		fclose(f);
	}
	check_scaled(e, NR_FLEX, ROUNDS);
	close_all(e, NR_FLEX);
}

/*
 * Pinned breakpoints never lose a slot to flexible ones: with 8 flexible
 * open, all the pool's pinned ones still open and count every write; then
 * pinned alone fill the task's pool and a new flexible one is refused.
 */
static void test_pinned_first(void)
{
	struct flex_ev f[NR_FLEX], p[NR_EXTRA + 1];
	int n = slots < NR_EXTRA ? slots : NR_EXTRA;

	for (int i = 0; i < NR_FLEX; i++) {
		f[i].fd = open_w(i, false, 0, -1, false);
		EXPECT(f[i].fd >= 0);
	}
	for (int i = 0; i < n; i++) {
		p[i].fd = open_w(NR_FLEX + i, true, 0, -1, false);
		EXPECT(p[i].fd >= 0);
	}
	p[n].fd = open_w(0, true, 0, -1, false);
	EXPECT_EQ(p[n].fd, slots > n ? p[n].fd : -ENOSPC);
	if (slots == n) {
		int fd = open_w(1, false, 0, -1, false);

		EXPECT_EQ(fd, -ENOSPC);
		if (fd >= 0)
			close(fd);
	}
	/*
	 * One variable after the other: QEMU's TCG keeps a watchpoint's hit
	 * flag until an access is checked against it, and its check stops
	 * at the first hit, so with interleaved writes the last-inserted
	 * watchpoint is reported in DR6 for the others' hits too (stock
	 * kernel alike: see "interleaved" in the off suite's diagnostics).
	 */
	prctl(PR_TASK_PERF_EVENTS_ENABLE);
	for (int i = 0; i < n; i++)
		for (int r = 0; r < 1000; r++)
			*var(NR_FLEX + i) = r;
	prctl(PR_TASK_PERF_EVENTS_DISABLE);
	for (int i = 0; i < n; i++) {
		EXPECT(read_ev(&p[i]));
		printf("    # pinned %d: count %llu enabled %llu running %llu\n",
		       i, p[i].value, p[i].enabled, p[i].running);
		EXPECT_EQ(p[i].value, 1000);
		EXPECT_EQ(p[i].running, p[i].enabled);
	}
	close_all(p, n + 1);
	close_all(f, NR_FLEX);
}

/* debugfs shows the flexible ones apart, and how often each waited. */
static void test_debugfs(void)
{
	struct flex_ev e[NR_FLEX];
	char line[256], pid[16];
	int rows = 0, waited = 0;
	bool flex_part = false;
	FILE *f;

	for (int i = 0; i < NR_FLEX; i++)
		e[i].fd = open_w(i, false, 0, -1, false);
	prctl(PR_TASK_PERF_EVENTS_ENABLE);
	write_rounds(ROUNDS / 4, SPIN_US);
	prctl(PR_TASK_PERF_EVENTS_DISABLE);
	snprintf(pid, sizeof(pid), "%d", getpid());
	f = fopen("/sys/kernel/debug/hwbp/table", "r");
	EXPECT(f);
	while (f && fgets(line, sizeof(line), f)) {
		int p = 0;
		unsigned long in = 0, out = 0;
		char comm[32], pool[16];
		int cpu;
		unsigned long long addr;

		if (strstr(line, "flexible (pinned counts"))
			flex_part = true;
		if (strstr(line, " 8 flexible") && strstr(line, "pool "))
			printf("    # %s", line);
		if (!flex_part)
			continue;
		if (sscanf(line, "%d %31s %d %15s %llx %lu %lu", &p, comm,
			   &cpu, pool, &addr, &in, &out) == 7 &&
		    p == getpid()) {
			rows++;
			if (out)
				waited++;
		}
	}
	if (f)
		fclose(f);
	EXPECT_EQ(rows, NR_FLEX);
	printf("    # %d of %d flexible rows were scheduled out for want of a register\n",
	       waited, rows);
	EXPECT(waited > 0);
	close_all(e, NR_FLEX);
}

#if defined(__x86_64__)
#define DR_OFFSET(i)	(offsetof(struct user, u_debugreg) + (i) * sizeof(long))

/*
 * ptrace's four debug registers work while 8 flexible watchpoints are open
 * on the same task: gdb never loses a register to perf stat.
 */
static void test_ptrace_beside_flexible(void)
{
	struct flex_ev e[NR_FLEX];
	unsigned long dr7 = 0;
	int status, traps = 0;
	unsigned int seen = 0;
	pid_t pid = fork();

	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		write_rounds(50, 0);
		for (int i = 0; i < NR_EXTRA; i++)
			*var(NR_FLEX + i) = 42;
		_exit(0);
	}
	EXPECT_EQ(waitpid(pid, &status, 0), pid);
	for (int i = 0; i < NR_FLEX; i++) {
		e[i].fd = open_w(i, false, pid, -1, false);
		EXPECT(e[i].fd >= 0);
		EXPECT_EQ(ioctl(e[i].fd, PERF_EVENT_IOC_ENABLE, 0), 0);
	}
	for (int i = 0; i < NR_EXTRA; i++) {
		EXPECT_EQ(ptrace(PTRACE_POKEUSER, pid, (void *)DR_OFFSET(i),
				 (void *)var(NR_FLEX + i)), 0);
		/* local enable, write, 4 bytes */
		dr7 |= (1UL << (i * 2)) | (1UL << (16 + i * 4)) |
		       (3UL << (18 + i * 4));
	}
	EXPECT_EQ(ptrace(PTRACE_POKEUSER, pid, (void *)DR_OFFSET(7),
			 (void *)dr7), 0);
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	for (;;) {
		if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
			break;
		if (WSTOPSIG(status) == SIGTRAP) {
			unsigned long dr6 = (unsigned long)ptrace(PTRACE_PEEKUSER,
					pid, (void *)DR_OFFSET(6), NULL);

			traps++;
			seen |= dr6 & 0xf;
		}
		ptrace(PTRACE_CONT, pid, NULL, NULL);
	}
	EXPECT(WIFEXITED(status));
	EXPECT_EQ(traps, NR_EXTRA);
	EXPECT_EQ(seen, 0xf);
	for (int i = 0; i < NR_FLEX; i++) {
		EXPECT(read_ev(&e[i]));
		/* ptrace's four held every register while the child ran */
		EXPECT_EQ(e[i].value, 0);
	}
	close_all(e, NR_FLEX);
}
#endif

/* --- hwbp.flexible=0, or the stock kernel --- */

static void test_off_enospc(void)
{
	int fds[32], n = 0;

	while (n < 32) {
		fds[n] = open_w(n % (NR_FLEX + NR_EXTRA), false, 0, -1, false);
		if (fds[n] < 0)
			break;
		n++;
	}
	EXPECT_EQ(n, slots);
	EXPECT_EQ(n < 32 ? fds[n] : 0, -ENOSPC);
	for (int i = 0; i < n; i++)
		close(fds[i]);

	/* Diagnostics only: pinned counts of interleaved writes. */
	struct flex_ev p[NR_EXTRA];

	for (int i = 0; i < NR_EXTRA; i++)
		p[i].fd = open_w(NR_FLEX + i, true, 0, -1, false);
	prctl(PR_TASK_PERF_EVENTS_ENABLE);
	for (int r = 0; r < 1000; r++)
		for (int i = 0; i < NR_EXTRA; i++)
			*var(NR_FLEX + i) = r;
	prctl(PR_TASK_PERF_EVENTS_DISABLE);
	for (int i = 0; i < NR_EXTRA; i++)
		if (p[i].fd >= 0 && read_ev(&p[i]))
			printf("    # interleaved: pinned %d counted %llu of 1000\n",
			       i, p[i].value);
	close_all(p, NR_EXTRA);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "on";

	if (!strcmp(mode, "--events")) {
		int n = argc > 2 ? atoi(argv[2]) : NR_FLEX;

		for (int i = 0; i < n && i < NR_FLEX + NR_EXTRA; i++)
			printf("%smem:%#lx:w", i ? "," : "",
			       FLEX_BASE + i * STRIDE * sizeof(int));
		printf("\n");
		return 0;
	}
	if (map_vars())
		return 2;
	if (!strcmp(mode, "write")) {
		long rounds = argc > 2 ? atol(argv[2]) : ROUNDS;
		long us = argc > 3 ? atol(argv[3]) : SPIN_US;

		write_rounds(rounds, us);
		printf("bp_flex: wrote %ld times to each of %d variables at %#lx\n",
		       rounds, NR_FLEX, FLEX_BASE);
		return 0;
	}
	slots = pinned_slots();
	if (!strcmp(mode, "off")) {
		ktap_suite("hwbp_flex_off", 1);
		printf("    # %d pinned write watchpoints fit\n", slots);
		ktap_run("fifth_enospc_as_stock", test_off_enospc);
		return ktap_done();
	}
	loose = argc > 2 && !strcmp(argv[2], "--loose");
	if (strcmp(mode, "on")) {
		fprintf(stderr, "usage: bp_flex on|off|write R [US]|--events N\n");
		return 2;
	}
#if defined(__x86_64__)
	ktap_suite("hwbp_flex", 7);
#else
	ktap_suite("hwbp_flex", 6);
#endif
	printf("    # %d pinned write watchpoints fit\n", slots);
	ktap_run("task_bound_8_multiplexed", test_8_task_bound);
	ktap_run("inherited_8_multiplexed", test_8_inherited);
	ktap_run("cpu_bound_8_multiplexed", test_8_cpu_bound);
	ktap_run("pinned_never_lose_a_slot", test_pinned_first);
	ktap_run("debugfs_shows_flexible", test_debugfs);
#if defined(__x86_64__)
	ktap_run("ptrace_beside_8_flexible", test_ptrace_beside_flexible);
#endif
	ktap_run("off_is_not_on", [] {
		/* with the parameter on, a 5th non-pinned one opens */
		int fds[NR_FLEX], n = 0;

		while (n < NR_FLEX && (fds[n] = open_w(n, false, 0, -1,
						      false)) >= 0)
			n++;
		EXPECT_EQ(n, NR_FLEX);
		for (int i = 0; i < n; i++)
			close(fds[i]);
	});
	return ktap_done();
}
