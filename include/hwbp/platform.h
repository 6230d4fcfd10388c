/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwbp: the one place that knows where the core runs.
 *
 * The core (constraint_table.cpp, task_bp_list.cpp) is written against the
 * kernel API.  In the kernel that is the real thing; on the host, for unit
 * tests, sanitizers, fuzzing and benchmarks, tests/shim/hwbp_host.h supplies
 * the small subset the core uses (locks with the same rules, atomics,
 * allocation with failure injection, WARN_ON, lockdep asserts).
 */
#ifndef HWBP_PLATFORM_H
#define HWBP_PLATFORM_H

#ifdef __KERNEL__
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/lockdep.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include "hwbp_host.h"
#endif

/*
 * HWBP_NS, the symbol namespace of the core's exports, is the build's to
 * define, as the kernel spells it: a string since 6.13, a bare token
 * before.  In the tree, kernel/events/hwbp/Makefile defines it; out of
 * tree, include/hwbp/compat.h, which Kbuild includes ahead of every file.
 */

#endif /* HWBP_PLATFORM_H */
