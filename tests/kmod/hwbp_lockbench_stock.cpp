// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp_lockbench_stock: hwbp_lockbench.cpp on the running kernel's own
 * reserve_bp_slot()/release_bp_slot(); it does not need hwbp.ko.
 */
#define HWBP_LOCKBENCH_STOCK
#include "hwbp_lockbench.cpp"
