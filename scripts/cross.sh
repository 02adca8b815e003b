#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cross.sh: build fs/autofs with the suite for other architectures, as
# 0-day does under allyesconfig with KUNIT_ALL_TESTS, with Debian's cross
# compilers and W=1: arm64, armhf, alpha, s390x, ppc64el and riscv64
# (CROSS_ARCHS limits the list). Each is compiled twice, with the suite
# (KUNIT and the test as modules) and without KUnit; a warning in fs/autofs
# that only the first has fails. Then the suite runs under qemu on arm64
# and on s390x, big-endian, with kunit.py (CROSS_RUN limits that list;
# CROSS_RUN= none leaves it out).
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

# name|kernel ARCH|cross compiler prefix|Debian package|config besides the suite
targets=(
	"arm64|arm64|aarch64-linux-gnu-|gcc-aarch64-linux-gnu|"
	"armhf|arm|arm-linux-gnueabihf-|gcc-arm-linux-gnueabihf|CONFIG_MMU=y CONFIG_ARCH_MULTI_V7=y CONFIG_AEABI=y CONFIG_VFP=y"
	"alpha|alpha|alpha-linux-gnu-|gcc-alpha-linux-gnu|"
	"s390x|s390|s390x-linux-gnu-|gcc-s390x-linux-gnu|"
	"ppc64el|powerpc|powerpc64le-linux-gnu-|gcc-powerpc64le-linux-gnu|CONFIG_PPC64=y CONFIG_CPU_LITTLE_ENDIAN=y"
	"riscv64|riscv|riscv64-linux-gnu-|gcc-riscv64-linux-gnu|CONFIG_64BIT=y"
)
known=$(for t in "${targets[@]}"; do printf '%s ' "${t%%|*}"; done)
want=${CROSS_ARCHS:-$known}
run=${CROSS_RUN-arm64 s390x}
[ "$run" = none ] && run=
for w in $want $run; do
	case " $known " in
	*" $w "*) ;;
	*) die "CROSS_ARCHS/CROSS_RUN: unknown architecture '$w' (known: $known)" ;;
	esac
done
for r in $run; do
	case "$r" in arm64 | s390x) ;; *) die "CROSS_RUN: kunit.py runs only arm64 and s390x here, not '$r'" ;; esac
done

check_seconds CROSS_TIMEOUT "${CROSS_TIMEOUT:-600}"
pkgs=(gcc make flex bison bc python3 patch libc6-dev libssl-dev libelf-dev)
for t in "${targets[@]}"; do
	IFS='|' read -r name _ _ pkg _ <<<"$t"
	case " $want $run " in *" $name "*) pkgs+=("$pkg") ;; esac
done
case " $run " in *" arm64 "*) pkgs+=(qemu-system-arm) ;; esac
case " $run " in *" s390x "*) pkgs+=(qemu-system-misc) ;; esac
deps "${pkgs[@]}"
qemu_without_kvm

prepare_tree
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
rows=()

# warnings LOG: the compiler's warnings in fs/autofs, without line numbers
# of the log itself, one per line, sorted.
warnings() {
	grep -E '^[^ ]*fs/autofs/[^ ]*:[0-9]+:[0-9]+: (warning|error):' "$1" |
		sed "s|^$tree/||" | LC_ALL=C sort -u || true
}

# compile NAME ARCH PREFIX BDIR OPTIONS...: configure allnoconfig plus
# OPTIONS and compile fs/autofs with W=1; the log is $work/NAME.log.
compile() {
	local name=$1 karch=$2 prefix=$3 bdir=$4
	shift 4
	local kmake=(make -s -C "$tree" O="$bdir" ARCH="$karch" CROSS_COMPILE="$prefix")
	mkdir -p "$bdir"
	"${kmake[@]}" allnoconfig >"$work/$name.log" 2>&1 &&
		printf '%s\n' "$@" >"$bdir/fragment.config" &&
		"$tree/scripts/kconfig/merge_config.sh" -m -O "$bdir" "$bdir/.config" \
			"$bdir/fragment.config" >>"$work/$name.log" 2>&1 &&
		"${kmake[@]}" olddefconfig >>"$work/$name.log" 2>&1 || return 1
	local o
	for o in "$@"; do
		case "$o" in
		*=n) grep -qx "# ${o%=n} is not set" "$bdir/.config" || ! grep -q "^${o%=n}=" "$bdir/.config" ;;
		*) grep -qx "$o" "$bdir/.config" ;;
		esac || { echo "$o did not stick" >>"$work/$name.log"; return 1; }
	done
	"${kmake[@]}" -j"$(nproc)" W=1 prepare >>"$work/$name.log" 2>&1 &&
		"${kmake[@]}" -j"$(nproc)" W=1 fs/autofs/ >>"$work/$name.log" 2>&1
}

