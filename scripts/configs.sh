#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# configs.sh: build fs/autofs with AUTOFS_FS, KUNIT and AUTOFS_KUNIT_TEST in
# every combination Kconfig allows (for ARCH, default um), each in its own
# cached build dir, and check where the suite ended up: in vmlinux, in
# autofs_kunit.ko, or nowhere. kunit.py checks that every requested option
# made it into the .config; a build or modpost error fails. Kconfig must
# lower a built-in test to a module when autofs is one ("lowered"). The
# all-modules build is also booted under qemu (x86_64), where an /init
# loads kunit.ko, autofs4.ko and autofs_kunit.ko as a distribution kernel
# would, and the suite must pass there ("loaded"). CONFIGS="yy mmm" limits
# the run.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

arch=${ARCH:-um}
check_arch "$arch"
known="yy yym ymm mym mmm off nokunit lowered loaded"
want=${CONFIGS:-$known}
for w in $want; do
	case " $known " in
	*" $w "*) ;;
	*) die "CONFIGS: unknown combination '$w' (known: $known)" ;;
	esac
done
qemu=
case " $want " in *" loaded "*) qemu=$PKGS_QEMU ;; esac
# shellcheck disable=SC2086  # a list of packages
build_deps "$arch" binutils $qemu

# name|options added to fs/autofs/.kunitconfig|where the suite must be|whether
# create_pipe_files() is exported: EXPORT_SYMBOL_IF_KUNIT follows
# CONFIG_KUNIT, not the test.
combos=(
	"yy|CONFIG_AUTOFS_FS=y CONFIG_KUNIT=y|vmlinux|y"
	"yym|CONFIG_MODULES=y CONFIG_AUTOFS_FS=y CONFIG_KUNIT=y CONFIG_AUTOFS_KUNIT_TEST=m|module|y"
	"ymm|CONFIG_MODULES=y CONFIG_AUTOFS_FS=y CONFIG_KUNIT=m CONFIG_AUTOFS_KUNIT_TEST=m|module|y"
	"mym|CONFIG_MODULES=y CONFIG_AUTOFS_FS=m CONFIG_KUNIT=y CONFIG_AUTOFS_KUNIT_TEST=m|module|y"
	"mmm|CONFIG_MODULES=y CONFIG_AUTOFS_FS=m CONFIG_KUNIT=m CONFIG_AUTOFS_KUNIT_TEST=m|module|y"
	"off|CONFIG_AUTOFS_FS=y CONFIG_KUNIT=y CONFIG_AUTOFS_KUNIT_TEST=n|nowhere|y"
	"nokunit|CONFIG_MODULES=y CONFIG_AUTOFS_FS=m CONFIG_KUNIT=n CONFIG_AUTOFS_KUNIT_TEST=n CONFIG_KUNIT_UML_PCI=n|nowhere|n"
)

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

# check_placement BDIR WHERE EXPORTED: the suite is linked where it must be,
# and create_pipe_files() is exported exactly when EXPORTED is y.
check_placement() {
	local bdir=$1 where=$2 want_global=$3 ko="$1/fs/autofs/autofs_kunit.ko"
	local in_builtin=n in_module=n global=n
	ar t "$bdir/fs/autofs/built-in.a" 2>/dev/null | grep -q 'autofs_kunit\.o$' && in_builtin=y
	[ -f "$ko" ] && has_suite "$ko" && in_module=y
	nm "$bdir/fs/pipe.o" | grep -q ' __export_symbol_create_pipe_files$' && global=y
	case "$where:$in_builtin:$in_module:$global" in
	"vmlinux:y:n:$want_global" | "module:n:y:$want_global" | "nowhere:n:n:$want_global") return 0 ;;
	esac
	echo "placement: expected the suite in $where and create_pipe_files exported: $want_global;" \
		"built-in.a has it: $in_builtin, autofs_kunit.ko has it: $in_module, exported: $global"
	return 1
}

# build NAME ARCH BDIR OPTIONS...: kunit.py build with OPTIONS added.
build() {
	local name=$1 barch=$2 bdir=$3 o add=()
	shift 3
	for o in "$@"; do add+=(--kconfig_add "$o"); done
	./tools/testing/kunit/kunit.py build --kunitconfig fs/autofs "${add[@]}" \
		--arch "$barch" --build_dir "$bdir" --jobs "$(nproc)" >"$work/$name.log" 2>&1 || {
		tail -n 25 "$work/$name.log" >&2
		return 1
	}
}

for combo in "${combos[@]}"; do
	IFS='|' read -r name opts where global <<<"$combo"
	case " $want " in *" $name "*) ;; *) continue ;; esac
	# The y/y/y combination is what make run builds: share its build dir.
	if [ "$name" = yy ]; then
		bdir=$(build_dir "$tree" "$arch")
	else
		bdir=$(build_dir "$tree" "$arch" "cfg-$name")
	fi
	t0=$(date +%s)
	note "$name: $opts"
	# shellcheck disable=SC2086  # opts is a list of options
	if ! build "$name" "$arch" "$bdir" $opts; then
		rows+=("$name|$opts|BUILD FAILED|$(($(date +%s) - t0))s")
		failed=1
	elif ! check_placement "$bdir" "$where" "$global" >"$work/$name.check"; then
		rows+=("$name|$opts|$(cat "$work/$name.check")|$(($(date +%s) - t0))s")
		failed=1
	else
		rows+=("$name|$opts|ok, suite in $where|$(($(date +%s) - t0))s")
	fi
done

