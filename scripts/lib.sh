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

# missing_pkgs PKG...: each of the host's Debian packages PKG that dpkg
# does not list as installed, one a line.
missing_pkgs() {
	local p
	for p in "$@"; do
		[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
			echo "$p"
	done
}

# Which kernel source the scripts work on: "6.1" (Debian 12's
# linux-source-6.1, installed by scripts/deps) unless use_src switched to
# another series.
HWBP_SRC_SERIES=6.1

# Version of the Debian source package the test kernel is built from.
src_pkg_version() {
	if [ "$HWBP_SRC_SERIES" = 6.1 ]; then
		dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo unknown
	else
		echo "$HWBP_SRC_VERSION"
	fi
}

# The newest linux-source-MAJOR.* package of the suites apt-suite knows
# (trixie, trixie-backports, sid): prints "PACKAGE VERSION", e.g.
# "linux-source-7.3 7.3.4-1~bpo13+1".  Discovered, never written down.
newest_src_pkg() {
	"$HWBP_ROOT/scripts/apt-suite" apt-cache policy "linux-source-$1.*" 2> /dev/null |
		awk '/^linux-source-[0-9.]+:$/ { pkg = substr($1, 1, length($1) - 1); next }
		     pkg && /^ +(\*\*\* )?[0-9][^ ]* [0-9]+$/ { v = $1 == "***" ? $2 : $1; print pkg, v }' |
		while read -r pkg v; do
			printf '%s %s\n' "$pkg" "$v"
		done | sort -u | {
			best_pkg= best_v=
			while read -r pkg v; do
				if [ -z "$best_v" ] || dpkg --compare-versions "$v" gt "$best_v"; then
					best_pkg=$pkg best_v=$v
				fi
			done
			[ -n "$best_v" ] && echo "$best_pkg $best_v"
		}
}

# use_src 6.1|7: work on Debian 12's linux-source-6.1 (the default) or on
# the newest linux-source-7.* Debian ships.  For 7, HWBP_SRC is
# $HWBP_CACHE/src/PACKAGE_VERSION (unpacked by ensure_src), and the test
# kernel's fragment is scripts/config/hwbp-test.config followed by
# hwbp-test-7.config (options that differ in 7.x), concatenated in the cache
# so that the test kernel's recipe and key are the same code for both.
# The discovery is done once per process tree: HWBP_SRC7 ("PACKAGE
# VERSION") is exported, and may be set by hand to pin a version.
use_src() {
	case $1 in
	6.1) HWBP_SRC_SERIES=6.1
	     HWBP_SRC_TAR=/usr/src/linux-source-6.1.tar.xz
	     HWBP_SRC=$HWBP_CACHE/src/linux-source-6.1
	     HWBP_FRAGMENT=$HWBP_ROOT/scripts/config/hwbp-test.config ;;
	7)   if [ -z "${HWBP_SRC7:-}" ]; then
		HWBP_SRC7=$(newest_src_pkg 7) ||
			die "no linux-source-7.* in the suites of scripts/apt-suite"
		[ -n "$HWBP_SRC7" ] || die "no linux-source-7.* in the suites of scripts/apt-suite"
		export HWBP_SRC7
	     fi
	     HWBP_SRC_SERIES=7
	     HWBP_SRC_PKG=${HWBP_SRC7% *}
	     HWBP_SRC_VERSION=${HWBP_SRC7#* }
	     HWBP_SRC=$HWBP_CACHE/src/${HWBP_SRC_PKG}_$(echo "$HWBP_SRC_VERSION" | tr -c 'A-Za-z0-9.\n-' _)
	     local base=$HWBP_ROOT/scripts/config/hwbp-test.config
	     local extra=$HWBP_ROOT/scripts/config/hwbp-test-7.config
	     mkdir -p "$HWBP_CACHE/config"
	     HWBP_FRAGMENT=$HWBP_CACHE/config/hwbp-test-7-$(cat "$base" "$extra" | sha256sum | cut -c1-16).config
	     [ -f "$HWBP_FRAGMENT" ] || {
		cat "$base" "$extra" > "$HWBP_FRAGMENT.$$" && mv "$HWBP_FRAGMENT.$$" "$HWBP_FRAGMENT"
	     } ;;
	*) die "use_src: unknown kernel series '$1' (6.1|7)" ;;
	esac
}

