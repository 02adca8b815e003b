#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What a new machine, a new user or an unlucky moment does to the tooling:
# no cache directory, relative paths, a user's own directories, drifted
# trees, two runs at once, a foreign ARCH, no root, blanks in paths, and a
# run killed half way. No kernel build is needed here; each check names
# the point of the new-machine issue it answers.
set -eu
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/../scripts/common.sh"

work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

# A tiny kernel tree, as tooling.sh makes it, from the default tree.
src=$("$TOP/scripts/kernel-src.sh")
mini="$work/mini"
mkdir -p "$mini/fs" "$mini/tools/testing/kunit" "$mini/tools/testing/selftests" "$mini/include/linux"
cp "$src/Makefile" "$src/MAINTAINERS" "$mini/"
cp "$src/include/linux/export.h" "$src/include/linux/mount.h" "$mini/include/linux/"
cp -r "$src/fs/autofs" "$src/fs/pipe.c" "$mini/fs/"
cp "$src/tools/testing/kunit/kunit.py" "$mini/tools/testing/kunit/"
cp "$src/tools/testing/selftests/Makefile" "$src/tools/testing/selftests/lib.mk" \
	"$mini/tools/testing/selftests/"
for p in "${PATCHES[@]}"; do
	if patch -d "$mini" -p1 -R --dry-run -s -f --fuzz=0 <"$p" >/dev/null 2>&1; then
		patch -d "$mini" -p1 -R -s -f --fuzz=0 --no-backup-if-mismatch <"$p"
	fi
done
for f in $ADDED_FILES; do rm -f "$mini/$f"; done
chmod -R a+rX "$mini"
fresh() {
	rm -rf "${work:?}/$1"
	cp -r "$mini" "$work/$1"
	echo "$work/$1"
}

# 1. No directory is assumed: a cache nested in directories that do not
# exist, and a failed apt-get that must say where its log is.
cache="$work/no/such/dir/cache"
check "1: apply creates a nested cache (its lock directory)" \
	env AUTOFS_KUNIT_CACHE="$cache" "$TOP/scripts/apply.sh" "$(fresh t1)"
check "1: ... with src/ and build/ for kunit.py's build dirs" \
	test -d "$cache/src" -a -d "$cache/build"
if [ "$(id -u)" -eq 0 ]; then
	check "1: a failed apt-get install is one line naming its log in the new cache" \
		fails_with 1 "^deps.sh: error: apt-get install autofs-kunit-no-such-package failed; see $work/no/cache2/apt.log$" \
		env AUTOFS_KUNIT_CACHE="$work/no/cache2" "$TOP/scripts/deps.sh" autofs-kunit-no-such-package
	check "1: ... and the log is there" test -s "$work/no/cache2/apt.log"
fi

# 2. Relative paths are taken from where the command started.
mkdir -p "$work/cwd"
# print VAR ENV...: VAR as common.sh sets it, with ENV, from $work/cwd.
# shellcheck disable=SC2016  # expanded by the inner shell
print() {
	local var=$1
	shift
	(cd "$work/cwd" && env -u AUTOFS_KUNIT_CACHE -u XDG_CACHE_HOME "$@" \
		bash -c '. "$0"; echo "${!1}"' "$TOP/scripts/common.sh" "$var")
}
check "2: a relative AUTOFS_KUNIT_CACHE becomes absolute" \
	test "$(print CACHE AUTOFS_KUNIT_CACHE=rel)" = "$work/cwd/rel"
check "2: a relative XDG_CACHE_HOME becomes absolute" \
	test "$(print CACHE XDG_CACHE_HOME=xdg)" = "$work/cwd/xdg/autofs-kunit"
check "2: a relative KERNEL_SRC becomes absolute" \
	test "$(print KERNEL_SRC KERNEL_SRC=../mini)" = "$work/mini"
json_arg() {
	local tree
	tree=$(fresh t2)
	{
		(cd "$work/cwd" && KERNEL_SRC=$tree AUTOFS_KUNIT_BUILD_DIR="$work/bd" \
			"$TOP/scripts/run.sh" "$@" 2>&1) || true
	} | grep -o -- '--json=[^ ]*' | head -n 1
}
check "2: run.sh --json=FILE lands where the command started" \
	test "$(json_arg --json=out.json)" = "--json=$work/cwd/out.json"
check "2: run.sh --json FILE too" \
	test "$(json_arg --json out.json)" = "--json=$work/cwd/out.json"

# 3. make series never deletes a user's directory.
mkdir -p "$work/outgoing"
echo "my notes" >"$work/outgoing/notes.txt"
check "3: series refuses a non-empty directory that is not its own" \
	fails_with 1 "SERIES_OUT=$work/outgoing exists and is not a series directory of ours" \
	env SERIES_OUT="$work/outgoing" "$TOP/scripts/series.sh"
check "3: ... and leaves its files" grep -qx "my notes" "$work/outgoing/notes.txt"
series_from_work() {
	(cd "$work" && SERIES_OUT=outgoing "$TOP/scripts/series.sh")
}
check "3: a relative SERIES_OUT is taken from where the command started" \
	fails_with 1 "SERIES_OUT=$work/outgoing exists" series_from_work

# 4. Hooks apply exactly or not at all: a Kconfig whose context drifted is
# refused, however close the lines are (patch's default fuzz took it).
drift=$(fresh t4)
sed -i 's/^	   N here\.$/	   N here, please./' "$drift/fs/autofs/Kconfig"
sum=$(tree_sum "$drift")
check "4: a drifted Kconfig is refused" \
	fails_with 3 "3-autofs-kunit.patch does not apply exactly" "$TOP/scripts/apply.sh" "$drift"
check "4: ... and left as it was" test "$sum" = "$(tree_sum "$drift")"

# 5. Two runs at once on one tree: the second waits for the first, saying so.
locked=$(fresh t5)
(
	exec 9>>"$CACHE/lock/tree-$(path_key "$(cd "$locked" && pwd -P)")"
	flock 9
	sleep 3
) &
holder=$!
sleep 1
check "5: apply waits for another run's lock, and says so" \
	fails_with 0 "waiting for another run to finish with tree-" "$TOP/scripts/apply.sh" "$locked"
