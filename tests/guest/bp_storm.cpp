// SPDX-License-Identifier: GPL-2.0
/*
 * bp_storm: breakpoint churn for the faults plan.
 *
 *   bp_storm WORKERS STOPFILE   WORKERS processes loop until STOPFILE
 *                               exists: open a write breakpoint on
 *                               themselves and one bound to the next CPU,
 *                               write the variable, modify both
 *                               (PERF_EVENT_IOC_MODIFY_ATTRIBUTES), close
 *                               both, pause 0-19 ms (so that the
 *                               table is empty now and then, for the
 *                               plan's insmod and rmmod).  Prints
 *                               "bp_storm: rounds=N task_opens=..
 *                               cpu_opens=.. enodev=.. modifies=.. bad=.."
 *                               when stopped; exit 1 if any call failed
 *                               with an errno it must not give.
 *   bp_storm --cpu-open CPU     open one CPU-bound breakpoint on CPU,
 *                               print "cpu-open CPU: ok" or
 *                               "cpu-open CPU: ERRNAME", close it.
 *
 * Allowed failures: ENODEV for the CPU-bound open (the CPU went offline).
 * Nothing else: WORKERS <= 3 worker tasks hold at most one task-bound and
 * one CPU-bound breakpoint each, 3 + 1 <= 4 slots on any CPU, so ENOSPC
 * would mean a slot was lost.  The CPU is the next possible one, online or
 * not (sysconf(_SC_NPROCESSORS_CONF)).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <initializer_list>

#include "bp_util.h"

volatile long bp_vars[16];
struct ktap ktap;

struct counts {
	long rounds, task_opens, cpu_opens, enodev, modifies, bad;
};

static bool stopped(const char *stop)
{
	struct stat st;

	return stat(stop, &st) == 0;
}

static void bad(struct counts *c, const char *what, int err)
{
	c->bad++;
	if (c->bad <= 5)
		fprintf(stderr, "bp_storm[%d]: %s: %s\n", getpid(), what,
			strerrorname_np(err));
}

static int modify(int fd, int w, long round)
{
	struct perf_event_attr attr;

	bp_attr_init(&attr, (const void *)&bp_vars[w * 4 + (round & 1) * 2],
		     round & 2 ? HW_BREAKPOINT_W :
		     HW_BREAKPOINT_R | HW_BREAKPOINT_W, HW_BREAKPOINT_LEN_4);
	return ioctl(fd, PERF_EVENT_IOC_MODIFY_ATTRIBUTES, &attr) ? errno : 0;
}

static void worker(int w, const char *stop, int out)
{
	int ncpu = (int)sysconf(_SC_NPROCESSORS_CONF);
	unsigned int seed = (unsigned int)getpid();
	struct counts c = {};

	while (!stopped(stop)) {
		int cpu = (int)((c.rounds + w) % ncpu);
		int ft = bp_open((const void *)&bp_vars[w * 4], HW_BREAKPOINT_W,
				 0, -1);
		int fc = bp_open((const void *)&bp_vars[w * 4 + 1],
				 HW_BREAKPOINT_W, -1, cpu);
		int e;

		if (ft >= 0)
			c.task_opens++;
		else
			bad(&c, "task open", -ft);
		if (fc >= 0)
			c.cpu_opens++;
		else if (fc == -ENODEV)
			c.enodev++;
		else
			bad(&c, "cpu open", -fc);
		bp_vars[w * 4] = c.rounds;
		for (int fd : { ft, fc }) {
			if (fd < 0)
				continue;
			e = modify(fd, w, c.rounds);
			if (e)
				bad(&c, "modify", e);
			else
				c.modifies++;
			close(fd);
		}
		c.rounds++;
		usleep(1000 * (unsigned int)(rand_r(&seed) % 20));
	}
	if (write(out, &c, sizeof(c)) != sizeof(c))
		_exit(2);
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--cpu-open")) {
		int cpu = atoi(argv[2]);
		int fd = bp_open((const void *)&bp_vars[0], HW_BREAKPOINT_W, -1,
				 cpu);

		printf("cpu-open %d: %s\n", cpu, fd >= 0 ? "ok" :
		       strerrorname_np(-fd));
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (argc != 3 || atoi(argv[1]) < 1 || atoi(argv[1]) > 3) {
		fprintf(stderr, "usage: bp_storm WORKERS(1-3) STOPFILE | --cpu-open CPU\n");
		return 2;
	}
	int n = atoi(argv[1]), pipefd[2];
	struct counts sum = {};

	if (pipe(pipefd))
		return 2;
	for (int w = 0; w < n; w++)
		if (fork() == 0)
			worker(w, argv[2], pipefd[1]);
	close(pipefd[1]);
	for (int w = 0; w < n; w++) {
		struct counts c;

		if (read(pipefd[0], &c, sizeof(c)) != sizeof(c)) {
			fprintf(stderr, "bp_storm: a worker died\n");
			sum.bad++;
			continue;
		}
		sum.rounds += c.rounds;
		sum.task_opens += c.task_opens;
		sum.cpu_opens += c.cpu_opens;
		sum.enodev += c.enodev;
		sum.modifies += c.modifies;
		sum.bad += c.bad;
	}
	while (wait(NULL) > 0)
		;
	printf("bp_storm: rounds=%ld task_opens=%ld cpu_opens=%ld enodev=%ld modifies=%ld bad=%ld\n",
	       sum.rounds, sum.task_opens, sum.cpu_opens, sum.enodev,
	       sum.modifies, sum.bad);
	return sum.bad ? 1 : 0;
}
