// SPDX-License-Identifier: GPL-2.0
/*
 * bench_mem N [PER_TASK]: kernel memory per breakpoint, from the slab
 * counters.  Starts ceil(N / PER_TASK) threads that sleep (PER_TASK default
 * 1, so every bp also pays for the per-task state of its own task), waits,
 * reads /proc/slabinfo and /proc/meminfo, opens N task-bound write
 * breakpoints (disabled: no IPI, the slots are taken all the same) on them,
 * waits again (deferred frees and rhashtable resizes), reads them again and
 * prints, per breakpoint:
 *   mem bps=N per_task=P slab=B memfree=F	(bytes per bp)
 *   mem cache=NAME bytes=B objs=O		(each cache that grew)
 * slab: growth of the caches' num_objs * objsize (whole slabs); memfree:
 * what MemFree lost, which also sees pages from the page allocator (big
 * kvmalloc()s, as a grown hash table's buckets).  Both are only meaningful
 * when N is large against a slab or a page.
 */
#include <limits.h>
#include <map>
#include <pthread.h>
#include <stdlib.h>
#include <string>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <vector>

#include "bp_util.h"

volatile long bp_vars[16];
struct ktap ktap;

static std::vector<pid_t> tids;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *sleeper(void *)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);

	pthread_mutex_lock(&lock);
	tids.push_back(tid);
	pthread_mutex_unlock(&lock);
	for (;;)
		pause();
	return NULL;
}

struct cache {
	long long objs, bytes;
};

static std::map<std::string, cache> slabs(void)
{
	std::map<std::string, cache> m;
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512], name[128];
	long long active, num, size;

	if (!f)
		return m;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %lld %lld %lld", name, &active, &num,
			   &size) == 4)
			m[name] = cache{ num, num * size };
	}
	fclose(f);
	return m;
}

static long long memfree(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long long kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1;
	long per = argc > 2 ? atol(argv[2]) : 1;
	long ntask, i;
	std::vector<int> fds;
	pthread_attr_t attr;
	struct rlimit rl;

	if (n < 1 || per < 1 || per > 4)
		return 2;
	ntask = (n + per - 1) / per;
	rl.rlim_cur = rl.rlim_max = (rlim_t)n + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		perror("bench_mem: setrlimit");
		return 1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN + 16384);
	for (i = 0; i < ntask; i++) {
		pthread_t t;

		if (pthread_create(&t, &attr, sleeper, NULL)) {
			fprintf(stderr, "bench_mem: thread %ld failed\n", i);
			return 1;
		}
	}
	for (;;) {
		pthread_mutex_lock(&lock);
		i = (long)tids.size();
		pthread_mutex_unlock(&lock);
		if (i == ntask)
			break;
		usleep(10000);
	}
	sleep(2);
	std::map<std::string, cache> s0 = slabs();
	long long f0 = memfree();

	for (i = 0; i < n; i++) {
		struct perf_event_attr a;
		int fd;

		bp_attr_init(&a, (const void *)&bp_vars[i % per],
			     HW_BREAKPOINT_W, HW_BREAKPOINT_LEN_4);
		a.disabled = 1;
		fd = bp_open_attr(&a, tids[i / per], -1);
		if (fd < 0) {
			fprintf(stderr, "bench_mem: open %ld: %s\n", i + 1,
				strerror(-fd));
			return 1;
		}
		fds.push_back(fd);
	}
	sleep(2);
	std::map<std::string, cache> s1 = slabs();
	long long f1 = memfree();
	long long total = 0;

	for (auto &c : s1) {
		auto o = s0.find(c.first);
		long long b = c.second.bytes - (o == s0.end() ? 0 : o->second.bytes);
		long long k = c.second.objs - (o == s0.end() ? 0 : o->second.objs);

		total += b;
		if (b > 0)
			printf("mem cache=%s bytes=%.1f objs=%lld\n",
			       c.first.c_str(), (double)b / n, k);
	}
	printf("mem bps=%ld per_task=%ld slab=%.1f memfree=%.1f\n", n, per,
	       (double)total / n, (double)(f0 - f1) / n);
	for (int fd : fds)
		close(fd);
	return 0;
}