wait "$holder"
check "5: make runs its targets one at a time, also under -j" \
	grep -qx '.NOTPARALLEL:' "$TOP/Makefile"

# 6. ARCH and CROSS_COMPILE exported for something else are not ours; one
# given on make's command line is refused with where it came from.
check "6: make ignores an exported ARCH, saying so" \
	fails_with 2 "ignoring ARCH=arm64 from the environment" \
	env ARCH=arm64 make -s -C "$TOP" soak N=0
check "6: make ignores an exported CROSS_COMPILE, saying so" \
	fails_with 2 "ignoring CROSS_COMPILE=aarch64-linux-gnu- from the environment" \
	env CROSS_COMPILE=aarch64-linux-gnu- make -s -C "$TOP" soak N=0
check "6: ... and runs on um" \
	fails_with 2 "N=0: the number of runs" env ARCH=arm64 make -s -C "$TOP" soak N=0
check "6: an unknown ARCH on make's command line says where it came from" \
	fails_with 2 "ARCH=sparc \\(from make.s command line\\): only um, x86_64 and i386" \
	make -s -C "$TOP" run ARCH=sparc KERNEL_SRC="$(fresh t6)"

# 7. Not root, or no usable home: one apt-get line; the cache variable.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	as_nobody() {
		setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent "$@"
	}
	# The clone may be where nobody cannot read it (root's home): a copy.
	theirs="$work/nobodys-clone"
	mkdir "$theirs"
	tar -C "$TOP" --exclude=.git -cf - . | tar -C "$theirs" -xf -
	chmod -R a+rX "$theirs"
	check "7: a normal user gets one complete apt-get line" \
		fails_with 1 "as root run: apt-get update && apt-get install -y --no-install-recommends autofs-kunit-missing-a autofs-kunit-missing-b$" \
		as_nobody "$theirs/scripts/deps.sh" gcc autofs-kunit-missing-a make autofs-kunit-missing-b
	check "7: a missing home says to set AUTOFS_KUNIT_CACHE" \
		fails_with 1 "set AUTOFS_KUNIT_CACHE to a writable directory" \
		as_nobody env -u XDG_CACHE_HOME -u AUTOFS_KUNIT_CACHE "$theirs/scripts/apply.sh" "$(fresh t7)"
fi
check "7: a cache path with a blank is refused up front" \
	fails_with 1 "the cache path '$work/with space' has a blank in it" \
	env AUTOFS_KUNIT_CACHE="$work/with space" "$TOP/scripts/apply.sh" "$(fresh t7b)"
mkdir -p "$work/clone with space"
cp -r "$TOP/scripts" "$TOP/kernels.list" "$TOP/patches" "$work/clone with space/"
check "7: a clone path with a blank is refused up front" \
	fails_with 1 "the clone's path '$work/clone with space' has a blank in it" \
	"$work/clone with space/scripts/apply.sh" "$(fresh t7c)"

# 8. A run killed half way: the next run undoes what it left.
killed=$(fresh t8)
"$TOP/scripts/apply.sh" "$killed" 2>/dev/null
before=$(tree_sum "$killed")
# mutate TEXT: a copy of inode.c with TEXT added, in $work/mutated.
mutate() {
	mkdir -p "$work/mutated/fs/autofs"
	cp "$killed/fs/autofs/inode.c" "$work/mutated/fs/autofs/"
	echo "$1" >>"$work/mutated/fs/autofs/inode.c"
}
mutate "/* a mutant make prove left behind */"
journal_commit "$killed" "$work/mutated" fs/autofs/inode.c
check "8: the next run restores what a killed make prove left, saying so" \
	fails_with 0 "an earlier run \(robustness\) was interrupted while changing fs/autofs/inode.c; restoring them" \
	"$TOP/scripts/apply.sh" "$killed"
check "8: ... to what it was" test "$before" = "$(tree_sum "$killed")"
# ... but a target run inside make prove (which holds the tree's lock)
# must leave prove's journal, and its mutant, alone.
mutate "/* prove's mutant */"
JOURNAL=prove journal_commit "$killed" "$work/mutated" fs/autofs/inode.c
inside_prove() {
	AUTOFS_KUNIT_LOCKS="tree-$(path_key "$(cd "$killed" && pwd -P)")" "$TOP/scripts/apply.sh" "$killed"
}
check "8: apply.sh inside make prove leaves prove's mutant in place" \
	fails_with 0 "suite already applied" inside_prove
check "... and prove's journal" test -f "$(journal_dir "$killed" prove)/files"
journal_restore "$killed" prove
check "... which then restores the tree" test "$before" = "$(tree_sum "$killed")"
leftover="$CACHE/src/.unpack.$(basename "$src").test$$"
mkdir -p "$leftover/linux"
: >"$leftover/.autofs-kunit-created"
check "8: a half-done unpack directory is removed by the next run, saying so" \
	fails_with 0 "removing $leftover, left by an interrupted unpack" "$TOP/scripts/kernel-src.sh"
check "8: ... and gone" test ! -e "$leftover"

# The pins: an unknown KERNEL is one line naming the known ones; a pinned
# package the archive no longer serves is one line naming what it serves.
check "kernels: an unknown KERNEL is refused in one line" \
	fails_with 1 "^kernel-src.sh: error: KERNEL=5.4: unknown kernel \(known: 7.3 6.12 6.1; see kernels.list\)$" \
	env KERNEL=5.4 "$TOP/scripts/kernel-src.sh"
gone="$work/gone"
mkdir -p "$gone"
cp -r "$TOP/scripts" "$TOP/patches" "$gone/"
printf '%s\n' "9.9 linux-source-9.9 trixie-backports" >"$gone/kernels.list"
check "kernels: a pin the archive no longer serves says what it serves instead, naming the apt log" \
	fails_with 1 "linux-source-9.9 is no longer served by trixie-backports \(served: .*linux-source-7\.3.*\); move the pin in kernels.list; see $work/gone-cache/apt/linux-source-9.9/apt.log$" \
	env AUTOFS_KUNIT_CACHE="$work/gone-cache" "$gone/scripts/kernel-src.sh"

