# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the autofs KUnit tooling; sourced, not run.

# shellcheck disable=SC2034  # variables are used by the scripts that source this
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
CACHE=${AUTOFS_KUNIT_CACHE:-${XDG_CACHE_HOME:-$home/.cache}/autofs-kunit}
DEBIAN_SRC_PKG=linux-source-6.12
# Edits of existing kernel files, as minimal-context patches.
PATCHES=("$TOP"/patches/*.patch)
# Files the suite adds to a kernel tree, relative to its root.
ADDED_FILES="fs/autofs/autofs_kunit.c fs/autofs/.kunitconfig
tools/testing/selftests/filesystems/autofs/autofs_daemon_test.c
tools/testing/selftests/filesystems/autofs/Makefile
tools/testing/selftests/filesystems/autofs/config
tools/testing/selftests/filesystems/autofs/.gitignore"

die() {
	echo "${0##*/}: error: $*" >&2
	exit 1
}

note() {
	echo "${0##*/}: $*" >&2
}

# ensure_cache: create the cache and its src/ and build/ directories; a new
# machine may not even have ~/.cache.
ensure_cache() {
	mkdir -p "$CACHE/src" "$CACHE/build" 2>/dev/null ||
		die "cannot create the cache $CACHE; set AUTOFS_KUNIT_CACHE to a writable directory"
}

# check_kernel_tree DIR: a one-line error unless DIR is a kernel tree we can use.
check_kernel_tree() {
	local dir=$1

	[ -n "$dir" ] || die "no kernel tree given (KERNEL_SRC is empty)"
	[ -d "$dir" ] || die "$dir: no such directory"
	if ! grep -q '^VERSION = ' "$dir/Makefile" 2>/dev/null || [ ! -d "$dir/fs/autofs" ] ||
	   [ ! -x "$dir/tools/testing/kunit/kunit.py" ]; then
		die "$dir: not a Linux kernel tree (need Makefile, fs/autofs and tools/testing/kunit/kunit.py)"
	fi
	grep -q 'autofs_parse_fd' "$dir/fs/autofs/inode.c" ||
		die "$dir: fs/autofs/inode.c has no autofs_parse_fd(): kernels before the autofs mount-API conversion (6.6) are not supported"
}

# check_arch ARCH: a one-line error unless the tooling runs the suite on ARCH.
check_arch() {
	case "$1" in
	um | x86_64 | i386) ;;
	*) die "ARCH=$1: only um, x86_64 and i386 are supported" ;;
	esac
}

# build_deps ARCH: check ARCH and install what building a KUnit kernel for
# it, and booting it under qemu for x86_64 and i386, needs.
build_deps() {
	check_arch "$1"
	ensure_cache
	[ "$1" = um ] || "$TOP/scripts/deps.sh" qemu-system-x86 libelf-dev
	"$TOP/scripts/deps.sh" gcc make flex bison bc python3 patch libc6-dev
}

# judge_results JSON ARCH: the suite's verdict on a kunit.py --json file:
# every declared case ran, nothing failed, and nothing skipped but what ARCH
# allows. On i386 the native v5 packet already has the i386 daemon's size,
# so the negative control's read at that size has nothing to show.
judge_results() {
	local allow=()
	if [ "$2" = i386 ]; then
		allow=(--allow-skip v5_stream_without_packet_mode_misaligns.read_at_i386_size)
	fi
	"$TOP/scripts/kunit_results.py" summary "$1" --cases "$TOP/fs/autofs/autofs_kunit.c" \
		"${allow[@]}"
}

# make_initramfs BDIR LIST CPIO: turn the gen_init_cpio LIST into CPIO with
# the tree's usr/gen_init_cpio, which the kernel build in BDIR has made (or
# which is built there now).
make_initramfs() {
	local gen="$1/usr/gen_init_cpio"

	[ -x "$gen" ] || gcc -O2 -o "$gen" "$tree/usr/gen_init_cpio.c"
	"$gen" "$2" >"$3"
}

# qemu_accel: kvm where it works, tcg otherwise.
qemu_accel() {
	if [ -w /dev/kvm ] && grep -qEw 'vmx|svm' /proc/cpuinfo; then
		echo kvm
	else
		echo tcg
	fi
}

kernel_version() {
	awk -F' = ' '$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
		$1 == "SUBLEVEL" { s = $2 } END { print (v == "" ? "unknown" : v "." p "." s) }' "$1/Makefile"
}

# build_dir TREE ARCH [FLAVOUR]: a build directory in the cache, one per tree, arch and flavour.
build_dir() {
	local tree key
	tree=$(cd "$1" && pwd -P)
	key=$(printf '%s' "$tree" | sha1sum | cut -c1-10)
	echo "$CACHE/build/$(basename "$tree")-$key-$2${3:+-$3}"
}

# prepare_tree: apply the suite to $KERNEL_SRC, or to the cached default tree,
# which is unpacked afresh if an older version of the suite left it in a
# state the current hooks do not apply to. Sets $tree to its physical path.
prepare_tree() {
	tree=${KERNEL_SRC:-}
	if [ -n "$tree" ]; then
		"$TOP/scripts/apply.sh" "$tree"
	else
		tree=$("$TOP/scripts/kernel-src.sh")
		if ! "$TOP/scripts/apply.sh" "$tree"; then
			note "unpacking the cached $DEBIAN_SRC_PKG afresh"
			rm -f "$tree.unpacked"
			tree=$("$TOP/scripts/kernel-src.sh")
			"$TOP/scripts/apply.sh" "$tree"
		fi
	fi
	tree=$(cd "$tree" && pwd -P)
}
