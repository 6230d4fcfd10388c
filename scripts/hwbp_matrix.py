# SPDX-License-Identifier: GPL-2.0
"""The test bed's matrix, as data: which kernels, on which arches, booted how.

Adding a kernel or an arch is an entry here, not a script.  scripts/kernels
finds and fetches the kernels (versions discovered from apt's lists, never
written down); scripts/matrix boots them and runs their plans.

ARCHES: how a Debian arch is built for and booted in QEMU (TCG).
  karch, cross      ARCH= and CROSS_COMPILE= for Kbuild
  flavour           Debian's kernel flavour (linux-image-<release>-<flavour>)
  qemu, machine, cpu, console, smp, mem
  ktap              how the plan's stdout reaches the host untouched by
                    kernel messages: 'serial' (a second UART, ttyS1),
                    'virtconsole' (virtio-serial, hvc0), 'spapr-vty' (hvc1)
  guest_modules     modules /init loads first (from the kernel's package)
  gxx               compiler of the static guest programs
  guest_srcs        the test programs (globs under tests/) of the guest
  append            extra kernel command line

KERNELS: one entry per kernel series.
  source            'host' (the x86 stock kernel from /boot), 'test' (the
                    debug test kernel, scripts/test-kernel --src <src>: src
                    '6.1' (the default) or '7', the newest 7.x), 'bookworm'
                    (the host's apt, foreign arches through scripts/cross-deps),
                    'suite' (other suites through scripts/apt-suite)
  series            version prefix of Debian's linux-image-<flavour> to take
  suites            suites to take it from; the newest version wins
  chroot            build in the cached chroot of that suite (scripts/kernels
                    chroot), with the compiler the kernel was built with
  accel             QEMU's -accel
  plans             per arch, when not ARCH_PLANS' (6.1 keeps its own)
  expect            KUnit suites the boot must report (NAME=cases)
  module            False: hwbp.ko may not build yet (its plans are then
                    reported skipped, not failed); default True: a build
                    failure is a failure
TARGETS: '<kernel>-<arch>' for each arch the kernel lists.
"""
import os

# Every guest's kernel command line: the RCU stall detector's limit at
# its maximum (300 s).  A guest's clock is the host's, and a TCG guest
# whose host thread is starved stops executing while its clock runs: on
# 2026-12-02, at host load ~5, the 6.1 debug kernel reported "rcu_sched
# self-detected stall" 39 s into its boot, in stock PCI probing code, and
# the run failed on that splat.  A real hang still fails: the plan's
# timeout, and a stall that lasts 300 s.
TCG_APPEND = 'rcupdate.rcu_cpu_stall_timeout=300'

ARCHES = {
    'amd64': dict(
        karch='x86', cross='', flavour='amd64',
        # Everything TCG emulates but 5-level paging.  With LA57, a 7.x
        # KASAN kernel asks boot_cpu_data whether it has 5 levels
        # (pgtable_l5_enabled(): X86_FEATURE_LA57, read at run time until
        # the alternatives are patched), and identify_cpu() clears those
        # bits and reads CPUID again at boot.  An interrupt in that window
        # makes KASAN take every direct-map address for a wild one ("BUG:
        # KASAN: wild-memory-access in do_raw_spin_lock" in
        # handle_edge_irq): 1 boot in 5 of the series' 7.3 kernel.  Stock
        # code, and breakpoints do not care how many levels there are.
        qemu='qemu-system-x86_64', machine=None, cpu='max,la57=off', smp=4,
        mem='2G', console='ttyS0,115200', ktap='serial', guest_modules=[],
        gxx='g++', guest_srcs=['guest/*.cpp'],
        # The boot-time IO-APIC timer check counts timer ticks in a short
        # busy loop; a loaded host runs a single-threaded TCG guest too
        # slowly for it and the kernel panics ("IO-APIC + timer doesn't
        # work"): 2 of the first 4 6.12 boots under load.
        append='no_timer_check ' + TCG_APPEND,
    ),
    'arm64': dict(
        karch='arm64', cross='aarch64-linux-gnu-', flavour='arm64',
        qemu='qemu-system-aarch64', machine='virt', cpu='max', smp=2, mem='1G',
        console='ttyAMA0', ktap='virtconsole', append=TCG_APPEND,
        guest_modules=['virtio_mmio', 'virtio_console'],
        gxx='aarch64-linux-gnu-g++',
        guest_srcs=['guest-arm64/*.cpp', 'guest/bp_hold.cpp',
                    'guest/bp_flex.cpp'],
    ),
    # POWER10, not POWER9: 6.1 leaves the POWER9 DAWR off
    # (dawr_enable_dangerous) and QEMU 7.2's pseries refuses to enable it.
    'ppc64el': dict(
        karch='powerpc', cross='powerpc64le-linux-gnu-', flavour='powerpc64le',
        qemu='qemu-system-ppc64', machine='pseries', cpu='power10', smp=2,
        mem='1G', console='hvc0', ktap='spapr-vty', guest_modules=[], append=TCG_APPEND,
        gxx='powerpc64le-linux-gnu-g++',
        guest_srcs=['guest-ppc64el/*.cpp', 'guest/bp_hold.cpp'],
    ),
}

# Guest device of each ktap kind (/init reads hwbp.ktap=).
KTAP_DEV = {'serial': 'ttyS1', 'virtconsole': 'hvc0', 'spapr-vty': 'hvc1'}

