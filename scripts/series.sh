#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# series.sh: a git format-patch series of the suite against KERNEL_SRC's
# HEAD (a git tree), or against Debian's source of $KERNEL (default 7.3) in
# a throwaway git tree: the autofs exports, the fs/pipe.c export, the KUnit
# suite, the kselftest. Signed off by
# the runner's own git identity; checkpatch --strict on every patch;
# get_maintainer.pl's recipients in To: and Cc:. The series goes to
# $SERIES_OUT (default: series-out/ in this clone).
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

out=$(realpath -m -- "${SERIES_OUT:-$TOP/series-out}")
# The series goes into a directory this tool made (it has our marker) or an
# empty one: never over somebody's files.
if [ -e "$out" ] && [ ! -e "$out/.autofs-kunit-series" ] &&
   [ -n "$(ls -A -- "$out" 2>/dev/null || echo x)" ]; then
	die "SERIES_OUT=$out exists and is not a series directory of ours; give an empty or new directory"
fi
deps git patch perl python3-ply

if [ -n "${KERNEL_SRC:-}" ]; then
	check_kernel_tree "$KERNEL_SRC"
	git -C "$KERNEL_SRC" rev-parse --verify -q HEAD >/dev/null 2>&1 ||
		die "$KERNEL_SRC: not a git tree with a commit (make series needs one to base the patches on)"
	repo=$(cd "$KERNEL_SRC" && pwd -P)
else
	# Debian's source has no history: a throwaway git tree, committed once.
	# The cache may be a directory of the user's: only a directory this
	# tooling made (its marker, written first) is ever deleted.
	kernel_pin "${KERNEL:-}"
	repo="$CACHE/series/$PIN_PKG"
	# One run at a time makes or uses the throwaway tree.
	with_lock "series-$PIN_PKG" "making the series in $repo"
	marker=.autofs-kunit-created
	if [ ! -e "$repo/.git" ] || ! git -C "$repo" rev-parse --verify -q HEAD >/dev/null 2>&1; then
		if [ -e "$repo" ] && [ ! -e "$repo/$marker" ]; then
			die "$repo is in the way and not a git tree this tooling made (it has no $marker): move it away, or set AUTOFS_KUNIT_CACHE to another directory"
		fi
		"$TOP/scripts/kernel-src.sh" >/dev/null
		tarball=$(ls "$CACHE/src/$PIN_PKG".tar.*)
		rm -rf "$repo"
		mkdir -p "$repo"
		: >"$repo/$marker"
		note "making a throwaway git tree from $tarball in $repo"
		tar -xf "$tarball" -C "$repo" --strip-components=1
		git -C "$repo" init -q
		# Debian appends "/*" to the top .gitignore: add everything
		# regardless, but our marker.
		git -C "$repo" add -A -f -- . ":!$marker"
		git -C "$repo" -c user.name=autofs-kunit -c user.email=autofs-kunit@invalid \
			commit -q -m "Linux $(kernel_version "$repo") ($PIN_PKG)"
	fi
	check_kernel_tree "$repo"
fi

name=$(git -C "$repo" config user.name || true)
email=$(git -C "$repo" config user.email || true)
if [ -z "$name" ] || [ -z "$email" ]; then
	die "no git identity: set git config user.name and user.email; the series is signed off by you"
fi
# A placeholder identity signs nothing a maintainer can apply (the DCO
# wants a known one): say so, and still write the series for review.
case "$email" in
*.example | *.invalid | *.test | *.localhost | *@localhost | *noreply*)
	note "the series is signed off as $name <$email>, a placeholder address: set your own git user.name and user.email before posting it"
	;;
esac

# Work in a detached worktree: the caller's tree and branch stay as they are.
wt=$(mktemp -d)
# shellcheck disable=SC2317  # invoked by trap
cleanup() {
	git -C "$repo" worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"
	git -C "$repo" worktree prune
}
trap cleanup EXIT
git -C "$repo" worktree add -q --detach "$wt" HEAD
base=$(git -C "$wt" rev-parse HEAD)

