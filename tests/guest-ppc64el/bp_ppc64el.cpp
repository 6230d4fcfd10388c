// SPDX-License-Identifier: GPL-2.0
/*
 * bp_ppc64el [--slots]: powerpc slot accounting seen from user space, with
 * real perf events and ptrace (PPC_PTRACE_SETHWDEBUG); must pass on the
 * stock kernel and under hwbp alike.  powerpc has data breakpoints only
 * (DAWR0, and DAWR1 when CPU_FTR_DAWR1): the slot count is the kernel's
 * nr_wp_slots() as ptrace's PPC_PTRACE_GETHWDBGINFO reports it
 * (num_data_bps of a traced child).  "--slots" prints that number and
 * exits.
 *
 * QEMU 7.2's TCG does not emulate the DAWR: breakpoints are accepted and
 * installed but never fire, so hit counts are reported (as a skipped case
 * when zero), never required.
 *
 * PERF_EVENT_IOC_MODIFY_ATTRIBUTES and PTRACE_SET_DEBUGREG exercise the two
 * modify paths.
 *
 * Prints one KTAP suite (see ../guest/bp_util.h); exit 1 if a test failed.
 */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "../guest/bp_util.h"

/* powerpc uapi <asm/ptrace.h>, spelt out: it clashes with glibc's. */
#define HWBP_PPC_GETHWDBGINFO	0x89
#define HWBP_PPC_SETHWDEBUG	0x88
#define HWBP_PPC_DELHWDEBUG	0x87
#define HWBP_PTRACE_SET_DEBUGREG	26

struct hwbp_ppc_debug_info {
	uint32_t version;
	uint32_t num_instruction_bps;
	uint32_t num_data_bps;
	uint32_t num_condition_regs;
	uint32_t data_bp_alignment;
	uint32_t sizeof_condition;
	uint64_t features;
};

struct hwbp_ppc_hw_breakpoint {
	uint32_t version;		/* 1 */
	uint32_t trigger_type;		/* 2: PPC_BREAKPOINT_TRIGGER_WRITE */
	uint32_t addr_mode;		/* 0: PPC_BREAKPOINT_MODE_EXACT */
	uint32_t condition_mode;	/* 0: PPC_BREAKPOINT_CONDITION_NONE */
	uint64_t addr;
	uint64_t addr2;
	uint64_t condition_value;
};

volatile long bp_vars[16];
struct ktap ktap;

static int nr_slots = -1;

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

