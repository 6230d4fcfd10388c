/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kallsyms_lookup_name() is not exported since 5.7; a kprobe on it hands its
 * address over once.  Shared by hwbp.ko and its test modules.
 */
#ifndef HWBP_KALLSYMS_H
#define HWBP_KALLSYMS_H

#include <linux/kallsyms.h>
#include <linux/kconfig.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/string.h>

typedef unsigned long (*hwbp_lookup_fn)(const char *name);

/*
 * Where @name begins, given @addr a little way into it, as kallsyms says
 * ("name+0xoff/0xsize"); 0 if @addr is not in @name or further than
 * @max_off into it.
 */
static inline unsigned long hwbp_symbol_start(unsigned long addr,
					      const char *name,
					      unsigned long max_off)
{
	char buf[KSYM_SYMBOL_LEN];
	size_t len = strlen(name);
	unsigned long off;
	char *slash;

	sprint_symbol(buf, addr);
	if (strncmp(buf, name, len) || buf[len] != '+')
		return 0;
	slash = strchr(buf + len + 1, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	if (kstrtoul(buf + len + 1, 0, &off) || off > max_off)
		return 0;
	return addr - off;
}

static inline hwbp_lookup_fn hwbp_find_lookup(void)
{
	struct kprobe kp;
	unsigned long addr;

	memset(&kp, 0, sizeof(kp));
	kp.symbol_name = "kallsyms_lookup_name";
	if (register_kprobe(&kp) < 0)
		return NULL;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	/*
	 * ppc64 ELFv2: the kprobe sits at the local entry point or on the
	 * ftrace call site (up to 16 bytes in, see powerpc's
	 * kprobe_lookup_name()), past the "addis r2,r12; addi r2,r2" that
	 * sets up the kernel's TOC for a call from a module.  Such a call
	 * must enter at the symbol itself, the global entry point.
	 */
	if (IS_ENABLED(CONFIG_PPC64_ELF_ABI_V2))
		addr = hwbp_symbol_start(addr, "kallsyms_lookup_name", 16);
	return (hwbp_lookup_fn)addr;
}

#endif /* HWBP_KALLSYMS_H */
