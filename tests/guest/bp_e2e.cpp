// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end breakpoint behaviour, from user space.  Every check is made with
 * real perf events and must pass on the stock kernel and under hwbp alike:
 * counts of hits, ENOSPC at the right place, and the slots given back in
 * every exit order of the first seed (parent exits before its children, fds
 * closed after the traced task died, threads and forks).
 *
 * Prints one KTAP document; exit status 1 if any test failed.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "bp_util.h"

volatile long bp_vars[16];
struct ktap ktap;

static void write_var(int i, int times)
{
	for (int k = 0; k < times; k++)
		bp_vars[i] = k;
}

/* Slots the busiest task pins on CPU 0, as CPU-bound events see it. */
static int task_max_on_cpu0(void)
{
	return NR_SLOTS - cpu_free_slots(0);
}

/* task_bps from hwbp's debugfs totals, or -1 when hwbp is not loaded. */
static int hwbp_task_bps(void)
{
	FILE *f = fopen("/sys/kernel/debug/hwbp/table", "r");
	char line[256];
	int n = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "task_bps=");

		if (p && !strncmp(line, "totals:", 7))
			n = atoi(p + strlen("task_bps="));
	}
	fclose(f);
	return n;
}

static void test_counts_writes(void)
{
	int fd = bp_open((const void *)&bp_vars[0], HW_BREAKPOINT_W, 0, -1);

	EXPECT(fd >= 0);
	if (fd < 0)
		return;
	write_var(0, 1000);
	EXPECT_EQ(bp_count(fd), 1000);
	close(fd);
}

static __attribute__((noinline)) void exec_target(void)
{
	asm volatile("" ::: "memory");
}

static void test_counts_exec(void)
{
	int fd = bp_open((const void *)exec_target, HW_BREAKPOINT_X, 0, -1);

	EXPECT(fd >= 0);
	if (fd < 0)
		return;
	for (int i = 0; i < 77; i++)
		exec_target();
	EXPECT_EQ(bp_count(fd), 77);
	close(fd);
}

static void test_fifth_task_bp_enospc(void)
{
	int fds[NR_SLOTS];

	for (int i = 0; i < NR_SLOTS; i++) {
		fds[i] = bp_open((const void *)&bp_vars[i], HW_BREAKPOINT_W,
				 0, -1);
		EXPECT(fds[i] >= 0);
	}
	EXPECT_EQ(bp_open((const void *)&bp_vars[5], HW_BREAKPOINT_W, 0, -1),
		  -ENOSPC);
	/* Instruction breakpoints share the pool on x86. */
	EXPECT_EQ(bp_open((const void *)exec_target, HW_BREAKPOINT_X, 0, -1),
		  -ENOSPC);
	for (int i = 0; i < NR_SLOTS; i++)
		close(fds[i]);
	EXPECT(all_slots_free());
}

static void test_cpu_bound_plus_task_bound(void)
{
	int cpu_fd = bp_open((const void *)&bp_vars[8], HW_BREAKPOINT_W, -1, 0);
	int fds[NR_SLOTS];

	EXPECT(cpu_fd >= 0);
	/* cpu_pinned(0) = 1, so a task may have 3 on every CPU. */
	for (int i = 0; i < NR_SLOTS - 1; i++) {
		fds[i] = bp_open((const void *)&bp_vars[i], HW_BREAKPOINT_W,
				 0, -1);
		EXPECT(fds[i] >= 0);
	}
	EXPECT_EQ(bp_open((const void *)&bp_vars[4], HW_BREAKPOINT_W, 0, -1),
		  -ENOSPC);
	/* ... but a 4th bound to another CPU fits. */
	if (nr_cpus() > 1) {
		int fd = bp_open((const void *)&bp_vars[4], HW_BREAKPOINT_W,
				 0, 1);

		EXPECT(fd >= 0);
		if (fd >= 0) {
			/* now this task pins 4 on CPU 1: no CPU-bound there */
			EXPECT_EQ(cpu_free_slots(1), 0);
			close(fd);
		}
	}
	/* the task pins 3 everywhere: one CPU-bound more on CPU 0 is full */
	EXPECT_EQ(cpu_free_slots(0), 0);
	close(cpu_fd);
	EXPECT_EQ(cpu_free_slots(0), 1);
	fds[NR_SLOTS - 1] = bp_open((const void *)&bp_vars[4], HW_BREAKPOINT_W,
				    0, -1);
	EXPECT(fds[NR_SLOTS - 1] >= 0);
	for (int i = 0; i < NR_SLOTS; i++)
		close(fds[i]);
	EXPECT(all_slots_free());
}

