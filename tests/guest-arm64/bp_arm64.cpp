// SPDX-License-Identifier: GPL-2.0
/*
 * bp_arm64 NR_BRPS NR_WRPS: arm64 end-to-end breakpoint behaviour, from
 * user space, with real perf events and ptrace; must pass on the stock
 * kernel and under hwbp alike.  arm64 has two separate banks of debug
 * registers: NR_BRPS breakpoints (instruction) and NR_WRPS watchpoints
 * (data), the counts the kernel printed at boot ("hw-breakpoint: found N
 * breakpoint and M watchpoint registers"), cross-checked against ptrace's
 * NT_ARM_HW_BREAK/NT_ARM_HW_WATCH dbg_info.
 *
 * Prints one KTAP suite (see ../guest/bp_util.h); exit 1 if a test failed.
 */
#include <elf.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <asm/ptrace.h>

#include "../guest/bp_util.h"

volatile long bp_vars[16];
struct ktap ktap;

static int nr_brps, nr_wrps;

/* Sixteen distinct functions for instruction breakpoints. */
#define FN(n) static __attribute__((noinline)) void fn##n(void) \
	{ asm volatile("" ::: "memory"); }
FN(0) FN(1) FN(2) FN(3) FN(4) FN(5) FN(6) FN(7)
FN(8) FN(9) FN(10) FN(11) FN(12) FN(13) FN(14) FN(15)
typedef void (*fn_t)(void);
static fn_t fns[16] = { fn0, fn1, fn2, fn3, fn4, fn5, fn6, fn7,
			fn8, fn9, fn10, fn11, fn12, fn13, fn14, fn15 };

static int open_x(int i, pid_t pid, int cpu)
{
	struct perf_event_attr attr;

	bp_attr_init(&attr, (const void *)fns[i], HW_BREAKPOINT_X,
		     HW_BREAKPOINT_LEN_4);
	return bp_open_attr(&attr, pid, cpu);
}

static int open_w(int i, pid_t pid, int cpu)
{
	return bp_open((const void *)&bp_vars[i], HW_BREAKPOINT_W, pid, cpu);
}

static void close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* How many CPU-bound events of one kind fit on @cpu now (closed again). */
static int cpu_free(int cpu, bool inst)
{
	int fds[17], n = 0;

	while (n < 17) {
		int fd = inst ? open_x(n % 16, -1, cpu) : open_w(n % 16, -1, cpu);

		if (fd < 0)
			break;
		fds[n++] = fd;
	}
	close_all(fds, n);
	return n;
}

static bool all_free(void)
{
	for (int cpu = 0; cpu < nr_cpus(); cpu++)
		if (cpu_free(cpu, true) != nr_brps ||
		    cpu_free(cpu, false) != nr_wrps)
			return false;
	return true;
}

/* Watchpoints up to the limit, each counting its own writes; then ENOSPC. */
static void test_watchpoints_to_limit(void)
{
	int fds[16];

	for (int i = 0; i < nr_wrps; i++) {
		fds[i] = open_w(i, 0, -1);
		EXPECT(fds[i] >= 0);
	}
	EXPECT_EQ(open_w(nr_wrps, 0, -1), -ENOSPC);
	for (int i = 0; i < nr_wrps; i++)
		for (int k = 0; k <= i; k++)
			bp_vars[i] = k;
	for (int i = 0; i < nr_wrps; i++)
		if (fds[i] >= 0)
			EXPECT_EQ(bp_count(fds[i]), i + 1);
	close_all(fds, nr_wrps);
}

/* Instruction breakpoints up to the limit, each counting; then ENOSPC. */
static void test_breakpoints_to_limit(void)
{
	int fds[16];

	for (int i = 0; i < nr_brps; i++) {
		fds[i] = open_x(i, 0, -1);
		EXPECT(fds[i] >= 0);
	}
	if (nr_brps < 16)
		EXPECT_EQ(open_x(nr_brps, 0, -1), -ENOSPC);
	for (int i = 0; i < nr_brps; i++)
		for (int k = 0; k < 10 + i; k++)
			fns[i]();
	for (int i = 0; i < nr_brps; i++)
		if (fds[i] >= 0)
			EXPECT_EQ(bp_count(fds[i]), 10 + i);
	close_all(fds, nr_brps);
}

/* Separate pools: a full watchpoint bank leaves the breakpoints free. */
static void test_separate_pools(void)
{
	int w[16], x[16];

	for (int i = 0; i < nr_wrps; i++)
		w[i] = open_w(i, 0, -1);
	for (int i = 0; i < nr_brps; i++) {
		x[i] = open_x(i, 0, -1);
		EXPECT(x[i] >= 0);
	}
	EXPECT_EQ(open_w(nr_wrps, 0, -1), -ENOSPC);
	if (nr_brps < 16)
		EXPECT_EQ(open_x(nr_brps, 0, -1), -ENOSPC);
	bp_vars[0] = 1;
	fns[0]();
	if (w[0] >= 0)
		EXPECT_EQ(bp_count(w[0]), 1);
	if (x[0] >= 0)
		EXPECT_EQ(bp_count(x[0]), 1);
	close_all(w, nr_wrps);
	close_all(x, nr_brps);
}

