#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# configs.sh: build fs/autofs with AUTOFS_FS and AUTOFS_KUNIT_TEST in every
# combination Kconfig allows (for ARCH, default um), each in its own cached
# build dir, and check where the suite ended up. kunit.py checks that every
# requested option made it into the .config; a build or modpost error fails.
# Also checks that Kconfig refuses the one combination that cannot link:
# autofs built in, KUnit a module. CONFIGS="yy mm" limits the run.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

arch=${ARCH:-um}
check_arch "$arch"
[ "$arch" = um ] || "$TOP/scripts/deps.sh" libelf-dev
"$TOP/scripts/deps.sh" gcc make flex bison bc python3 patch libc6-dev binutils

# name|options added to fs/autofs/.kunitconfig|where the suite must be|whether
# autofs_parse_fd() is global: VISIBLE_IF_KUNIT follows CONFIG_KUNIT, not the test.
combos=(
	"yy|CONFIG_AUTOFS_FS=y CONFIG_KUNIT=y|vmlinux|y"
	"mm|CONFIG_MODULES=y CONFIG_AUTOFS_FS=m CONFIG_KUNIT=m|module|y"
	"my|CONFIG_MODULES=y CONFIG_AUTOFS_FS=m CONFIG_KUNIT=y|module|y"
	"off|CONFIG_AUTOFS_FS=y CONFIG_KUNIT=y CONFIG_AUTOFS_KUNIT_TEST=n|nowhere|y"
	"nokunit|CONFIG_MODULES=y CONFIG_AUTOFS_FS=m CONFIG_KUNIT=n CONFIG_AUTOFS_KUNIT_TEST=n|nowhere|n"
)
known="yy mm my off nokunit refused"
want=${CONFIGS:-$known}
for w in $want; do
	case " $known " in
	*" $w "*) ;;
	*) die "CONFIGS: unknown combination '$w' (known: $known)" ;;
	esac
done

prepare_tree
cd "$tree"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
rows=()

# has_suite OBJ: OBJ carries a KUnit suite (the section kunit_test_suites() fills).
has_suite() {
	readelf -SW "$1" 2>/dev/null | grep -q '\.kunit_test_suites'
}

# check_placement BDIR WHERE GLOBAL: the suite is linked where it must be, and
# autofs_parse_fd() is a global symbol exactly when GLOBAL is y.
check_placement() {
	local bdir=$1 where=$2 want_global=$3 ko="$1/fs/autofs/autofs4.ko"
	local in_builtin=n in_module=n global=n
	ar t "$bdir/fs/autofs/built-in.a" 2>/dev/null | grep -q 'autofs_kunit\.o$' && in_builtin=y
	[ -f "$ko" ] && has_suite "$ko" && in_module=y
	nm "$bdir/fs/autofs/inode.o" | grep -q ' T autofs_parse_fd$' && global=y
	case "$where:$in_builtin:$in_module:$global" in
	"vmlinux:y:n:$want_global" | "module:n:y:$want_global" | "nowhere:n:n:$want_global") return 0 ;;
	esac
	echo "placement: expected the suite in $where and autofs_parse_fd global: $want_global;" \
		"built-in.a has it: $in_builtin, autofs4.ko has it: $in_module, global: $global"
	return 1
}

for combo in "${combos[@]}"; do
	IFS='|' read -r name opts where global <<<"$combo"
	case " $want " in *" $name "*) ;; *) continue ;; esac
	# The y/y combination is what make run builds: share its build dir.
	if [ "$name" = yy ]; then
		bdir=$(build_dir "$tree" "$arch")
	else
		bdir=$(build_dir "$tree" "$arch" "cfg-$name")
	fi
	add=()
	for o in $opts; do add+=(--kconfig_add "$o"); done
	t0=$(date +%s)
	note "$name: $opts"
	if ! ./tools/testing/kunit/kunit.py build --kunitconfig fs/autofs "${add[@]}" \
		--arch "$arch" --build_dir "$bdir" --jobs "$(nproc)" >"$work/$name.log" 2>&1; then
		tail -n 25 "$work/$name.log" >&2
		rows+=("$name|$opts|BUILD FAILED|$(($(date +%s) - t0))s")
		failed=1
		continue
	fi
	if ! check_placement "$bdir" "$where" "$global" >"$work/$name.check"; then
		rows+=("$name|$opts|$(cat "$work/$name.check")|$(($(date +%s) - t0))s")
		failed=1
		continue
	fi
	rows+=("$name|$opts|ok, suite in $where|$(($(date +%s) - t0))s")
done

# Kconfig must not offer the suite when autofs is built in and KUnit is a
# module: vmlinux cannot call into a module.
case " $want " in *" refused "*) check_refused=y ;; *) check_refused=n ;; esac
if [ "$check_refused" = y ]; then
	rbdir="$work/refused"
	mkdir -p "$rbdir"
	printf '%s\n' CONFIG_MODULES=y CONFIG_KUNIT=m CONFIG_AUTOFS_FS=y CONFIG_AUTOFS_KUNIT_TEST=y \
		>"$rbdir/.config"
	opts="CONFIG_AUTOFS_FS=y CONFIG_KUNIT=m"
	if ! make -s ARCH="$arch" O="$rbdir" olddefconfig >"$work/refused.log" 2>&1; then
		rows+=("refused|$opts|olddefconfig failed: $(tail -n 1 "$work/refused.log")|-")
		failed=1
	elif ! grep -qx 'CONFIG_KUNIT=m' "$rbdir/.config" || ! grep -qx 'CONFIG_AUTOFS_FS=y' "$rbdir/.config"; then
		rows+=("refused|$opts|Kconfig changed the premise (KUNIT or AUTOFS_FS)|-")
		failed=1
	elif grep -q '^CONFIG_AUTOFS_KUNIT_TEST=' "$rbdir/.config"; then
		rows+=("refused|$opts|Kconfig ALLOWS AUTOFS_KUNIT_TEST: vmlinux would need a KUnit module|-")
		failed=1
	else
		rows+=("refused|$opts|ok, Kconfig turns AUTOFS_KUNIT_TEST off|-")
	fi
fi

printf '\n%-8s %-72s %s\n' combo "options (besides fs/autofs/.kunitconfig)" result
for r in "${rows[@]}"; do
	IFS='|' read -r name opts result secs <<<"$r"
	printf '%-8s %-72s %s (%s)\n' "$name" "$opts" "$result" "$secs"
done
[ "$failed" -eq 0 ] || die "Kconfig matrix ($arch): some combination failed"
echo "configs ($arch): every combination builds and places the suite as expected"
