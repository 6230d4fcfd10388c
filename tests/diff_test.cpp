// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test: random operation streams over many layouts, CPU and
 * task counts, checked decision by decision and count by count against the
 * brute-force model in model.h.  HWBP_DIFF_OPS sets the number of ops
 * (default 1,000,000), HWBP_DIFF_SEED the first seed.
 */
#include "model.h"

#include <gtest/gtest.h>

#include <stdlib.h>

TEST(Differential, RandomOpsAgainstModel)
{
	const char *e = getenv("HWBP_DIFF_OPS");
	const char *sd = getenv("HWBP_DIFF_SEED");
	long target = e ? atol(e) : 1000000;
	uint64_t seed = sd ? strtoull(sd, nullptr, 0) : 1;
	long total = 0, checks = 0, seg = 0;
	long out[5] = { 0, 0, 0, 0, 0 }, flex[2] = { 0, 0 };

	while (total < target) {
		model::RngSource src(seed + (uint64_t)seg);
		model::Config c = model::config_from((unsigned int)seg % 7,
						     (unsigned int)seg / 7 % 5,
						     (unsigned int)seg % 8);
		model::Harness h;
		long n = std::min(7000L, target - total);

		ASSERT_TRUE(h.setup(c)) << h.error;
		for (long j = 0; j < n && h.ok(); j++)
			h.step(src);
		ASSERT_TRUE(h.ok()) << h.error << " (seed " << seed + seg << ")";
		ASSERT_TRUE(h.teardown(src)) << h.error << " (seed " << seed + seg << ")";
		total += h.ops;
		checks += h.checks;
		for (int k = 0; k < 5; k++)
			out[k] += h.outcome[k];
		flex[0] += h.flex_outcome[0];
		flex[1] += h.flex_outcome[1];
		seg++;
	}
	printf("differential: %ld operations checked against the model "
	       "(%ld count checks, %ld streams)\n", total, checks, seg);
	printf("differential: reserve/modify outcomes: %ld ok, %ld ENOSPC, "
	       "%ld EINVAL, %ld ENOMEM, %ld arch-hook error\n",
	       out[0], out[1], out[2], out[3], out[4]);
	printf("differential: flexible reserves: %ld admitted, %ld ENOSPC\n",
	       flex[0], flex[1]);
	EXPECT_GT(flex[0], 0);
	EXPECT_GT(flex[1], 0);
}
