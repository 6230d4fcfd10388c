// SPDX-License-Identifier: GPL-2.0
/*
 * bp_failnth: allocation failure in each breakpoint call, one at a time.
 *
 * For each call below, for n = 1, 2, ...: write n to
 * /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION: the n-th fault point
 * this task meets -- slab or page allocation with failslab and
 * fail_page_alloc set up by the plan -- fails), make the call, read
 * fail-nth back (0: the fault was injected) and clear it.  The sweep ends
 * at the first n that injected nothing and the call succeeded.
 *
 *   open_task    perf_event_open of a write breakpoint on this task
 *   open_cpu     perf_event_open of a write breakpoint bound to a CPU
 *   ptrace_dr0   PTRACE_POKEUSER of DR0 on a stopped child (registers a
 *                disabled breakpoint)
 *   ptrace_dr7   PTRACE_POKEUSER of DR7 enabling it (modifies it)
 *   modify       PERF_EVENT_IOC_MODIFY_ATTRIBUTES of an open breakpoint
 *
 * Checked for every n: a call that failed changed nothing (under hwbp, the
 * totals of /sys/kernel/debug/hwbp/table are as before the call).  After
 * each sweep: every slot of every CPU is free again (probed with real
 * breakpoints, so on the stock path too).  Each case prints
 * "failnth OP calls=N injected=F failed=K errnos=E,..." for the plan, which
 * compares the errnos with the stock path's.
 *
 * One KTAP suite; exit status 1 if a case failed.
 */
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

#include <set>
#include <string>

#include "bp_util.h"

volatile long bp_vars[16];
struct ktap ktap;

#define MAX_NTH 2000
#define DR_OFFSET(i)	(offsetof(struct user, u_debugreg) + (i) * sizeof(long))
/* DR7: L0, RW0 = write (01), LEN0 = 4 bytes (11) */
#define DR7_L0_W4	(1UL | (1UL << 16) | (3UL << 18))

static int fail_fd = -1;

static void fail_nth_set(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(fail_fd, buf, len, 0) != len) {
		perror("bp_failnth: write fail-nth");
		exit(2);
	}
}

/* Clear fail-nth; true if the fault was injected (it had reached 0). */
static bool fail_nth_clear(void)
{
	char buf[16] = "";
	bool injected;

	if (pread(fail_fd, buf, sizeof(buf) - 1, 0) <= 0) {
		perror("bp_failnth: read fail-nth");
		exit(2);
	}
	injected = atoi(buf) == 0;
	fail_nth_set(0);
	return injected;
}

/* hwbp's table totals ("" on the stock path: no such file). */
static std::string hwbp_totals(void)
{
	char buf[8192];
	int fd = open("/sys/kernel/debug/hwbp/table", O_RDONLY);
	ssize_t n, len = 0;

	if (fd < 0)
		return "";
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	const char *t = strstr(buf, "totals:");

	if (!t)
		return "?";
	return std::string(t, strcspn(t, "\n"));
}

static pid_t stopped_child(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		fprintf(stderr, "bp_failnth: child did not stop\n");
		exit(2);
	}
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * One call of the sweep: prepare (no fault injection), then the call under
 * fail-nth = n; returns 0 or -errno.  cleanup undoes what prepare and a
 * successful call set up.
 */
struct op {
	const char *name;
	void (*prepare)(void);
	int (*call)(void);
	void (*cleanup)(void);
};

static int fd_cur = -1;
static pid_t child = -1;

static void nop(void) {}
static void close_cur(void)
{
	if (fd_cur >= 0)
		close(fd_cur);
	fd_cur = -1;
}

static int call_open_task(void)
{
	fd_cur = bp_open((const void *)&bp_vars[0], HW_BREAKPOINT_W, 0, -1);
	return fd_cur < 0 ? fd_cur : 0;
}