for t in "${targets[@]}"; do
	IFS='|' read -r name karch prefix _ extra <<<"$t"
	case " $want " in *" $name "*) ;; *) continue ;; esac
	t0=$(date +%s)
	note "$name: compiling fs/autofs with the suite and without KUnit (W=1)"
	# shellcheck disable=SC2206  # extra is a list of options
	base=(CONFIG_MODULES=y CONFIG_AUTOFS_FS=m $extra)
	bdir=$(build_dir "$tree" "$name" cross)
	if ! compile "$name" "$karch" "$prefix" "$bdir" "${base[@]}" CONFIG_KUNIT=m \
		CONFIG_AUTOFS_KUNIT_TEST=m; then
		tail -n 20 "$work/$name.log" >&2
		rows+=("$name|build with the suite FAILED|$(($(date +%s) - t0))s")
		failed=1
		continue
	fi
	[ -f "$bdir/fs/autofs/autofs_kunit.o" ] || {
		rows+=("$name|autofs_kunit.o was not built|$(($(date +%s) - t0))s")
		failed=1
		continue
	}
	warnings "$work/$name.log" >"$work/$name.with"
	if ! compile "$name-base" "$karch" "$prefix" "$bdir" "${base[@]}" CONFIG_KUNIT=n; then
		tail -n 20 "$work/$name-base.log" >&2
		rows+=("$name|build without KUnit FAILED|$(($(date +%s) - t0))s")
		failed=1
		continue
	fi
	warnings "$work/$name-base.log" >"$work/$name.without"
	new=$(LC_ALL=C comm -23 "$work/$name.with" "$work/$name.without")
	if [ -n "$new" ]; then
		echo "$new" >&2
		rows+=("$name|$(echo "$new" | wc -l) NEW W=1 warning(s) in fs/autofs|$(($(date +%s) - t0))s")
		failed=1
	else
		rows+=("$name|ok: compiles, no new W=1 warning ($(wc -l <"$work/$name.with") in fs/autofs either way)|$(($(date +%s) - t0))s")
	fi
done

for r in $run; do
	case "$r" in
	arm64) karch=arm64 prefix=aarch64-linux-gnu- ;;
	s390x) karch=s390 prefix=s390x-linux-gnu- ;;
	esac
	t0=$(date +%s)
	note "$r: kunit.py run under qemu"
	json="$work/$r.json"
	rc=0
	(cd "$tree" && ./tools/testing/kunit/kunit.py run --kunitconfig fs/autofs --arch "$karch" \
		--cross_compile "$prefix" --build_dir "$(build_dir "$tree" "$r")" --jobs "$(nproc)" \
		--timeout "${CROSS_TIMEOUT:-600}" --json="$json") >"$work/$r-run.log" 2>&1 || rc=$?
	if [ -s "$json" ] && judge_results "$json" "$r" >"$work/$r.sum" && [ "$rc" -eq 0 ]; then
		rows+=("$r (qemu)|ok: $(tail -n 1 "$work/$r.sum")|$(($(date +%s) - t0))s")
	else
		tail -n 30 "$work/$r-run.log" >&2
		rows+=("$r (qemu)|suite FAILED under qemu (kunit.py $rc): $(tail -n 1 "$work/$r.sum" 2>/dev/null)|$(($(date +%s) - t0))s")
		failed=1
	fi
done

printf '\n%-14s %s\n' arch result
for r in "${rows[@]}"; do
	IFS='|' read -r name result secs <<<"$r"
	printf '%-14s %s (%s)\n' "$name" "$result" "$secs"
done
[ "$failed" -eq 0 ] || die "cross: some architecture failed"
echo "cross: every architecture builds${run:+; the suite passes on $run}"
