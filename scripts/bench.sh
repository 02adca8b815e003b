#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh: a benchmark, not a test. Times, BENCH_RUNS times each (default 3):
# make run cold (empty build dir) and warm on UML, the stock fs/fat KUnit
# suite the same way beside it ("builds"); the in-kernel time of both suites
# from printk timestamps of their KTAP lines, on x86_64 under qemu, because
# UML's clock only ticks in jiffies ("kernel"); make prove ("prove") and make
# compat ("compat"), warm. BENCH_PARTS picks a subset of those four. Prints
# min/median/max of each and the autofs/fat ratios, which hold on a noisy
# machine because both ran here, now. Uses its own build dirs in the cache
# ($CACHE/bench), which it deletes for the cold builds: only those it made
# (their marker) - anything else there is refused in one line.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

runs=${BENCH_RUNS:-3}
case "$runs" in
'' | *[!0-9]* | 0) die "BENCH_RUNS=$runs: must be a positive integer" ;;
esac
parts=${BENCH_PARTS:-builds kernel prove compat}
for p in $parts; do
	case "$p" in
	builds | kernel | prove | compat) ;;
	*) die "BENCH_PARTS: unknown part '$p' (known: builds kernel prove compat)" ;;
	esac
done
want() {
	case " $parts " in *" $1 "*) return 0 ;; esac
	return 1
}
bench_arch=um
want kernel && bench_arch=x86_64
build_deps "$bench_arch"
prepare_tree
bench="$CACHE/bench"
mkdir -p "$bench"
for d in autofs-um fat-um fat-x86_64; do
	check_build_dir "$bench/$d" "$tree"
	[ -e "$bench/$d" ] || make_own_dir "$bench/$d"
done
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

kbuild() {
	(cd "$tree" && ./tools/testing/kunit/kunit.py build --kunitconfig "$1" --arch x86_64 \
		--build_dir "$2" --jobs "$(nproc)")
}

# in_kernel NAME SUITE BUILD_DIR: seconds from the suite's KTAP header to its
# result line, from the kernel's own printk timestamps (x86_64, qemu); and
# each case's (results one level below the suite, parameters not counted):
# from the previous case's result, or the suite's header, to its own.
in_kernel() {
	(cd "$tree" && ./tools/testing/kunit/kunit.py exec --arch x86_64 --build_dir "$3" \
		--kernel_args printk.time=1 --raw_output=all) >"$work/$1.raw" 2>&1 || true
	rm -f "$work/$1.one"
	awk -v s="$2" -v one="$work/$1.one" '
		function ts(l) { return substr(l, index(l, "[") + 1, index(l, "]") - index(l, "[") - 1) + 0 }
		$0 ~ "# Subtest: " s "$" { start = prev = ts($0); next }
		start == "" { next }
		$0 ~ "ok [0-9]+ " s "$" { printf "%.6f\n", ts($0) - start >one; exit }
		$0 ~ "^\\[[^]]*\\]     (not )?ok [0-9]+ " {
			name = $0; sub(/.*ok [0-9]+ /, "", name); sub(/ #.*/, "", name)
			printf "%s %.6f\n", name, ts($0) - prev; prev = ts($0)
		}
	' "$work/$1.raw" >"$work/$1.run"
	[ -s "$work/$1.one" ] || die "$1: no timestamped KTAP for suite $2"
	cat "$work/$1.one" >>"$work/$1.times"
	cat "$work/$1.run" >>"$work/$1.percase"
	wc -l <"$work/$1.run" >"$work/$1.cases"
}

note "$runs runs of each of: $parts; cold builds take minutes"
if want kernel; then
	# Built once, untimed; make run ARCH=x86_64 shares the autofs one.
	autofs_x86=$(build_dir "$tree" x86_64)
	timed build_x86 kbuild fs/autofs "$autofs_x86"
	timed build_x86 kbuild fs/fat "$bench/fat-x86_64"
fi
for i in $(seq 1 "$runs"); do
	note "round $i/$runs"
	if want builds; then
		for d in autofs-um fat-um; do
			remove_build_dir "$bench/$d" "$tree"
			make_own_dir "$bench/$d"
		done
		timed run_cold autofs_run
		timed fat_cold fat_run
		timed run_warm autofs_run
		timed fat_warm fat_run
	fi
	if want kernel; then
		in_kernel kernel_autofs autofs_pipe "$autofs_x86"
		in_kernel kernel_fat fat_test "$bench/fat-x86_64"
	fi
done
for i in $(seq 1 "$runs"); do
	want prove && timed prove make -s -C "$TOP" prove
	want compat && timed compat make -s -C "$TOP" compat
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
	[ -s "$work/$1.times" ] || return 0
	read -r n min med max <<<"$(stats "$1")"
	printf '%-44s %4s %10s %10s %10s\n' "$2" "$n" "$min" "$med" "$max"
}
# ratio A B: median of A over median of B, if both were measured.
ratio() {
	[ -s "$work/$1.times" ] && [ -s "$work/$2.times" ] || return 0
	if [ "$(echo "$(median "$2") > 0" | bc)" != 1 ]; then
		printf ' %s n/a' "$3"
		return 0
	fi
	printf ' %s %.2f' "$3" "$(echo "$(median "$1") / $(median "$2")" | bc -l)"
}

echo
echo "bench: $(kernel_version "$tree"), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%-44s %4s %10s %10s %10s\n' "seconds" runs min median max
row run_cold "make run, cold (UML, empty build dir)"
row fat_cold "kunit.py run fs/fat, cold (UML)"
row run_warm "make run, warm (UML)"
row fat_warm "kunit.py run fs/fat, warm (UML)"
row kernel_autofs "in-kernel: autofs_pipe suite (x86_64, TCG)"
row kernel_fat "in-kernel: fat_test suite (x86_64, TCG)"
# per_case NAME LABEL: the median in-kernel time divided by the cases, in ms.
per_case() {
	[ -s "$work/$1.times" ] && [ -s "$work/$1.cases" ] || return 0
	printf '%-44s %4s %10s %10.3f %10s\n' "$2" "$(cat "$work/$1.cases")" - \
		"$(echo "$(median "$1") * 1000 / $(cat "$work/$1.cases")" | bc -l)" -
}
per_case kernel_autofs "  ms per case: autofs_pipe (cases)"
per_case kernel_fat "  ms per case: fat_test (cases)"
# slowest NAME LABEL: the median over the cases of each case's median time
# over the runs, and the three slowest cases, in ms: where the time goes.
slowest() {
	[ -s "$work/$1.percase" ] || return 0
	sort -k1,1 -k2,2g "$work/$1.percase" | awk '
		function flush() {
			if (n) printf "%.3f %s\n", 1000 * ((n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2), name
			n = 0
		}
		$1 != name { flush(); name = $1 }
		{ v[++n] = $2 }
		END { flush() }' | sort -gr >"$work/$1.medians"
	cut -d' ' -f1 "$work/$1.medians" >"$work/$1-cases.times"
	printf '  %s: median case %s ms; slowest:%s\n' "$2" "$(median "$1-cases")" \
		"$(head -n 3 "$work/$1.medians" | awk '{ printf " %s %s", $2, $1 }')"
}
slowest kernel_autofs autofs_pipe
slowest kernel_fat fat_test
row prove "make prove (warm)"
row compat "make compat (warm)"
echo "median ratio autofs/fat:$(ratio run_cold fat_cold cold)$(ratio run_warm fat_warm warm)$(ratio kernel_autofs kernel_fat in-kernel)"
