// SPDX-License-Identifier: GPL-2.0
/*
 * bp_open: open N write breakpoints on the calling task (pid 0, any CPU)
 * with perf_event_open(), on N distinct variables, and report how far it got.
 *
 *   bp_open N   prints "bp_open: opened K of N" and, if an open failed,
 *               "bp_open: open K+1 failed: ERRNAME (errno)".
 *               Exit 0 if all N opened, 1 if one failed, 2 on usage error.
 *
 * On x86 (4 debug registers) "bp_open 5" opens 4 and the 5th gets ENOSPC.
 */
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_BP 64

static volatile long vars[MAX_BP];

static const char *errname(int e)
{
	switch (e) {
	case ENOSPC: return "ENOSPC";
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOMEM: return "ENOMEM";
	case ENODEV: return "ENODEV";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return "E?";
	}
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? std::atoi(argv[1]) : 5;
	int fds[MAX_BP];
	int opened = 0;
	int err = 0;

	if (n < 1 || n > MAX_BP) {
		std::fprintf(stderr, "usage: bp_open N (1..%d)\n", MAX_BP);
		return 2;
	}
	for (int i = 0; i < n; i++) {
		struct perf_event_attr attr;

		std::memset(&attr, 0, sizeof(attr));
		attr.type = PERF_TYPE_BREAKPOINT;
		attr.size = sizeof(attr);
		attr.bp_type = HW_BREAKPOINT_W;
		attr.bp_addr = (unsigned long)&vars[i];
		attr.bp_len = HW_BREAKPOINT_LEN_8;
		attr.sample_period = 1;
		attr.exclude_kernel = 1;
		attr.exclude_hv = 1;
		fds[i] = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
		if (fds[i] < 0) {
			err = errno;
			break;
		}
		opened++;
	}
	std::printf("bp_open: opened %d of %d\n", opened, n);
	if (err)
		std::printf("bp_open: open %d failed: %s (%d)\n", opened + 1,
			    errname(err), err);
	for (int i = 0; i < opened; i++)
		close(fds[i]);
	return err ? 1 : 0;
}
