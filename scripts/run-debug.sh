#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run-debug.sh: the suite on a debug kernel (KASAN where the architecture has
# it, lockdep, debug objects, list debugging, kmemleak) for ARCH um, x86_64 or
# i386. kunit.py builds the kernel from fs/autofs/.kunitconfig plus
# debug/debug.config; it is booted without kunit_shutdown so that after the
# suite an initramfs /init (debug/init.c) can have kmemleak scan. Fails if a
# case fails or if the kernel log shows any BUG, WARNING, KASAN or lockdep
# report, or a kmemleak report that involves autofs or KUnit. The boot is
# stopped after $DEBUG_TIMEOUT seconds whatever happens.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

arch=${ARCH:-um}
check_arch "$arch"
boot_timeout=${DEBUG_TIMEOUT:-900}
check_seconds DEBUG_TIMEOUT "$boot_timeout"
# Options on top of debug/debug.config, by architecture.
arch_opts=(--kconfig_add CONFIG_KASAN=y --kconfig_add CONFIG_KASAN_GENERIC=y)
cc=(gcc -static -O2 -Wall)
case "$arch" in
um)
	# kunit.py's UML config enables PCI over virtio, which WARNs at boot
	# when no device ID is configured; autofs needs no PCI.
	arch_opts+=(--kconfig_add CONFIG_UML_PCI_OVER_VIRTIO=n)
	;;
x86_64) qemu=(qemu-system-x86_64 -bios qboot.rom) ;;
i386)
	# x86 has KASAN only for 64-bit kernels.
	arch_opts=()
	cc+=(-m32)
	qemu=(qemu-system-i386)
	;;
esac
multilib=
[ "$arch" = i386 ] && multilib=gcc-multilib
build_deps "$arch" $multilib

prepare_tree
bdir=$(build_dir "$tree" "$arch" debug)
out="$bdir/debug-run"
mkdir -p "$out"
cd "$tree"

( set -x; ./tools/testing/kunit/kunit.py build --kunitconfig fs/autofs \
	--kunitconfig "$TOP/debug/debug.config" "${arch_opts[@]}" --arch "$arch" \
	--build_dir "$bdir" --jobs "$(nproc)" )

"${cc[@]}" -o "$out/init" "$TOP/debug/init.c" ||
	die "cannot build debug/init.c with ${cc[*]} (is gcc-multilib installed?)"
cat >"$out/initramfs.list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /sys 0755 0 0
file /init $out/init 0755 0 0
LIST
make_initramfs "$bdir" "$out/initramfs.list" "$out/initramfs.cpio"

note "booting the $arch debug kernel, limit ${boot_timeout}s"
rc=0
if [ "$arch" = um ]; then
	timeout --kill-after=5 "$boot_timeout" "$bdir/linux" mem=1G console=tty \
		kunit.enable=1 initrd="$out/initramfs.cpio" autofs_debug_off=poweroff \
		</dev/null >"$out/console.log" 2>&1 || rc=$?
else
	timeout --kill-after=5 "$boot_timeout" "${qemu[@]}" -accel "$(qemu_accel)" -nodefaults \
		-m 1024 -no-reboot -nographic -serial stdio \
		-kernel "$bdir/arch/x86/boot/bzImage" -initrd "$out/initramfs.cpio" \
		-append "console=ttyS0 kunit.enable=1 autofs_debug_off=reboot" \
		</dev/null >"$out/console.log" 2>&1 || rc=$?
fi
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	note "the debug kernel was stopped after ${boot_timeout}s"
fi

bad=0
./tools/testing/kunit/kunit.py parse --json="$out/results.json" "$out/console.log" || bad=1
judge_results "$out/results.json" "$arch" || bad=1
"$TOP/scripts/log_scan.py" "$out/console.log" || bad=1
grep -q 'autofs-debug: done' "$out/console.log" || {
	note "/init did not finish (kmemleak not scanned); console log: $out/console.log"
	bad=1
}
if [ "$bad" -ne 0 ]; then
	echo "run-debug ($arch): FAIL; console log: $out/console.log" >&2
	exit 1
fi
echo "run-debug ($arch): PASS (no failed case, no kernel report)"
