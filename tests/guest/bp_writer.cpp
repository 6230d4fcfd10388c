// SPDX-License-Identifier: GPL-2.0
/*
 * bp_writer: write a global variable a known number of times.
 *
 *   bp_writer --addr    print the variable's address (0x...) and exit
 *   bp_writer N         write the variable N times (default 1000), print
 *                       "bp_writer: wrote N times to 0xADDR"
 *
 * Built with g++ -static (not PIE), so the address is the same on every run:
 *   perf stat -e mem:$(bp_writer --addr):w -- bp_writer 1000
 * counts exactly 1000.  Nothing else writes the variable: it lives in .data
 * and is only written by the loop below.
 *
 * perf stat prints "<not counted>" instead of the count when the event's
 * enabled or running time is 0.  Those times advance with the kernel's
 * sched_clock while the task runs; when the guest has no usable TSC
 * (QEMU TCG under load, or -cpu max,-tsc) sched_clock moves in jiffies, and
 * a task that execs, writes nothing and exits within one jiffy has both
 * times at 0.  So before exiting, bp_writer runs until its own CPU-time
 * clock (the same sched_clock, read by the kernel for this task) has moved
 * since main() began: the event, enabled at exec, was then running while
 * the clock advanced, and perf always prints a number.  On a nanosecond
 * clock this costs one or two clock reads; on jiffies at most one tick.
 */
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

static long long thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * 4 bytes, 4-aligned: the default length of a perf "mem:" breakpoint.
 * Initialised, so it lives in .data: the kernel zeroes the start of .bss
 * through the user address at exec, which a breakpoint on a .bss variable
 * would count.
 */
volatile int bp_target __attribute__((aligned(8))) = -1;

int main(int argc, char **argv)
{
	long long t0 = thread_cpu_ns();
	long n = 1000;

	if (argc > 1 && std::strcmp(argv[1], "--addr") == 0) {
		std::printf("%p\n", (void *)&bp_target);
		return 0;
	}
	if (argc > 1) {
		char *end;

		n = std::strtol(argv[1], &end, 0);
		if (*end || n < 0) {
			std::fprintf(stderr, "usage: bp_writer [--addr | N]\n");
			return 2;
		}
	}
	for (long i = 0; i < n; i++)
		bp_target = (int)i;
	while (thread_cpu_ns() == t0)
		;
	std::printf("bp_writer: wrote %ld times to %p\n", n, (void *)&bp_target);
	return 0;
}
