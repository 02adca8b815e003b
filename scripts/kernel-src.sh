#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernel-src.sh: print the default kernel tree, Debian's linux-source-6.12,
# installing the package and unpacking it into the cache if needed.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

ensure_cache
tree="$CACHE/src/$DEBIAN_SRC_PKG"
if [ ! -e "$tree.unpacked" ]; then
	"$TOP/scripts/deps.sh" "$DEBIAN_SRC_PKG" xz-utils >&2
	tarball=$(dpkg-query -L "$DEBIAN_SRC_PKG" | grep -m1 '\.tar\.xz$') ||
		die "package $DEBIAN_SRC_PKG ships no source tarball"
	note "unpacking $tarball into $CACHE/src"
	tmp=$(mktemp -d "$CACHE/src/.unpack.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	tar -xJf "$tarball" -C "$tmp"
	rm -rf "$tree"
	mv "$tmp/$DEBIAN_SRC_PKG" "$tree"
	touch "$tree.unpacked"
fi
echo "$tree"