# 20. Nothing of the user's is lost (issue 20).

# one_line STATUS PATTERN COMMAND...: COMMAND exits with STATUS and prints
# exactly one line (stdout and stderr), which matches PATTERN.
one_line() {
	local want=$1 pattern=$2 rc=0 out
	shift 2
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -ne "$want" ] || [ "$(wc -l <<<"$out")" -ne 1 ] || ! grep -qE -- "$pattern" <<<"$out"; then
		echo "  expected status $want and one line matching '$pattern'; got $rc: $(tail -n 4 <<<"$out")"
		return 1
	fi
}
# copy_clone DIR: a copy of the clone (without .git) that anybody can read.
copy_clone() {
	mkdir "$1"
	tar -C "$TOP" --exclude=.git -cf - . | tar -C "$1" -xf -
	chmod -R a+rX "$1"
}

# 20.1 An apply is all or nothing, and a killed run's change is undone
# only where the file is still what it wrote. A tree the user cannot write
# (root's, for a normal user): refused up front, nothing journalled; once
# writable, the user's edits count.
mkdir -m 777 "$work/ucache"
if [ "$(id -u)" -ne 0 ]; then
	uclone=$TOP
	as_user() {
		env AUTOFS_KUNIT_CACHE="$work/ucache" "$@"
	}
elif command -v setpriv >/dev/null; then
	uclone="$work/users-clone"
	copy_clone "$uclone"
	as_user() {
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			env HOME=/nonexistent AUTOFS_KUNIT_CACHE="$work/ucache" "$@"
	}
fi
if [ -n "${uclone:-}" ]; then
	ro=$(fresh t20a)
	chmod -R a-w "$ro"
	sum=$(tree_sum "$ro")
	check "20.1: apply into a tree the user cannot write is refused up front, in one line" \
		one_line 1 "^apply.sh: error: $ro: .*not writable" as_user "$uclone/scripts/apply.sh" "$ro"
	check "20.1: ... leaving the tree as it was" test "$sum" = "$(tree_sum "$ro")"
	chmod -R a+w "$ro"
	# shellcheck disable=SC2016  # expanded by the inner shell
	as_user sh -c 'echo "/* the user'"'"'s line */" >>"$1/fs/autofs/init.c" &&
		mkdir -p "$1/tools/testing/selftests/filesystems/autofs" &&
		echo "# the user'"'"'s own Makefile" >"$1/tools/testing/selftests/filesystems/autofs/Makefile"' \
		sh "$ro"
	check "20.1: made writable, the next apply refuses the user's own selftest Makefile" \
		one_line 1 "autofs/Makefile exists, differs from the suite's" as_user "$uclone/scripts/apply.sh" "$ro"
	check "20.1: ... keeping the line the user added to init.c" \
		grep -qxF "/* the user's line */" "$ro/fs/autofs/init.c"
	check "20.1: ... and the user's Makefile" \
		grep -qxF "# the user's own Makefile" "$ro/tools/testing/selftests/filesystems/autofs/Makefile"
fi

# A run killed (SIGKILL: no trap runs) while it writes: cp and mv that kill
# the outermost apply.sh above them when asked to write under $KILL_AT.
killer="$work/killer"
mkdir -p "$killer" "$work/tmp"
for c in cp mv; do
	cat >"$killer/$c" <<'EOF'
#!/bin/bash
for a; do
	case "$a" in "$KILL_AT"/*)
		p=$PPID top=
		while [ "$p" -gt 1 ]; do
			grep -qa 'scripts/apply\.sh' "/proc/$p/cmdline" && top=$p
			p=$(awk '$1 == "PPid:" { print $2 }' "/proc/$p/status")
		done
		[ -n "$top" ] && kill -KILL "$top"
		exit 1
		;;
	esac
done
PATH=${PATH#*:} exec "${0##*/}" "$@"
EOF
	chmod +x "$killer/$c"
done
# killed_apply TREE: apply.sh killed as it starts writing the kselftest.
killed_apply() {
	local t
	t=$(cd "$1" && pwd -P)
	(
		env PATH="$killer:$PATH" KILL_AT="$t/tools/testing/selftests/filesystems/autofs" \
			TMPDIR="$work/tmp" "$TOP/scripts/apply.sh" "$t" || true
	) >/dev/null 2>&1
}
# first_changed TREE: the first file that differs between the mini tree and TREE.
first_changed() {
	diff -rq "$mini" "$1" | sed -n "s|^Files $mini/\(.*\) and .* differ\$|\1|p" | head -n 1
}
ref=$(fresh t20ref)
"$TOP/scripts/apply.sh" "$ref" 2>/dev/null
k=$(fresh t20b)
killed_apply "$k"
changed=$(first_changed "$k")
check "20.1: (a killed apply left files changed: ${changed:-none})" test -n "$changed"
echo "/* edited after the killed run */" >>"$k/${changed:-none}"
sum=$(tree_sum "$k")
check "20.1: the next run refuses to undo a killed run's change to a file edited since, naming it in one line" \
	one_line 1 "^apply.sh: error: $k: ${changed:-none} " "$TOP/scripts/apply.sh" "$k"
check "20.1: ... leaving the tree as it is" test "$sum" = "$(tree_sum "$k")"
k=$(fresh t20c)
killed_apply "$k"
check "20.1: a killed apply's files, unedited, are restored by the next run, saying so" \
	fails_with 0 "interrupted while changing .*; restoring them" "$TOP/scripts/apply.sh" "$k"
check "20.1: ... which then applies the suite as into a clean tree" test "$(tree_sum "$ref")" = "$(tree_sum "$k")"

