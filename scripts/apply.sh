#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# apply.sh TREE: install the autofs KUnit suite into a kernel tree.
# Idempotent: on a tree that has it already, only refreshes the suite's own
# files. Every check runs before the first change, so a refused tree is
# left exactly as it was.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

tree=${1:-}
check_kernel_tree "$tree"
command -v patch >/dev/null || die "patch(1) is not installed (apt-get install patch)"

if patch -d "$tree" -p1 -R --dry-run -s -f <"$PATCH" >/dev/null 2>&1; then
	state=applied
elif patch -d "$tree" -p1 -N --dry-run -s -f <"$PATCH" >/dev/null 2>&1; then
	state=clean
else
	die "$tree: $(basename "$PATCH") does not apply (kernel $(kernel_version "$tree")); tree left unchanged"
fi

for f in $ADDED_FILES; do
	if [ "$state" = clean ] && [ -e "$tree/$f" ]; then
		die "$tree: $f exists but the hooks are not applied; tree left unchanged"
	fi
done

if [ "$state" = clean ]; then
	patch -d "$tree" -p1 -N -s -f --no-backup-if-mismatch <"$PATCH" ||
		die "$tree: patch failed after a clean dry run"
fi

changed=0
for f in $ADDED_FILES; do
	# Copy only what differs, so that an unchanged suite rebuilds nothing.
	if ! cmp -s "$TOP/$f" "$tree/$f"; then
		cp "$TOP/$f" "$tree/$f"
		changed=1
	fi
done

if [ "$state" = applied ]; then
	note "$tree: suite already applied$([ "$changed" = 1 ] && echo '; test files refreshed')"
else
	note "$tree: suite applied (kernel $(kernel_version "$tree"))"
fi