static int call_open_cpu(void)
{
	fd_cur = bp_open((const void *)&bp_vars[0], HW_BREAKPOINT_W, -1,
			 nr_cpus() > 1 ? 1 : 0);
	return fd_cur < 0 ? fd_cur : 0;
}

static void new_child(void) { child = stopped_child(); }
static void reap_child(void) { reap(child); child = -1; }

static int call_ptrace_dr0(void)
{
	long r = ptrace(PTRACE_POKEUSER, child, (void *)DR_OFFSET(0),
			(void *)&bp_vars[0]);

	return r < 0 ? -errno : 0;
}

static void child_with_dr0(void)
{
	new_child();
	if (call_ptrace_dr0()) {
		fprintf(stderr, "bp_failnth: DR0 without fault injection failed\n");
		exit(2);
	}
}

static int call_ptrace_dr7(void)
{
	long r = ptrace(PTRACE_POKEUSER, child, (void *)DR_OFFSET(7),
			(void *)DR7_L0_W4);

	return r < 0 ? -errno : 0;
}

static void open_for_modify(void)
{
	if (call_open_task()) {
		fprintf(stderr, "bp_failnth: open without fault injection failed\n");
		exit(2);
	}
}

static int call_modify(void)
{
	struct perf_event_attr attr;

	bp_attr_init(&attr, (const void *)&bp_vars[2],
		     HW_BREAKPOINT_R | HW_BREAKPOINT_W, HW_BREAKPOINT_LEN_8);
	return ioctl(fd_cur, PERF_EVENT_IOC_MODIFY_ATTRIBUTES, &attr) ? -errno : 0;
}

static const struct op ops[] = {
	{ "open_task", nop, call_open_task, close_cur },
	{ "open_cpu", nop, call_open_cpu, close_cur },
	{ "ptrace_dr0", new_child, call_ptrace_dr0, reap_child },
	{ "ptrace_dr7", child_with_dr0, call_ptrace_dr7, reap_child },
	{ "modify", open_for_modify, call_modify, close_cur },
};

static const struct op *cur_op;

static void sweep(void)
{
	const struct op *o = cur_op;
	std::set<std::string> errs;
	unsigned int n, injected = 0, failed = 0, changed = 0;
	bool done = false;

	for (n = 1; n <= MAX_NTH && !done; n++) {
		o->prepare();
		std::string before = hwbp_totals();

		fail_nth_set(n);
		int r = o->call();
		bool inj = fail_nth_clear();

		if (inj)
			injected++;
		if (r) {
			failed++;
			errs.insert(strerrorname_np(-r) ? strerrorname_np(-r) :
				    std::to_string(-r));
			std::string after = hwbp_totals();

			if (after != before) {
				changed++;
				ktap_fail("%s: n=%u failed with %s and changed the table: '%s' -> '%s'",
					  o->name, n, strerrorname_np(-r),
					  before.c_str(), after.c_str());
			}
		} else if (!inj) {
			done = true;
		}
		o->cleanup();
	}
	std::string e;

	for (const std::string &s : errs)
		e += (e.empty() ? "" : ",") + s;
	printf("    # failnth %s calls=%u injected=%u failed=%u errnos=%s\n",
	       o->name, n - 1, injected, failed, e.empty() ? "-" : e.c_str());
	if (!done)
		ktap_fail("%s: no success within %d calls", o->name, MAX_NTH);
	EXPECT_EQ(changed, 0);
	EXPECT(all_slots_free());
	std::string t = hwbp_totals();

	if (!t.empty() && t != "totals: cpu_pinned=0 tasks=0 task_bps=0 used=0")
		ktap_fail("%s: hwbp table after the sweep: '%s'", o->name,
			  t.c_str());
}

int main(void)
{
	fail_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fail_fd < 0) {
		perror("bp_failnth: /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION?)");
		return 2;
	}
	ktap_suite("failnth", sizeof(ops) / sizeof(ops[0]));
	for (const struct op &o : ops) {
		cur_op = &o;
		ktap_run(o.name, sweep);
	}
	return ktap_done();
}
