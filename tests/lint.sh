#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Style checks: checkpatch.pl --strict on the kernel code, shellcheck on the
# tooling.
set -eu
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/../scripts/common.sh"

deps shellcheck perl
src=${KERNEL_SRC:-$("$TOP/scripts/kernel-src.sh")}
checkpatch="$src/scripts/checkpatch.pl"
# checkpatch seeds its CamelCase list from, and caches it in, the working
# directory: run it in the kernel tree, not in the clone.
cd "$src"

check "checkpatch --strict: fs/autofs/autofs_kunit.c" \
	"$checkpatch" --strict --no-tree -q -f "$TOP/fs/autofs/autofs_kunit.c"
# The hooks are a bare diff, not a commit: only the commit-message checks are off.
for p in "${PATCHES[@]}"; do
	check "checkpatch --strict: patches/${p##*/}" \
		"$checkpatch" --strict --no-tree -q --no-signoff \
		--ignore COMMIT_MESSAGE,MISSING_COMMIT_DESCRIPTION "$p"
done
# The i386 ABI pin is deliberately arch-specific: _Static_assert under __i386__.
check "checkpatch --strict: the autofs kselftest" \
	"$checkpatch" --strict --root="$src" -q -f --ignore ARCH_DEFINES,CAMELCASE \
	"$TOP/tools/testing/selftests/filesystems/autofs/autofs_daemon_test.c"

# The series' messages: checkpatch wraps commit descriptions at 75 columns.
long_lines() {
	! (cd "$TOP" && grep -nE '^.{76,}' series/*.msg)
}
check "series/*.msg: no line longer than 75 characters" long_lines

# The qemu /init programs are user space, in kernel style all the same.
for c in compat/init.c debug/init.c configs/init.c; do
	check "checkpatch --strict: $c" "$checkpatch" --strict --no-tree -q -f "$TOP/$c"
done

mapfile -t scripts < <(cd "$TOP" && find scripts tests compat .ci tools -type f \( -name '*.sh' -o -path .ci/run \) | sort)
shellcheck_all() {
	(cd "$TOP" && shellcheck -x "${scripts[@]}")
}
check "shellcheck: ${#scripts[@]} scripts" shellcheck_all

finish