static void test_cpu_full_blocks_task(void)
{
	int fds[NR_SLOTS];

	for (int i = 0; i < NR_SLOTS; i++) {
		fds[i] = bp_open((const void *)&bp_vars[i], HW_BREAKPOINT_W,
				 -1, 0);
		EXPECT(fds[i] >= 0);
	}
	/* A task may run on CPU 0, where nothing is left. */
	EXPECT_EQ(bp_open((const void *)&bp_vars[5], HW_BREAKPOINT_W, 0, -1),
		  -ENOSPC);
	EXPECT_EQ(bp_open((const void *)&bp_vars[5], HW_BREAKPOINT_W, 0, 0),
		  -ENOSPC);
	if (nr_cpus() > 1) {
		int fd = bp_open((const void *)&bp_vars[5], HW_BREAKPOINT_W,
				 0, 1);

		EXPECT(fd >= 0);
		if (fd >= 0)
			close(fd);
	}
	for (int i = 0; i < NR_SLOTS; i++)
		close(fds[i]);
	EXPECT(all_slots_free());
}

static void test_ioc_modify_attributes(void)
{
	struct perf_event_attr attr;
	int fd;

	bp_attr_init(&attr, (const void *)&bp_vars[0], HW_BREAKPOINT_W,
		     HW_BREAKPOINT_LEN_8);
	fd = bp_open_attr(&attr, 0, -1);
	EXPECT(fd >= 0);
	if (fd < 0)
		return;
	write_var(0, 3);
	/* Move it to another variable and make it catch reads too. */
	attr.bp_addr = (uintptr_t)&bp_vars[1];
	attr.bp_type = HW_BREAKPOINT_RW;
	EXPECT_EQ(ioctl(fd, PERF_EVENT_IOC_MODIFY_ATTRIBUTES, &attr), 0);
	write_var(0, 5);
	write_var(1, 5);
	EXPECT_EQ(bp_count(fd), 3 + 5);
	/* Only the breakpoint fields may change. */
	attr.exclude_user = 1;
	EXPECT_EQ(ioctl(fd, PERF_EVENT_IOC_MODIFY_ATTRIBUTES, &attr), -1);
	EXPECT_EQ(errno, EINVAL);
	close(fd);
	EXPECT(all_slots_free());
}

/*
 * The first seed: a task with inherited breakpoints exits before its
 * children; the event of the dead parent stays until its fd is closed.
 */
static void test_inherit_parent_exits_first(void)
{
	int go[2], ready[2], fds[2];
	pid_t parent;
	char c;

	EXPECT_EQ(pipe(go), 0);
	EXPECT_EQ(pipe(ready), 0);
	parent = fork();
	if (parent == 0) {
		char b;

		close(go[1]);
		close(ready[0]);
		/* wait until the breakpoints are on us, then fork twice */
		if (read(go[0], &b, 1) != 1)
			_exit(2);
		for (int i = 0; i < 2; i++) {
			if (fork() == 0) {
				(void)!write(ready[1], "r", 1);
				/* live until the driver closes go[1] */
				while (read(go[0], &b, 1) > 0)
					;
				write_var(2, 10);
				_exit(0);
			}
		}
		_exit(0);	/* parent exits first */
	}
	for (int i = 0; i < 2; i++) {
		struct perf_event_attr attr;

		bp_attr_init(&attr, (const void *)&bp_vars[2 + i],
			     HW_BREAKPOINT_W, HW_BREAKPOINT_LEN_8);
		attr.inherit = 1;
		fds[i] = bp_open_attr(&attr, parent, -1);
		EXPECT(fds[i] >= 0);
	}
	EXPECT_EQ(write(go[1], "g", 1), 1);
	for (int i = 0; i < 2; i++)
		EXPECT_EQ(read(ready[0], &c, 1), 1);
	EXPECT_EQ(waitpid(parent, NULL, 0), parent);

	/* dead parent's 2 events, and 2 inherited by each live child */
	EXPECT_EQ(task_max_on_cpu0(), 2);
	if (hwbp_task_bps() >= 0)
		EXPECT_EQ(hwbp_task_bps(), 6);

	close(go[1]);		/* children run on and exit */
	/* we are their subreaper: wait for both */
	while (wait(NULL) > 0 || errno == EINTR)
		;
	EXPECT_EQ(task_max_on_cpu0(), 2);
	if (hwbp_task_bps() >= 0)
		EXPECT_EQ(hwbp_task_bps(), 2);

	close(fds[0]);
	close(fds[1]);
	close(go[0]);
	close(ready[0]);
	close(ready[1]);
	EXPECT(all_slots_free());
	if (hwbp_task_bps() >= 0)
		EXPECT_EQ(hwbp_task_bps(), 0);
}

