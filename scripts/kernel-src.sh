#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernel-src.sh [--afresh] [KERNEL]: print the path of Debian's source tree
# for KERNEL (default: $KERNEL, else the first row of kernels.list),
# fetching the linux-source package from the archive and unpacking it into
# the cache if needed (--afresh: even if it is there). The package comes
# through the machine's apt configuration (its mirrors, its proxies), with
# a sources list of the pinned suites and lists directory of our own in
# the cache, so the machine's apt setup is never touched and root is not
# needed (private_apt_download).
#
# Unpacks go through a temporary directory, moved into place when complete
# (marker .autofs-kunit-unpacked). The cache may be a directory of the
# user's (AUTOFS_KUNIT_CACHE=$HOME): only a directory with this tooling's
# marker .autofs-kunit-created, written into it when it was made (before
# anything is unpacked), is ever deleted or replaced; anything else in the
# way is refused in one line, before anything is downloaded. That goes for
# the build directories of a tree it replaces too. (.autofs-kunit-unpacked,
# which older versions wrote into the trees they unpacked, proves a tree
# ours as well; a build directory they made is kbuild's, of that tree.)
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

afresh=0
if [ "${1:-}" = --afresh ]; then
	afresh=1
	shift
fi
kernel_pin "${1:-${KERNEL:-}}"
tree="$CACHE/src/$PIN_PKG"
created=$MARKER
unpacked=.autofs-kunit-unpacked
stale() {
	compgen -G "$CACHE/src/.unpack.$PIN_PKG.*" >/dev/null
}
if [ "$afresh" = 0 ] && [ -e "$tree/$unpacked" ] && ! stale; then
	echo "$tree"
	exit 0
fi

# check_tree DIR: refuse, before anything is downloaded, to replace a DIR
# that is not ours.
check_tree() {
	[ -e "$1/$unpacked" ] || check_ours "$1"
}
# The build directories of the tree at this path: objects built from an
# earlier tree there would look newer than these sources, whose times are
# the package's, so they go when it is replaced.
builds() {
	local b key
	key=$(path_key "$(cd "$CACHE/src" && pwd -P)/$PIN_PKG")
	for b in "$CACHE/build/$PIN_PKG-$key-"*; do
		[ -d "$b" ] && echo "$b"
	done
}

# shellcheck disable=SC2086  # a list of packages
"$TOP/scripts/deps.sh" $PKGS_SRC >&2
ensure_cache
cache_writable "$tree"
with_lock "src-$PIN_PKG" "unpacking $PIN_PKG"
# Under the lock, a temporary unpack directory is a leftover of a run that
# was killed.
for leftover in "$CACHE/src/.unpack.$PIN_PKG".*; do
	[ -e "$leftover" ] || continue
	[ -e "$leftover/$created" ] ||
		die "$leftover is in the way and not a directory this tooling made (it has no $created): move it away, or set AUTOFS_KUNIT_CACHE to another directory"
	note "removing $leftover, left by an interrupted unpack"
	rm -rf "$leftover"
done

# Another run may have finished it while we waited.
if [ "$afresh" = 1 ] || [ ! -e "$tree/$unpacked" ]; then
	check_tree "$tree"
	physical=$(cd "$CACHE/src" && pwd -P)/$PIN_PKG
	while read -r b; do
		check_build_dir "$b" "$physical"
	done < <(builds)
	if [ "$afresh" = 0 ] && [ -e "$tree" ]; then
		note "$tree is incomplete (an interrupted unpack?): unpacking it afresh"
	fi
	deb=$(private_apt_download "$PIN_PKG" "$PIN_SUITES")
	tmp=$(mktemp -d "$CACHE/src/.unpack.$PIN_PKG.XXXXXX")
	: >"$tmp/$created"
	trap 'rm -rf "$tmp"' EXIT
	note "unpacking $(basename "$deb") into $CACHE/src"
	dpkg-deb -x "$deb" "$tmp/deb"
	tarball=$(find "$tmp/deb/usr/src" -maxdepth 1 -name "$PIN_PKG.tar.*" | head -n 1)
	[ -n "$tarball" ] || die "$(basename "$deb") ships no /usr/src/$PIN_PKG.tar.*"
	mkdir "$tmp/$PIN_PKG"
	: >"$tmp/$PIN_PKG/$created"
	tar -xf "$tarball" -C "$tmp"
	[ -e "$tmp/$PIN_PKG/Makefile" ] || die "$(basename "$tarball") has no top directory $PIN_PKG"
	got=$(kernel_version "$tmp/$PIN_PKG")
	case "$got" in
	"$PIN_KERNEL".*) ;;
	*) die "$PIN_PKG unpacked as Linux $got, not $PIN_KERNEL" ;;
	esac
	# The tarball stays beside the tree: make series builds its git tree from it.
	mv "$tarball" "$CACHE/src/$PIN_PKG.tar.${tarball##*.tar.}"
	: >"$tmp/$PIN_PKG/$unpacked"
	# Those builds start over (checked ours above, under the lock).
	while read -r b; do
		check_build_dir "$b" "$physical"
		note "removing $b, built from an earlier tree"
		rm -rf "$b"
	done < <(builds)
	# The marker of older versions of this tooling, outside the tree.
	rm -f "$tree.unpacked"
	# The tree it replaces (ours: checked above, under the lock) goes with
	# the temporary directory.
	check_tree "$tree"
	if [ -e "$tree" ]; then
		mv "$tree" "$tmp/replaced"
	fi
	mv "$tmp/$PIN_PKG" "$tree"
	rm -f "$deb"
fi
echo "$tree"
