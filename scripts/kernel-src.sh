#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernel-src.sh [KERNEL]: print the path of Debian's source tree for KERNEL
# (default: $KERNEL, else the first row of kernels.list), fetching the
# linux-source package from the archive and unpacking it into the cache if
# needed. The package comes through a private apt sources list and lists
# directory in the cache, so the machine's apt setup is never touched and
# root is not needed. A half-done unpack (an interrupted run) is detected by
# its missing marker and redone.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

kernel_pin "${1:-${KERNEL:-}}"
tree="$CACHE/src/$PIN_PKG"
stale() {
	compgen -G "$CACHE/src/.unpack.$PIN_PKG.*" >/dev/null
}
if [ -e "$tree/.autofs-kunit-unpacked" ] && ! stale; then
	echo "$tree"
	exit 0
fi

# shellcheck disable=SC2086  # a list of packages
"$TOP/scripts/deps.sh" $PKGS_SRC >&2
ensure_cache
with_lock "src-$PIN_PKG" "unpacking $PIN_PKG"
# Under the lock, a temporary unpack directory is a leftover of a run that
# was killed.
for leftover in "$CACHE/src/.unpack.$PIN_PKG".*; do
	[ -e "$leftover" ] || continue
	note "removing $leftover, left by an interrupted unpack"
	rm -rf "$leftover"
done

# Another run may have finished it while we waited.
if [ ! -e "$tree/.autofs-kunit-unpacked" ]; then
	# The marker of older versions of this tooling, outside the tree.
	rm -f "$tree.unpacked"
	if [ -e "$tree" ]; then
		note "$tree is incomplete (an interrupted unpack?): unpacking it afresh"
		rm -rf "$tree"
	fi
	deb=$(private_apt_download "$PIN_PKG" "$PIN_SUITES")
	tmp=$(mktemp -d "$CACHE/src/.unpack.$PIN_PKG.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	note "unpacking $(basename "$deb") into $CACHE/src"
	dpkg-deb -x "$deb" "$tmp/deb"
	tarball=$(find "$tmp/deb/usr/src" -maxdepth 1 -name "$PIN_PKG.tar.*" | head -n 1)
	[ -n "$tarball" ] || die "$(basename "$deb") ships no /usr/src/$PIN_PKG.tar.*"
	tar -xf "$tarball" -C "$tmp"
	[ -d "$tmp/$PIN_PKG" ] || die "$(basename "$tarball") has no top directory $PIN_PKG"
	got=$(kernel_version "$tmp/$PIN_PKG")
	case "$got" in
	"$PIN_KERNEL".*) ;;
	*) die "$PIN_PKG unpacked as Linux $got, not $PIN_KERNEL" ;;
	esac
	# The tarball stays beside the tree: make series builds its git tree from it.
	mv "$tarball" "$CACHE/src/$PIN_PKG.tar.${tarball##*.tar.}"
	: >"$tmp/$PIN_PKG/.autofs-kunit-unpacked"
	# Objects built from an earlier tree at this path would look newer than
	# these sources, whose times are the package's: start those builds over.
	key=$(path_key "$(cd "$CACHE/src" && pwd -P)/$PIN_PKG")
	for b in "$CACHE/build/$PIN_PKG-$key-"*; do
		[ -e "$b" ] || continue
		note "removing $b, built from an earlier tree"
		rm -rf "$b"
	done
	mv "$tmp/$PIN_PKG" "$tree"
	rm -f "$deb"
fi
echo "$tree"
