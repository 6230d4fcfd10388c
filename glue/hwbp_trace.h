/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwbp trace events: who reserved, released or was refused a breakpoint
 * slot, pinned or flexible, and each time a breakpoint could not be
 * installed for want of a register (hwbp_sched_out: a flexible one waits
 * for perf's next rotation).  A user who gets ENOSPC runs
 *   perf trace -e 'hwbp:*'   or   echo 1 > /sys/kernel/tracing/events/hwbp/enable
 * to see which tasks hold the slots.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hwbp

#if !defined(HWBP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define HWBP_TRACE_H

#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/tracepoint.h>

/* Once only: this header is read again for each tracing stage. */
#ifndef HWBP_TRACE_HELPERS
#define HWBP_TRACE_HELPERS

/* The target task's comm, or "-" for a CPU-bound breakpoint. */
static inline const char *hwbp_trace_comm(const struct perf_event *bp)
{
	const struct task_struct *tsk = bp->hw.target;

	return tsk ? tsk->comm : "-";
}

#endif /* HWBP_TRACE_HELPERS */

/*
 * target_comm holds what __string_len() measured when the entry was
 * reserved, at most TASK_COMM_LEN - 1 bytes: a comm renamed meanwhile is
 * cut to that length, never overruns the entry.  6.10 made __assign_str()
 * copy exactly that length, and dropped __assign_str_len(); before it,
 * __assign_str() is strcpy(), and __assign_str_len() with the reserved
 * length does what 6.10's does.  Tested here, where each tracing stage
 * reads this header again with its own helpers defined.
 */
#undef hwbp_assign_comm
#ifdef __assign_str_len
#define hwbp_assign_comm(bp)						\
	__assign_str_len(target_comm, hwbp_trace_comm(bp),		\
			 __get_dynamic_array_len(target_comm) - 1)
#else
#define hwbp_assign_comm(bp)						\
	do {								\
		(void)(bp);						\
		__assign_str(target_comm);				\
	} while (0)
#endif

DECLARE_EVENT_CLASS(hwbp_slot,
		    TP_PROTO(struct perf_event *bp, bool flexible, int err),
		    TP_ARGS(bp, flexible, err),
		    TP_STRUCT__entry(__field(int, target_pid)
				     __string_len(target_comm,
						  hwbp_trace_comm(bp),
						  strnlen(hwbp_trace_comm(bp),
							  TASK_COMM_LEN - 1))
				     __field(int, cpu)
				     __field(unsigned int, bp_type)
				     __field(unsigned long long, bp_addr)
				     __field(bool, flexible)
				     __field(int, err)),
		    TP_fast_assign(struct task_struct *tsk = bp->hw.target;

				   __entry->target_pid = tsk ? task_pid_nr(tsk) : -1;
				   hwbp_assign_comm(bp);
				   __entry->cpu = bp->cpu;
				   __entry->bp_type = (unsigned int)bp->attr.bp_type;
				   __entry->bp_addr = bp->attr.bp_addr;
				   __entry->flexible = flexible;
				   __entry->err = err;),
		    TP_printk("target=%d/%s cpu=%d type=%s addr=0x%llx %s err=%d",
			      __entry->target_pid, __get_str(target_comm),
			      __entry->cpu,
			      __print_flags(__entry->bp_type, "", { 1, "r" },
					    { 2, "w" }, { 4, "x" }),
			      __entry->bp_addr,
			      __entry->flexible ? "flexible" : "pinned",
			      __entry->err));

DEFINE_EVENT(hwbp_slot, hwbp_reserve,
	     TP_PROTO(struct perf_event *bp, bool flexible, int err),
	     TP_ARGS(bp, flexible, err));

DEFINE_EVENT(hwbp_slot, hwbp_release,
	     TP_PROTO(struct perf_event *bp, bool flexible, int err),
	     TP_ARGS(bp, flexible, err));

DEFINE_EVENT(hwbp_slot, hwbp_refuse,
	     TP_PROTO(struct perf_event *bp, bool flexible, int err),
	     TP_ARGS(bp, flexible, err));

/*
 * The PMU's add() found no free register of the breakpoint's pool on this
 * CPU: perf leaves it out until its next rotation.  @times counts them for
 * this breakpoint.
 */
TRACE_EVENT(hwbp_sched_out,
	    TP_PROTO(struct perf_event *bp, bool flexible, unsigned long times),
	    TP_ARGS(bp, flexible, times),
	    TP_STRUCT__entry(__field(int, target_pid)
			     __field(int, cpu)
			     __field(unsigned long long, bp_addr)
			     __field(bool, flexible)
			     __field(unsigned long, times)),
	    TP_fast_assign(struct task_struct *tsk = bp->hw.target;

			   __entry->target_pid = tsk ? task_pid_nr(tsk) : -1;
			   __entry->cpu = smp_processor_id();
			   __entry->bp_addr = bp->attr.bp_addr;
			   __entry->flexible = flexible;
			   __entry->times = times;),
	    TP_printk("target=%d on_cpu=%d addr=0x%llx %s times=%lu",
		      __entry->target_pid, __entry->cpu, __entry->bp_addr,
		      __entry->flexible ? "flexible" : "pinned",
		      __entry->times));

#endif /* HWBP_TRACE_H */

/* define_trace.h includes this file again: glue/ is on that object's path. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE hwbp_trace
#include <trace/define_trace.h>
