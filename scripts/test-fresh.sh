#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test-fresh.sh: the README's first command on a machine that has nothing:
# for each suite in FRESH_SUITES (default: bookworm trixie), debootstrap a
# minbase Debian with git and make (kept in the cache, copied afresh for
# every run), clone this project's HEAD into it and run, in a private mount
# namespace:
#   - as root: make run (FRESH_TARGETS, default "run"; "run test" for both);
#   - as a normal user, in another fresh copy: make run must stop with one
#     apt-get line and a non-zero status; that line is run as root; then the
#     user's make run must pass.
# A missing install step cannot pass here: nothing is installed but what the
# tooling installs itself. Needs root (chroot).
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || die "make test-fresh needs root: it builds chroots"
suites=${FRESH_SUITES:-bookworm trixie}
targets=${FRESH_TARGETS:-run}
for s in $suites; do
	case "$s" in bookworm | trixie) ;; *) die "FRESH_SUITES: unknown suite '$s' (bookworm, trixie)" ;; esac
done
for t in $targets; do
	case "$t" in run | test) ;; *) die "FRESH_TARGETS: '$t' is not run or test" ;; esac
done
# The chroots live in $CACHE/fresh; the cache may be a directory of the
# user's (AUTOFS_KUNIT_CACHE=$HOME): only what this script made there (the
# marker, written into each directory as it is made) is ever deleted, and
# anything else in the way is refused before anything is installed.
fresh="$CACHE/fresh"
# check_fresh: what this run would delete is its own.
check_fresh() {
	local d
	for d in "$fresh"/.run.* "$fresh"/*.base.tmp; do
		[ ! -e "$d" ] || check_ours "$d"
	done
	for d in $suites; do
		[ -e "$fresh/$d.base/.complete" ] || check_ours "$fresh/$d.base"
	done
}
check_fresh
deps debootstrap git util-linux
git -C "$TOP" rev-parse --verify -q HEAD >/dev/null || die "$TOP: not a git clone with a commit"

mkdir -p "$fresh"
# One run at a time; under the lock, a run directory is a killed run's.
with_lock fresh "building chroots"
check_fresh
for leftover in "$fresh"/.run.* "$fresh"/*.base.tmp; do
	[ -e "$leftover" ] || continue
	note "removing $leftover, left by an interrupted run"
	rm -rf "$leftover"
done
# How this machine's apt reaches Debian's archive: its mirror and proxy.
debian_archives
[ -n "$ARCHIVE_URI" ] ||
	die "this machine's apt sources have no Debian archive for debootstrap; set AUTOFS_KUNIT_MIRROR to a Debian mirror's archive URI"
proxy=$(apt-config dump --format '%v%n' Acquire::http::Proxy 2>/dev/null | head -n 1)
work=$(mktemp -d "$fresh/.run.XXXXXX")
: >"$work/$MARKER"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
failed=0
rows=()

# base SUITE: a pristine minbase chroot of SUITE with git and make, made
# once (into a temporary directory, renamed when complete).
base() {
	local b="$fresh/$1.base"
	if [ ! -e "$b/.complete" ]; then
		# (Both checked ours above, under the lock.)
		remove_own_dir "$b"
		make_own_dir "$b.tmp"
		note "debootstrap $1 (minbase, git, make) into $b from $ARCHIVE_URI"
		env ${proxy:+http_proxy="$proxy"} \
			debootstrap --variant=minbase --include=git,make "$1" "$b.tmp" "$ARCHIVE_URI" \
			>"$work/debootstrap-$1.log" 2>&1 || {
			tail -n 20 "$work/debootstrap-$1.log" >&2
			die "debootstrap $1 failed; see above"
		}
		: >"$b.tmp/.complete"
		mv "$b.tmp" "$b"
	fi
	echo "$b"
}

# in_chroot ROOT USER COMMAND: run COMMAND with bash in ROOT as USER, with
# a clean environment, in a private mount namespace (its mounts go away
# with it, whatever happens).
in_chroot() {
	local root=$1 user=$2 cmd=$3 home=/root
	[ "$user" = root ] || home=/home/$user
	# shellcheck disable=SC2016  # expanded by the inner shell
	unshare --mount --propagation private bash -c '
		set -e
		root=$1
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		mount -t tmpfs -o mode=1777 shm "$root/dev/shm"
		mount -t tmpfs -o mode=1777 tmp "$root/tmp"
		exec chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME="$3" USER="$2" LANG=C.UTF-8 \
			/usr/sbin/runuser -u "$2" -- /bin/bash -c "$4"' _ "$root" "$user" "$home" "$cmd"
}

# copy SUITE NAME: a fresh copy of SUITE's base with this project cloned
# into USER's home (root, or a new user "builder").
copy() {
	local suite=$1 user=$2 root="$work/$1-$2" home=/root
	cp -a "$(base "$suite")" "$root"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	if [ "$user" != root ]; then
		chroot "$root" useradd -m -s /bin/bash "$user"
		home=/home/$user
	fi
	git clone -q --no-local "$TOP" "$root$home/autofs-kunit"
	chroot "$root" chown -R "$user:" "$home/autofs-kunit"
	echo "$root"
}

timed() {
	local t0 rc=0
	t0=$(date +%s)
	"$@" || rc=$?
	secs=$(($(date +%s) - t0))
	return "$rc"
}

for suite in $suites; do
	# As root: everything the README promises, with no preparation.
	root=$(copy "$suite" root)
	for t in $targets; do
		log="$work/$suite-root-$t.log"
		if timed in_chroot "$root" root "cd ~/autofs-kunit && make $t" >"$log" 2>&1; then
			rows+=("$suite|root|make $t|ok|${secs}s")
		else
			tail -n 25 "$log" >&2
			rows+=("$suite|root|make $t|FAILED (log kept: $fresh/$suite-root-$t.log)|${secs}s")
			cp "$log" "$fresh/"
			failed=1
		fi
	done
	rm -rf "$root"

	# As a normal user: one apt-get line, non-zero; then, once root ran it,
	# the same make run passes.
	root=$(copy "$suite" builder)
	log="$work/$suite-user.log"
	rc=0
	timed in_chroot "$root" builder "cd ~/autofs-kunit && make run" >"$log" 2>&1 || rc=$?
	line=$(sed -n 's/.*as root run: \(apt-get update && apt-get install .*\)$/\1/p' "$log")
	if [ "$rc" -eq 0 ] || [ -z "$line" ] || [ "$(grep -c 'as root run: ' "$log")" -ne 1 ]; then
		tail -n 25 "$log" >&2
		rows+=("$suite|builder|make run without packages|expected one apt-get line and a failure, got status $rc|${secs}s")
		failed=1
	elif ! in_chroot "$root" root "$line" >"$work/$suite-apt.log" 2>&1; then
		tail -n 25 "$work/$suite-apt.log" >&2
		rows+=("$suite|root|the printed line: $line|FAILED|-")
		failed=1
	else
		rows+=("$suite|builder|make run without packages|ok: status $rc, one line: $line|${secs}s")
		log="$work/$suite-user-2.log"
		if timed in_chroot "$root" builder "cd ~/autofs-kunit && make run" >"$log" 2>&1; then
			rows+=("$suite|builder|make run after that line|ok|${secs}s")
		else
			tail -n 25 "$log" >&2
			cp "$log" "$fresh/"
			rows+=("$suite|builder|make run after that line|FAILED (log kept: $fresh/$(basename "$log"))|${secs}s")
			failed=1
		fi
	fi
	rm -rf "$root"
done

printf '\n%-9s %-8s %-30s %s\n' suite user command result
for r in "${rows[@]}"; do
	IFS='|' read -r suite user cmd result secs <<<"$r"
	printf '%-9s %-8s %-30s %s (%s)\n' "$suite" "$user" "$cmd" "$result" "$secs"
done
[ "$failed" -eq 0 ] || die "test-fresh: the README's first command failed on a fresh machine"
echo "test-fresh: the README's first command works on fresh $suites, as root and as a normal user"