# The kernel version (MAJOR.MINOR) of the source in use, e.g. 7.3.
src_kernel_version() {
	if [ "$HWBP_SRC_SERIES" = 6.1 ]; then echo 6.1; else echo "${HWBP_SRC_PKG#linux-source-}"; fi
}

# Unpack linux-source-6.1 under the cache, re-unpacking when the package
# version changed.  Prints nothing; sets up $HWBP_SRC.
ensure_src() {
	[ "$HWBP_SRC_SERIES" = 6.1 ] || { ensure_src_deb; return; }
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

# ensure_src for a source package of another suite: download it with
# apt-suite into $HWBP_CACHE/debs/ and unpack it into $HWBP_SRC, a directory
# named after the package version (a new version is a new directory).
ensure_src_deb() {
	local deb_dir=$HWBP_CACHE/debs deb tmp
	[ -f "$HWBP_SRC/Makefile" ] && [ -f "$HWBP_SRC/.hwbp-unpacked" ] && return 0
	mkdir -p "$deb_dir" "$HWBP_CACHE/src"
	exec 6> "$HWBP_CACHE/src/.lock-$(basename "$HWBP_SRC")"
	flock 6
	if [ -f "$HWBP_SRC/Makefile" ] && [ -f "$HWBP_SRC/.hwbp-unpacked" ]; then flock -u 6; return 0; fi
	deb=$(ls "$deb_dir/${HWBP_SRC_PKG}_$(echo "$HWBP_SRC_VERSION" | sed 's/^[0-9]*://')_all.deb" 2> /dev/null || true)
	if [ -z "$deb" ]; then
		note "downloading $HWBP_SRC_PKG $HWBP_SRC_VERSION"
		(cd "$deb_dir" && "$HWBP_ROOT/scripts/apt-suite" apt-get download -q \
			"$HWBP_SRC_PKG=$HWBP_SRC_VERSION" > /dev/null) ||
			die "apt-suite could not download $HWBP_SRC_PKG $HWBP_SRC_VERSION"
		deb=$(ls "$deb_dir/${HWBP_SRC_PKG}"_*"_all.deb" | while read -r f; do
			[ "$(dpkg-deb -f "$f" Version)" = "$HWBP_SRC_VERSION" ] && echo "$f"; done | head -1)
		[ -n "$deb" ] || die "downloaded $HWBP_SRC_PKG but found no .deb of $HWBP_SRC_VERSION"
	fi
	note "unpacking $HWBP_SRC_PKG $HWBP_SRC_VERSION into $HWBP_SRC"
	rm -rf "$HWBP_SRC" "$HWBP_SRC.tmp"
	mkdir -p "$HWBP_SRC.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$HWBP_SRC_PKG.tar.xz" | xz -dc -T2 |
		tar -x -C "$HWBP_SRC.tmp" || die "unpacking $deb failed"
	mv "$HWBP_SRC.tmp/$HWBP_SRC_PKG" "$HWBP_SRC"
	rmdir "$HWBP_SRC.tmp"
	echo "$HWBP_SRC_VERSION" > "$HWBP_SRC/.hwbp-unpacked"
	flock -u 6
}

# x86_guest cpu|append: the amd64 guests' QEMU CPU model, or the kernel
# command line they all get, from the matrix's data (ARCHES['amd64'] in
# scripts/hwbp_matrix.py, where each choice is explained): scripts/vm, the
# series' boots and the Debian system test boot x86 as the matrix does.
x86_guest() {
	python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import hwbp_matrix
print(hwbp_matrix.ARCHES["amd64"][sys.argv[2]])' "$HWBP_ROOT/scripts" "$1"
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

# until_deadline CMD...: run CMD (a shell function too), stopped at
# HWBP_BUILD_DEADLINE (seconds since the epoch) when that is set.  "make
# check" sets it for the kernel builds of its jobs, so that a cold run ends
# within its time budget whatever the machine's speed (scripts/check, "the
# time budget").  CMD runs in a process group of its own, which gets
# SIGTERM at the deadline (make passes it to its children) and SIGKILL a
# minute later.  Exit status 124 when it was stopped, as timeout(1) gives.
# A kernel build stopped this way is resumed, incrementally, by the next run.
until_deadline() {
	local left pid watcher rc=0
	[ -n "${HWBP_BUILD_DEADLINE:-}" ] || { "$@"; return; }
	left=$((HWBP_BUILD_DEADLINE - $(date +%s)))
	[ "$left" -gt 0 ] || return 124
	set -m
	"$@" &
	pid=$!
	{ sleep "$left"; kill -TERM -- "-$pid"; sleep 60; kill -KILL -- "-$pid"; } > /dev/null 2>&1 &
	watcher=$!
	set +m
	wait "$pid" || rc=$?
	kill -- "-$watcher" 2> /dev/null || true
	[ $rc != 0 ] && [ "$(date +%s)" -ge "$HWBP_BUILD_DEADLINE" ] && rc=124
	return $rc
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

test_kernel_dir() {
	if [ "$HWBP_SRC_SERIES" = 6.1 ]; then
		echo "$HWBP_CACHE/kernel-$(test_kernel_key)"
	else
		echo "$HWBP_CACHE/kernel-$(src_kernel_version)-$(test_kernel_key)"
	fi
}

# Kernel build tree (KDIR) for "test" (6.1), "test7" (newest 7.x) or "stock".
kdir_for() {
	case $1 in
	test) test_kernel_dir ;;
	test7) (use_src 7 && test_kernel_dir) ;;
	stock) echo "/lib/modules/$(stock_krel)/build" ;;
	*) die "unknown kernel '$1' (test|test7|stock)" ;;
	esac
}

