#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# compat/run.sh: the compat-mode boot test, reduced to its essence. Builds a
# minimal x86_64 kernel from $KERNEL_SRC (default Debian's $KERNEL), the autofs
# daemon kselftest as a static i386 and a static x86_64 binary, boots them in
# qemu from an initramfs made with the tree's usr/gen_init_cpio, and exits
# with the tests' verdict. qemu is stopped after $COMPAT_TIMEOUT seconds
# whatever happens. Prints the time of each step.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/../scripts/common.sh"

qemu_timeout=${COMPAT_TIMEOUT:-180}
build_deps x86_64 gcc-multilib
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"

prepare_tree
bdir=$(build_dir "$tree" x86_64 "${COMPAT_FLAVOUR:-compat}")
out="$bdir/compat"
mkdir -p "$out"
kmake() {
	make -s -C "$tree" O="$bdir" ARCH=x86_64 "$@"
}

t0=$(date +%s.%N)
# The .config is regenerated on every run but replaced only when it differs,
# so that an unchanged configuration rebuilds nothing.
kmake tinyconfig >/dev/null
"$tree/scripts/kconfig/merge_config.sh" -m -O "$bdir" "$bdir/.config" "$TOP/compat/kernel.config" >/dev/null
kmake olddefconfig
while read -r line; do
	case "$line" in CONFIG_*=*) grep -qx "$line" "$bdir/.config" ||
		die "kernel config: $line did not stick (missing dependency in $(kernel_version "$tree")?)" ;;
	esac
done <"$TOP/compat/kernel.config"
kmake -j"$(nproc)" bzImage headers usr/
t1=$(date +%s.%N)

src="$tree/tools/testing/selftests/filesystems/autofs/autofs_daemon_test.c"
# -Werror: the kselftest must build clean as i386 and x86_64 (a pointer
# in ASSERT_NE() warns on i386 only).
cflags=(-static -O2 -Wall -Werror -pthread -isystem "$bdir/usr/include" -I "$tree/tools/testing/selftests")
gcc -m32 "${cflags[@]}" -o "$out/autofs_daemon_test_32" "$src" ||
	die "cannot build the 32-bit daemon (gcc -m32 -static; is gcc-multilib installed?)"
gcc "${cflags[@]}" -o "$out/autofs_daemon_test_64" "$src"
gcc -static -O2 -Wall -o "$out/init" "$TOP/compat/init.c"
cat >"$out/initramfs.list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
nod /dev/autofs 0600 0 0 c 10 235
dir /proc 0755 0 0
dir /tmp 1777 0 0
file /init $out/init 0755 0 0
file /autofs_daemon_test_32 $out/autofs_daemon_test_32 0755 0 0
file /autofs_daemon_test_64 $out/autofs_daemon_test_64 0755 0 0
LIST
make_initramfs "$bdir" "$out/initramfs.list" "$out/initramfs.cpio"
t2=$(date +%s.%N)

accel=$(qemu_accel)
note "booting $(kernel_version "$tree") x86_64 under qemu ($accel), limit ${qemu_timeout}s"
rc=0
timeout --kill-after=5 "$qemu_timeout" qemu-system-x86_64 -accel "$accel" -cpu max -smp 1 -m 512 \
	-nographic -no-reboot -monitor none -serial stdio \
	-kernel "$bdir/arch/x86/boot/bzImage" -initrd "$out/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 reboot=t quiet" </dev/null >"$out/console.log" 2>&1 || rc=$?
cat "$out/console.log"
t3=$(date +%s.%N)

printf 'compat timings: kernel build %.1fs, tests+initramfs %.1fs, boot to verdict %.1fs (%s)\n' \
	"$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(echo "$t3 - $t2" | bc)" "$accel"
if ! grep -aq 'autofs-compat-verdict:' "$out/console.log"; then
	[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && die "no verdict: qemu stopped after ${qemu_timeout}s"
	die "no verdict: qemu exited with status $rc"
fi
grep -a 'autofs-compat: .* \(PASS\|FAIL\)' "$out/console.log" | tr -d '\r' >&2 || true
grep -aq 'autofs-compat-verdict: PASS' "$out/console.log" || {
	echo "compat: FAIL" >&2
	exit 1
}
echo "compat: PASS"