# make prove with a kunit.py that builds nothing: the suite "fails" while
# the test mutant is in the tree. The second time the user edits the
# mutated file during the run: prove must stop there, not copy over it.
pclone="$work/prove-clone"
copy_clone "$pclone"
rm -rf "$pclone/mutants"
mkdir "$pclone/mutants"
pt=$(fresh t20p)
cp "$pt/fs/autofs/inode.c" "$work/inode.c"
echo "/* TEST MUTANT */" >>"$work/inode.c"
{
	echo "Mutant: a comment that fails the faked suite"
	echo "Killed-by: parse_fd_sets_packet_mode"
	diff -u --label a/fs/autofs/inode.c --label b/fs/autofs/inode.c "$pt/fs/autofs/inode.c" "$work/inode.c" || true
} >"$pclone/mutants/01-test.patch"
# Its results are what kunit.py writes for a failed case; with
# .harness-crash in the tree it crashes instead, writing none.
cat >"$pt/tools/testing/kunit/kunit.py" <<'EOF'
#!/bin/sh
tree=$(cd "$(dirname "$0")/../../.." && pwd)
json=
for a; do case "$a" in --json=*) json=${a#--json=} ;; esac; done
if [ "$1" = exec ] && grep -q 'TEST MUTANT' "$tree/fs/autofs/inode.c"; then
	[ ! -e "$tree/.edit-during-prove" ] || echo "/* the user's edit */" >>"$tree/fs/autofs/inode.c"
	if [ -e "$tree/.harness-crash" ]; then
		printf '%s\n' "Traceback (most recent call last):" "KeyError: 'autofs_pipe'"
		exit 1
	fi
	echo '{"name": "main", "sub_groups": [{"name": "autofs_pipe", "test_cases": [{"name": "parse_fd_sets_packet_mode", "status": "FAIL"}]}], "test_cases": []}' >"$json"
	exit 1
fi
EOF
fake_prove() {
	env AUTOFS_KUNIT_CACHE="$work/pcache" KERNEL_SRC="$pt" PROVE_COMPAT=0 PROVE_DEBUG=0 \
		"$pclone/scripts/prove.sh"
}
fake_prove_out() {
	fake_prove 2>&1 || true
}
check "20.1: make prove (kunit.py faked) kills the mutant and restores the tree" \
	fails_with 0 "1/1 mutants killed" fake_prove
check "20.1: ... leaving no mutant" fails_with 1 '^$' grep -q 'TEST MUTANT' "$pt/fs/autofs/inode.c"
touch "$pt/.harness-crash"
check "20.7: a kunit.py that crashes without results is no verdict, not a kill" \
	fails_with 1 "^0/1 mutants killed" fake_prove
check "20.7: ... and its row says so" fails_with 0 "^01-test +NO VERDICT .*kunit.py exited 1 without results" fake_prove_out
check "20.7: ... leaving no mutant" fails_with 1 '^$' grep -q 'TEST MUTANT' "$pt/fs/autofs/inode.c"
rm "$pt/.harness-crash"
touch "$pt/.edit-during-prove"
check "20.1: make prove does not restore a file the user edited during the run, and says so in one line" \
	fails_with 1 "^prove.sh: error: $pt: fs/autofs/inode.c " fake_prove
check "20.1: ... keeping the user's edit" grep -qxF "/* the user's edit */" "$pt/fs/autofs/inode.c"
check "20.1: ... and its journal, for the user to look at" \
	test -d "$work/pcache/journal/$(path_key "$(cd "$pt" && pwd -P)")-prove"

# 20.2 The cache is a directory of the user's (AUTOFS_KUNIT_CACHE=$HOME):
# what the tooling did not make there is refused, not deleted; nothing is
# downloaded (a mirror that cannot answer).
pkg=$(basename "$src")
home="$work/home"
mkdir -p "$home/src/$pkg"
echo "my kernel work" >"$home/src/$pkg/notes.txt"
offline() {
	env AUTOFS_KUNIT_CACHE="$1" AUTOFS_KUNIT_MIRROR=http://127.0.0.1:9 "${@:2}"
}
check "20.2: kernel-src.sh refuses a $pkg it did not unpack, in one line" \
	one_line 1 "^kernel-src.sh: error: $home/src/$pkg .*not .*" offline "$home" "$TOP/scripts/kernel-src.sh"
check "20.2: ... and leaves the user's files in it" grep -qx "my kernel work" "$home/src/$pkg/notes.txt"
mkdir -p "$work/home2/src/.unpack.$pkg.abc123"
echo "mine" >"$work/home2/src/.unpack.$pkg.abc123/notes.txt"
check "20.2: kernel-src.sh refuses a leftover unpack directory without its marker, in one line" \
	one_line 1 "^kernel-src.sh: error: $work/home2/src/.unpack.$pkg.abc123" offline "$work/home2" "$TOP/scripts/kernel-src.sh"
check "20.2: ... and leaves it" grep -qx "mine" "$work/home2/src/.unpack.$pkg.abc123/notes.txt"
mkdir -p "$work/home3/src/$pkg"
: >"$work/home3/src/$pkg/.autofs-kunit-created"
echo "kept" >"$work/home3/src/$pkg/half"
check "20.2: an unpack of its own that cannot download again fails" \
	fails_with 1 "kernel-src.sh: error: " offline "$work/home3" "$TOP/scripts/kernel-src.sh"
check "20.2: ... and still has the tree it would replace" test -e "$work/home3/src/$pkg/half"
shome="$work/shome"
mkdir -p "$shome/src/$pkg" "$shome/series/$pkg" "$work/tarball/$pkg"
: >"$shome/src/$pkg/.autofs-kunit-unpacked"
echo "a tiny tree" >"$work/tarball/$pkg/README"
tar -C "$work/tarball" -cJf "$shome/src/$pkg.tar.xz" "$pkg"
echo "my series notes" >"$shome/series/$pkg/notes.txt"
check "20.2: series.sh refuses a $pkg it did not make, in one line" \
	one_line 1 "^series.sh: error: $shome/series/$pkg .*not .*" \
	offline "$shome" env SERIES_OUT="$work/series-out" "$TOP/scripts/series.sh"
check "20.2: ... and leaves the user's files in it" grep -qx "my series notes" "$shome/series/$pkg/notes.txt"

# 20.4 A tree that has the hooks without this tooling (git am of the series)
# and the developer's edits of the suite's files: kept, one line each;
# FORCE=1 replaces them; what the tooling wrote follows the project's copy.
hand=$(fresh t20h)
for p in "${PATCHES[@]}"; do
	patch -d "$hand" -p1 -s -t --fuzz=0 --no-backup-if-mismatch <"$p"
done
for f in $ADDED_FILES; do
	mkdir -p "$hand/$(dirname "$f")"
	cp "$TOP/$f" "$hand/$f"
done
sfile=$(printf '%s\n' "$ADDED_FILES" | grep '^tools/' | tail -n 1)
echo "/* the developer's own case */" >>"$hand/fs/autofs/autofs_kunit.c"
echo "# the developer's own line" >>"$hand/$sfile"
check "20.4: an edited autofs_kunit.c in a tree with the hooks is kept, saying so in one line" \
	fails_with 0 "^apply.sh: $hand: your fs/autofs/autofs_kunit.c differs from the project's; \`make apply FORCE=1\` replaces it$" \
	"$TOP/scripts/apply.sh" "$hand"
check "20.4: ... and it is" grep -qxF "/* the developer's own case */" "$hand/fs/autofs/autofs_kunit.c"
check "20.4: an edited $sfile is kept too" grep -qxF "# the developer's own line" "$hand/$sfile"
check "20.4: FORCE=1 replaces them" fails_with 0 "suite already applied; test files refreshed" \
	env FORCE=1 "$TOP/scripts/apply.sh" "$hand"
check "20.4: ... with the suite's" test "$(tree_sum "$ref")" = "$(tree_sum "$hand")"
newer="$work/newer-clone"
copy_clone "$newer"
echo "/* the project's newer copy */" >>"$newer/fs/autofs/autofs_kunit.c"
check "20.4: a file the tooling wrote follows the project's copy" \
	fails_with 0 "test files refreshed" "$newer/scripts/apply.sh" "$hand"
check "20.4: ... and it does" grep -qxF "/* the project's newer copy */" "$hand/fs/autofs/autofs_kunit.c"

# one_error STATUS PATTERN COMMAND...: COMMAND exits with STATUS, crashes
# not (fails_with), and prints exactly one error line, which matches
# PATTERN (notes of what it did before may precede it).
one_error() {
	local want=$1 pattern=$2 rc=0 out
	shift 2
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -ne "$want" ] || [ "$(grep -c ': error: ' <<<"$out")" -ne 1 ] ||
	   ! grep -qE -- "$pattern" <<<"$(grep ': error: ' <<<"$out")" ||
	   grep -qE 'Traceback \(most recent call last\)|: line [0-9]+: |command not found' <<<"$out"; then
		echo "  expected status $want and one error line matching '$pattern'; got $rc: $(tail -n 4 <<<"$out")"
		return 1
	fi
}
# A mini tree whose kunit.py only says how it was called: what make run
# hands kunit.py (and kbuild, through MAKEFLAGS), without a kernel build.
stub=$(fresh tstub)
cat >"$stub/tools/testing/kunit/kunit.py" <<'EOF'
#!/bin/sh
echo "kunit.py stub: $*"
echo "kunit.py stub env: ARCH=${ARCH-} CROSS_COMPILE=${CROSS_COMPILE-(unset)} MAKEFLAGS=${MAKEFLAGS-}"
EOF
# Fakes for the checks that must not install or download anything, even
# on a tooling that would: dpkg-query says every package is missing (a
# normal user then gets the apt-get line) or installed, debootstrap fails.
fakes="$work/fakes"
mkdir -p "$fakes/missing" "$fakes/installed"
printf '#!/bin/sh\necho "deinstall ok config-files"\n' >"$fakes/missing/dpkg-query"
printf '#!/bin/sh\necho "install ok installed"\n' >"$fakes/installed/dpkg-query"
printf '#!/bin/sh\necho "debootstrap: faked" >&2\nexit 1\n' >"$fakes/installed/debootstrap"
chmod +x "$fakes"/*/*

# 6 again: an ARCH exported for something else does not reach kunit.py.
check "6: an exported ARCH=arm64 runs the suite on um" \
	fails_with 0 "^kunit.py stub: run .*--arch um " env ARCH=arm64 AUTOFS_KUNIT_BUILD_DIR="$work/bd" make -s -C "$TOP" run KERNEL_SRC="$stub"
check "6: ... and kunit.py's environment has ARCH=um" \
	fails_with 0 "^kunit.py stub env: ARCH=um " env ARCH=arm64 AUTOFS_KUNIT_BUILD_DIR="$work/bd" make -s -C "$TOP" run KERNEL_SRC="$stub"

# 20.2 (continued) The chroots of make test-fresh, the build directories
# of a tree kernel-src.sh replaces, make bench's build directories: only
# what the tooling made is deleted.
if [ "$(id -u)" -eq 0 ]; then
	fh="$work/fhome"
	mkdir -p "$fh/fresh/.run.abc123"
	echo "mine" >"$fh/fresh/.run.abc123/notes.txt"
	check "20.2: test-fresh refuses a leftover run directory it did not make, in one line" \
		one_line 1 "^test-fresh.sh: error: $fh/fresh/.run.abc123 is in the way and not a directory this tooling made" \
		env PATH="$fakes/installed:$PATH" AUTOFS_KUNIT_CACHE="$fh" FRESH_SUITES=bookworm "$TOP/scripts/test-fresh.sh"
	check "20.2: ... and leaves it" grep -qx "mine" "$fh/fresh/.run.abc123/notes.txt"
	rm -rf "$fh/fresh/.run.abc123"
	mkdir -p "$fh/fresh/bookworm.base"
	echo "mine" >"$fh/fresh/bookworm.base/notes.txt"
	check "20.2: test-fresh refuses an incomplete base it did not make, in one line" \
		one_line 1 "^test-fresh.sh: error: $fh/fresh/bookworm.base is in the way" \
		env PATH="$fakes/installed:$PATH" AUTOFS_KUNIT_CACHE="$fh" FRESH_SUITES=bookworm "$TOP/scripts/test-fresh.sh"
	check "20.2: ... and leaves it" grep -qx "mine" "$fh/fresh/bookworm.base/notes.txt"
fi
bh="$work/bhome"
mkdir -p "$bh/src/$pkg"
: >"$bh/src/$pkg/.autofs-kunit-created"
bkey=$(path_key "$(cd "$bh/src" && pwd -P)/$pkg")
mkdir -p "$bh/build/$pkg-$bkey-um"
echo "my build notes" >"$bh/build/$pkg-$bkey-um/notes.txt"
check "20.2: kernel-src.sh refuses to delete a build directory of the tree it did not make, before any download" \
	one_line 1 "^kernel-src.sh: error: $bh/build/$pkg-$bkey-um is in the way and not a build directory this tooling made" \
	offline "$bh" "$TOP/scripts/kernel-src.sh"
check "20.2: ... and leaves it" grep -qx "my build notes" "$bh/build/$pkg-$bkey-um/notes.txt"
rm -rf "$bh/build/$pkg-$bkey-um"
mkdir -p "$bh/build/$pkg-$bkey-um" "$bh/build/$pkg-$bkey-x86_64"
: >"$bh/build/$pkg-$bkey-um/.autofs-kunit-created"
ln -s "$(cd "$bh/src" && pwd -P)/$pkg" "$bh/build/$pkg-$bkey-x86_64/source"
check "20.2: ... but takes its own (marker), and kbuild's of that tree from older versions, to the download" \
	one_error 1 "cannot reach the archive http://127.0.0.1:9 " offline "$bh" "$TOP/scripts/kernel-src.sh"
bench_home="$work/bench-home"
mkdir -p "$bench_home/bench/autofs-um"
echo "my bench notes" >"$bench_home/bench/autofs-um/notes.txt"
check "20.2: make bench refuses to delete a build directory it did not make, in one line" \
	one_error 1 "^bench.sh: error: $bench_home/bench/autofs-um is in the way and not a build directory this tooling made" \
	env AUTOFS_KUNIT_CACHE="$bench_home" KERNEL_SRC="$stub" BENCH_PARTS=builds BENCH_RUNS=1 "$TOP/scripts/bench.sh"
check "20.2: ... and leaves it" grep -qx "my bench notes" "$bench_home/bench/autofs-um/notes.txt"

# 20.3 Kernel sources come the way this machine's apt reaches Debian: its
# sources' mirror, its apt.conf.d (a proxy), through APT_CONFIG. A test
# machine's /etc/apt is APT_CONFIG's Dir::Etc: its sources name a mirror
# host only a proxy on 127.0.0.1 (which logs what it is asked, and has
# nothing) would know.
machine="$work/machine"
mkdir -p "$machine/etc/apt.conf.d" "$machine/lists/partial"
printf 'Dir::Etc "%s/etc/";\nDir::State::Lists "%s/lists/";\n' "$machine" "$machine" >"$machine/apt.conf"
printf '%s\n' "deb http://mirror.example.invalid/debian bookworm main" \
	"deb http://mirror.example.invalid/debian-security bookworm-security main" >"$machine/etc/sources.list"
cat >"$work/proxy.py" <<'EOF'
import http.server, sys
class Proxy(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(sys.argv[1], 'a') as log:
            log.write(self.requestline + '\n')
        self.send_response(404)
        self.send_header('Content-Length', '0')
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(('127.0.0.1', 0), Proxy)
print(server.server_port, flush=True)
server.serve_forever()
EOF
python3 "$work/proxy.py" "$work/proxy.log" >"$work/proxy.port" &
proxy_pid=$!
trap 'kill "$proxy_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$work/proxy.port" ] && break; sleep 0.5; done
# with_proxy PORT COMMAND...: COMMAND on the test machine, whose apt goes
# through a proxy on 127.0.0.1:PORT; the environment's proxy (which apt
# takes when apt.conf.d sets none) is a closed port.
with_proxy() {
	printf 'Acquire::http::Proxy "http://127.0.0.1:%s";\n' "$1" >"$machine/etc/apt.conf.d/50proxy"
	env APT_CONFIG="$machine/apt.conf" http_proxy=http://127.0.0.1:9 "${@:2}"
}
: >"$work/proxy.log"
check "20.3: the machine's mirror, through the proxy in its apt.conf.d: an archive without the suite is one line naming the apt log" \
	one_error 1 "^kernel-src.sh: error: $pkg is not in trixie-backports at http://mirror.example.invalid/debian/: the archive answered, but does not serve them: 404 .*; see $work/p1/apt/$pkg/apt.log$" \
	with_proxy "$(cat "$work/proxy.port")" env AUTOFS_KUNIT_CACHE="$work/p1" "$TOP/scripts/kernel-src.sh"
check "20.3: ... asked through that proxy, of that mirror" \
	grep -q "^GET http://mirror.example.invalid/debian/dists/trixie-backports/InRelease " "$work/proxy.log"
check "20.3: an archive the proxy cannot reach is one line saying so, naming the apt log" \
	one_error 1 "^kernel-src.sh: error: cannot reach the archive http://mirror.example.invalid/debian/ through this machine's apt configuration: Could not connect to 127.0.0.1:9 .*; see $work/p2/apt/$pkg/apt.log$" \
	with_proxy 9 env AUTOFS_KUNIT_CACHE="$work/p2" "$TOP/scripts/kernel-src.sh"
: >"$work/proxy.log"
with_proxy "$(cat "$work/proxy.port")" env AUTOFS_KUNIT_CACHE="$work/p3" KERNEL=6.12 \
	AUTOFS_KUNIT_MIRROR=http://archive.example.invalid/debian \
	AUTOFS_KUNIT_SECURITY_MIRROR=http://security.example.invalid/debian-security \
	"$TOP/scripts/kernel-src.sh" >/dev/null 2>&1 || true
check "20.3: AUTOFS_KUNIT_MIRROR names the archive" \
	grep -q "^GET http://archive.example.invalid/debian/dists/trixie/InRelease " "$work/proxy.log"
check "20.3: ... AUTOFS_KUNIT_SECURITY_MIRROR the security archive" \
	grep -q "^GET http://security.example.invalid/debian-security/dists/trixie-security/InRelease " "$work/proxy.log"
printf '%s\n' "9.9 linux-source-9.9 bookworm-updates" >"$gone/kernels.list"
check "kernels: a package the archive does not have (nor any other linux-source) is one line naming the apt log" \
	one_error 1 "^kernel-src.sh: error: linux-source-9.9 is not in bookworm-updates at .*, nor is any other linux-source .*; see $work/gone-cache/apt/linux-source-9.9/apt.log$" \
	env AUTOFS_KUNIT_CACHE="$work/gone-cache" "$gone/scripts/kernel-src.sh"
# Package lists read in an earlier run, after which the archive moved on:
# the package is no longer where they say (a test machine that reaches the
# archive as this one does, with plain lists; the smallest package of the
# default pin's suite).
debian_archives || true
if [ -n "${ARCHIVE_URI:-}" ]; then
	moved="$work/moved"
	mkdir -p "$moved/etc/apt.conf.d" "$moved/lists/partial"
	printf 'Dir::Etc "%s/etc/";\nDir::State::Lists "%s/lists/";\n' "$moved" "$moved" >"$moved/apt.conf"
	echo "deb $ARCHIVE_URI bookworm main" >"$moved/etc/sources.list"
	kernel_pin ""
	suite=${PIN_SUITES%% *}
	# shellcheck disable=SC2016  # expanded by the inner shell
	download() {
		env APT_CONFIG="$moved/apt.conf" AUTOFS_KUNIT_CACHE="$work/mcache" \
			bash -c 'set -eu; . "$0"; private_apt_download "$1" "$2"' "$TOP/scripts/common.sh" "$@"
	}
	download autofs-kunit-no-such-package "$suite" >/dev/null 2>&1 || true
	conf="$work/mcache/apt/autofs-kunit-no-such-package/apt.conf"
	small=$(apt-cache -c "$conf" dumpavail 2>/dev/null |
		awk '/^Package:/ { p = $2 } /^Size:/ { print $2, p }' | sort -n | awk 'NR == 1 { print $2 }')
	check "20.3: (the smallest package of $suite: ${small:-none})" test -n "$small"
	if [ -n "$small" ]; then
		mkdir -p "$work/mcache/apt/$small"
		cp -r "$work/mcache/apt/autofs-kunit-no-such-package/lists" "$work/mcache/apt/$small/"
		check "20.3: lists an earlier run read serve a download" download "$small" "$suite"
		lists="$work/mcache/apt/$small/lists"
		sed -i -E "s|^(Filename: .*/${small}_[^/]*)\.deb\$|\1.gone.deb|" "$lists"/*_Packages
		sed -i -E 's/^ [0-9a-f]{64}( +[0-9]+ main\/binary-[a-z0-9]+\/Packages)$/ 0000000000000000000000000000000000000000000000000000000000000000\1/' \
			"$lists"/*_InRelease
		check "20.3: when the archive has moved on since, they are read again and the download is made" \
			fails_with 0 "with the package lists of an earlier run failed .*: the archive has moved on; reading them again" \
			download "$small" "$suite"
		check "20.3: ... it is there" compgen -G "$work/mcache/apt/$small/deb/${small}_*.deb"
	fi
fi
# A real proxy: Debian's apt-cacher-ng, where one listens on 127.0.0.1:3142.
if command -v apt-cacher-ng >/dev/null && (: </dev/tcp/127.0.0.1/3142) 2>/dev/null && [ -n "${small:-}" ]; then
	echo "deb $ARCHIVE_URI bookworm main" >"$machine/etc/sources.list"
	acng_log=/var/log/apt-cacher-ng/apt-cacher.log
	acng_seen=$(wc -l <"$acng_log" 2>/dev/null) || acng_seen=0
	# shellcheck disable=SC2016  # expanded by the inner shell
	check "20.3: through apt-cacher-ng, set in the machine's apt.conf.d, a package is downloaded" \
		fails_with 0 "/deb/${small}_.*\.deb$" with_proxy 3142 env AUTOFS_KUNIT_CACHE="$work/acng" \
		bash -c 'set -eu; . "$0"; private_apt_download "$1" "$2"' "$TOP/scripts/common.sh" "$small" "$suite"
	if [ -r "$acng_log" ]; then
		check "20.3: ... and apt-cacher-ng served it" grep -q "/${small}_" <<<"$(tail -n +"$((acng_seen + 1))" "$acng_log")"
	fi
else
	echo "ok - 20.3: through apt-cacher-ng # SKIP no apt-cacher-ng on 127.0.0.1:3142"
fi

# 20.5 make run CROSS_COMPILE=... is ignored, and kbuild does not get it
# through MAKEFLAGS either; a lock dies with the run that took it.
check "20.5: make run ignores CROSS_COMPILE from its command line, saying so" \
	fails_with 0 "ignoring CROSS_COMPILE=aarch64-linux-gnu- from the command line" \
	env AUTOFS_KUNIT_BUILD_DIR="$work/bd" make -s -C "$TOP" run KERNEL_SRC="$stub" CROSS_COMPILE=aarch64-linux-gnu-
# no_cross: kunit.py ran, with no cross compiler in its environment or MAKEFLAGS.
no_cross() {
	local line
	line=$(env AUTOFS_KUNIT_BUILD_DIR="$work/bd" make -s -C "$TOP" run KERNEL_SRC="$stub" \
		CROSS_COMPILE=aarch64-linux-gnu- 2>&1 | grep '^kunit.py stub env: ') || true
	if [ -z "$line" ] || [[ "$line" == *aarch64* ]]; then
		echo "  kunit.py saw: ${line:-nothing}"
		return 1
	fi
}
check "20.5: ... and it reaches neither kunit.py's environment nor its MAKEFLAGS (kbuild's)" no_cross
orphaned=$(fresh t20o)
cat >"$work/orphaner.sh" <<'EOF'
set -eu
. "$1"
lock_tree "$2"
sleep 60 </dev/null >/dev/null 2>&1 &
echo "$!" >"$3"
kill -KILL "$$"
EOF
# shellcheck disable=SC2016  # expanded by the inner shell
bash -c 'bash "$@" || true' _ "$work/orphaner.sh" "$TOP/scripts/common.sh" "$orphaned" "$work/orphan.pid" 2>/dev/null
check "20.5: a run killed with a child left behind (an orphaned qemu) does not keep its lock" \
	fails_with 0 "suite applied" timeout 15 "$TOP/scripts/apply.sh" "$orphaned"
kill "$(cat "$work/orphan.pid")" 2>/dev/null || true
# shellcheck disable=SC2016  # expanded by the inner shell
bash -c '. "$0"; lock_tree "$1"; sleep 2' "$TOP/scripts/common.sh" "$orphaned" &
holder=$!
sleep 1
check "20.5: ... while one that is running keeps it" \
	fails_with 0 "waiting for another run to finish with tree-" "$TOP/scripts/apply.sh" "$orphaned"
wait "$holder"

# 20.6 Arguments are checked before anything is installed or downloaded.
check "20.6: make run KERNEL=6.1 is refused before any download, in one line" \
	one_error 2 "KERNEL=6.1: kernels before the autofs mount-API conversion \(6.6, autofs_parse_fd\(\)\) are not supported" \
	offline "$work/k61" make -s -C "$TOP" run KERNEL=6.1
check "20.6: ... nothing downloaded" test ! -e "$work/k61/apt"
check "20.6: KERNEL=bogus with KERNEL_SRC is refused, not ignored" \
	one_error 2 "KERNEL=bogus: unknown kernel" make -s -C "$TOP" apply KERNEL=bogus KERNEL_SRC="$(fresh t20k)"
check "20.6: KERNEL=6.12 with a 7.3 KERNEL_SRC is refused, naming both" \
	one_error 2 "KERNEL=6.12 and KERNEL_SRC=$work/t20k \(Linux 7\.3\.[0-9]+\) name different kernels" \
	make -s -C "$TOP" apply KERNEL=6.12 KERNEL_SRC="$work/t20k"
check "20.6: MUTANTS that match nothing are refused before anything is built" \
	one_line 1 "^prove.sh: error: MUTANTS=zzz: no mutant matches" env MUTANTS=zzz KERNEL_SRC="$stub" "$TOP/scripts/prove.sh"
if [ -n "${uclone:-}" ]; then
	check "20.6: as a normal user without the packages, KERNEL=bogus is the KERNEL error, not the apt-get line" \
		one_line 1 "^run.sh: error: KERNEL=bogus: unknown kernel" \
		as_user env PATH="$fakes/missing:$PATH" KERNEL=bogus "$uclone/scripts/run.sh"
	# 20.7 The configs' apt-get line names each package once.
	check "20.7: make configs gives a normal user one apt-get line" \
		one_line 1 "as root run: apt-get update && apt-get install -y --no-install-recommends ([a-z0-9.-]+ )*binutils( [a-z0-9.-]+)*$" \
		as_user env PATH="$fakes/missing:$PATH" CONFIGS=yy KERNEL_SRC="$stub" "$uclone/scripts/configs.sh"
	check "20.7: ... naming binutils once" fails_with 1 '^$' grep -q 'binutils.* binutils' <<<"$(as_user env \
		PATH="$fakes/missing:$PATH" CONFIGS=yy KERNEL_SRC="$stub" "$uclone/scripts/configs.sh" 2>&1)"
fi

# 20.7 The rest.
if [ "$(id -u)" -eq 0 ] && [ -n "${uclone:-}" ]; then
	mixed="$work/mixed"
	mkdir -m 777 "$mixed"
	shared=$(fresh t20m)
	chmod -R a+w "$shared"
	env AUTOFS_KUNIT_CACHE="$mixed" "$TOP/scripts/apply.sh" "$shared" 2>/dev/null
	check "20.7: a cache another user (root) wrote into is refused in one line, naming what is theirs" \
		one_line 1 "^apply.sh: error: $mixed/[a-z]+ in the cache is root's and nobody cannot write it" \
		setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent \
		AUTOFS_KUNIT_CACHE="$mixed" "$uclone/scripts/apply.sh" "$shared"
fi
check "20.7: run.sh --json=stdout is kunit.py's stdout, not a file named stdout" \
	fails_with 0 "^kunit.py stub: run .*--json=stdout( |$)" \
	env -C "$work/cwd" KERNEL_SRC="$stub" AUTOFS_KUNIT_BUILD_DIR="$work/bd" "$TOP/scripts/run.sh" --json=stdout
check "20.7: ... no file named stdout" test ! -e "$work/cwd/stdout"
check "20.7: make apply without KERNEL_SRC shows the command to use" \
	one_error 2 "KERNEL_SRC is empty\): make apply KERNEL_SRC=/path/to/linux$" \
	env -u KERNEL_SRC -u KERNEL make -s -C "$TOP" apply
relcache="autofs-kunit-test-cache.$$"
check "20.7: a relative AUTOFS_KUNIT_CACHE that would land in the clone is refused in one line" \
	one_error 2 "the cache $TOP/$relcache is inside the clone" \
	make -s -C "$TOP" apply KERNEL_SRC="$(fresh t20r)" AUTOFS_KUNIT_CACHE="$relcache"
check "20.7: ... and nothing is made there" test ! -e "$TOP/$relcache"
rm -rf "${TOP:?}/$relcache"
echo '[]' >"$work/bad.json"
check "20.7: kunit_results.py refuses results that are not kunit.py's in one line" \
	one_line 1 "^kunit_results.py: error: $work/bad.json is not kunit.py --json results" \
	"$TOP/scripts/kunit_results.py" summary "$work/bad.json"
echo '{"sub_groups": [{"name": "autofs_pipe", "test_cases": [{"name": "x"}]}]}' >"$work/bad.json"
check "20.7: ... a case without a status too" \
	one_line 1 "^kunit_results.py: error: .* no string \"status\"" "$TOP/scripts/kunit_results.py" failing "$work/bad.json"

finish
