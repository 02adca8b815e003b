#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# apply.sh TREE: install the autofs KUnit suite into a kernel tree: the
# suite's own files (with the backports in patches/backport/ that this
# kernel needs) and the hook patches in patches/, applied exactly (no fuzz)
# or not at all. Idempotent; repairs a tree whose hooks were reverted but
# which still has our files.
#
# All or nothing: every patch is applied, and every file decided, on a copy
# of the files concerned, and the tree is checked writable, before the
# first change; a refused tree is left exactly as it was. The changes are
# then written under a journal (journal_commit), which the next run uses to
# undo a run killed half way where the files are still what it wrote.
#
# A suite file this tooling did not write into the tree (a developer's
# edit, or the series applied with git am) is never overwritten: it is
# kept and reported in one line; FORCE=1 replaces it. What it wrote itself
# (checksums in the cache) it refreshes when the project's copy changes.
# Exits 3 when the hooks do not apply to the tree, 1 on any other error.
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
suite="$stage/suite"
for f in $ADDED_FILES; do
	mkdir -p "$suite/$(dirname "$f")"
	cp "$TOP/$f" "$suite/$f"
done
backports=
for b in "$TOP"/patches/backport/*.patch; do
	[ -e "$b" ] || continue
	cond=$(sed -n 's/^Needed-if: //p' "$b")
	[ -n "$cond" ] || die "$(basename "$b"): no Needed-if: line"
	(cd "$tree" && sh -c "$cond") || continue
	patch -d "$suite" -p1 -s -t -N --fuzz=0 --no-backup-if-mismatch <"$b" >/dev/null ||
		die "backport $(basename "$b") no longer applies to the suite: regenerate it"
	backports="$backports $(basename "$b" .patch)"
done

# The tree's files the hook patches edit (and the versions of them this
# tooling applied there before, kept in the cache), copied to $hooks.
applied="$CACHE/applied/$(path_key "$tree")"
cache_writable "$applied" "$applied/written"
patched_files() {
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$1"
}
hooks="$stage/hooks"
mkdir "$hooks"
for p in "${PATCHES[@]}" "$applied"/*.patch; do
	[ -e "$p" ] || continue
	for f in $(patched_files "$p"); do
		if [ -e "$tree/$f" ] && [ ! -e "$hooks/$f" ]; then
			mkdir -p "$hooks/$(dirname "$f")"
			cp -p "$tree/$f" "$hooks/$f"
		fi
	done
done
# hook DIR OPTION... <PATCH: patch(1) in DIR, exactly, quietly.
hook() {
	patch -d "$1" -p1 -s --fuzz=0 --no-backup-if-mismatch "${@:2}" >/dev/null 2>&1
}
# The backports of the hooks this kernel needs (patches/backport/hooks/, each
# with its Needed-if: test, applied after the hook patches). Where the tree
# has them, they are taken out of the copy first, so that the hook patches
# are judged as they go upstream; they are put back after.
hook_backports=()
for b in "$TOP"/patches/backport/hooks/*.patch; do
	[ -e "$b" ] || continue
	cond=$(sed -n 's/^Needed-if: //p' "$b")
	[ -n "$cond" ] || die "$(basename "$b"): no Needed-if: line"
	(cd "$tree" && sh -c "$cond") || continue
	hook_backports+=("$b")
done
for ((i = ${#hook_backports[@]} - 1; i >= 0; i--)); do
	if hook "$hooks" -R --dry-run -f <"${hook_backports[i]}"; then
		hook "$hooks" -R -f <"${hook_backports[i]}"
	fi
done
# upgrade OLD NEW: reversing OLD and applying NEW both work, exactly, in a
# copy of $hooks; which is then taken.
upgrade() {
	rm -rf "$stage/try" && cp -a "$hooks" "$stage/try" || return 1
	hook "$stage/try" -R -f <"$1" && hook "$stage/try" -N -t <"$2" || return 1
	rm -rf "$hooks" && mv "$stage/try" "$hooks"
}
# Each hook patch, in order, is either in the tree already or applies
# exactly. A tree set up by an older version of this project gets the
# newer hooks: missing ones are applied, and a changed one is upgraded when
# the version this tooling applied there still reverses exactly.
todo=()
upgrades=()
for p in "${PATCHES[@]}"; do
	name=$(basename "$p")
	if hook "$hooks" -R --dry-run -f <"$p"; then
		continue
	elif hook "$hooks" -N --dry-run -t <"$p"; then
		hook "$hooks" -N -t <"$p" || die "$name: applying it to a copy failed after a clean dry run"
		todo+=("$p")
	elif [ -f "$applied/$name" ] && upgrade "$applied/$name" "$p"; then
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
for b in ${hook_backports[@]+"${hook_backports[@]}"}; do
	hook "$hooks" -N -t <"$b" ||
		die "backport $(basename "$b") no longer applies to the hooks: regenerate it"
	backports="$backports $(basename "$b" .patch)"
done

# What to write: $new/FILE for each FILE in $writes.
new="$stage/new"
writes=()
take() {
	mkdir -p "$new/$(dirname "$2")"
	cp -p "$1/$2" "$new/$2"
	writes+=("$2")
}
while read -r f; do
	cmp -s "$hooks/$f" "$tree/$f" || take "$hooks" "$f"
done < <(cd "$hooks" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)

# The suite's files. One this tooling wrote into the tree (its checksum is
# in $written) follows the project's copy. Any other that differs is not
# overwritten: without the hooks it is somebody else's file, and the tree
# is refused; with them it is a developer's edit, kept and reported.
written="$applied/written"
written_sum() {
	awk -v f="$1" '$2 == f { s = $1 } END { print s }' "$written" 2>/dev/null
}
# A tree this tooling unpacked into its cache (its marker is there) is the
# tooling's, every file in it: nobody edits it by hand, and it may have been
# set up by a version that kept no checksums.
force=${FORCE:-0}
if [ -e "$tree/.autofs-kunit-created" ] || [ -e "$tree/.autofs-kunit-unpacked" ]; then
	force=1
fi
repaired=0
refreshed=0
kept=()
for f in $ADDED_FILES; do
	if [ -e "$tree/$f" ]; then
		[ "$state" = clean ] && repaired=1
		cmp -s "$suite/$f" "$tree/$f" && continue
		if [ "$force" != 1 ] && [ "$(file_sum "$tree/$f")" != "$(written_sum "$f")" ]; then
			[ "$state" != clean ] ||
				die "$tree: $f exists, differs from the suite's, and the hooks are not applied; tree left unchanged (\`make apply FORCE=1\` replaces it)"
			kept+=("$f")
			continue
		fi
		refreshed=1
	fi
	take "$suite" "$f"
done

# Every file to write can be written: checked before the first change.
for f in ${writes[@]+"${writes[@]}"}; do
	p="$tree/$f"
	if [ ! -e "$p" ]; then
		# The nearest directory there is: the rest is created in it.
		p=$(dirname "$p")
		while [ ! -e "$p" ]; do p=$(dirname "$p"); done
	elif [ -w "$p" ]; then
		p=$(dirname "$p")
	fi
	if [ ! -w "$p" ] || { [ -d "$p" ] && [ ! -x "$p" ]; }; then
		die "$tree: ${p#"$tree"/} is not writable by $(id -un) (it is $(stat -c %U "$p")'s); tree left unchanged: run as the tree's owner, or make it writable"
	fi
done

if [ "${#writes[@]}" -gt 0 ]; then
	journal_commit "$tree" "$new" "${writes[@]}"
fi
# What is applied now, for the next version of the hooks to upgrade from,
# and what this tooling wrote, for the next run to tell it from an edit.
mkdir -p "$applied"
cp "${PATCHES[@]}" "$applied/"
printf '%s\n' ${writes[@]+"${writes[@]}"} >"$stage/writes"
{
	if [ -f "$written" ]; then
		awk 'FILENAME == ARGV[1] { w[$1] = 1; next } !w[$2]' "$stage/writes" "$written"
	fi
	for f in ${writes[@]+"${writes[@]}"}; do
		echo "$(file_sum "$new/$f") $f"
	done
} >"$written.new"
mv "$written.new" "$written"
journal_clear "$tree"

for f in ${kept[@]+"${kept[@]}"}; do
	note "$tree: your $f differs from the project's; \`make apply FORCE=1\` replaces it"
done
bp=${backports:+ with backports:$backports}
if [ "$repaired" = 1 ] && [ "$state" = clean ]; then
	note "$tree: hooks were missing but the suite's files were there: repaired$bp"
elif [ "$state" = clean ]; then
	note "$tree: suite applied (kernel $(kernel_version "$tree"))$bp"
elif [ "${#upgrades[@]}" -gt 0 ]; then
	note "$tree: suite updated (hooks upgraded: ${upgrades[*]})$bp"
elif [ "${#todo[@]}" -gt 0 ]; then
	note "$tree: suite updated (${#todo[@]} new hook patch(es))$bp"
else
	note "$tree: suite already applied$([ "$refreshed" = 1 ] && echo '; test files refreshed')$bp"
fi
