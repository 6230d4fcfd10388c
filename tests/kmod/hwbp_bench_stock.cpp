// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp_bench_stock: hwbp_bench.cpp timing the running kernel's own
 * reserve_bp_slot()/release_bp_slot(); it does not need hwbp.ko.
 */
#define HWBP_BENCH_STOCK
#include "hwbp_bench.cpp"