# vmlinux cannot call into autofs4.ko: asked for a built-in test with a
# modular autofs, Kconfig must make the test a module.
if [[ " $want " == *" lowered "* ]]; then
	lbdir="$work/lowered"
	mkdir -p "$lbdir"
	opts="CONFIG_AUTOFS_FS=m CONFIG_KUNIT=y CONFIG_AUTOFS_KUNIT_TEST=y"
	# shellcheck disable=SC2086  # opts is a list of options
	printf '%s\n' CONFIG_MODULES=y $opts >"$lbdir/.config"
	if ! make -s ARCH="$arch" O="$lbdir" olddefconfig >"$work/lowered.log" 2>&1; then
		rows+=("lowered|$opts|olddefconfig failed: $(tail -n 1 "$work/lowered.log")|-")
		failed=1
	elif ! grep -qx 'CONFIG_AUTOFS_FS=m' "$lbdir/.config" || ! grep -qx 'CONFIG_KUNIT=y' "$lbdir/.config"; then
		rows+=("lowered|$opts|Kconfig changed the premise (AUTOFS_FS or KUNIT)|-")
		failed=1
	elif ! grep -qx 'CONFIG_AUTOFS_KUNIT_TEST=m' "$lbdir/.config"; then
		rows+=("lowered|$opts|Kconfig gave $(grep 'AUTOFS_KUNIT_TEST' "$lbdir/.config" || echo nothing): vmlinux would call into a module|-")
		failed=1
	else
		rows+=("lowered|$opts|ok, Kconfig made the test a module|-")
	fi
fi

# The all-modules kernel booted, its three modules loaded by /init in
# dependency order; the suite runs on load and must pass.
if [[ " $want " == *" loaded "* ]]; then
	opts="CONFIG_MODULES=y CONFIG_AUTOFS_FS=m CONFIG_KUNIT=m CONFIG_AUTOFS_KUNIT_TEST=m"
	mbdir=$(build_dir "$tree" x86_64 cfg-loaded)
	out="$mbdir/loaded-run"
	t0=$(date +%s)
	note "loaded: $opts, x86_64 under qemu"
	# shellcheck disable=SC2086  # opts is a list of options
	if ! build loaded x86_64 "$mbdir" $opts CONFIG_BLK_DEV_INITRD=y CONFIG_BINFMT_ELF=y; then
		rows+=("loaded|$opts|BUILD FAILED (x86_64)|$(($(date +%s) - t0))s")
		failed=1
	else
		mkdir -p "$out"
		gcc -static -O2 -Wall -o "$out/init" "$TOP/configs/init.c"
		mods=()
		{
			echo "dir /dev 0755 0 0"
			echo "nod /dev/console 0600 0 0 c 5 1"
			echo "nod /dev/kmsg 0644 0 0 c 1 11"
			echo "file /init $out/init 0755 0 0"
			for m in lib/kunit/kunit.ko fs/autofs/autofs4.ko fs/autofs/autofs_kunit.ko; do
				echo "file /$(basename "$m") $mbdir/$m 0644 0 0"
				mods+=("/$(basename "$m")")
			done
		} >"$out/initramfs.list"
		make_initramfs "$mbdir" "$out/initramfs.list" "$out/initramfs.cpio"
		list=$(IFS=,; echo "${mods[*]}")
		rc=0
		timeout --kill-after=5 "${CONFIGS_TIMEOUT:-300}" qemu-system-x86_64 \
			-accel "$(qemu_accel)" -bios qboot.rom -nodefaults -m 512 -no-reboot -nographic \
			-serial stdio -kernel "$mbdir/arch/x86/boot/bzImage" -initrd "$out/initramfs.cpio" \
			-append "console=ttyS0 printk.devkmsg=on autofs_modules=$list" </dev/null >"$out/console.log" 2>&1 || rc=$?
		if ! grep -q 'autofs-modules: done' "$out/console.log"; then
			rows+=("loaded|$opts|modules did not load (qemu status $rc); see $out/console.log|$(($(date +%s) - t0))s")
			failed=1
		else
			# kunit.py parse exits non-zero on a failed case as on a garbled
			# log: the results say which, and a garbled log fails even if
			# every result it kept passed.
			parsed=0
			./tools/testing/kunit/kunit.py parse --json="$out/results.json" "$out/console.log" \
				>"$out/parse.log" 2>&1 || parsed=$?
			if ! judge_results "$out/results.json" x86_64 >"$work/loaded.sum" 2>&1; then
				verdict="suite FAILED as a module: $(tail -n 1 "$work/loaded.sum")"
				failed=1
			elif [ "$parsed" -ne 0 ]; then
				why=$(grep -m1 -E '^\[[0-9:]+\] \[(ERROR|CRASHED)\] ' "$out/parse.log" |
					sed 's/^\[[0-9:]*\] //') || true
				verdict="suite FAILED as a module: kunit.py parse: ${why:-status $parsed}; see $out/parse.log"
				failed=1
			else
				verdict="ok, insmod ran the suite: $(tail -n 1 "$work/loaded.sum")"
			fi
			rows+=("loaded|$opts|$verdict|$(($(date +%s) - t0))s")
		fi
	fi
fi

printf '\n%-8s %-78s %s\n' combo "options (besides fs/autofs/.kunitconfig)" result
for r in "${rows[@]}"; do
	IFS='|' read -r name opts result secs <<<"$r"
	printf '%-8s %-78s %s (%s)\n' "$name" "$opts" "$result" "$secs"
done
[ "$failed" -eq 0 ] || die "Kconfig matrix ($arch): some combination failed"
echo "configs ($arch): every combination builds and places the suite as expected"
