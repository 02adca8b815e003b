#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Style checks: checkpatch.pl --strict on the kernel code, shellcheck on the
# tooling.
set -eu
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/../scripts/common.sh"

"$TOP/scripts/deps.sh" shellcheck perl
src=${KERNEL_SRC:-$("$TOP/scripts/kernel-src.sh")}
checkpatch="$src/scripts/checkpatch.pl"

check "checkpatch --strict: fs/autofs/autofs_kunit.c" \
	"$checkpatch" --strict --no-tree -q -f "$TOP/fs/autofs/autofs_kunit.c"
# The hooks are a bare diff, not a commit: only the commit-message checks are off.
check "checkpatch --strict: patches/autofs-kunit.patch" \
	"$checkpatch" --strict --no-tree -q --no-signoff \
	--ignore COMMIT_MESSAGE,MISSING_COMMIT_DESCRIPTION "$PATCH"

mapfile -t scripts < <(cd "$TOP" && find scripts tests .ci -type f \( -name '*.sh' -o -path .ci/run \) | sort)
shellcheck_all() {
	(cd "$TOP" && shellcheck -x "${scripts[@]}")
}
check "shellcheck: ${#scripts[@]} scripts" shellcheck_all

finish