/* The fd outlives the task it watched: slots stay until the close. */
static void test_fd_closed_after_task_exit(void)
{
	int go[2], fds[3];
	pid_t child;
	char b;

	EXPECT_EQ(pipe(go), 0);
	child = fork();
	if (child == 0) {
		close(go[1]);
		while (read(go[0], &b, 1) > 0)
			;
		_exit(0);
	}
	close(go[0]);
	for (int i = 0; i < 3; i++) {
		fds[i] = bp_open((const void *)&bp_vars[i], HW_BREAKPOINT_W,
				 child, -1);
		EXPECT(fds[i] >= 0);
	}
	EXPECT_EQ(task_max_on_cpu0(), 3);
	close(go[1]);
	EXPECT_EQ(waitpid(child, NULL, 0), child);
	EXPECT_EQ(task_max_on_cpu0(), 3);
	close(fds[1]);
	EXPECT_EQ(task_max_on_cpu0(), 2);
	close(fds[0]);
	close(fds[2]);
	EXPECT(all_slots_free());
}

static void *thread_writer(void *arg)
{
	write_var(3, (int)(uintptr_t)arg);
	return NULL;
}

static void test_threads_inherit(void)
{
	struct perf_event_attr attr;
	pthread_t th[4];
	int fd;

	bp_attr_init(&attr, (const void *)&bp_vars[3], HW_BREAKPOINT_W,
		     HW_BREAKPOINT_LEN_8);
	attr.inherit = 1;
	fd = bp_open_attr(&attr, 0, -1);
	EXPECT(fd >= 0);
	if (fd < 0)
		return;
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(pthread_create(&th[i], NULL, thread_writer,
					 (void *)(uintptr_t)100), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	write_var(3, 100);
	EXPECT_EQ(bp_count(fd), 500);
	close(fd);
	EXPECT(all_slots_free());
}

static void test_forks_inherit(void)
{
	struct perf_event_attr attr;
	int fd;

	bp_attr_init(&attr, (const void *)&bp_vars[4], HW_BREAKPOINT_W,
		     HW_BREAKPOINT_LEN_8);
	attr.inherit = 1;
	fd = bp_open_attr(&attr, 0, -1);
	EXPECT(fd >= 0);
	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			write_var(4, 10);
			/* grandchildren inherit too */
			if (fork() == 0) {
				write_var(4, 5);
				_exit(0);
			}
			wait(NULL);
			_exit(0);
		}
		EXPECT_EQ(waitpid(pid, NULL, 0), pid);
	}
	EXPECT_EQ(bp_count(fd), 3 * 15);
	close(fd);
	EXPECT(all_slots_free());
}

/* Table full: ENOSPC comes before the length check, as in the kernel. */
static void test_enospc_before_einval(void)
{
	struct perf_event_attr attr;
	int fds[NR_SLOTS];

	for (int i = 0; i < NR_SLOTS; i++)
		fds[i] = bp_open((const void *)&bp_vars[i], HW_BREAKPOINT_W,
				 0, -1);
	bp_attr_init(&attr, (const void *)&bp_vars[6], HW_BREAKPOINT_W, 3);
	EXPECT_EQ(bp_open_attr(&attr, 0, -1), -ENOSPC);
	for (int i = 0; i < NR_SLOTS; i++)
		close(fds[i]);
	EXPECT_EQ(bp_open_attr(&attr, 0, -1), -EINVAL);
	EXPECT(all_slots_free());
}

static void test_back_to_zero(void)
{
	EXPECT(all_slots_free());
	if (hwbp_task_bps() >= 0)
		EXPECT_EQ(hwbp_task_bps(), 0);
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "counts_writes", test_counts_writes },
		{ "counts_exec", test_counts_exec },
		{ "fifth_task_bp_enospc", test_fifth_task_bp_enospc },
		{ "cpu_bound_plus_task_bound", test_cpu_bound_plus_task_bound },
		{ "cpu_full_blocks_task", test_cpu_full_blocks_task },
		{ "ioc_modify_attributes", test_ioc_modify_attributes },
		{ "inherit_parent_exits_first", test_inherit_parent_exits_first },
		{ "fd_closed_after_task_exit", test_fd_closed_after_task_exit },
		{ "threads_inherit", test_threads_inherit },
		{ "forks_inherit", test_forks_inherit },
		{ "enospc_before_einval", test_enospc_before_einval },
		{ "back_to_zero", test_back_to_zero },
	};
	int n = (int)(sizeof(tests) / sizeof(tests[0]));

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* orphans of the exit-order tests come back to us */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	ktap_suite("hwbp_e2e", n);
	for (int i = 0; i < n; i++)
		ktap_run(tests[i].name, tests[i].fn);
	return ktap_done();
}
