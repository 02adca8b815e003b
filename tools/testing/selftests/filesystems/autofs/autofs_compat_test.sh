#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The autofs daemon test as a 32-bit program: what a 32-bit automount or
# systemd on a 64-bit kernel sees. Skipped, not failed, where the kernel
# cannot run 32-bit programs (no IA32_EMULATION, or ia32_emulation=0). The
# program runs if it lists its tests: the harness's -l prints its
# "# FIXTURE" header, whatever shell reports a program the kernel refused.
set -u
ksft_skip=4
dir=$(dirname "$0")

if ! "$dir/autofs_daemon_test_32" -l 2>&1 | grep -q '^# FIXTURE'; then
	echo "SKIP: this kernel does not run 32-bit x86 programs (ia32 emulation off)"
	exit "$ksft_skip"
fi
exec "$dir/autofs_daemon_test_32" "$@"
