#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# compat/bench.sh: a benchmark, not a test. Time to verdict of make compat
# from a cold build directory, then warm, on the same tree; prints a table.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/../scripts/common.sh"

prepare_tree
flavour=compat-bench
remove_build_dir "$(build_dir "$tree" x86_64 "$flavour")" "$tree"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

printf '%-6s %10s %14s %16s %10s %s\n' run total "kernel build" "tests+initramfs" "boot" verdict
for run in cold warm; do
	t0=$(date +%s.%N)
	verdict=PASS
	COMPAT_FLAVOUR=$flavour KERNEL_SRC=$tree "$TOP/compat/run.sh" >"$log" 2>&1 || verdict=FAIL
	t1=$(date +%s.%N)
	read -r kb ti boot accel < <(sed -n \
		's/^compat timings: kernel build \([0-9.]*\)s, tests+initramfs \([0-9.]*\)s, boot to verdict \([0-9.]*\)s (\(.*\))/\1 \2 \3 \4/p' \
		"$log")
	printf '%-6s %9.1fs %13ss %15ss %9ss %s (%s)\n' "$run" "$(echo "$t1 - $t0" | bc)" \
		"${kb:-?}" "${ti:-?}" "${boot:-?}" "$verdict" "${accel:-?}"
done
