// SPDX-License-Identifier: GPL-2.0
/*
 * A battery of breakpoint attributes, good and bad, opened and modified; one
 * line per case: its name and the errno it got (0 for success).  The guest
 * plan runs it on the stock kernel and under hwbp and requires the two
 * outputs to be identical: bad input must get the stock kernel's errno.
 */
#include <pwd.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "bp_util.h"

volatile long bp_vars[16];
struct ktap ktap;

static const void *kaddr = (const void *)0xffffffff81000000UL;

static void report(const char *name, int ret)
{
	printf("%-28s %d\n", name, ret < 0 ? -ret : 0);
}

static void open_case(const char *name, const void *addr, unsigned int type,
		      unsigned int len, bool excl_kernel, pid_t pid, int cpu)
{
	struct perf_event_attr attr;
	int fd;

	bp_attr_init(&attr, addr, type, len);
	attr.exclude_kernel = excl_kernel;
	fd = bp_open_attr(&attr, pid, cpu);
	report(name, fd);
	if (fd >= 0)
		close(fd);
}

static void modify_case(const char *name, const void *addr, unsigned int type,
			unsigned int len, unsigned long long extra_flags)
{
	struct perf_event_attr attr;
	int fd, ret;

	bp_attr_init(&attr, (const void *)&bp_vars[0], HW_BREAKPOINT_W,
		     HW_BREAKPOINT_LEN_8);
	fd = bp_open_attr(&attr, 0, -1);
	if (fd < 0) {
		report(name, fd);
		return;
	}
	attr.bp_addr = (uintptr_t)addr;
	attr.bp_type = type;
	attr.bp_len = len;
	if (extra_flags)
		attr.exclude_idle = 1;
	ret = ioctl(fd, PERF_EVENT_IOC_MODIFY_ATTRIBUTES, &attr);
	report(name, ret < 0 ? -errno : 0);
	close(fd);
}

/* The same case as an unprivileged user, from a child. */
static void unpriv_case(const char *name, const void *addr, bool excl_kernel)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct perf_event_attr attr;
		int fd;

		if (setgid(65534) || setuid(65534))
			_exit(255);
		bp_attr_init(&attr, addr, HW_BREAKPOINT_W, HW_BREAKPOINT_LEN_4);
		attr.exclude_kernel = excl_kernel;
		fd = bp_open_attr(&attr, 0, -1);
		_exit(fd < 0 ? -fd : 0);
	}
	waitpid(pid, &status, 0);
	printf("%-28s %d\n", name, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void full_table_case(const char *name, unsigned int type,
			    unsigned int len)
{
	int fds[NR_SLOTS];

	for (int i = 0; i < NR_SLOTS; i++)
		fds[i] = bp_open((const void *)&bp_vars[i], HW_BREAKPOINT_W,
				 0, -1);
	open_case(name, (const void *)&bp_vars[8], type, len, true, 0, -1);
	for (int i = 0; i < NR_SLOTS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int main(void)
{
	const void *v = (const void *)&bp_vars[2];
	const char *cv = (const char *)v;
	struct perf_event_attr attr;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	open_case("good_w_len4", v, HW_BREAKPOINT_W, 4, true, 0, -1);
	open_case("good_rw_len8", v, HW_BREAKPOINT_RW, 8, true, 0, -1);
	open_case("good_w_len1_odd", cv + 1, HW_BREAKPOINT_W, 1, true, 0, -1);
	open_case("len0", v, HW_BREAKPOINT_W, 0, true, 0, -1);
	open_case("len3", v, HW_BREAKPOINT_W, 3, true, 0, -1);
	open_case("len5", v, HW_BREAKPOINT_W, 5, true, 0, -1);
	open_case("len16", v, HW_BREAKPOINT_W, 16, true, 0, -1);
	open_case("misaligned_len2", cv + 1, HW_BREAKPOINT_W, 2, true, 0, -1);
	open_case("misaligned_len4", cv + 2, HW_BREAKPOINT_W, 4, true, 0, -1);
	open_case("misaligned_len8", cv + 4, HW_BREAKPOINT_W, 8, true, 0, -1);
	open_case("type_empty", v, HW_BREAKPOINT_EMPTY, 4, true, 0, -1);
	open_case("type_invalid", v, HW_BREAKPOINT_INVALID, 4, true, 0, -1);
	open_case("type_r_only", v, HW_BREAKPOINT_R, 4, true, 0, -1);
	open_case("type_wx", v, HW_BREAKPOINT_W | HW_BREAKPOINT_X, 4, true,
		  0, -1);
	open_case("type_x_len1", (const void *)main, HW_BREAKPOINT_X, 1, true,
		  0, -1);
	open_case("type_x_len8", (const void *)main, HW_BREAKPOINT_X, 8, true,
		  0, -1);
	open_case("type_bits_high", v, 8 | HW_BREAKPOINT_W, 4, true, 0, -1);
	open_case("kernel_addr_excl_kernel", kaddr, HW_BREAKPOINT_W, 4, true,
		  0, -1);
	open_case("kernel_addr_root", kaddr, HW_BREAKPOINT_W, 4, false, 0, -1);
	open_case("kernel_addr_root_cpu0", kaddr, HW_BREAKPOINT_W, 4, false,
		  -1, 0);
	open_case("bad_cpu", v, HW_BREAKPOINT_W, 4, true, -1, 4096);
	open_case("bad_pid", v, HW_BREAKPOINT_W, 4, true, 4000000, -1);
	open_case("cpu_wide_all_cpus", v, HW_BREAKPOINT_W, 4, true, -1, -1);
	unpriv_case("unpriv_user_addr", v, true);
	unpriv_case("unpriv_kernel_addr", kaddr, true);
	unpriv_case("unpriv_kernel_addr_incl", kaddr, false);

	bp_attr_init(&attr, v, HW_BREAKPOINT_W, 4);
	attr.sample_type = PERF_SAMPLE_BRANCH_STACK;
	attr.branch_sample_type = PERF_SAMPLE_BRANCH_ANY;
	attr.sample_period = 1;
	fd = bp_open_attr(&attr, 0, -1);
	report("branch_stack", fd);
	if (fd >= 0)
		close(fd);

	full_table_case("full_then_len3", HW_BREAKPOINT_W, 3);
	full_table_case("full_then_empty", HW_BREAKPOINT_EMPTY, 4);
	full_table_case("full_then_invalid", HW_BREAKPOINT_INVALID, 4);
	full_table_case("full_then_x", HW_BREAKPOINT_X, 8);
	full_table_case("full_then_bits_high", 8 | HW_BREAKPOINT_W, 4);
	full_table_case("full_then_bits_x_high", 8 | HW_BREAKPOINT_X, 8);

	modify_case("modify_ok_rw", v, HW_BREAKPOINT_RW, 8, 0);
	modify_case("modify_len3", v, HW_BREAKPOINT_W, 3, 0);
	modify_case("modify_misaligned", cv + 4, HW_BREAKPOINT_W, 8, 0);
	modify_case("modify_empty", v, HW_BREAKPOINT_EMPTY, 8, 0);
	modify_case("modify_invalid", v, HW_BREAKPOINT_INVALID, 8, 0);
	modify_case("modify_to_x", (const void *)main, HW_BREAKPOINT_X, 8, 0);
	modify_case("modify_kernel_addr", kaddr, HW_BREAKPOINT_W, 8, 0);
	modify_case("modify_other_field", v, HW_BREAKPOINT_W, 8, 1);

	printf("all_slots_free_after         %d\n", all_slots_free() ? 0 : 1);
	return 0;
}
