#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# soak.sh: build the suite once (as make run does, for ARCH) and boot it N
# times (default 50). SOAK_ISOLATED=suite|test passes kunit.py --run_isolated,
# which boots once per suite or per case. Prints every case that ever failed
# or was skipped where it must not be, with how often; fails if any did.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

n=${N:-50}
arch=${ARCH:-um}
timeout=${SOAK_TIMEOUT:-300}
check_seconds SOAK_TIMEOUT "$timeout"
case "$n" in
'' | *[!0-9]* | 0) die "N=$n: the number of runs must be a positive integer" ;;
esac
iso=()
case "${SOAK_ISOLATED:-}" in
'') ;;
suite | test) iso=(--run_isolated "$SOAK_ISOLATED") ;;
*) die "SOAK_ISOLATED=$SOAK_ISOLATED: must be suite, test or empty" ;;
esac
build_deps "$arch"

prepare_tree
bdir=$(build_dir "$tree" "$arch")
mkdir -p "$bdir"
cd "$tree"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

./tools/testing/kunit/kunit.py build --kunitconfig fs/autofs --arch "$arch" \
	--build_dir "$bdir" --jobs "$(nproc)" >"$work/build.log" 2>&1 || {
	tail -n 25 "$work/build.log" >&2
	die "build failed"
}

: >"$work/bad"
bad_runs=0
t0=$(date +%s)
for i in $(seq 1 "$n"); do
	rc=0
	./tools/testing/kunit/kunit.py exec --arch "$arch" --build_dir "$bdir" \
		--timeout "$timeout" "${iso[@]}" --json="$work/run.json" >"$work/run.log" 2>&1 || rc=$?
	if [ ! -s "$work/run.json" ]; then
		echo "(no results: kernel crashed or timed out)" >>"$work/bad"
		cp "$work/run.log" "$work/run-$i.log"
		bad_runs=$((bad_runs + 1))
		continue
	fi
	if ! judge_results "$work/run.json" "$arch" >"$work/sum" || [ "$rc" -ne 0 ]; then
		# Everything but the count line and allowed skips names a bad result.
		awk '!/^autofs_pipe: / && !(/^SKIP / && !/not allowed here/)' "$work/sum" >"$work/this"
		[ -s "$work/this" ] || echo "(kunit.py exited $rc)" >"$work/this"
		cat "$work/this" >>"$work/bad"
		bad_runs=$((bad_runs + 1))
		note "run $i/$n: FAILED"
	fi
	rm -f "$work/run.json"
done
secs=$(($(date +%s) - t0))

echo "soak ($arch${SOAK_ISOLATED:+, isolated per $SOAK_ISOLATED}): $n runs in ${secs}s, $bad_runs with a failure"
if [ "$bad_runs" -ne 0 ]; then
	echo "times  result"
	sort "$work/bad" | uniq -c | sort -rn
	exit 1
fi
echo "no case ever failed"
