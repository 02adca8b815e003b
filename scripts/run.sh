#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run.sh [kunit.py run options...]: apply the suite to $KERNEL_SRC (default:
# Debian's linux-source-6.12) and run it with kunit.py. The exit status is
# kunit.py's.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

arch=${ARCH:-um}
build_deps "$arch"

prepare_tree

# AUTOFS_KUNIT_BUILD_DIR: another build dir (make bench uses its own).
bdir=${AUTOFS_KUNIT_BUILD_DIR:-$(build_dir "$tree" "$arch")}
mkdir -p "$bdir"
cd "$tree"
set -x
exec ./tools/testing/kunit/kunit.py run --kunitconfig fs/autofs --arch "$arch" \
	--build_dir "$bdir" --jobs "$(nproc)" "$@"