# Plans of each arch: (without hwbp.ko, with it).  The module plans run the
# stock path too (before the load and after rmmod), so a target runs the
# first list only while hwbp.ko does not build for its kernel.  Flexible
# breakpoints: flex and flexsmp on x86, arm64flex on arm64.  Upstream's
# suites (peers) on every arch: perf test where the guest carries perf
# (x86), the arch's kernel selftests everywhere.
ARCH_PLANS = {
    'amd64': (['baseline'], ['baseline', 'takeover', 'flex', 'flexsmp', 'peers']),
    'arm64': (['arm64-stock'], ['arm64', 'arm64flex', 'peers']),
    'ppc64el': (['ppc64el-stock'], ['ppc64el', 'peers']),
}

# Multi-threaded TCG crashed or hung guests while the kernel patched its
# own text (6.12: an int3 oops in stock code; 6.1: a vCPU spinning in the
# int3 handler while text_poke_bp_batch() waited for it): one thread for
# every guest (scripts/vm says the same for its own boots).
TCG_SINGLE = 'tcg,thread=single'

KERNELS = {
    '6.1': dict(source='bookworm', arches=['amd64', 'arm64', 'ppc64el'],
                accel=TCG_SINGLE, plans={
                    'amd64': os.environ.get('GUEST_PLANS_STOCK', 'baseline takeover').split()}),
    '6.1-test': dict(source='test', arches=['amd64'], accel=TCG_SINGLE,
                     plans={'amd64': os.environ.get('GUEST_PLANS_TEST',
                                                    'baseline takeover').split()},
                     expect=['hw_breakpoint=9']),
    '6.12': dict(source='suite', series='6.12.', suites=['trixie'],
                 chroot='trixie', arches=['amd64', 'arm64', 'ppc64el'],
                 accel=TCG_SINGLE),
    # The debug test kernel built from the newest linux-source-7.x, with
    # the 6.1 fragment plus hwbp-test-7.config (scripts/test-kernel --src 7).
    '7-test': dict(source='test', src='7', arches=['amd64'], accel=TCG_SINGLE,
                   # takeover runs the stock path before the load and
                   # after rmmod too; faults and peers are the debug
                   # kernel's (fault injection, kmemleak; upstream's suites
                   # built from the 7.x source, scripts/initramfs).
                   plans={'amd64': os.environ.get('GUEST_PLANS_TEST7',
                                                  'takeover faults peers').split()},
                   expect=['hw_breakpoint=9']),
    # The newest 7.x: trixie-backports or sid, whichever is newer per arch.
    '7': dict(source='suite', series='7.', suites=['trixie-backports', 'sid'],
              chroot='trixie', arches=['amd64', 'arm64', 'ppc64el'],
              accel=TCG_SINGLE),
}

# Cached build chroots: suite -> what goes in besides the compilers (the
# compilers are gcc-N for the host and each cross arch, N read from the
# kernels' own CONFIG_CC_VERSION_TEXT).
CHROOTS = {
    'trixie': dict(gcc='14', include=[
        'make', 'libc6-dev', 'binutils', 'binutils-aarch64-linux-gnu',
        'binutils-powerpc64le-linux-gnu', 'kmod', 'libelf1t64', 'libssl3t64',
        'libdw1t64', 'python3-minimal', 'file', 'dwarves', 'sparse', 'bc',
    ]),
}


def _plan_lines(arch, plan):
    """The lines of the plan's file (the arch's own, else the x86 one)."""
    for d in (f'guest-{arch}', 'guest'):
        f = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', d,
                         f'plan-{plan}.sh')
        if os.path.exists(f):
            with open(f) as fh:
                return fh.read().splitlines()
    return []


def icount(arch, plan):
    """True if the plan says "# vm: icount": one vCPU, guest time from
    instructions (checks on perf's time_enabled/time_running)."""
    return any(line.startswith('# vm: icount') for line in _plan_lines(arch, plan))


def plan_timeout(arch, plan):
    """Seconds the plan asks for in a "# vm-timeout: S" line, else 0."""
    for line in _plan_lines(arch, plan):
        if line.startswith('# vm-timeout: ') and line.split()[-1].isdigit():
            return int(line.split()[-1])
    return 0


def plans(kernel, arch, module=True):
    """The plans of a target; module=False: while hwbp.ko does not build."""
    nomod, mod = ARCH_PLANS[arch]
    if not module:
        return nomod
    return KERNELS[kernel].get('plans', {}).get(arch) or mod


def targets():
    """[(name, kernel, arch)] in matrix order."""
    out = []
    for k, kd in KERNELS.items():
        for a in kd['arches']:
            out.append((f'{k}-{a}', k, a))
    return out


def bench_targets():
    """The targets scripts/bench measures by default: every Debian kernel
    of the matrix on amd64 (the benchmark modules size their tables with
    x86's HBP_NUM), not the debug test kernels."""
    return [t for t, k, a in targets() if a == 'amd64' and KERNELS[k]['source'] != 'test']


def split(name):
    """'7-arm64' -> ('7', 'arm64'); aliases stock, test, test7."""
    alias = {'stock': '6.1-amd64', 'test': '6.1-test-amd64', 'test7': '7-test-amd64'}
    name = alias.get(name, name)
    for t, k, a in targets():
        if t == name:
            return k, a
    raise KeyError(name)
