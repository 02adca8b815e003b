#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run.sh [kunit.py run options...]: apply the suite to $KERNEL_SRC (default:
# Debian's source of $KERNEL, 7.3) and run it with kunit.py. The exit status
# is kunit.py's. A relative --json FILE is taken from where run.sh started,
# not from the kernel tree kunit.py runs in; --json=stdout and --json
# stdout are kunit.py's own (the results on standard output).
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

arch=${ARCH:-um}
build_deps "$arch"

args=()
while [ "$#" -gt 0 ]; do
	case "$1" in
	--json=stdout) args+=("$1") ;;
	--json=?*) args+=("--json=$(realpath -m -- "${1#--json=}")") ;;
	--json)
		if [ "$#" -gt 1 ] && [ "${2#-}" = "$2" ] && [ "$2" != stdout ]; then
			args+=("--json=$(realpath -m -- "$2")")
			shift
		else
			args+=("$1")
		fi
		;;
	*) args+=("$1") ;;
	esac
	shift
done

prepare_tree

# AUTOFS_KUNIT_BUILD_DIR: another build dir (make bench uses its own).
bdir=${AUTOFS_KUNIT_BUILD_DIR:-$(build_dir "$tree" "$arch")}
mkdir -p "$bdir"
cd "$tree"
set -x
exec ./tools/testing/kunit/kunit.py run --kunitconfig fs/autofs --arch "$arch" \
	--build_dir "$bdir" --jobs "$(nproc)" ${args[@]+"${args[@]}"}
