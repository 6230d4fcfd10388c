// SPDX-License-Identifier: GPL-2.0
/*
 * Google Benchmark: cost of one reserve + release against the number of
 * live tasks holding breakpoints (1 to 10,000) and of CPUs (1 to 256).
 *
 *  TaskBp     an extra cpu == -1 bp for an existing task (entry exists)
 *  TaskCpuBp  an extra bp on one CPU for an existing task
 *  NewTask    a task's first bp: entry allocated and freed each time
 *  CpuBp      a CPU-bound bp (takes table_lock for write)
 *
 * Each iteration picks the next live task in turn, so large task counts
 * also pay for cache misses on entries; the algorithm is O(1) in tasks.
 */
#include <hwbp/constraint_table.h>

#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

namespace {

const hwbp_layout X86 = { { 4, 4 }, true };

struct Fixture {
	hwbp_table *t;
	std::unique_ptr<char[]> owners;
	std::vector<hwbp_bp> held;
	unsigned int nr_tasks, nr_cpus;

	Fixture(unsigned int tasks, unsigned int cpus)
		: owners(new char[tasks + 1]), held(tasks + cpus),
		  nr_tasks(tasks), nr_cpus(cpus)
	{
		t = hwbp_table_create(&X86, cpus, nullptr);
		for (unsigned int i = 0; i < tasks; i++) {
			hwbp_bp *b = &held[i];

			b->owner = &owners[i];
			b->cpu = i % 2 ? -1 : (int)(i / 2 % cpus);
			b->bp_type = HWBP_W;
			b->weight = 1;
			if (hwbp_reserve(t, b))
				abort();
		}
		for (unsigned int c = 0; c < cpus; c++) {
			hwbp_bp *b = &held[tasks + c];

			b->owner = nullptr;
			b->cpu = (int)c;
			b->bp_type = HWBP_X;
			b->weight = 1;
			if (hwbp_reserve(t, b))
				abort();
		}
	}

	~Fixture()
	{
		for (auto &b : held)
			hwbp_release(t, &b);
		hwbp_table_destroy(t);
	}
};

enum Kind { TASK_ANY, TASK_CPU, NEW_TASK, CPU_BOUND };

void run(benchmark::State &state, Kind kind)
{
	unsigned int tasks = (unsigned int)state.range(0);
	unsigned int cpus = (unsigned int)state.range(1);
	Fixture f(tasks, cpus);
	hwbp_bp b = {};
	unsigned int i = 0;

	b.bp_type = HWBP_RW;
	b.weight = 1;
	for (auto _ : state) {
		i = i + 1 == tasks ? 0 : i + 1;
		switch (kind) {
		case TASK_ANY:
			b.owner = &f.owners[i];
			b.cpu = -1;
			break;
		case TASK_CPU:
			b.owner = &f.owners[i];
			b.cpu = (int)(i % cpus);
			break;
		case NEW_TASK:
			b.owner = &f.owners[tasks];	/* never has an entry */
			b.cpu = -1;
			break;
		case CPU_BOUND:
			b.owner = nullptr;
			b.cpu = (int)(i % cpus);
			break;
		}
		if (hwbp_reserve(f.t, &b))
			state.SkipWithError("reserve failed");
		hwbp_release(f.t, &b);
	}
	state.counters["ns_per_op"] = benchmark::Counter(
		(double)state.iterations(),
		benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void TaskBp(benchmark::State &s) { run(s, TASK_ANY); }
void TaskCpuBp(benchmark::State &s) { run(s, TASK_CPU); }
void NewTask(benchmark::State &s) { run(s, NEW_TASK); }
void CpuBp(benchmark::State &s) { run(s, CPU_BOUND); }

void args(benchmark::internal::Benchmark *b)
{
	b->ArgNames({ "tasks", "cpus" })
		->ArgsProduct({ { 1, 10, 100, 1000, 10000 },
				{ 1, 4, 16, 64, 256 } })
		->MinTime(0.1);
}

BENCHMARK(TaskBp)->Apply(args);
BENCHMARK(TaskCpuBp)->Apply(args);
BENCHMARK(NewTask)->Apply(args);
BENCHMARK(CpuBp)->Apply(args);

} /* namespace */

BENCHMARK_MAIN();