/* CPU-bound watchpoints fill CPU 0; a task-bound one then cannot fit. */
static void test_cpu_bound_limit(void)
{
	int fds[16];

	EXPECT_EQ(cpu_free(0, false), nr_wrps);
	EXPECT_EQ(cpu_free(0, true), nr_brps);
	for (int i = 0; i < nr_wrps; i++) {
		fds[i] = open_w(i, -1, 0);
		EXPECT(fds[i] >= 0);
	}
	EXPECT_EQ(open_w(nr_wrps, -1, 0), -ENOSPC);
	EXPECT_EQ(open_w(nr_wrps, 0, -1), -ENOSPC);
	/* ... the other bank and the other CPUs are untouched */
	EXPECT_EQ(cpu_free(0, true), nr_brps);
	if (nr_cpus() > 1)
		EXPECT_EQ(cpu_free(1, false), nr_wrps);
	close_all(fds, nr_wrps);
	EXPECT_EQ(cpu_free(0, false), nr_wrps);
}

/* PERF_EVENT_IOC_MODIFY_ATTRIBUTES moves a watchpoint: counts follow. */
static void test_modify_attributes(void)
{
	struct perf_event_attr attr;
	int fd = open_w(0, 0, -1);

	EXPECT(fd >= 0);
	if (fd < 0)
		return;
	bp_vars[0] = 1;
	bp_attr_init(&attr, (const void *)&bp_vars[1], HW_BREAKPOINT_W,
		     HW_BREAKPOINT_LEN_4);
	EXPECT_EQ(ioctl(fd, PERF_EVENT_IOC_MODIFY_ATTRIBUTES, &attr), 0);
	bp_vars[0] = 2;
	bp_vars[1] = 2;
	bp_vars[1] = 3;
	EXPECT_EQ(bp_count(fd), 3);
	close(fd);
}

static int get_dbg_count(pid_t pid, int note)
{
	struct user_hwdebug_state st;
	struct iovec iov = { &st, sizeof(st) };

	if (ptrace(PTRACE_GETREGSET, pid, (void *)(long)note, &iov))
		return -errno;
	return (int)(st.dbg_info & 0xff);
}

/*
 * ptrace: the debugger's watchpoints and breakpoints (NT_ARM_HW_WATCH,
 * NT_ARM_HW_BREAK) take the tracee's slots: perf then gets ENOSPC on it,
 * and a ctrl change goes through modify_user_hw_breakpoint().
 */
static void test_ptrace_slots(void)
{
	struct user_hwdebug_state st;
	struct iovec iov;
	int status, fd;
	pid_t pid = fork();

	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		_exit(0);
	}
	EXPECT(pid > 0);
	if (pid <= 0)
		return;
	waitpid(pid, &status, 0);
	EXPECT(WIFSTOPPED(status));
	EXPECT_EQ(get_dbg_count(pid, NT_ARM_HW_WATCH), nr_wrps);
	EXPECT_EQ(get_dbg_count(pid, NT_ARM_HW_BREAK), nr_brps);

	memset(&st, 0, sizeof(st));
	for (int i = 0; i < nr_wrps; i++) {
		st.dbg_regs[i].addr = (uintptr_t)&bp_vars[i];
		/* len 8 (BAS 0xff), store, EL0, enabled */
		st.dbg_regs[i].ctrl = (0xffU << 5) | (2U << 3) | (2U << 1) | 1U;
	}
	iov.iov_base = &st;
	iov.iov_len = offsetof(struct user_hwdebug_state, dbg_regs) +
		      nr_wrps * sizeof(st.dbg_regs[0]);
	EXPECT_EQ(ptrace(PTRACE_SETREGSET, pid, (void *)NT_ARM_HW_WATCH, &iov), 0);
	fd = open_w(nr_wrps, pid, -1);
	EXPECT_EQ(fd, -ENOSPC);
	if (fd >= 0)
		close(fd);
	/* instruction slots of the tracee still free for perf */
	fd = open_x(0, pid, -1);
	EXPECT(fd >= 0);
	if (fd >= 0)
		close(fd);
	/* disable them all (ctrl change: modify), then slots still pinned */
	for (int i = 0; i < nr_wrps; i++)
		st.dbg_regs[i].ctrl &= ~1U;
	EXPECT_EQ(ptrace(PTRACE_SETREGSET, pid, (void *)NT_ARM_HW_WATCH, &iov), 0);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	/* the dead tracee's slots are back */
	EXPECT(all_free());
}

/* An inherited watchpoint counts a child's writes; all slots come back. */
static void test_inherit_fork(void)
{
	struct perf_event_attr attr;
	int fd, status;
	pid_t pid;

	bp_attr_init(&attr, (const void *)&bp_vars[2], HW_BREAKPOINT_W,
		     HW_BREAKPOINT_LEN_4);
	attr.inherit = 1;
	fd = bp_open_attr(&attr, 0, -1);
	EXPECT(fd >= 0);
	if (fd < 0)
		return;
	pid = fork();
	if (pid == 0) {
		for (int k = 0; k < 10; k++)
			bp_vars[2] = k;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	bp_vars[2] = 1;
	EXPECT_EQ(bp_count(fd), 11);
	close(fd);
}

static void test_back_to_zero(void)
{
	EXPECT(all_free());
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	nr_brps = atoi(argv[1]);
	nr_wrps = atoi(argv[2]);
	if (nr_brps < 1 || nr_brps > 16 || nr_wrps < 1 || nr_wrps > 15)
		return 2;
	ktap_suite("hwbp_arm64_e2e", 8);
	ktap_run("watchpoints_to_limit", test_watchpoints_to_limit);
	ktap_run("breakpoints_to_limit", test_breakpoints_to_limit);
	ktap_run("separate_pools", test_separate_pools);
	ktap_run("cpu_bound_limit", test_cpu_bound_limit);
	ktap_run("modify_attributes", test_modify_attributes);
	ktap_run("ptrace_slots", test_ptrace_slots);
	ktap_run("inherit_fork", test_inherit_fork);
	ktap_run("back_to_zero", test_back_to_zero);
	return ktap_done();
}
