# SPDX-License-Identifier: GPL-2.0
#
# hwbp: the hw_breakpoint slot-constraint subsystem as an out-of-tree module.
#
#   make [KDIR=...]        build hwbp.ko in place against KDIR
#                          (default: /lib/modules/$(uname -r)/build)
#   make test-modules      hwbp.ko, then the test bed's modules (tests/kmod/,
#                          and kunit/ if KDIR has KUnit), each from its own
#                          Kbuild, against hwbp.ko's Module.symvers
#   make clean
#   make demo              boot Debian's kernel in QEMU, load hwbp, watch a
#                          variable with perf, show the slot table
#   make check             everything: host tests, sparse, checkpatch, module
#                          builds, guest runs on the stock and test kernels,
#                          splat detection; last line "N passed, N failed"
#   make check-splat       boot the test kernel with a WARNing module: must FAIL
#   make check-arm64       cross-build, boot Debian's arm64 6.1 kernel in QEMU,
#                          run the arm64 plan (part of make check)
#   make check-ppc64el     cross-build, boot Debian's ppc64el 6.1 kernel in
#                          QEMU, run the ppc64el plan (part of make check)
#   make matrix [TARGETS="7-arm64 ..."] [PLAN=name] [REPEAT=n]
#                          build for, boot and run the plans of the matrix's
#                          kernels (scripts/kernels list; default: all but
#                          x86 6.1, which "make vm" runs)
#   make shell TARGET=7-arm64   a shell in any matrix target's guest
#   make check-series      the in-tree patch series: generate, checkpatch, build
#                          every patch, boot the tip (part of check)
#   make series-bench      the series' kernel against pristine 7.x (after
#                          check-series; series/bench-results.md)
#   make bench             benchmarks against the stock accounting in QEMU
#                          boots of each amd64 Debian kernel of the matrix
#                          (6.1, 6.12, 7.x; BENCH_KERNELS="6.12-amd64 ..."
#                          for some); not part of check; results in bench/
#   make shell [KERNEL=stock|test]   QEMU with a shell, hwbp, perf, tests
#   make vm PLAN=name [KERNEL=stock|test]   run one guest plan
#   make module KERNEL=stock|test    build into build/<kernel>/src
#   make test-kernel       build (or reuse) the cached debug test kernel
#   make deb               the Debian package build/deb/hwbp-dkms_<version>_all.deb
#                          (DKMS, dpkg-buildpackage), checked with lintian
#   make check-debian      boot Debian 13 in QEMU, install the package there,
#                          DKMS-build and load hwbp on 6.12 and 7.x (part of check)
#   make deps              install the Debian packages all this needs

KDIR	?= /lib/modules/$(shell uname -r)/build
KERNEL	?= stock
PLAN	?= baseline

# Guest plans run by "make check" (tests/guest/plan-NAME.sh).
GUEST_PLANS_STOCK ?= baseline takeover flex flexload flexsmp peers
GUEST_PLANS_TEST ?= baseline takeover flexsmp kgdb faults peers

export GUEST_PLANS_STOCK GUEST_PLANS_TEST

.PHONY: all modules test-modules clean kdir-exists distclean deps test-kernel module check check-splat \
	check-arm64 check-ppc64el matrix check-series check-debian series-bench deb bench demo shell vm help

all modules: kdir-exists
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

TEST_MODULE_DIRS := tests/kmod kunit

test-modules: modules
	for d in $(wildcard $(TEST_MODULE_DIRS)); do \
	  $(MAKE) -C $(KDIR) M=$(CURDIR)/$$d \
	    KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers modules || exit 1; \
	done

clean: kdir-exists
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	for d in $(wildcard $(TEST_MODULE_DIRS)); do \
	  $(MAKE) -C $(KDIR) M=$(CURDIR)/$$d clean || exit 1; \
	done

kdir-exists:
	@test -f $(KDIR)/Makefile || { \
	  echo "hwbp: no kernel build tree at KDIR=$(KDIR)"; \
	  echo "hwbp: installed: $$(ls -d /lib/modules/*/build 2>/dev/null | tr '\n' ' ')"; \
	  echo "hwbp: use make KDIR=<one of them>, or make module KERNEL=stock|test"; \
	  exit 1; }

distclean:
	-@$(MAKE) --no-print-directory clean
	rm -rf build

deps:
	@scripts/deps

test-kernel: deps
	@scripts/test-kernel

module: deps
	@scripts/build-module $(KERNEL)

check: deps
	@scripts/check

check-splat: deps
	@scripts/vm --kernel test --plan splat

check-arm64: deps
	@scripts/matrix 6.1-arm64

check-ppc64el: deps
	@scripts/matrix 6.1-ppc64el

matrix: deps
	@scripts/matrix $(TARGETS) $(if $(filter command line,$(origin PLAN)),--plan $(PLAN)) \
		$(if $(REPEAT),--repeat $(REPEAT))

check-series: deps
	@scripts/check-series

series-bench: deps
	@scripts/series-bench

deb: deps
	@scripts/deb

check-debian: deps
	@scripts/check-debian

bench: deps
	@scripts/bench --lock "4 16" --mem --profile

demo: deps
	@scripts/vm --kernel $(KERNEL) --plan demo --show --module-optional

shell: deps
	@$(if $(TARGET),scripts/matrix $(TARGET) --shell,scripts/vm --kernel $(KERNEL) --shell --module-optional)

vm: deps
	@scripts/vm --kernel $(KERNEL) --plan $(PLAN) --show

help:
	@sed -n '3,/^$$/s/^# \{0,1\}//p' Makefile
