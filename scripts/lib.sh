# shellcheck shell=bash
# Common helpers for hwbp scripts.  Source it; do not run it.
set -euo pipefail

HWBP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HWBP_CACHE=${HWBP_CACHE:-$HOME/.cache/hwbp}
HWBP_BUILD=${HWBP_BUILD:-$HWBP_ROOT/build}
HWBP_SRC_TAR=/usr/src/linux-source-6.1.tar.xz
HWBP_SRC=$HWBP_CACHE/src/linux-source-6.1
HWBP_FRAGMENT=$HWBP_ROOT/scripts/config/hwbp-test.config
# Parallel jobs: 2 on a shared development machine, every CPU under CI.
if [ -z "${HWBP_JOBS:-}" ]; then
	if [ "${CI:-}" = true ]; then HWBP_JOBS=$(nproc); else HWBP_JOBS=2; fi
fi

die() { echo "hwbp: error: $*" >&2; exit 1; }
note() { echo "hwbp: $*" >&2; }

# Version of the Debian source package the test kernel is built from.
src_pkg_version() { dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo unknown; }

# Unpack linux-source-6.1 under the cache, re-unpacking when the package
# version changed.  Prints nothing; sets up $HWBP_SRC.
ensure_src() {
	local ver; ver=$(src_pkg_version)
	[ -f "$HWBP_SRC_TAR" ] || die "$HWBP_SRC_TAR missing (run scripts/deps)"
	if [ -f "$HWBP_SRC/Makefile" ] && [ "$(cat "$HWBP_CACHE/src/.version" 2>/dev/null)" = "$ver" ]; then
		return 0
	fi
	if [ -f "$HWBP_SRC/Makefile" ] && [ ! -f "$HWBP_CACHE/src/.version" ]; then
		# Unpacked by hand before these scripts existed: trust it once.
		echo "$ver" > "$HWBP_CACHE/src/.version"; return 0
	fi
	note "unpacking $HWBP_SRC_TAR ($ver)"
	rm -rf "$HWBP_SRC"; mkdir -p "$HWBP_CACHE/src"
	tar -C "$HWBP_CACHE/src" -xJf "$HWBP_SRC_TAR"
	echo "$ver" > "$HWBP_CACHE/src/.version"
}

# The stock Debian kernel release used for the "stock" guest: the newest
# release that has both /boot/vmlinuz-R and headers in /lib/modules/R/build.
# Prefers the running kernel when it qualifies.
stock_krel() {
	local r best=""
	r=$(uname -r)
	if [ -f "/boot/vmlinuz-$r" ] && [ -f "/lib/modules/$r/build/Makefile" ]; then
		echo "$r"; return 0
	fi
	for f in /boot/vmlinuz-*-amd64; do
		[ -f "$f" ] || continue
		r=${f#/boot/vmlinuz-}
		[ -f "/lib/modules/$r/build/Makefile" ] && best=$r
	done
	[ -n "$best" ] || die "no stock kernel with headers found (run scripts/deps)"
	# glob order is lexical; pick the highest version
	for f in /boot/vmlinuz-*-amd64; do
		r=${f#/boot/vmlinuz-}
		[ -f "/lib/modules/$r/build/Makefile" ] || continue
		if dpkg --compare-versions "$r" gt "$best"; then best=$r; fi
	done
	echo "$best"
}

# has_candidate PKG[:ARCH]: apt (the host's lists) can download PKG.
has_candidate() {
	local out
	out=$(apt-cache policy "$1" 2>/dev/null) || return 1
	[[ "$out" == *"Candidate: "[0-9]* ]]
}

# The Debian 6.1 kernel ABI ("6.1.0-N") of the FLAVOUR packages of a
# foreign ARCH, discovered from apt's lists, never written down: $HWBP_KABI
# when set; else the stock x86 kernel's ABI when apt has its headers for
# ARCH (one ABI on every arch); else the newest ABI apt has for FLAVOUR
# (a mirror in mid-sync may lag one arch's index behind).
#   kabi_61 arm64 arm64 | kabi_61 ppc64el powerpc64le
kabi_61() {
	local arch=$1 flavour=$2 abi
	if [ -n "${HWBP_KABI:-}" ]; then echo "$HWBP_KABI"; return 0; fi
	abi=$(stock_krel); abi=${abi%-amd64}
	if has_candidate "linux-headers-$abi-$flavour:$arch"; then echo "$abi"; return 0; fi
	for abi in $(apt-cache pkgnames linux-headers-6.1.0- |
		     sed -n "s/^linux-headers-\(6\.1\.0-[0-9]*\)-$flavour\(:$arch\)\{0,1\}\$/\1/p" |
		     sort -uVr); do
		has_candidate "linux-headers-$abi-$flavour:$arch" && { echo "$abi"; return 0; }
	done
	return 1
}

# Cache key of the test kernel: fragment, source package version, compiler,
# and the build recipe itself.
test_kernel_key() {
	{
		cat "$HWBP_FRAGMENT"
		src_pkg_version
		gcc --version | head -1
		sed -n '/^# recipe-begin/,/^# recipe-end/p' "$HWBP_ROOT/scripts/test-kernel"
	} | sha256sum | cut -c1-16
}

test_kernel_dir() { echo "$HWBP_CACHE/kernel-$(test_kernel_key)"; }

# Kernel build tree (KDIR) for "test" or "stock".
kdir_for() {
	case $1 in
	test) test_kernel_dir ;;
	stock) echo "/lib/modules/$(stock_krel)/build" ;;
	*) die "unknown kernel '$1' (test|stock)" ;;
	esac
}

# Boot image for "test" or "stock".
kimage_for() {
	case $1 in
	test) echo "$(test_kernel_dir)/arch/x86/boot/bzImage" ;;
	stock) echo "/boot/vmlinuz-$(stock_krel)" ;;
	*) die "unknown kernel '$1' (test|stock)" ;;
	esac
}

# Are the hwbp module sources present?
hwbp_sources_present() {
	local f
	for f in constraint_table.cpp task_bp_list.cpp hw_breakpoint_core.cpp arch/x86/hwbp_arch.cpp; do
		[ -f "$HWBP_ROOT/$f" ] || return 1
	done
}

# Serialise work on one kernel's build tree (module builds, initramfs) across
# concurrent runs from the same checkout: lock_kernel_tree test|stock
lock_kernel_tree() {
	mkdir -p "$HWBP_BUILD/$1"
	exec 8> "$HWBP_BUILD/$1/.lock"
	flock 8
}
