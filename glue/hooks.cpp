// SPDX-License-Identifier: GPL-2.0
/*
 * hwbp: finding kernel symbols and redirecting kernel functions.
 *
 * Symbols: a disabled kprobe per name says where the function is
 * (hwbp_kernel_symbol()); kallsyms_lookup_name() is never called.
 * Redirection is the livepatch mechanism without livepatch: an ftrace
 * callback with IPMODIFY that points the saved instruction pointer at our
 * function, for the calls it claims.  Only functions that are called from
 * other files are hooked, so no call site can have inlined them away.
 */
#include <linux/module.h>

#include <hwbp/arch.h>
#include <hwbp/kallsyms.h>
#include "glue.h"

int hwbp_resolve_symbols(const struct hwbp_symbol *syms, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		*syms[i].addr = hwbp_kernel_symbol(syms[i].name);
		if (!*syms[i].addr) {
			pr_err("hwbp: kernel symbol %s not found (CONFIG_KPROBES?)\n",
			       syms[i].name);
			return -ENOENT;
		}
	}
	return 0;
}

/* One symbol's address, or 0 if it cannot be found (an optional one). */
unsigned long hwbp_lookup_symbol(const char *name)
{
	return hwbp_kernel_symbol(name);
}

/*
 * parent_ip is the return address of the call that reached the hooked
 * function.  A call from hwbp to the original (a static call of
 * hw_breakpoint_core.cpp) must therefore be a real call, never a tail call
 * (a jmp would leave the caller's caller as parent_ip): that object,
 * hw_breakpoint_core.o, is built with -fno-optimize-sibling-calls (Kbuild).
 */
static void notrace hwbp_ftrace_thunk(unsigned long ip, unsigned long parent_ip,
				      struct ftrace_ops *ops,
				      struct ftrace_regs *fregs)
{
	struct hwbp_hook *hook = container_of(ops, struct hwbp_hook, ops);

	if (within_module(parent_ip, THIS_MODULE) || !hook->claim(fregs))
		return;
	/* Dropped by the replacement, hwbp_hook_done() (see glue.h). */
	if (try_module_get(THIS_MODULE))
		hwbp_ftrace_redirect(fregs, (unsigned long)hook->replacement);
}

int hwbp_hook_install(struct hwbp_hook *hook)
{
	int err;

	hook->ops.func = hwbp_ftrace_thunk;
	hook->ops.flags = HWBP_FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY |
			  FTRACE_OPS_FL_RECURSION;
	err = ftrace_set_filter_ip(&hook->ops, *hook->sym->addr, 0, 0);
	if (err) {
		pr_err("hwbp: cannot trace %s: %d\n", hook->sym->name, err);
		return err;
	}
	err = register_ftrace_function(&hook->ops);
	if (err) {
		pr_err("hwbp: cannot hook %s: %d\n", hook->sym->name, err);
		ftrace_set_filter_ip(&hook->ops, *hook->sym->addr, 1, 0);
		return err;
	}
	hook->installed = true;
	return 0;
}

void hwbp_hook_remove(struct hwbp_hook *hook)
{
	if (!hook->installed)
		return;
	WARN_ON(unregister_ftrace_function(&hook->ops));
	WARN_ON(ftrace_set_filter_ip(&hook->ops, *hook->sym->addr, 1, 0));
	hook->installed = false;
}

void hwbp_hooks_remove(struct hwbp_hook *hooks, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		hwbp_hook_remove(&hooks[i]);
}

/* All of @hooks, or none (-errno). */
int hwbp_hooks_install(struct hwbp_hook *hooks, unsigned int nr)
{
	unsigned int i;
	int err;

	for (i = 0; i < nr; i++) {
		err = hwbp_hook_install(&hooks[i]);
		if (err) {
			hwbp_hooks_remove(hooks, nr);
			return err;
		}
	}
	return 0;
}
