#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The autofs daemon test as a 32-bit program: what a 32-bit automount or
# systemd on a 64-bit kernel sees. Skipped, not failed, where the kernel
# cannot run 32-bit programs (no IA32_EMULATION, or ia32_emulation=0): the
# shell then reports status 126 (exec format error) or more. Any status of
# the program's own (the harness answers -l with its own codes) means it
# runs.
set -u
ksft_skip=4
dir=$(dirname "$0")

rc=0
"$dir/autofs_daemon_test_32" -l >/dev/null 2>&1 || rc=$?
if [ "$rc" -ge 126 ]; then
	echo "SKIP: this kernel does not run 32-bit x86 programs (ia32 emulation off)"
	exit "$ksft_skip"
fi
exec "$dir/autofs_daemon_test_32" "$@"
