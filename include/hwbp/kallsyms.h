/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kallsyms_lookup_name() is not exported since 5.7; a kprobe on it hands its
 * address over once.  Shared by hwbp.ko and its test modules.
 */
#ifndef HWBP_KALLSYMS_H
#define HWBP_KALLSYMS_H

#include <linux/kconfig.h>
#include <linux/kprobes.h>
#include <linux/string.h>

typedef unsigned long (*hwbp_lookup_fn)(const char *name);

static inline hwbp_lookup_fn hwbp_find_lookup(void)
{
	struct kprobe kp;
	hwbp_lookup_fn fn;

	/*
	 * ppc64 ELFv2: the kprobe sits at the local entry point, past the
	 * TOC setup a call from a module needs (calling it oopsed).
	 */
	if (IS_ENABLED(CONFIG_PPC64_ELF_ABI_V2))
		return NULL;
	memset(&kp, 0, sizeof(kp));
	kp.symbol_name = "kallsyms_lookup_name";
	if (register_kprobe(&kp) < 0)
		return NULL;
	fn = (hwbp_lookup_fn)kp.addr;
	unregister_kprobe(&kp);
	return fn;
}

#endif /* HWBP_KALLSYMS_H */