/* A child stopped under ptrace; it only waits to be killed. */
static pid_t traced_child(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		/* gone with the parent, even if an oops kills it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		for (;;)
			pause();
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		return -1;
	return pid;
}

static void kill_child(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static int debug_info_slots(void)
{
	struct hwbp_ppc_debug_info info;
	pid_t pid = traced_child();
	long r;

	if (pid < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	r = ptrace((enum __ptrace_request)HWBP_PPC_GETHWDBGINFO, pid, NULL, &info);
	kill_child(pid);
	return r ? -1 : (int)info.num_data_bps;
}

/* How many CPU-bound watchpoints fit on @cpu now (closed again). */
static int cpu_free(int cpu)
{
	int fds[17], n = 0;

	while (n < 17) {
		int fd = open_w(n % 16, -1, cpu);

		if (fd < 0)
			break;
		fds[n++] = fd;
	}
	close_all(fds, n);
	return n;
}

static void test_debug_info(void)
{
	printf("    # PPC_PTRACE_GETHWDBGINFO: num_data_bps=%d\n", nr_slots);
	EXPECT(nr_slots >= 1 && nr_slots <= 2);
}

/* Task watchpoints up to the limit; the next is refused with ENOSPC. */
static void test_task_to_limit(void)
{
	int fds[16];

	for (int i = 0; i < nr_slots; i++) {
		fds[i] = open_w(i, 0, -1);
		EXPECT(fds[i] >= 0);
	}
	EXPECT_EQ(open_w(nr_slots, 0, -1), -ENOSPC);
	close_all(fds, nr_slots);
	/* and all back once closed */
	for (int i = 0; i < nr_slots; i++) {
		fds[i] = open_w(i, 0, -1);
		EXPECT(fds[i] >= 0);
	}
	close_all(fds, nr_slots);
}

/* Every CPU: nr_slots CPU-bound watchpoints, not one more. */
static void test_cpu_to_limit(void)
{
	for (int cpu = 0; cpu < nr_cpus(); cpu++)
		EXPECT_EQ(cpu_free(cpu), nr_slots);
}

/* Once the slots are given back, a watchpoint of @pid fits again. */
static void expect_one_fits(pid_t pid)
{
	int fd = open_w(0, pid, -1);

	EXPECT(fd >= 0);
	if (fd >= 0)
		close(fd);
}

/* CPU-bound watchpoints filling CPU 0 leave no slot for a task's. */
static void test_cpu_and_task_share(void)
{
	int fds[16];

	for (int i = 0; i < nr_slots; i++) {
		fds[i] = open_w(i, -1, 0);
		EXPECT(fds[i] >= 0);
	}
	EXPECT_EQ(open_w(nr_slots, 0, -1), -ENOSPC);
	close_all(fds, nr_slots);
	expect_one_fits(0);
}

/*
 * PERF_EVENT_IOC_MODIFY_ATTRIBUTES (modify_user_hw_breakpoint_check()):
 * moving a watchpoint and making it read/write keeps its one slot; a change
 * to anything but the breakpoint fields is refused with EINVAL.
 */
static void test_modify_attributes(void)
{
	struct perf_event_attr attr;
	int fds[16] = { -1 };

	for (int i = 0; i < nr_slots; i++) {
		fds[i] = open_w(i, 0, -1);
		EXPECT(fds[i] >= 0);
	}
	if (fds[0] < 0) {
		close_all(fds, nr_slots);
		return;
	}
	bp_attr_init(&attr, (const void *)&bp_vars[12],
		     HW_BREAKPOINT_R | HW_BREAKPOINT_W, HW_BREAKPOINT_LEN_4);
	EXPECT_EQ(ioctl(fds[0], PERF_EVENT_IOC_MODIFY_ATTRIBUTES, &attr), 0);
	EXPECT_EQ(open_w(nr_slots, 0, -1), -ENOSPC);
	attr.exclude_user = 1;
	EXPECT_EQ(ioctl(fds[0], PERF_EVENT_IOC_MODIFY_ATTRIBUTES, &attr) ?
		  -errno : 0, -EINVAL);
	EXPECT_EQ(open_w(nr_slots, 0, -1), -ENOSPC);
	close_all(fds, nr_slots);
	expect_one_fits(0);
}

/* Writes to a watched word; the count is what the hardware delivered. */
static long long hits;
static void test_hits(void)
{
	int fd = open_w(0, 0, -1);

	EXPECT(fd >= 0);
	if (fd < 0)
		return;
	for (int k = 0; k < 5; k++)
		bp_vars[0] = k;
	hits = bp_count(fd);
	close(fd);
	printf("    # 5 writes to a watched word: count %lld\n", hits);
	EXPECT(hits == 0 || hits == 5);
}

/*
 * ptrace's watchpoints take the same slots: one set on a traced child
 * through PPC_PTRACE_SETHWDEBUG (or PTRACE_SET_DEBUGREG) makes the child's
 * next perf watchpoint beyond the limit fail, and deleting it gives the slot back.
 */
static void test_ptrace_slots(void)
{
	struct hwbp_ppc_hw_breakpoint hw;
	int fds[16], n = 0;
	pid_t pid = traced_child();
	long h;

	EXPECT(pid > 0);
	if (pid <= 0)
		return;
	memset(&hw, 0, sizeof(hw));
	hw.version = 1;
	hw.trigger_type = 2;
	hw.addr = (uintptr_t)&bp_vars[8];
	h = ptrace((enum __ptrace_request)HWBP_PPC_SETHWDEBUG, pid, NULL, &hw);
	EXPECT(h >= 1);
	for (int i = 0; i < nr_slots - 1; i++) {
		fds[n] = open_w(i, pid, -1);
		EXPECT(fds[n] >= 0);
		n++;
	}
	EXPECT_EQ(open_w(nr_slots, pid, -1), -ENOSPC);
	close_all(fds, n);
	if (h >= 1)
		EXPECT_EQ(ptrace((enum __ptrace_request)HWBP_PPC_DELHWDEBUG, pid,
				 NULL, (void *)h), 0);
	expect_one_fits(pid);

	/*
	 * The old interface, PTRACE_SET_DEBUGREG (DABR value: address |
	 * TRANSLATE 4 | WRITE 2): a second value modifies the same event
	 * (modify_user_hw_breakpoint()), 0 unregisters it.
	 */
	EXPECT_EQ(ptrace((enum __ptrace_request)HWBP_PTRACE_SET_DEBUGREG, pid,
			 NULL, (void *)((uintptr_t)&bp_vars[8] | 6)), 0);
	EXPECT_EQ(ptrace((enum __ptrace_request)HWBP_PTRACE_SET_DEBUGREG, pid,
			 NULL, (void *)((uintptr_t)&bp_vars[10] | 6)), 0);
	if (nr_slots == 1)
		EXPECT_EQ(open_w(0, pid, -1), -ENOSPC);
	EXPECT_EQ(ptrace((enum __ptrace_request)HWBP_PTRACE_SET_DEBUGREG, pid,
			 NULL, NULL), 0);
	expect_one_fits(pid);
	kill_child(pid);
}

/* ptrace's SETHWDEBUG write watchpoint on @pid's @addr: handle or -errno. */
static long ptrace_watch(pid_t pid, const volatile void *addr)
{
	struct hwbp_ppc_hw_breakpoint hw;
	long h;

	memset(&hw, 0, sizeof(hw));
	hw.version = 1;
	hw.trigger_type = 2;
	hw.addr = (uintptr_t)addr;
	h = ptrace((enum __ptrace_request)HWBP_PPC_SETHWDEBUG, pid, NULL, &hw);
	return h < 0 ? -errno : h;
}

/*
 * Before 6.6 the kernel refuses a perf watchpoint and a ptrace one whose
 * ranges overlap on the same task, and a ptrace one on any task while a
 * CPU-bound perf one overlaps it (arch_reserve_bp_slot()); 6.6 dropped
 * the rule.  With room for both (2 DAWRs), the answer is the rule's: the
 * same on the stock path and under hwbp (its table hooks, hwbp_ppc.h).
 * With one DAWR the slot count refuses first and the rule cannot be seen:
 * the case is skipped (QEMU's pseries has one; tests/arch_powerpc_test.cpp
 * runs the rule on the host).
 */
static void test_ptrace_perf_exclusion(void)
{
	struct utsname u;
	int major = 0, minor = 0, fd;
	bool rule;
	pid_t pid;
	long h;

	EXPECT(uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2);
	rule = major < 6 || (major == 6 && minor < 6);
	printf("    # kernel %d.%d: exclusion rule %s\n", major, minor,
	       rule ? "on" : "off");
	pid = traced_child();
	EXPECT(pid > 0);
	if (pid <= 0)
		return;
	/* same task: ptrace first, then an overlapping perf watchpoint */
	h = ptrace_watch(pid, &bp_vars[8]);
	EXPECT(h >= 1);
	fd = open_w(8, pid, -1);
	EXPECT_EQ(fd < 0 ? fd : 0, rule ? -ENOSPC : 0);
	if (fd >= 0)
		close(fd);
	/* not overlapping: always fits */
	fd = open_w(0, pid, -1);
	EXPECT(fd >= 0);
	if (fd >= 0)
		close(fd);
	if (h >= 1)
		EXPECT_EQ(ptrace((enum __ptrace_request)HWBP_PPC_DELHWDEBUG, pid,
				 NULL, (void *)h), 0);
	/* a CPU-bound perf watchpoint keeps ptrace off its range, any task */
	fd = open_w(8, -1, 0);
	EXPECT(fd >= 0);
	h = ptrace_watch(pid, &bp_vars[8]);
	EXPECT_EQ(h < 0 ? h : 0, rule ? -ENOSPC : 0);
	if (h >= 1)
		EXPECT_EQ(ptrace((enum __ptrace_request)HWBP_PPC_DELHWDEBUG, pid,
				 NULL, (void *)h), 0);
	if (fd >= 0)
		close(fd);
	/* and, the perf one gone, ptrace fits again */
	h = ptrace_watch(pid, &bp_vars[8]);
	EXPECT(h >= 1);
	kill_child(pid);
}

static void test_all_free_at_end(void)
{
	for (int cpu = 0; cpu < nr_cpus(); cpu++)
		EXPECT_EQ(cpu_free(cpu), nr_slots);
}

int main(int argc, char **argv)
{
	nr_slots = debug_info_slots();
	if (argc > 1 && !strcmp(argv[1], "--slots")) {
		printf("%d\n", nr_slots);
		return nr_slots < 0;
	}
	ktap_suite("ppc64el_bp", 9);
	ktap_run("debug_info", test_debug_info);
	if (nr_slots < 1)
		nr_slots = 1;
	ktap_run("task_to_limit_then_enospc", test_task_to_limit);
	ktap_run("cpu_to_limit_then_enospc", test_cpu_to_limit);
	ktap_run("cpu_and_task_share_slots", test_cpu_and_task_share);
	ktap_run("modify_attributes_keeps_the_slot", test_modify_attributes);
	ktap_run("ptrace_takes_a_slot", test_ptrace_slots);
	if (nr_slots >= 2) {
		ktap_run("ptrace_perf_exclusion", test_ptrace_perf_exclusion);
	} else {
		ktap.n++;
		printf("    ok %d ptrace_perf_exclusion # SKIP one DAWR: the slot count refuses before the rule\n",
		       ktap.n);
		fflush(stdout);
	}
	ktap.cur_ok = true;
	test_hits();
	ktap.n++;
	if (!ktap.cur_ok)
		ktap.failed++;
	if (ktap.cur_ok && hits == 0)
		printf("    ok %d hits_counted # SKIP no DAWR emulation in QEMU TCG: watchpoints never fire\n",
		       ktap.n);
	else
		printf("    %s %d hits_counted\n", ktap.cur_ok ? "ok" : "not ok",
		       ktap.n);
	fflush(stdout);
	ktap_run("all_slots_free_at_end", test_all_free_at_end);
	return ktap_done();
}
