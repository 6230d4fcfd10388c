// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the first three bytes pick a layout, a CPU count and
 * an owner count, the rest decode into the same op stream as the
 * differential test, checked against the same model.  Any mismatch, WARN,
 * lock-rule violation, leak or sanitizer report aborts.
 */
#include "model.h"

#include <stdlib.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;

	model::Config c = model::config_from(data[0], data[1], data[2]);
	model::ByteSource src(data + 3, size - 3);
	model::Harness h;

	if (!h.setup(c))
		abort();
	while (!src.done() && h.ok())
		h.step(src);
	if (h.ok())
		h.teardown(src);
	if (!h.ok()) {
		fprintf(stderr, "hwbp fuzz: %s\n", h.error.c_str());
		abort();
	}
	return 0;
}
