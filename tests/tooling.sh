#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the tooling around the suite: apply.sh on good and bad trees,
# run.sh on bad input. Kernel builds are not needed here.
set -eu
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/../scripts/common.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# expect_refusal DESC PATTERN COMMAND...: fails with exactly one line on
# stderr matching PATTERN.
expect_refusal() {
	local desc=$1 pattern=$2 rc=0
	shift 2
	"$@" >"$work/out" 2>"$work/err" || rc=$?
	if [ "$rc" -eq 0 ]; then
		not_ok "$desc: exited 0"
	elif [ "$(wc -l <"$work/err")" -ne 1 ]; then
		not_ok "$desc: expected one line of error, got: $(cat "$work/err")"
	elif ! grep -q -- "$pattern" "$work/err"; then
		not_ok "$desc: error does not say '$pattern': $(cat "$work/err")"
	else
		ok "$desc ($(cat "$work/err"))"
	fi
}

# A tiny kernel tree: the files apply.sh touches, from the default tree.
src=$("$TOP/scripts/kernel-src.sh")
mini="$work/mini"
mkdir -p "$mini/fs" "$mini/tools/testing/kunit" "$mini/tools/testing/selftests/filesystems"
cp "$src/Makefile" "$src/MAINTAINERS" "$mini/"
cp -r "$src/fs/autofs" "$mini/fs/"
cp "$src/tools/testing/kunit/kunit.py" "$mini/tools/testing/kunit/"
cp "$src/tools/testing/selftests/Makefile" "$mini/tools/testing/selftests/"
# unapply MINI: take the suite out again (the default tree may have it).
unapply() {
	local p
	for p in "${PATCHES[@]}"; do
		if patch -d "$1" -p1 -R --dry-run -s -f <"$p" >/dev/null 2>&1; then
			patch -d "$1" -p1 -R -s -f --no-backup-if-mismatch <"$p" || return 1
		fi
	done
	for f in $ADDED_FILES; do rm -f "$1/$f"; done
	rmdir "$1/tools/testing/selftests/filesystems/autofs" 2>/dev/null || true
}
unapply "$mini"
pristine=$(tree_sum "$mini")

# Refusals leave the tree as it was.
mkdir "$work/notkernel"
echo hello >"$work/notkernel/README"
sum=$(tree_sum "$work/notkernel")
expect_refusal "apply refuses a directory that is not a kernel tree" "not a Linux kernel tree" \
	"$TOP/scripts/apply.sh" "$work/notkernel"
check "refused non-kernel directory is unchanged" [ "$sum" = "$(tree_sum "$work/notkernel")" ]
expect_refusal "apply refuses a missing directory" "no such directory" \
	"$TOP/scripts/apply.sh" "$work/nonexistent"
expect_refusal "apply refuses an empty KERNEL_SRC" "KERNEL_SRC is empty" \
	"$TOP/scripts/apply.sh" ""

old="$work/old"
cp -r "$mini" "$old"
sed -i 's/autofs_parse_fd/autofs_parse_options/g' "$old/fs/autofs/inode.c"
sum=$(tree_sum "$old")
expect_refusal "apply refuses a tree without autofs_parse_fd()" "no autofs_parse_fd" \
	"$TOP/scripts/apply.sh" "$old"
check "refused old tree is unchanged" [ "$sum" = "$(tree_sum "$old")" ]

drift="$work/drift"
cp -r "$mini" "$drift"
sed -i 's/^static int autofs_dev_ioctl_setpipefd(/static long autofs_dev_ioctl_setpipefd(/' \
	"$drift/fs/autofs/dev-ioctl.c"
sum=$(tree_sum "$drift")
expect_refusal "apply refuses a tree the hooks do not apply to" "does not apply" \
	"$TOP/scripts/apply.sh" "$drift"
check "refused drifted tree is unchanged (no half-applied patch)" [ "$sum" = "$(tree_sum "$drift")" ]

stray="$work/stray"
cp -r "$mini" "$stray"
echo "/* someone else's */" >"$stray/fs/autofs/autofs_kunit.c"
sum=$(tree_sum "$stray")
expect_refusal "apply refuses to overwrite a foreign autofs_kunit.c" "exists but the hooks" \
	"$TOP/scripts/apply.sh" "$stray"
check "tree with a foreign autofs_kunit.c is unchanged" [ "$sum" = "$(tree_sum "$stray")" ]

half="$work/half"
cp -r "$mini" "$half"
patch -d "$half" -p1 -s -t --no-backup-if-mismatch <"$TOP/patches/autofs-selftest.patch"
check "apply completes a tree that has only some of the hooks" "$TOP/scripts/apply.sh" "$half"
check "completed tree has the KUnit hooks" grep -q '^config AUTOFS_KUNIT_TEST' "$half/fs/autofs/Kconfig"

# A patch with only some of its hunks in the tree (an older version of the
# hooks, or a hand edit): refused, and no hunk applied twice.
partial="$work/partial"
cp -r "$mini" "$partial"
sed -i 's|^TARGETS += filesystems/binderfs$|&\nTARGETS += filesystems/autofs|' \
	"$partial/tools/testing/selftests/Makefile"
sum=$(tree_sum "$partial")
expect_refusal "apply refuses a patch that is only partly in the tree" "does not apply" \
	"$TOP/scripts/apply.sh" "$partial"
check "partly patched tree is unchanged" [ "$sum" = "$(tree_sum "$partial")" ]

# Applying, then applying again.
check "apply installs the suite into a clean tree" "$TOP/scripts/apply.sh" "$mini"
for f in $ADDED_FILES; do
	check "apply installed $f" cmp -s "$TOP/$f" "$mini/$f"
done
check "apply hooked AUTOFS_KUNIT_TEST into Kconfig" grep -q '^config AUTOFS_KUNIT_TEST' "$mini/fs/autofs/Kconfig"
check "apply hooked autofs_kunit.o into the Makefile" grep -q 'autofs_kunit.o' "$mini/fs/autofs/Makefile"
check "apply added the selftest to TARGETS" grep -qx 'TARGETS += filesystems/autofs' "$mini/tools/testing/selftests/Makefile"
check "apply left no .orig or .rej files" [ -z "$(find "$mini" -name '*.orig' -o -name '*.rej')" ]
applied=$(tree_sum "$mini")
"$TOP/scripts/apply.sh" "$mini" 2>"$work/err" && rc=0 || rc=$?
check "apply on an applied tree succeeds" [ "$rc" -eq 0 ]
check "apply on an applied tree says so" grep -q "already applied" "$work/err"
check "apply on an applied tree changes nothing" [ "$applied" = "$(tree_sum "$mini")" ]
echo "/* edited */" >>"$mini/fs/autofs/autofs_kunit.c"
check "apply refreshes an edited test file" "$TOP/scripts/apply.sh" "$mini"
check "refreshed test file matches the project's" cmp -s "$TOP/fs/autofs/autofs_kunit.c" "$mini/fs/autofs/autofs_kunit.c"
check "patches reverse cleanly (minimal, self-contained hooks)" unapply "$mini"
check "reversed tree equals the pristine one" [ "$pristine" = "$(tree_sum "$mini")" ]

# run.sh on bad input: one line, no build.
expect_refusal "run refuses a KERNEL_SRC that is not a kernel tree" "not a Linux kernel tree" \
	env KERNEL_SRC="$work/notkernel" "$TOP/scripts/run.sh"
expect_refusal "run refuses an unknown ARCH" "ARCH=sparc" \
	env ARCH=sparc KERNEL_SRC="$mini" "$TOP/scripts/run.sh"

finish
