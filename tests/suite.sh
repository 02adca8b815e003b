#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the suite (make run) and hold it to more than kunit.py's exit status:
# every declared case ran, nothing failed, nothing skipped that must not be.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/../scripts/common.sh"

json=$(mktemp)
trap 'rm -f "$json"' EXIT

rc=0
"$TOP/scripts/run.sh" --json="$json" >&2 || rc=$?
[ -s "$json" ] || die "kunit.py exited $rc and wrote no results"

# The tree run.sh ran in: the suite's cases are those of its copy.
tree=${KERNEL_SRC:-$("$TOP/scripts/kernel-src.sh")}
judge_results "$json" "${ARCH:-um}" "$tree" || rc=1
exit "$rc"
