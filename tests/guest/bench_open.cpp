// SPDX-License-Identifier: GPL-2.0
/*
 * bench_open: perf_event_open()+close() latency of breakpoint events, and the
 * CPU-bound load of the mixed workload (scripts/bench, plan-bench.sh).
 *
 *   bench_open task N      N x open+close of a task-bound bp (this task, any CPU)
 *   bench_open cpu N       N x open+close of a CPU-bound bp, CPUs in turn
 *   bench_open cpuloop     CPU-bound open+close, CPUs in turn, until SIGTERM
 *
 * task/cpu print "ns_per_op X"; cpuloop prints "cpu_ops N ops_per_sec X" when
 * stopped.  Exit 1 on any open error.
 */
#include <signal.h>
#include <time.h>

#include "bp_util.h"

static long bench_target;
static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 0, or -errno of the open */
static int open_close(pid_t pid, int cpu)
{
	int fd = bp_open(&bench_target, HW_BREAKPOINT_W, pid, cpu);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	const char *mode = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 0;
	long i, ops = 0;
	double t0, t1;
	int err;

	if (ncpus < 1)
		ncpus = 1;
	if (!strcmp(mode, "cpuloop")) {
		signal(SIGTERM, on_term);
		signal(SIGINT, on_term);
		t0 = now();
		while (!stop) {
			err = open_close(-1, (int)(ops % ncpus));
			if (err && err != -ENOSPC) {
				fprintf(stderr, "bench_open: cpu open: %s\n",
					strerror(-err));
				return 1;
			}
			ops++;
		}
		t1 = now();
		printf("cpu_ops %ld ops_per_sec %.1f\n", ops,
		       (double)ops / (t1 - t0));
		return 0;
	}
	if ((strcmp(mode, "task") && strcmp(mode, "cpu")) || n < 1) {
		fprintf(stderr, "usage: bench_open task|cpu N | cpuloop\n");
		return 2;
	}
	t0 = now();
	for (i = 0; i < n; i++) {
		if (!strcmp(mode, "task"))
			err = open_close(0, -1);
		else
			err = open_close(-1, (int)(i % ncpus));
		if (err) {
			fprintf(stderr, "bench_open: %s open: %s\n", mode,
				strerror(-err));
			return 1;
		}
	}
	t1 = now();
	printf("ns_per_op %.1f\n", (t1 - t0) * 1e9 / (double)n);
	return 0;
}
