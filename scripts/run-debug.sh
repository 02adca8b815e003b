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
boot_timeout=${DEBUG_TIMEOUT:-900}
# Options on top of debug/debug.config, by architecture.
kasan=(--kconfig_add CONFIG_KASAN=y --kconfig_add CONFIG_KASAN_GENERIC=y)
cc=(gcc -static -O2 -Wall)
case "$arch" in
um)
	# kunit.py's UML config enables PCI over virtio, which WARNs at boot
	# when no device ID is configured; autofs needs no PCI.
	kasan+=(--kconfig_add CONFIG_UML_PCI_OVER_VIRTIO=n)
	;;
x86_64) qemu=(qemu-system-x86_64 -bios qboot.rom) ;;
i386)
	# x86 has KASAN only for 64-bit kernels.
	kasan=()
	cc+=(-m32)
	qemu=(qemu-system-i386)
	;;
*) die "ARCH=$arch: only um, x86_64 and i386 are supported" ;;
esac
"$TOP/scripts/deps.sh" gcc make flex bison bc python3 patch libc6-dev
[ "$arch" = um ] || "$TOP/scripts/deps.sh" qemu-system-x86 libelf-dev
[ "$arch" = i386 ] && "$TOP/scripts/deps.sh" gcc-multilib

prepare_tree
bdir=$(build_dir "$tree" "$arch" debug)
out="$bdir/debug-run"
mkdir -p "$out"
cd "$tree"

( set -x; ./tools/testing/kunit/kunit.py build --kunitconfig fs/autofs \
	--kunitconfig "$TOP/debug/debug.config" "${kasan[@]}" --arch "$arch" \
	--build_dir "$bdir" --jobs "$(nproc)" )

"${cc[@]}" -o "$out/init" "$TOP/debug/init.c" ||
	die "cannot build debug/init.c with ${cc[*]} (is gcc-multilib installed?)"
gcc -O2 -o "$out/gen_init_cpio" usr/gen_init_cpio.c
cat >"$out/initramfs.list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /sys 0755 0 0
file /init $out/init 0755 0 0
LIST
"$out/gen_init_cpio" "$out/initramfs.list" >"$out/initramfs.cpio"

note "booting the $arch debug kernel, limit ${boot_timeout}s"
rc=0
if [ "$arch" = um ]; then
	timeout --kill-after=5 "$boot_timeout" "$bdir/linux" mem=1G console=tty \
		kunit.enable=1 initrd="$out/initramfs.cpio" autofs_debug_off=poweroff \
		</dev/null >"$out/console.log" 2>&1 || rc=$?
else
	accel=tcg
	if [ -w /dev/kvm ] && grep -qEw 'vmx|svm' /proc/cpuinfo; then
		accel=kvm
	fi
	timeout --kill-after=5 "$boot_timeout" "${qemu[@]}" -accel "$accel" -nodefaults \
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
allow=()
[ "$arch" = i386 ] && allow=(--allow-skip v5_stream_without_packet_mode_misaligns.read_at_i386_size)
"$TOP/scripts/kunit_results.py" summary "$out/results.json" \
	--cases "$TOP/fs/autofs/autofs_kunit.c" "${allow[@]}" || bad=1
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
