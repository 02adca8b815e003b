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

# expect_refusal DESC PATTERN COMMAND...: exits $want (default 1, die; 3
# is apply.sh's "the hooks do not fit this tree") with exactly one line on
# stderr, matching PATTERN.
expect_refusal() {
	local desc=$1 pattern=$2 rc=0 status=${want:-1}
	shift 2
	"$@" >"$work/out" 2>"$work/err" || rc=$?
	if [ "$rc" -ne "$status" ]; then
		not_ok "$desc: exited $rc, not $status: $(tail -n 3 "$work/err")"
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
mkdir -p "$mini/fs" "$mini/tools/testing/kunit" "$mini/tools/testing/selftests/filesystems" \
	"$mini/include/linux"
cp "$src/Makefile" "$src/MAINTAINERS" "$mini/"
cp "$src/include/linux/export.h" "$src/include/linux/mount.h" "$mini/include/linux/"
cp -r "$src/fs/autofs" "$src/fs/pipe.c" "$mini/fs/"
cp "$src/tools/testing/kunit/kunit.py" "$mini/tools/testing/kunit/"
cp "$src/tools/testing/selftests/Makefile" "$src/tools/testing/selftests/lib.mk" \
	"$mini/tools/testing/selftests/"
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

# refused_tree NAME DESC PATTERN EDIT...: copy the mini tree to $work/NAME,
# break it with the command EDIT (run in that copy), and expect apply.sh to
# refuse it with one line matching PATTERN, leaving every file as it was.
refused_tree() {
	local desc=$2 pattern=$3 copy="$work/$1" sum
	shift 3
	cp -r "$mini" "$copy"
	(cd "$copy" && "$@")
	sum=$(tree_sum "$copy")
	expect_refusal "apply refuses $desc" "$pattern" "$TOP/scripts/apply.sh" "$copy"
	check "tree with $desc is unchanged" [ "$sum" = "$(tree_sum "$copy")" ]
}

refused_tree old "a tree without autofs_parse_fd()" "no autofs_parse_fd" \
	sed -i 's/autofs_parse_fd/autofs_parse_options/g' fs/autofs/inode.c
want=3 refused_tree drift "a tree the hooks do not apply to (no half-applied patch)" "does not apply" \
	sed -i 's/^	.kill_sb	= autofs_kill_sb,$/	.kill_sb	= autofs_kill_sb, \/* drift *\//' \
	fs/autofs/init.c
refused_tree stray "a foreign autofs_kunit.c" "differs from the suite's" \
	sh -c 'echo "/* not ours */" >fs/autofs/autofs_kunit.c'

half="$work/half"
cp -r "$mini" "$half"
patch -d "$half" -p1 -s -t --no-backup-if-mismatch <"$(ls "$TOP"/patches/4-*.patch)"
check "apply completes a tree that has only some of the hooks" "$TOP/scripts/apply.sh" "$half"
check "completed tree has the KUnit hooks" grep -q '^config AUTOFS_KUNIT_TEST' "$half/fs/autofs/Kconfig"

# A patch with only some of its hunks in the tree (an older version of the
# hooks, or a hand edit): refused, and no hunk applied twice.
want=3 refused_tree partial "a patch that is only partly in the tree" "does not apply" \
	sed -i 's|^TARGETS += filesystems/binderfs$|&\nTARGETS += filesystems/autofs|' \
	tools/testing/selftests/Makefile

# A tree whose hooks were reverted (git checkout -- .) but which still has
# our identical files is repaired, not refused.
reverted="$work/reverted"
cp -r "$mini" "$reverted"
"$TOP/scripts/apply.sh" "$reverted" 2>/dev/null
for p in "${PATCHES[@]}"; do
	patch -d "$reverted" -p1 -R -s --fuzz=0 --no-backup-if-mismatch <"$p"
done
"$TOP/scripts/apply.sh" "$reverted" 2>"$work/err" && rc=0 || rc=$?
check "apply repairs a tree whose hooks were reverted" [ "$rc" -eq 0 ]
check "... and says so" grep -q "repaired" "$work/err"
check "... and the hooks are back" grep -q '^config AUTOFS_KUNIT_TEST' "$reverted/fs/autofs/Kconfig"

# The backports a tree needs, decided by the tree: an older kernel (6.12's
# EXPORT_SYMBOL_GPL_FOR_MODULES, no fc_mount_longterm()) gets them, mainline
# none.
old="$work/oldkernel"
cp -r "$mini" "$old"
sed -i 's/^#define EXPORT_SYMBOL_FOR_MODULES(/#define EXPORT_SYMBOL_GPL_FOR_MODULES(/' \
	"$old/include/linux/export.h"
sed -i '/fc_mount_longterm/d' "$old/include/linux/mount.h"
# shellcheck disable=SC2016  # a make variable, not a shell one
sed -i '/^CFLAGS += -I${top_srcdir}\/tools\/testing\/selftests$/d' "$old/tools/testing/selftests/lib.mk"
"$TOP/scripts/apply.sh" "$old" 2>"$work/err" && rc=0 || rc=$?
check "apply installs the suite with backports into an older kernel" [ "$rc" -eq 0 ]
check "... naming them" \
	grep -q "with backports: kselftest-harness-path vfs-helpers export-for-modules-gpl" "$work/err"
check "... the harness by its path" grep -qx '#include "../../kselftest_harness.h"' \
	"$old/tools/testing/selftests/filesystems/autofs/autofs_daemon_test.c"
check "... 6.12's export to named modules in the hooks" \
	grep -q '^EXPORT_SYMBOL_GPL_FOR_MODULES(create_pipe_files, "autofs_kunit");' "$old/fs/pipe.c"
check "... applied again: already there, not refused" "$TOP/scripts/apply.sh" "$old"
check "... with 6.12's fc_mount()" grep -q 'm->mnt = fc_mount(fc);' "$old/fs/autofs/autofs_kunit.c"

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
apply_log() {
	"$TOP/scripts/apply.sh" "$1" 2>"$work/err"
}
check "apply keeps a test file edited in the tree" apply_log "$mini"
check "... and says so" grep -q "your fs/autofs/autofs_kunit.c differs from the project's" "$work/err"
check "mainline gets no backport" fails_with 1 '^$' grep -q "with backports" "$work/err"
check "FORCE=1 replaces it" env FORCE=1 "$TOP/scripts/apply.sh" "$mini"
check "refreshed test file matches the project's" cmp -s "$TOP/fs/autofs/autofs_kunit.c" "$mini/fs/autofs/autofs_kunit.c"
check "patches reverse cleanly (minimal, self-contained hooks)" unapply "$mini"
check "reversed tree equals the pristine one" [ "$pristine" = "$(tree_sum "$mini")" ]

# run.sh on bad input: one line, no build.
expect_refusal "run refuses a KERNEL_SRC that is not a kernel tree" "not a Linux kernel tree" \
	env KERNEL_SRC="$work/notkernel" "$TOP/scripts/run.sh"
expect_refusal "run refuses an unknown ARCH" "ARCH=sparc" \
	env ARCH=sparc KERNEL_SRC="$mini" "$TOP/scripts/run.sh"
expect_refusal "run-debug refuses an unknown ARCH" "ARCH=sparc" \
	env ARCH=sparc KERNEL_SRC="$mini" "$TOP/scripts/run-debug.sh"
expect_refusal "configs refuses an unknown ARCH" "ARCH=sparc" \
	env ARCH=sparc KERNEL_SRC="$mini" "$TOP/scripts/configs.sh"
expect_refusal "configs refuses an unknown combination" "unknown combination 'ny'" \
	env CONFIGS="mmm ny" KERNEL_SRC="$mini" "$TOP/scripts/configs.sh"
expect_refusal "soak refuses N that is not a number" "N=many" \
	env N=many KERNEL_SRC="$mini" "$TOP/scripts/soak.sh"
expect_refusal "soak refuses N=0" "N=0" env N=0 KERNEL_SRC="$mini" "$TOP/scripts/soak.sh"
expect_refusal "soak refuses an unknown isolation" "SOAK_ISOLATED=case" \
	env SOAK_ISOLATED=case KERNEL_SRC="$mini" "$TOP/scripts/soak.sh"
expect_refusal "bench refuses BENCH_RUNS that is not a number" "BENCH_RUNS=x" \
	env BENCH_RUNS=x KERNEL_SRC="$mini" "$TOP/scripts/bench.sh"
expect_refusal "bench refuses an unknown part" "unknown part 'all'" \
	env BENCH_PARTS="kernel all" KERNEL_SRC="$mini" "$TOP/scripts/bench.sh"
check "the bad-input runs left the mini tree as it was" [ "$pristine" = "$(tree_sum "$mini")" ]

# Each backport applies exactly to the suite's own file as it is now.
for b in "$TOP"/patches/backport/*.patch; do
	f=$(sed -n 's|^+++ b/||p' "$b" | head -n 1)
	check "backport $(basename "$b") applies exactly to $f" \
		patch -s --dry-run -p1 --fuzz=0 -o /dev/null "$TOP/$f" -i "$b"
done

# Every case a mutant names as its killer is a case of the suite (or one of
# the other killers prove.sh knows).
cases=" kselftest kmemleak KASAN lockdep $(grep -o 'KUNIT_CASE[A-Z_]*([a-z0-9_]*' \
	"$TOP/fs/autofs/autofs_kunit.c" | sed 's/.*(//' | paste -sd' ' -) "
unknown=
for m in "$TOP"/mutants/*.patch "$TOP"/mutants/debug/*.patch; do
	read -r -a killers <<<"$(sed -n 's/^Killed-by: //p' "$m")"
	for k in "${killers[@]}"; do
		case "$cases" in
		*" $k "*) ;;
		*) unknown="$unknown $(basename "$m"):$k" ;;
		esac
	done
done
check "every Killed-by: names a declared case${unknown:+ (not:$unknown)}" [ -z "$unknown" ]

# log_scan.py: what make run-debug holds the kernel log to.
log() {
	printf '%s\n' "[    0.100000] Linux version 6.12.0" "$@" "[    1.000000] reboot: Power down" \
		>"$work/console.log"
}
scan() {
	"$TOP/scripts/log_scan.py" "$work/console.log" >"$work/scan.out"
}
scan_out() {
	"$TOP/scripts/log_scan.py" "$work/console.log"
}
log "[    0.500000]     ok 1 autofs_pipe" "autofs-debug: kmemleak scanned" "autofs-debug: done"
check "log_scan passes a clean log" scan
for report in "BUG: KASAN: slab-use-after-free in autofs_wait+0x1a/0x40" \
	"WARNING: CPU: 0 PID: 1 at fs/autofs/waitq.c:40 autofs_wait+0x10/0x20" \
	"WARNING: possible circular locking dependency detected" \
	"ODEBUG: free active (active state 0) object: 000000 object type: timer_list" \
	"list_add corruption. prev->next should be next (000000)"; do
	log "[    0.400000] $report" "[    0.500000]     ok 1 autofs_pipe"
	check "log_scan fails a log with '${report%%:*}...'" \
		fails_with 1 "^log_scan: 1 report\(s\) in " scan_out
done
log "autofs-debug: kmemleak: unreferenced object 0xffff0000 (size 256):" \
	"autofs-debug: kmemleak:   comm \"kunit_try_catch\", pid 42" \
	"autofs-debug: kmemleak:   backtrace (crc 0):" \
	"autofs-debug: kmemleak:     [<0>] autofs_wait+0x1c0/0x600"
check "log_scan fails a kmemleak report that involves autofs" \
	fails_with 1 "kmemleak report involving autofs or KUnit" scan_out
log "autofs-debug: kmemleak: unreferenced object 0xffff0000 (size 64):" \
	"autofs-debug: kmemleak:   comm \"swapper/0\", pid 1" \
	"autofs-debug: kmemleak:     [<0>] acpi_os_map_memory+0x10/0x20"
check "log_scan notes, but passes, a kmemleak report from elsewhere" scan
check "... and says so" grep -q "1 kmemleak report(s) from elsewhere" "$work/scan.out"

# kunit_results.py --allow-skip CASE.PARAM allows that parameter only.
cat >"$work/results.json" <<'JSON'
{"name": "main", "sub_groups": [{"name": "autofs_pipe", "sub_groups": [
 {"name": "neg", "test_cases": [{"name": "small", "status": "SKIP"},
  {"name": "big", "status": "PASS"}]}], "test_cases": []}], "test_cases": []}
JSON
check "kunit_results allows a skip named by case and parameter" \
	"$TOP/scripts/kunit_results.py" summary "$work/results.json" --allow-skip neg.small
check "kunit_results refuses a skip of another parameter" \
	fails_with 1 "SKIP autofs_pipe.neg.small \(not allowed here\)" \
	"$TOP/scripts/kunit_results.py" summary "$work/results.json" --allow-skip neg.big

# judge_results holds the results to the cases of the tree's copy of the
# suite (a backport may drop a case there), and to the project's copy when
# the tree has none.
mkdir -p "$work/jt/fs/autofs"
cat >"$work/jt/fs/autofs/autofs_kunit.c" <<'C'
static struct kunit_case autofs_test_cases[] = {
	KUNIT_CASE_PARAM(neg, neg_gen_params),
	{}
};
static struct kunit_suite autofs_test_suite = {
	.name = "autofs_pipe",
C
sed -i 's/"SKIP"/"PASS"/' "$work/results.json"
check "judge_results accepts every case of the tree's copy" \
	judge_results "$work/results.json" um "$work/jt"
check "judge_results wants every case of the project's copy without one" \
	fails_with 1 "MISSING autofs_pipe.parse_fd_sets_packet_mode \(declared but not run\)" \
	judge_results "$work/results.json" um "$work/nosuchtree"
sed -i 's/^\t{}/\tKUNIT_CASE(more),\n&/' "$work/jt/fs/autofs/autofs_kunit.c"
check "judge_results wants a case the tree's copy declares" \
	fails_with 1 "MISSING autofs_pipe.more \(declared but not run\)" \
	judge_results "$work/results.json" um "$work/jt"

# make help names every target of the Makefile and every variable the
# tooling reads, one line each; the README names them too.
help=$(make -s -C "$TOP" help 2>&1) || help=
check "make help prints the targets and variables" grep -q '^Variables' <<<"$help"
targets=$(sed -n 's/^\([a-z][a-z-]*\):.*/\1/p' "$TOP/Makefile" | sort -u)
missing_help='' missing_readme=''
for t in $targets; do
	grep -qE "^  $t " <<<"$help" || missing_help="$missing_help $t"
	grep -qE "\`make ${t}[\` ,]" "$TOP/README.md" || missing_readme="$missing_readme $t"
done
check "make help lists every target of the Makefile${missing_help:+ (not:$missing_help)}" [ -z "$missing_help" ]
check "the README lists every target${missing_readme:+ (not:$missing_readme)}" [ -z "$missing_readme" ]
# What the scripts read from the environment, but for their own inner
# variables and what is not the user's to set.
inner=" ARCHIVE_URI SECURITY_URI APT_SUITES APT_URIS AUTOFS_KUNIT_LOCKS LOCK_INHERITED JOURNAL ARCH_ORIGIN MAKEFLAGS HOME XDG_CACHE_HOME ID VERSION_CODENAME "
read_vars=$(cd "$TOP" && grep -ohE '\$\{[A-Z][A-Z0-9_]*(:-|:\+|-)' scripts/*.sh compat/*.sh |
	sed -E 's/^\$\{//; s/(:-|:\+|-)$//' | sort -u)
missing_help='' missing_readme=''
for v in $read_vars; do
	case "$inner" in *" $v "*) continue ;; esac
	grep -qE "^  $v=" <<<"$help" || missing_help="$missing_help $v"
	grep -qF "\`$v=" "$TOP/README.md" || missing_readme="$missing_readme $v"
done
check "make help lists every variable the tooling reads${missing_help:+ (not:$missing_help)}" [ -z "$missing_help" ]
check "the README lists every variable${missing_readme:+ (not:$missing_readme)}" [ -z "$missing_readme" ]

finish
