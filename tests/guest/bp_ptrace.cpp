// SPDX-License-Identifier: GPL-2.0
/*
 * ptrace watchpoints as gdb sets them on x86: DR0-DR3 and DR7 through
 * PTRACE_POKEUSER on a stopped child.  Each address write registers a
 * (disabled) breakpoint that takes a slot; DR7 enables them, and changing a
 * type in DR7 goes through modify_user_hw_breakpoint()'s slot modify path.
 * Checks the SIGTRAPs, DR6, that ptrace's slots count against perf's, and
 * that they are all given back.
 *
 * Prints one KTAP document; exit status 1 if any test failed.
 */
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "bp_util.h"

volatile long bp_vars[16];
struct ktap ktap;

#define DR_OFFSET(i)	(offsetof(struct user, u_debugreg) + (i) * sizeof(long))
#define DR7_LOCAL(i)	(1UL << ((i) * 2))
#define DR7_RW(i, rw)	((unsigned long)(rw) << (16 + (i) * 4))
#define DR7_LEN(i, len)	((unsigned long)(len) << (18 + (i) * 4))
#define DR_RW_WRITE	1UL
#define DR_RW_RW	3UL
#define DR_LEN_8	2UL

static long poke_dr(pid_t pid, int i, unsigned long val)
{
	return ptrace(PTRACE_POKEUSER, pid, (void *)DR_OFFSET(i), (void *)val);
}

static unsigned long peek_dr(pid_t pid, int i)
{
	return (unsigned long)ptrace(PTRACE_PEEKUSER, pid, (void *)DR_OFFSET(i),
				     NULL);
}

/* A child that stops for its tracer, then writes bp_vars[0..3]. */
static pid_t spawn_tracee(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		for (int i = 0; i < 4; i++)
			bp_vars[i] = 42;
		_exit(0);
	}
	return pid;
}

static unsigned long dr7_all(unsigned long rw1)
{
	unsigned long dr7 = 0;

	for (int i = 0; i < 4; i++)
		dr7 |= DR7_LOCAL(i) | DR7_RW(i, i == 1 ? rw1 : DR_RW_WRITE) |
		       DR7_LEN(i, DR_LEN_8);
	return dr7;
}

static void test_gdb_watchpoints(void)
{
	unsigned long dr6_seen = 0;
	int status, traps = 0;
	pid_t pid = spawn_tracee();

	EXPECT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);

	for (int i = 0; i < 4; i++)
		EXPECT_EQ(poke_dr(pid, i, (unsigned long)&bp_vars[i]), 0);
	/* ptrace's four slots are the child's: perf finds none left. */
	EXPECT_EQ(bp_open((const void *)&bp_vars[8], HW_BREAKPOINT_W, pid, -1),
		  -ENOSPC);
	EXPECT_EQ(poke_dr(pid, 7, dr7_all(DR_RW_WRITE)), 0);
	/* gdb turns watch into awatch: a type change, the modify path */
	EXPECT_EQ(poke_dr(pid, 7, dr7_all(DR_RW_RW)), 0);
	EXPECT_EQ(peek_dr(pid, 7), dr7_all(DR_RW_RW));

	EXPECT_EQ(ptrace(PTRACE_CONT, pid, NULL, NULL), 0);
	for (;;) {
		EXPECT_EQ(waitpid(pid, &status, 0), pid);
		if (!WIFSTOPPED(status))
			break;
		if (WSTOPSIG(status) == SIGTRAP) {
			traps++;
			dr6_seen |= peek_dr(pid, 6) & 0xf;
		}
		if (ptrace(PTRACE_CONT, pid, NULL, NULL) || traps > 16)
			break;
	}
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT(traps >= 4);
	EXPECT_EQ(dr6_seen, 0xf);
	EXPECT(all_slots_free());
}

static volatile sig_atomic_t detached_traps;

static void on_sigtrap(int sig)
{
	(void)sig;
	detached_traps++;
}

/* Watchpoints stay with the task after PTRACE_DETACH, until it exits. */
static void test_detach_keeps_slots(void)
{
	int go[2], status;
	pid_t pid;
	char b;

	EXPECT_EQ(pipe(go), 0);
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		signal(SIGTRAP, on_sigtrap);
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		while (read(go[0], &b, 1) > 0)
			;
		bp_vars[5] = 1;
		bp_vars[5] = 2;
		_exit(detached_traps);
	}
	close(go[0]);
	EXPECT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(poke_dr(pid, 0, (unsigned long)&bp_vars[5]), 0);
	EXPECT_EQ(poke_dr(pid, 7, DR7_LOCAL(0) | DR7_RW(0, DR_RW_WRITE) |
			  DR7_LEN(0, DR_LEN_8)), 0);
	EXPECT_EQ(ptrace(PTRACE_DETACH, pid, NULL, NULL), 0);
	/* the detached child still pins its slot */
	EXPECT_EQ(cpu_free_slots(0), NR_SLOTS - 1);
	close(go[1]);
	EXPECT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 2);
	EXPECT(all_slots_free());
}

/* A tracer that dies with watchpoints set leaves nothing behind. */
static void test_tracee_killed(void)
{
	int status;
	pid_t pid = spawn_tracee();

	EXPECT_EQ(waitpid(pid, &status, 0), pid);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(poke_dr(pid, i, (unsigned long)&bp_vars[i]), 0);
	EXPECT_EQ(cpu_free_slots(0), 1);
	kill(pid, SIGKILL);
	EXPECT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT(all_slots_free());
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "ptrace_gdb_watchpoints", test_gdb_watchpoints },
		{ "ptrace_detach_keeps_slots", test_detach_keeps_slots },
		{ "ptrace_tracee_killed", test_tracee_killed },
	};
	int n = (int)(sizeof(tests) / sizeof(tests[0]));

	setvbuf(stdout, NULL, _IOLBF, 0);
	ktap_suite("hwbp_ptrace", n);
	for (int i = 0; i < n; i++)
		ktap_run(tests[i].name, tests[i].fn);
	return ktap_done();
}
