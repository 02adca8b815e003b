#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# apply.sh TREE: install the autofs KUnit suite into a kernel tree: the
# suite's own files (with the backports in patches/backport/ that this
# kernel needs) and the hook patches in patches/, applied exactly (no fuzz)
# or not at all. Idempotent; repairs a tree whose hooks were reverted but
# which still has our files. Every check runs before the first change, so
# a refused tree is left exactly as it was. Exits 3 when the hooks do not
# apply to the tree, 1 on any other error.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

tree=${1:-}
check_kernel_tree "$tree"
command -v patch >/dev/null || die "patch(1) is not installed (apt-get install patch)"
tree=$(cd "$tree" && pwd -P)
lock_tree "$tree"

# The suite's files as this kernel needs them.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
for f in $ADDED_FILES; do
	mkdir -p "$stage/$(dirname "$f")"
	cp "$TOP/$f" "$stage/$f"
done
backports=
for b in "$TOP"/patches/backport/*.patch; do
	[ -e "$b" ] || continue
	cond=$(sed -n 's/^Needed-if: //p' "$b")
	[ -n "$cond" ] || die "$(basename "$b"): no Needed-if: line"
	(cd "$tree" && sh -c "$cond") || continue
	patch -d "$stage" -p1 -s -t -N --fuzz=0 --no-backup-if-mismatch <"$b" >/dev/null ||
		die "backport $(basename "$b") no longer applies to the suite: regenerate it"
	backports="$backports $(basename "$b" .patch)"
done

# Each hook patch is either in the tree already or applies exactly. A tree
# set up by an older version of this project gets the newer hooks: missing
# ones are applied, and a changed one is upgraded when the version this
# tooling applied there (kept in the cache) still reverses exactly.
applied="$CACHE/applied/$(path_key "$tree")"
patched_files() {
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$1"
}
# upgradable OLD NEW: reversing OLD and applying NEW both work, exactly.
upgradable() {
	local tmp f rc=0
	tmp=$(mktemp -d)
	for f in $(patched_files "$1") $(patched_files "$2"); do
		mkdir -p "$tmp/$(dirname "$f")"
		[ -e "$tree/$f" ] && cp "$tree/$f" "$tmp/$f"
	done
	patch -d "$tmp" -p1 -R -s -f --fuzz=0 --no-backup-if-mismatch <"$1" >/dev/null 2>&1 &&
		patch -d "$tmp" -p1 -N --dry-run -s -t --fuzz=0 <"$2" >/dev/null 2>&1 || rc=1
	rm -rf "$tmp"
	return "$rc"
}
todo=()
upgrades=()
for p in "${PATCHES[@]}"; do
	name=$(basename "$p")
	if patch -d "$tree" -p1 -R --dry-run -s -f --fuzz=0 <"$p" >/dev/null 2>&1; then
		continue
	elif patch -d "$tree" -p1 -N --dry-run -s -t --fuzz=0 <"$p" >/dev/null 2>&1; then
		todo+=("$p")
	elif [ -f "$applied/$name" ] && upgradable "$applied/$name" "$p"; then
		upgrades+=("$name")
		todo+=("$p")
	else
		# Status 3: the tree, not this tooling, is what does not fit.
		echo "${0##*/}: error: $tree: $name does not apply exactly (kernel $(kernel_version "$tree")); tree left unchanged" >&2
		exit 3
	fi
done
state=applied
[ "${#todo[@]}" -eq "${#PATCHES[@]}" ] && [ "${#upgrades[@]}" -eq 0 ] && state=clean

# Without the hooks, a file of ours in the tree is either a leftover of an
# earlier apply (identical: the hooks were reverted, repair the tree) or
# somebody else's (refuse).
repaired=0
for f in $ADDED_FILES; do
	if [ "$state" != clean ] || [ ! -e "$tree/$f" ]; then
		continue
	fi
	cmp -s "$stage/$f" "$tree/$f" ||
		die "$tree: $f exists, differs from the suite's, and the hooks are not applied; tree left unchanged"
	repaired=1
done

# Whatever stops this run from here on, the next one finds the tree as it
# was before (lock_tree repairs it).
for p in ${todo[@]+"${todo[@]}"}; do
	# shellcheck disable=SC2046  # file names without blanks
	journal_save "$tree" $(patched_files "$p")
done
# shellcheck disable=SC2086  # file names without blanks
journal_save "$tree" $ADDED_FILES
for name in ${upgrades[@]+"${upgrades[@]}"}; do
	patch -d "$tree" -p1 -R -s -f --fuzz=0 --no-backup-if-mismatch <"$applied/$name" ||
		die "$tree: reversing the earlier $name failed after a clean check"
done
for p in ${todo[@]+"${todo[@]}"}; do
	patch -d "$tree" -p1 -N -s -t --fuzz=0 --no-backup-if-mismatch <"$p" ||
		die "$tree: $(basename "$p") failed after a clean dry run"
done

changed=0
for f in $ADDED_FILES; do
	# Copy only what differs, so that an unchanged suite rebuilds nothing.
	if ! cmp -s "$stage/$f" "$tree/$f"; then
		mkdir -p "$tree/$(dirname "$f")"
		cp "$stage/$f" "$tree/$f"
		changed=1
	fi
done

# What is applied now, for the next version of the hooks to upgrade from.
mkdir -p "$applied"
cp "${PATCHES[@]}" "$applied/"
journal_clear "$tree"

bp=${backports:+ with backports:$backports}
if [ "$repaired" = 1 ]; then
	note "$tree: hooks were missing but the suite's files were there: repaired$bp"
elif [ "$state" = clean ]; then
	note "$tree: suite applied (kernel $(kernel_version "$tree"))$bp"
elif [ "${#upgrades[@]}" -gt 0 ]; then
	note "$tree: suite updated (hooks upgraded: ${upgrades[*]})$bp"
elif [ "${#todo[@]}" -gt 0 ]; then
	note "$tree: suite updated (${#todo[@]} new hook patch(es))$bp"
else
	note "$tree: suite already applied$([ "$changed" = 1 ] && echo '; test files refreshed')$bp"
fi
