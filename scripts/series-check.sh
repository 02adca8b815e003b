#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# series-check.sh: bisectability of the series made by series.sh. Applies
# the patches one at a time with git am on a clean worktree at the series'
# base and builds after each: the KUnit suite with kunit.py (UML), the
# kselftest with its own Makefile (both the native and the -m32 binary).
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

out=$(realpath -m -- "${SERIES_OUT:-$TOP/series-out}")
build_deps um git gcc-multilib rsync
ls "$out"/000[1-9]-*.patch >/dev/null 2>&1 || die "no series in $out: run make series first"
if [ -n "${KERNEL_SRC:-}" ]; then
	repo=$KERNEL_SRC
else
	kernel_pin "${KERNEL:-}"
	repo="$CACHE/series/$PIN_PKG"
fi
git -C "$repo" rev-parse --verify -q HEAD >/dev/null || die "$repo: not a git tree"
base=$(sed -n 's/^base-commit: //p' "$out/0000-cover-letter.patch")
[ -n "$base" ] || base=$(git -C "$repo" rev-parse HEAD)

wt=$(mktemp -d)
# shellcheck disable=SC2317  # invoked by trap
cleanup() {
	git -C "$repo" worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"
	git -C "$repo" worktree prune
}
trap cleanup EXIT
git -C "$repo" worktree add -q --detach "$wt" "$base"
bdir="$CACHE/build/series-check-um"
mkdir -p "$bdir"

rc=0
for p in "$out"/000[1-9]-*.patch; do
	t0=$(date +%s)
	git -C "$wt" am -q "$p" || die "$(basename "$p") does not apply in order"
	if (cd "$wt" && ./tools/testing/kunit/kunit.py build --kunitconfig fs/autofs \
		--build_dir "$bdir" --jobs "$(nproc)") >"$bdir.log" 2>&1; then
		result="kunit build ok"
	else
		result="kunit build FAILED (see $bdir.log)"
		rc=1
	fi
	if [ -d "$wt/tools/testing/selftests/filesystems/autofs" ]; then
		# The native headers and compiler, whatever ARCH the caller exported.
		# install copies every program run_tests would run: a file the
		# Makefile names but the patch lacks fails here.
		if env -u ARCH make -s -C "$wt" headers >"$bdir.selftest.log" 2>&1 &&
		   env -u ARCH make -C "$wt/tools/testing/selftests" TARGETS=filesystems/autofs \
			INSTALL_PATH="$wt/.kselftest-install" install >>"$bdir.selftest.log" 2>&1 &&
		   [ -x "$wt/.kselftest-install/filesystems/autofs/autofs_compat_test.sh" ] &&
		   [ -x "$wt/tools/testing/selftests/filesystems/autofs/autofs_daemon_test" ] &&
		   [ -x "$wt/tools/testing/selftests/filesystems/autofs/autofs_daemon_test_32" ]; then
			result="$result, kselftest (64 and 32-bit) build ok"
		else
			result="$result, kselftest build FAILED (see $bdir.selftest.log)"
			rc=1
		fi
	fi
	echo "$(basename "$p"): $result ($(($(date +%s) - t0))s)"
done
[ "$rc" -eq 0 ] && echo "series-check: every patch builds on its own"
exit "$rc"
