/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel symbols that are not exported, found by name through kprobes
 * (kallsyms_lookup_name() is not exported since 5.7, and is never called).
 * Shared by hwbp.ko and its test modules.
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

/*
 * Where kernel function @name begins, or 0: found without calling
 * kallsyms_lookup_name() (a call through a pointer, into a function the
 * kernel never takes the address of, which IBT seals).  A kprobe on @name,
 * registered disabled so that it never touches the kernel's text, says
 * where @name is: at the symbol, or a little way in (past an ENDBR64 on
 * x86, at the local entry point or the ftrace call site on ppc64 ELFv2, see
 * powerpc's kprobe_lookup_name()).  kallsyms then gives the start of the
 * symbol: on ppc64 ELFv2 the global entry point, which sets up the kernel's
 * TOC for a call from a module.
 */
static inline unsigned long hwbp_kernel_symbol(const char *name)
{
	struct kprobe kp;
	unsigned long addr;

	memset(&kp, 0, sizeof(kp));
	kp.symbol_name = name;
	kp.flags = KPROBE_FLAG_DISABLED;
	if (register_kprobe(&kp) < 0)
		return 0;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return hwbp_symbol_start(addr, name, 16);
}

/*
 * For the test modules: a lookup by name, in the shape of
 * kallsyms_lookup_name(), that never calls it.
 */
static inline hwbp_lookup_fn hwbp_find_lookup(void)
{
	return hwbp_kernel_symbol;
}

#endif /* HWBP_KALLSYMS_H */
