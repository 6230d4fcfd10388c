// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp x86 hooks: DR0-DR3 serve instruction and data breakpoints alike, so
 * both types draw from one pool of HBP_NUM slots.  x86 keeps no per-event
 * arch state outside perf's own, so reserve/unregister need no hook.
 */
#include <linux/hw_breakpoint.h>

#include <hwbp/arch.h>

const char *hwbp_arch_name(void)
{
	return "x86";
}

int hwbp_arch_check(void)
{
	return 0;
}

int hwbp_arch_layout(struct hwbp_layout *layout)
{
	layout->slots[HWBP_TYPE_INST] = HBP_NUM;
	layout->slots[HWBP_TYPE_DATA] = HBP_NUM;
	layout->shared = true;
	return 0;
}

unsigned int hwbp_arch_weight(struct perf_event *bp)
{
	return 1;
}

int hwbp_arch_event_init(struct perf_event *bp, struct hwbp_event *ev)
{
	return 0;
}

void hwbp_arch_event_free(struct hwbp_event *ev)
{
}

int hwbp_arch_event_prepare(struct hwbp_event *ev)
{
	return 0;
}

void hwbp_arch_event_adopt(struct perf_event *bp, struct hwbp_event *ev)
{
}

const struct hwbp_arch_ops *hwbp_arch_table_ops(void)
{
	return NULL;
}

void hwbp_arch_unregister(struct perf_event *bp)
{
}