commit_part() {
	local msg=$1 patch=$2
	shift 2
	patch -d "$wt" -p1 -N -s -t --no-backup-if-mismatch <"$patch" ||
		die "$repo: $(basename "$patch") does not apply to HEAD"
	for f in "$@"; do
		mkdir -p "$wt/$(dirname "$f")"
		cp "$TOP/$f" "$wt/$f"
		git -C "$wt" add -f "$f"
	done
	git -C "$wt" add -u
	git -C "$wt" commit -q -s -F "$msg"
}
# One commit per hook patch, patches/N-*.patch with its message
# series/000N.msg: the autofs exports, the fs/pipe.c export, the KUnit
# suite (with the suite's files under fs/), the kselftest (with those
# under tools/).
kunit_files=()
selftest_files=()
for f in $ADDED_FILES; do
	case "$f" in
	tools/*) selftest_files+=("$f") ;;
	*) kunit_files+=("$f") ;;
	esac
done
commit_part "$TOP/series/0001.msg" "$TOP"/patches/1-*.patch
commit_part "$TOP/series/0002.msg" "$TOP"/patches/2-*.patch
commit_part "$TOP/series/0003.msg" "$TOP"/patches/3-*.patch "${kunit_files[@]}"
commit_part "$TOP/series/0004.msg" "$TOP"/patches/4-*.patch "${selftest_files[@]}"

# Who gets the series, in its To: and Cc: headers: get_maintainer.pl for
# the patches (their maintainers in To:), and for the trees they go
# through and touch: the VFS tree autofs patches are applied from, and
# KUnit (patch 3 is a KUnit suite).
git -C "$wt" format-patch -q -o "$wt/.who" "$base..HEAD"
gm=(./scripts/get_maintainer.pl --no-git --no-git-fallback --no-rolestats)
to=$(cd "$wt" && "${gm[@]}" --no-r --no-l .who/*.patch)
cc=$(cd "$wt" && { "${gm[@]}" .who/*.patch; "${gm[@]}" -f fs/fs_context.c lib/kunit/test.c; } |
	awk 'NR == FNR { to[$0] = 1; next } !to[$0] && !seen[$0]++' <(printf '%s\n' "$to") -)
rm -rf "$wt/.who"
recipients=()
while IFS= read -r addr; do
	[ -z "$addr" ] || recipients+=(--to="$addr")
done <<<"$to"
while IFS= read -r addr; do
	[ -z "$addr" ] || recipients+=(--cc="$addr")
done <<<"$cc"

mkdir -p "$out"
: >"$out/.autofs-kunit-series"
# Only what an earlier run of this tool wrote there.
rm -f "$out"/[0-9][0-9][0-9][0-9]-*.patch "$out/series.mbox"
# A base-commit: only for a tree others can have; the throwaway tree's
# commit exists on this machine alone (the cover letter names the release).
base_opt=()
[ -n "${KERNEL_SRC:-}" ] && base_opt=(--base="$base")
git -C "$wt" format-patch -q --cover-letter ${base_opt[@]+"${base_opt[@]}"} "${recipients[@]}" \
	-o "$out" "$base..HEAD"
git -C "$wt" format-patch -q --stdout "${recipients[@]}" "$base..HEAD" >"$out/series.mbox"

# The cover letter: subject and text.
cover=$(ls "$out"/0000-cover-letter.patch)
python3 - "$cover" "$TOP/series/cover.txt" <<'PY'
import sys
path, text_path = sys.argv[1:3]
text = open(text_path).read().split('\n', 1)
cover = open(path).read()
cover = cover.replace('*** SUBJECT HERE ***', text[0])
cover = cover.replace('*** BLURB HERE ***', text[1].strip())
open(path, 'w').write(cover)
PY

# Errors and warnings fail; CHECKs are printed for the reader. A tree
# without history cannot resolve the commit ids the messages cite.
ignore=
[ "$(git -C "$repo" rev-list --count HEAD)" -gt 1 ] || ignore=--ignore=UNKNOWN_COMMIT_ID
rc=0
for p in "$out"/000[1-9]-*.patch; do
	# "Does MAINTAINERS need updating?" is moot when every added file is
	# already covered by a subsystem entry: check that, then ignore it.
	extra=
	covered=yes
	while read -r f; do
		(cd "$wt" && ./scripts/get_maintainer.pl --no-git --no-git-fallback -f "$f") |
			grep -v 'THE REST' | grep -q '(maintainer:' || covered=no
	done < <(awk '/^--- \/dev\/null/ { n = 1; next }
		n && /^\+\+\+ b\// { print substr($2, 3) } { n = 0 }' "$p")
	[ "$covered" = yes ] && extra=--ignore=FILE_PATH_CHANGES
	(cd "$wt" && ./scripts/checkpatch.pl --strict -q $ignore $extra "$p") >"$p.checkpatch" 2>&1 || true
	total=$(grep -m1 '^total:' "$p.checkpatch" || echo "total: 0 errors, 0 warnings, 0 checks")
	echo "checkpatch --strict: $(basename "$p"): $total"
	grep -E '^(ERROR|WARNING|CHECK):' "$p.checkpatch" | sed 's/^/    /' || true
	grep -qE '^total: 0 errors, 0 warnings' <<<"$total" || rc=1
	rm -f "$p.checkpatch"
done
echo "series against $(git -C "$repo" log -1 --format='%h (%s)' "$base") in $out:"
ls "$out"
exit "$rc"
