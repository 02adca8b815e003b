#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh: a benchmark, not a test. Times, BENCH_RUNS times each (default 3),
# on ARCH=um: make run cold (empty build dir) and warm, the stock fs/fat KUnit
# suite the same way beside it, the in-kernel time of both suites (printk
# timestamps of their KTAP lines), make prove and make compat (warm). Prints
# min/median/max of each and the autofs/fat ratios, which hold on a noisy
# machine because both ran here, now. Uses its own build dirs in the cache.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

runs=${BENCH_RUNS:-3}
case "$runs" in
'' | *[!0-9]* | 0) die "BENCH_RUNS=$runs: must be a positive integer" ;;
esac
"$TOP/scripts/deps.sh" gcc make flex bison bc python3 patch libc6-dev
prepare_tree
bench="$CACHE/bench"
mkdir -p "$bench"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ARCH=um

# timed NAME COMMAND...: run COMMAND (output to a log) and record its time.
timed() {
	local name=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	"$@" >"$work/$name.log" 2>&1 || {
		tail -n 20 "$work/$name.log" >&2
		die "$name: '$*' failed"
	}
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc >>"$work/$name.times"
}

autofs_run() {
	AUTOFS_KUNIT_BUILD_DIR="$bench/autofs-um" make -s -C "$TOP" run
}
fat_run() {
	(cd "$tree" && ./tools/testing/kunit/kunit.py run --kunitconfig fs/fat --arch um \
		--build_dir "$bench/fat-um" --jobs "$(nproc)")
}

# in_kernel NAME SUITE BUILD_DIR: seconds from the suite's KTAP header to its
# result line, from the kernel's own printk timestamps.
in_kernel() {
	(cd "$tree" && ./tools/testing/kunit/kunit.py exec --arch um --build_dir "$3" \
		--kernel_args printk.time=1 --raw_output=all) >"$work/$1.raw" 2>&1 || true
	awk -v s="$2" '
		function ts(l) { return substr(l, index(l, "[") + 1, index(l, "]") - index(l, "[") - 1) + 0 }
		$0 ~ "# Subtest: " s "$" { start = ts($0) }
		start != "" && $0 ~ "ok [0-9]+ " s "$" { printf "%.6f\n", ts($0) - start; exit }
	' "$work/$1.raw" >"$work/$1.one"
	[ -s "$work/$1.one" ] || die "$1: no timestamped KTAP for suite $2"
	cat "$work/$1.one" >>"$work/$1.times"
}

note "$runs runs of each; cold builds take minutes"
for i in $(seq 1 "$runs"); do
	note "round $i/$runs"
	rm -rf "$bench/autofs-um" "$bench/fat-um"
	timed run_cold autofs_run
	timed fat_cold fat_run
	timed run_warm autofs_run
	timed fat_warm fat_run
	in_kernel kernel_autofs autofs_pipe "$bench/autofs-um"
	in_kernel kernel_fat fat_test "$bench/fat-um"
done
for i in $(seq 1 "$runs"); do
	timed prove make -s -C "$TOP" prove
	timed compat make -s -C "$TOP" compat
done

stats() {
	sort -g "$work/$1.times" | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%d %.3f %.3f %.3f\n", NR, v[1], m, v[NR] }'
}
median() {
	stats "$1" | cut -d' ' -f3
}
row() {
	local n min med max
	read -r n min med max <<<"$(stats "$1")"
	printf '%-40s %4s %10s %10s %10s\n' "$2" "$n" "$min" "$med" "$max"
}

echo
echo "bench: $(kernel_version "$tree"), ARCH=um, $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%-40s %4s %10s %10s %10s\n' "seconds" runs min median max
row run_cold "make run, cold (empty build dir)"
row fat_cold "kunit.py run fs/fat, cold"
row run_warm "make run, warm"
row fat_warm "kunit.py run fs/fat, warm"
row kernel_autofs "in-kernel: autofs_pipe suite"
row kernel_fat "in-kernel: fat_test suite"
row prove "make prove (warm)"
row compat "make compat (warm)"
printf 'median ratio autofs/fat: cold %.2f, warm %.2f, in-kernel %.2f\n' \
	"$(echo "$(median run_cold) / $(median fat_cold)" | bc -l)" \
	"$(echo "$(median run_warm) / $(median fat_warm)" | bc -l)" \
	"$(echo "$(median kernel_autofs) / $(median kernel_fat)" | bc -l)"
