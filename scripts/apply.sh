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

# Each patch is either applied already or must apply cleanly; the missing
# ones are applied (a tree set up by an older version of this project gets
# the newer hooks).
todo=()
for p in "${PATCHES[@]}"; do
	if patch -d "$tree" -p1 -R --dry-run -s -f <"$p" >/dev/null 2>&1; then
		continue
	elif patch -d "$tree" -p1 -N --dry-run -s -t <"$p" >/dev/null 2>&1; then
		todo+=("$p")
	else
		die "$tree: $(basename "$p") does not apply (kernel $(kernel_version "$tree")); tree left unchanged"
	fi
done
state=applied
[ "${#todo[@]}" -eq "${#PATCHES[@]}" ] && state=clean

for f in $ADDED_FILES; do
	if [ "$state" = clean ] && [ -e "$tree/$f" ]; then
		die "$tree: $f exists but the hooks are not applied; tree left unchanged"
	fi
done

for p in ${todo[@]+"${todo[@]}"}; do
	patch -d "$tree" -p1 -N -s -t --no-backup-if-mismatch <"$p" ||
		die "$tree: $(basename "$p") failed after a clean dry run"
done
[ "${#todo[@]}" -gt 0 ] && [ "$state" = applied ] && state=completed

changed=0
for f in $ADDED_FILES; do
	# Copy only what differs, so that an unchanged suite rebuilds nothing.
	if ! cmp -s "$TOP/$f" "$tree/$f"; then
		mkdir -p "$tree/$(dirname "$f")"
		cp "$TOP/$f" "$tree/$f"
		changed=1
	fi
done

if [ "$state" = completed ]; then
	note "$tree: suite updated (${#todo[@]} new hook patch(es))"
elif [ "$state" = applied ]; then
	note "$tree: suite already applied$([ "$changed" = 1 ] && echo '; test files refreshed')"
else
	note "$tree: suite applied (kernel $(kernel_version "$tree"))"
fi