# Boot image for "test", "test7", "stock" or a scripts/kernels TARGET.
kimage_for() {
	case $1 in
	test) echo "$(test_kernel_dir)/arch/x86/boot/bzImage" ;;
	test7) echo "$(kdir_for test7)/arch/x86/boot/bzImage" ;;
	stock) echo "/boot/vmlinuz-$(stock_krel)" ;;
	*) "$HWBP_ROOT/scripts/kernels" info "$1" IMAGE ||
		die "unknown kernel '$1' (test|test7|stock|TARGET)" ;;
	esac
}

# Are the hwbp module sources present?
hwbp_sources_present() {
	local f
	for f in core/constraint_table.cpp core/task_bp_list.cpp glue/hw_breakpoint_core.cpp arch/x86/hwbp_arch.cpp; do
		[ -f "$HWBP_ROOT/$f" ] || return 1
	done
}

# copy_module_sources OUT: the module's sources into the build directory
# OUT: Kbuild files, .cpp/.c/.h under the module's directories (of tests/,
# only the test modules in tests/kmod/), keeping the objects of the last
# build there so that the next one is incremental.
copy_module_sources() {
	rsync -a --delete --prune-empty-dirs \
		--exclude='/build/' --exclude='/scripts/' \
		--include='/tests/' --include='/tests/kmod/***' --exclude='/tests/**' \
		--exclude='/.git/' --exclude='/.ci/' \
		--filter='P *.o' --filter='P *.ko' --filter='P .*.cmd' --filter='P *.mod*' \
		--filter='P modules.order' --filter='P Module.symvers' --filter='P .*.d' \
		--include='*/' --include='Kbuild' --include='kbuild-cpp.mk' --include='*.cpp' --include='*.c' \
		--include='*.h' --exclude='*' \
		"$HWBP_ROOT/" "$1/"
}

# copy_host_libs ROOT BIN: the shared libraries a host program loads (what
# ldd lists, its loader too), into ROOT at the same paths.
copy_host_libs() {
	local lib
	ldd "$2" | awk '/=> \//{print $3} /^\s*\/lib/{print $1}' | sort -u | while read -r lib; do
		mkdir -p "$1$(dirname "$lib")"
		cp -L "$lib" "$1$lib"
	done
}

# Serialise work on one kernel's build tree (module builds, initramfs) across
# concurrent runs from the same checkout: lock_kernel_tree test|stock
lock_kernel_tree() {
	mkdir -p "$HWBP_BUILD/$1"
	exec 8> "$HWBP_BUILD/$1/.lock"
	flock 8
}
