#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# stages.sh TARGET...: run make TARGET for each stage of make test, in
# order, stopping at the first that fails, and print how long each took,
# so that a slow stage shows where the time goes.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

start=$(date +%s)
rows=()
report() {
	local r
	echo "make test: stage times"
	for r in ${rows[@]+"${rows[@]}"}; do
		echo "  $r"
	done
	echo "  total $(($(date +%s) - start))s"
}
trap report EXIT
for stage in "$@"; do
	t0=$(date +%s)
	rc=0
	make --no-print-directory -C "$TOP" "$stage" || rc=$?
	secs=$(($(date +%s) - t0))
	if [ "$rc" -ne 0 ]; then
		rows+=("$stage:FAILED:${secs}s")
		note "stage $stage failed after ${secs}s"
		exit "$rc"
	fi
	rows+=("$stage:${secs}s")
	note "stage $stage passed in ${secs}s"
done
