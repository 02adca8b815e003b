# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the autofs KUnit tooling; sourced, not run.

# shellcheck disable=SC2034  # variables are used by the scripts that source this
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
CACHE=${AUTOFS_KUNIT_CACHE:-${XDG_CACHE_HOME:-$home/.cache}/autofs-kunit}
# Relative paths are taken from where the command was started, once.
CACHE=$(realpath -m -- "$CACHE")
if [ -n "${KERNEL_SRC:-}" ]; then
	KERNEL_SRC=$(realpath -m -- "$KERNEL_SRC")
	export KERNEL_SRC
fi
# The marker this tooling writes into every directory it makes that it may
# delete later; a directory without it is never deleted.
MARKER=.autofs-kunit-created
# The oldest kernel the suite supports: autofs_parse_fd() (6.6).
MIN_KERNEL=6.6
# Edits of existing kernel files, as minimal-context patches.
PATCHES=("$TOP"/patches/*.patch)
# Files the suite adds to a kernel tree, relative to its root.
ADDED_FILES="fs/autofs/autofs_kunit.c fs/autofs/.kunitconfig
tools/testing/selftests/filesystems/autofs/autofs_daemon_test.c
tools/testing/selftests/filesystems/autofs/Makefile
tools/testing/selftests/filesystems/autofs/config
tools/testing/selftests/filesystems/autofs/.gitignore
tools/testing/selftests/filesystems/autofs/autofs_compat_test.sh"

# A cross compiler exported for something else, or given on make's command
# line (which the Makefile says it ignores), must not reach our builds:
# neither through the environment nor through MAKEFLAGS, which carries
# make's command-line variables into every make below, kbuild's too. The
# targets that cross-compile pass their own.
unset CROSS_COMPILE
case "${MAKEFLAGS:-}" in
*CROSS_COMPILE*)
	MAKEFLAGS=$(printf '%s\n' "$MAKEFLAGS" |
		sed -E 's/(^|[^\\] )CROSS_COMPILE(:{1,3}|[+?!])?=([^ \\]|\\.)*/\1/g')
	export MAKEFLAGS
	;;
esac

die() {
	echo "${0##*/}: error: $*" >&2
	exit 1
}

# Kbuild cannot work in paths with blanks: refuse them before anything else.
for _p in "$TOP" "$CACHE" "${KERNEL_SRC:-}"; do
	case "$_p" in
	*[[:space:]]*)
		if [ "$_p" = "$TOP" ]; then
			die "the clone's path '$_p' has a blank in it, which the kernel build cannot use; clone it elsewhere"
		elif [ "$_p" = "$CACHE" ]; then
			die "the cache path '$_p' has a blank in it, which the kernel build cannot use; set AUTOFS_KUNIT_CACHE to a path without"
		else
			die "KERNEL_SRC '$_p' has a blank in it, which the kernel build cannot use"
		fi
		;;
	esac
done
unset _p
# A relative AUTOFS_KUNIT_CACHE given to make is taken from where make runs
# its targets, the clone: a cache there would fill the clone with kernel
# trees and builds.
case "$CACHE/" in
"$(cd "$TOP" && pwd -P)"/* | "$TOP"/*)
	die "the cache $CACHE is inside the clone $TOP (a relative AUTOFS_KUNIT_CACHE is taken from where make runs, the clone); set AUTOFS_KUNIT_CACHE to an absolute path outside it"
	;;
esac

note() {
	echo "${0##*/}: $*" >&2
}

# ensure_cache: create the cache and its src/ and build/ directories; a new
# machine may not even have ~/.cache. What this user cannot write of the
# directories the tooling uses there is refused in one line.
ensure_cache() {
	if ! mkdir -p "$CACHE/src" "$CACHE/build" "$CACHE/lock" 2>/dev/null || [ ! -w "$CACHE" ]; then
		die "cannot create or write the cache $CACHE (is the home directory missing or read-only?); set AUTOFS_KUNIT_CACHE to a writable directory"
	fi
	cache_writable "$CACHE"/{src,build,lock,apt,applied,journal,series,bench,fresh,qemu-tcg}
}

# cache_writable PATH...: a one-line error for the first PATH that exists
# and that this user cannot write: a cache that another user wrote into as
# well (a run with sudo) has directories and files of theirs.
cache_writable() {
	local p
	for p; do
		if [ -e "$p" ] && { [ ! -w "$p" ] || { [ -d "$p" ] && [ ! -x "$p" ]; }; }; then
			die "$p in the cache is $(stat -c %U "$p")'s and $(id -un) cannot write it (did another user, or sudo, run the tooling with this cache?): as root, chown -R $(id -un): $CACHE, or set AUTOFS_KUNIT_CACHE to a directory of your own"
		fi
	done
}

# ours DIR: DIR was made by this tooling: its marker is in it.
ours() {
	[ -e "$1/$MARKER" ]
}

# check_ours DIR [WHAT]: a one-line error, before anything is changed, if
# DIR exists and was not made by this tooling (it may not delete it).
check_ours() {
	if [ -e "$1" ] && ! ours "$1"; then
		die "$1 is in the way and not a ${2:-directory} this tooling made (it has no $MARKER): move it away, or set AUTOFS_KUNIT_CACHE to another directory"
	fi
}

# make_own_dir DIR: make DIR (and its parents), with the marker written
# first thing, or check that an existing DIR is ours.
make_own_dir() {
	if [ -e "$1" ]; then
		check_ours "$1"
	else
		mkdir -p "$1" && : >"$1/$MARKER"
	fi
}

# remove_own_dir DIR: delete DIR, which must be ours (else a one-line
# error, and DIR stays).
remove_own_dir() {
	check_ours "$1"
	rm -rf "$1"
}

# kernel_pin [KERNEL]: look KERNEL (default: the first row) up in
# kernels.list; sets PIN_KERNEL, PIN_PKG and PIN_SUITES.
kernel_pin() {
	local want=${1:-} k p s known=
	while read -r k p s; do
		case "$k" in '' | '#'*) continue ;; esac
		known="$known $k"
		if [ -z "$want" ] || [ "$want" = "$k" ]; then
			PIN_KERNEL=$k PIN_PKG=$p PIN_SUITES=$s
			if [ "$(printf '%s\n' "$MIN_KERNEL" "$k" | sort -V | head -n 1)" != "$MIN_KERNEL" ]; then
				die "KERNEL=$k: kernels before the autofs mount-API conversion ($MIN_KERNEL, autofs_parse_fd()) are not supported"
			fi
			return 0
		fi
	done <"$TOP/kernels.list"
	die "KERNEL=$want: unknown kernel (known:$known; see kernels.list)"
}

# path_key PATH: a short name for PATH, for build dirs and locks.
path_key() {
	printf '%s' "$1" | sha1sum | cut -c1-10
}

# with_lock NAME WHAT: hold the cache lock NAME until this script exits,
# saying so if another run (doing WHAT) holds it first. Children of a
# holder (a target calling apply.sh, say) see it in AUTOFS_KUNIT_LOCKS and
# do not wait for their parent.
#
# The lock dies with the script that took it, whatever it left running: an
# flock is held as long as any process has its descriptor open, and a
# child left behind (an orphaned UML or qemu) would keep it. So the
# descriptor is open only in a holder process of its own (lock_holder),
# which the script's children never see, and which lets go when the script
# exits or is killed. The lock file names the script's pid, so that a run
# waiting for a holder that is only letting go says nothing.
with_lock() {
	local file="$CACHE/lock/$1" fd keep me=$BASHPID start
	case " ${AUTOFS_KUNIT_LOCKS:-} " in *" $1 "*)
		LOCK_INHERITED=1
		return 0
		;;
	esac
	LOCK_INHERITED=0
	ensure_cache
	cache_writable "$file"
	proc_state "$me" || die "cannot read /proc/$me/stat (is /proc mounted?)"
	start=$PROC_START
	exec {fd}>>"$file"
	if ! flock -n "$fd"; then
		if lock_owner_alive "$file"; then
			note "waiting for another run to finish with $1 ($2)"
		fi
		flock "$fd"
	fi
	printf '%s %s\n' "$me" "$start" >"$file"
	# The holder is not this script's child (or `wait` would wait for it).
	exec {keep}> >(lock_holder "$me" "$start" "$fd" <&0 >/dev/null 2>&1 &)
	exec {fd}>&-
	export AUTOFS_KUNIT_LOCKS="${AUTOFS_KUNIT_LOCKS:-} $1"
}

# proc_state PID: set PROC_STATE and PROC_START (fields 3 and 22 of
# proc(5)'s stat) of process PID; fails if there is none. Forks nothing.
proc_state() {
	local s
	read -r s 2>/dev/null <"/proc/$1/stat" || return 1
	s=${s##*) }
	# shellcheck disable=SC2034  # PROC_STATE is for the callers
	read -r PROC_STATE _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ PROC_START _ <<<"$s"
}

# alive PID START: process PID, started at START, has not exited.
alive() {
	proc_state "$1" && [ "$PROC_START" = "$2" ] || return 1
	case "$PROC_STATE" in Z | X | x) return 1 ;; esac
}

# lock_owner_alive FILE: the run named in the lock FILE is still running
# (or FILE names none: a holder of another kind).
lock_owner_alive() {
	local pid start
	read -r pid start 2>/dev/null <"$1" || return 0
	[ -n "$pid" ] && [ -n "$start" ] || return 0
	alive "$pid" "$start"
}

# lock_holder PID START FD: hold the lock on descriptor FD until process
# PID (started at START) exits: its end of standard input closes, or, when
# a child it left behind keeps that open, it is gone (checked every second).
lock_holder() {
	local pid=$1 start=$2 fd=$3 f n rc
	for f in /proc/"$BASHPID"/fd/*; do
		n=${f##*/}
		case "$n" in 0 | 1 | 2 | "$fd") ;; *) exec {n}>&- ;; esac
	done 2>/dev/null
	while alive "$pid" "$start"; do
		rc=0
		read -r -t 1 _ || rc=$?
		[ "$rc" -gt 128 ] || break
	done
}

# debian_archives: set ARCHIVE_URI and SECURITY_URI to the URIs of Debian's
# archive and of its security archive as this machine's apt reaches them
# (its sources, or APT_CONFIG's: a local mirror, mirror+file:, a proxy's
# URI scheme), unless AUTOFS_KUNIT_MIRROR and AUTOFS_KUNIT_SECURITY_MIRROR
# give them. Where the machine has read its package lists, the archives'
# own Release files say which sources are Debian's (Origin: Debian); else
# a "deb" source of component main for a Debian suite (this machine's
# codename, a suite of kernels.list, stable, testing...) is. Either may
# stay empty.
debian_archives() {
	local a b c d names codename=
	ARCHIVE_URI=${AUTOFS_KUNIT_MIRROR:-}
	SECURITY_URI=${AUTOFS_KUNIT_SECURITY_MIRROR:-}
	[ -z "$ARCHIVE_URI" ] || [ -z "$SECURITY_URI" ] || return 0
	command -v apt-get >/dev/null || return 0
	# shellcheck disable=SC2016  # apt's format, not the shell's
	while IFS='|' read -r a b c d; do
		[ "$a" = Debian ] || continue
		[ "$d" = deb ] || continue
		case "$b" in
		Debian) ARCHIVE_URI=${ARCHIVE_URI:-$c} ;;
		Debian-Security) SECURITY_URI=${SECURITY_URI:-$c} ;;
		esac
	done < <(apt-get indextargets --format '$(ORIGIN)|$(LABEL)|$(REPO_URI)|$(TARGET_OF)' 2>/dev/null)
	[ -z "$ARCHIVE_URI" ] || [ -z "$SECURITY_URI" ] || return 0
	if [ -r /etc/os-release ] && [ "$(. /etc/os-release && echo "${ID:-}")" = debian ]; then
		codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	fi
	names=" stable oldstable oldoldstable testing unstable sid $codename $(awk '$1 !~ /^#/ { for (i = 3; i <= NF; i++) { sub(/-.*/, "", $i); printf "%s ", $i } }' "$TOP/kernels.list") "
	# shellcheck disable=SC2016  # apt's format, not the shell's
	while IFS='|' read -r a b c d; do
		[ "$c" = deb ] || continue
		[ "$d" = main ] || continue
		case "$names" in *" ${b%%[-/]*} "*) ;; *) continue ;; esac
		case "$b" in
		*-security | */updates) SECURITY_URI=${SECURITY_URI:-$a} ;;
		*) ARCHIVE_URI=${ARCHIVE_URI:-$a} ;;
		esac
	done < <(apt-get indextargets --no-release-info --format '$(REPO_URI)|$(RELEASE)|$(TARGET_OF)|$(COMPONENT)' 2>/dev/null)
}

# apt_failure LOG: why the apt-get command whose output is LOG failed, in
# a few words (the first error apt gave for an item, or its last message).
apt_failure() {
	local why
	why=$(awk '/^Err:/ { getline; sub(/^ +/, ""); print; exit }' "$1")
	[ -n "$why" ] || why=$(grep -E '^(E|W): ' "$1" | tail -n 1 | cut -c4-)
	printf '%s\n' "${why:-no message}" | cut -c1-160
}

# apt_unreachable LOG: the apt-get command whose output is LOG could not
# reach the archive: no connection (to it, or to the proxy apt goes
# through), or a proxy that answered for it with a gateway error.
apt_unreachable() {
	grep -qiE "Could not (connect|resolve)|Temporary failure resolving|Connection (failed|refused|timed out|reset)|Unable to connect|No route to host|Network is unreachable|Could not wait for server|Unable to fetch.*proxy|^ +50[234] " "$1"
}

# private_apt_download PKG "SUITE...": download PKG's .deb from Debian's
# archive the way this machine's apt reaches it: with its configuration
# (apt.conf, apt.conf.d, or APT_CONFIG's: proxies, caches), read and never
# written, and the archives debian_archives finds; added are only a
# sources list of the SUITEs and package lists, a package cache and (empty)
# preferences of our own in the cache, through -c, which apt reads last.
# Prints the .deb path. An archive it cannot reach, a package it does not
# have and a pin the archive has moved past are each a one-line error
# naming the apt log. Lists cached by an earlier run are read again when
# the download fails because the archive has moved on since.
private_apt_download() {
	local s uri
	APT_PKG=$1
	APT_DIR="$CACHE/apt/$1"
	APT_LOG="$APT_DIR/apt.log"
	APT_UPDATED=0
	APT_SUITES=
	APT_URIS=
	APT_LEFT=
	cache_writable "$CACHE/apt" "$APT_DIR" "$APT_DIR/lists" "$APT_DIR/cache" "$APT_DIR/deb" \
		"$APT_LOG" "$APT_DIR/apt.last"
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/sources.d" \
		"$APT_DIR/preferences.d" "$APT_DIR/deb"
	debian_archives
	for s in $2; do
		case "$s" in *-security) uri=$SECURITY_URI ;; *) uri=$ARCHIVE_URI ;; esac
		if [ -z "$uri" ]; then
			APT_LEFT="$APT_LEFT $s"
			continue
		fi
		APT_SUITES="${APT_SUITES:+$APT_SUITES }$s"
		case " $APT_URIS " in *" $uri "*) ;; *) APT_URIS="${APT_URIS:+$APT_URIS }$uri" ;; esac
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $s main"
	done >"$APT_DIR/sources.list"
	[ -n "$APT_SUITES" ] ||
		die "this machine's apt sources have no Debian archive for $2 (no source with Origin: Debian, nor a Debian suite of component main); set AUTOFS_KUNIT_MIRROR (and AUTOFS_KUNIT_SECURITY_MIRROR) to a Debian mirror's archive URI"
	{
		echo "Dir::Etc::sourcelist \"$APT_DIR/sources.list\";"
		echo "Dir::Etc::sourceparts \"$APT_DIR/sources.d\";"
		echo "Dir::Etc::preferences \"$APT_DIR/preferences\";"
		echo "Dir::Etc::preferencesparts \"$APT_DIR/preferences.d\";"
		echo "Dir::State::Lists \"$APT_DIR/lists\";"
		echo "Dir::Cache \"$APT_DIR/cache\";"
		# What this machine has installed is not what the archive serves.
		echo "Dir::State::status \"$APT_DIR/status\";"
		echo 'Acquire::Languages "none";'
		# As root apt downloads as _apt, which cannot write into a home.
		[ "$(id -u)" -ne 0 ] || echo 'APT::Sandbox::User "root";'
	} >"$APT_DIR/apt.conf"
	: >"$APT_DIR/status"
	: >"$APT_LOG"

	apt_candidate || { apt_update && apt_candidate; }
	note "downloading $APT_PKG from $APT_SUITES"
	rm -f "$APT_DIR/deb/"*.deb
	if ! apt_download; then
		apt_unreachable "$APT_DIR/apt.last" && apt_die_unreachable
		[ "$APT_UPDATED" = 0 ] || die "apt-get download $APT_PKG failed: $(apt_failure "$APT_DIR/apt.last"); see $APT_LOG"
		# Lists an earlier run read: the archive may have moved on since.
		note "downloading $APT_PKG with the package lists of an earlier run failed ($(apt_failure "$APT_DIR/apt.last" | sed 's/ *\[.*//')): the archive has moved on; reading them again"
		apt_update
		apt_candidate
		apt_download || {
			apt_unreachable "$APT_DIR/apt.last" && apt_die_unreachable
			die "apt-get download $APT_PKG failed: $(apt_failure "$APT_DIR/apt.last"); see $APT_LOG"
		}
	fi
	ls "$APT_DIR/deb/${APT_PKG}_"*.deb
}

# apt_run COMMAND ARG...: apt-get or apt-cache with private_apt_download's
# additions; its output in apt.last, and appended to the log.
apt_run() {
	local rc=0
	"$1" -c "$APT_DIR/apt.conf" "${@:2}" >"$APT_DIR/apt.last" 2>&1 || rc=$?
	cat "$APT_DIR/apt.last" >>"$APT_LOG"
	return "$rc"
}

apt_download() {
	(cd "$APT_DIR/deb" && apt_run apt-get -q download "$APT_PKG")
}

apt_die_unreachable() {
	die "cannot reach the archive $APT_URIS through this machine's apt configuration: $(apt_failure "$APT_DIR/apt.last"); see $APT_LOG"
}

# apt_update: read the package lists. apt-get update exits 0 when it could
# not fetch them: its messages say so.
apt_update() {
	local rc=0
	APT_UPDATED=1
	[ -z "$APT_LEFT" ] ||
		note "this machine's apt sources have no Debian security archive: leaving out$APT_LEFT (AUTOFS_KUNIT_SECURITY_MIRROR names one)"
	note "reading the package lists of $APT_SUITES from $APT_URIS"
	apt_run apt-get -q update || rc=$?
	apt_unreachable "$APT_DIR/apt.last" && apt_die_unreachable
	if [ "$rc" -ne 0 ] || grep -qE '^(W|E): (Failed to fetch|Some index files failed)' "$APT_DIR/apt.last"; then
		die "$APT_PKG is not in $APT_SUITES at $APT_URIS: the archive answered, but does not serve them: $(apt_failure "$APT_DIR/apt.last"); see $APT_LOG"
	fi
	return 0
}

# apt_candidate: apt can download the package; after apt_update, else a
# one-line error: not there at all, or the pin has been moved past.
apt_candidate() {
	local served
	apt-cache -c "$APT_DIR/apt.conf" policy "$APT_PKG" 2>/dev/null |
		sed -n 's/^ *Candidate: //p' | grep -qv none && return 0
	[ "$APT_UPDATED" = 1 ] || return 1
	served=$(apt-cache -c "$APT_DIR/apt.conf" pkgnames linux-source- 2>/dev/null |
		grep -E '^linux-source-[0-9]' | sort -V | paste -sd' ' -)
	[ -n "$served" ] ||
		die "$APT_PKG is not in $APT_SUITES at $APT_URIS, nor is any other linux-source (a partial mirror?); see $APT_LOG"
	die "$APT_PKG is no longer served by $APT_SUITES (served: $served); move the pin in kernels.list; see $APT_LOG"
}

# check_kernel_tree DIR: a one-line error unless DIR is a kernel tree we can use.
check_kernel_tree() {
	local dir=$1

	[ -n "$dir" ] || die "no kernel tree given (KERNEL_SRC is empty): make apply KERNEL_SRC=/path/to/linux"
	[ -d "$dir" ] || die "$dir: no such directory"
	if ! grep -q '^VERSION = ' "$dir/Makefile" 2>/dev/null || [ ! -d "$dir/fs/autofs" ] ||
	   [ ! -x "$dir/tools/testing/kunit/kunit.py" ]; then
		die "$dir: not a Linux kernel tree (need Makefile, fs/autofs and tools/testing/kunit/kunit.py)"
	fi
	grep -q 'autofs_parse_fd' "$dir/fs/autofs/inode.c" ||
		die "$dir: fs/autofs/inode.c has no autofs_parse_fd(): kernels before the autofs mount-API conversion ($MIN_KERNEL) are not supported"
}

# check_seconds VAR VALUE: a one-line error unless VALUE (of VAR) is a
# positive number of seconds.
check_seconds() {
	case "$2" in
	'' | *[!0-9]* | 0) die "$1=$2: must be a positive number of seconds" ;;
	esac
}

# check_arch ARCH: a one-line error unless the tooling runs the suite on ARCH.
check_arch() {
	case "$1" in
	um | x86_64 | i386) ;;
	*) die "ARCH=$1 (from ${ARCH_ORIGIN:-the environment}): only um, x86_64 and i386 are supported" ;;
	esac
}

# What building a KUnit kernel needs, and booting one under qemu on x86.
PKGS_BUILD="gcc make flex bison bc python3 patch libc6-dev binutils"
PKGS_QEMU="qemu-system-x86 libelf-dev"
# What fetching and unpacking Debian's kernel source needs.
PKGS_SRC="apt dpkg xz-utils debian-archive-keyring"

# deps PACKAGE...: install every package a target needs in one go (as a
# normal user: print one apt-get line for all of them and stop), with
# those for fetching a kernel tree unless KERNEL_SRC gives one.
deps() {
	if [ -n "${KERNEL_SRC:-}" ]; then
		"$TOP/scripts/deps.sh" "$@"
	else
		# shellcheck disable=SC2086  # a list of packages
		"$TOP/scripts/deps.sh" "$@" $PKGS_SRC
	fi
	ensure_cache
}

# arch_pkgs ARCH: what building and running the suite on ARCH needs.
arch_pkgs() {
	if [ "$1" = um ]; then
		echo "$PKGS_BUILD"
	else
		echo "$PKGS_BUILD $PKGS_QEMU"
	fi
}

# build_deps ARCH [PACKAGE...]: check ARCH and install what building a KUnit
# kernel for it, and booting it under qemu for x86_64 and i386, needs, and
# the further PACKAGEs.
build_deps() {
	local a=$1
	shift
	check_arch "$a"
	# shellcheck disable=SC2046  # a list of packages
	deps $(arch_pkgs "$a") "$@"
	[ "$a" = um ] || qemu_without_kvm
}

# journal_dir TREE [NAME]: where the change to TREE that NAME (default
# $JOURNAL, else the script's name) has in progress is recorded. Each
# changer has its own: apply.sh inside make prove must not take over, or
# clear, the journal of prove's mutant.
journal_dir() {
	local name=${2:-${JOURNAL:-${0##*/}}}
	echo "$CACHE/journal/$(path_key "$1")-${name%.sh}"
}

# file_sum FILE: a checksum of FILE's contents, or "absent".
file_sum() {
	if [ -e "$1" ]; then
		sha256sum <"$1" | cut -d' ' -f1
	else
		echo absent
	fi
}

# replace_file TREE FILE NEW: make TREE/FILE a copy of NEW, whole: written
# beside it under a name of ours, then renamed over it, with the mode (and,
# as root, the owner) of the file it replaces. Its new mtime makes the next
# build recompile it. Returns non-zero on failure.
replace_file() {
	local dst="$1/$2" new=$3 tmp
	tmp=$(replace_tmp "$1" "$2")
	mkdir -p "$(dirname "$dst")" && rm -f "$tmp" && cat "$new" >"$tmp" || return 1
	if [ -e "$dst" ]; then
		if [ "$(id -u)" -eq 0 ]; then
			chown --reference="$dst" "$tmp" || return 1
		fi
		chmod --reference="$dst" "$tmp" || return 1
	else
		chmod --reference="$new" "$tmp" || return 1
	fi
	mv -f "$tmp" "$dst"
}

# replace_tmp TREE FILE: the name replace_file writes TREE/FILE under first.
replace_tmp() {
	echo "$1/$(dirname "$2")/.$(basename "$2").autofs-kunit-new"
}

# journal_commit TREE NEW FILE...: change TREE's FILEs (relative paths) to
# the contents of NEW/FILE, or remove those NEW lacks, as one change that
# the next run can undo if this one is killed half way: first a journal in
# the cache (made whole or not at all) keeps each file's contents before
# (or that it was absent) and a checksum of what is written, then the files
# are replaced one by one. On an error, what was written is put back. The
# journal stays until journal_clear (the change is kept) or journal_restore
# (the change is undone).
journal_commit() {
	local tree=$1 new=$2 j tmpj f
	shift 2
	j=$(journal_dir "$tree")
	[ ! -e "$j" ] || die "$tree: an unfinished change's journal $j is in the way"
	if ! { mkdir -p "$CACHE/journal" && tmpj=$(mktemp -d "$CACHE/journal/.${j##*/}.XXXXXX") &&
		journal_record "$tmpj" "$tree" "$new" "$@" && mv "$tmpj" "$j"; }; then
		die "cannot write the journal of the change to $tree in $CACHE/journal"
	fi
	for f in "$@"; do
		if [ -e "$new/$f" ]; then
			replace_file "$tree" "$f" "$new/$f"
		else
			rm -f "$tree/$f"
		fi || {
			journal_restore "$tree"
			die "$tree: writing $f failed; what was written is put back"
		}
	done
}

# journal_record JOURNAL TREE NEW FILE...: journal_commit's record, made in
# the directory JOURNAL.
journal_record() {
	local j=$1 tree=$2 new=$3 f d
	shift 3
	printf '%s\n' "$tree" >"$j/tree" || return 1
	for f in "$@"; do
		mkdir -p "$j/orig/$(dirname "$f")" || return 1
		if [ -e "$tree/$f" ]; then
			cp -p "$tree/$f" "$j/orig/$f" || return 1
		else
			: >"$j/orig/$f.absent" || return 1
		fi
		printf '%s %s\n' "$(file_sum "$new/$f")" "$f" >>"$j/wrote" || return 1
		# The directories writing it creates, for journal_restore to remove.
		d=$(dirname "$f")
		while [ "$d" != . ] && [ ! -e "$tree/$d" ]; do
			printf '%s\n' "$d" >>"$j/dirs" || return 1
			d=$(dirname "$d")
		done
		printf '%s\n' "$f" >>"$j/files" || return 1
	done
}

# journal_verify JOURNAL TREE: each file JOURNAL records is as it was before
# the change or exactly what the change wrote; else a one-line error naming
# the first that is neither (somebody edited it since): undoing the change
# there would destroy that edit.
journal_verify() {
	local j=$1 tree=$2 name f now was wrote
	name=${j##*/}
	name=${name#*-}
	[ -f "$j/files" ] || return 0
	while read -r f; do
		now=$(file_sum "$tree/$f")
		if [ -e "$j/orig/$f.absent" ]; then
			was=absent
		else
			was=$(file_sum "$j/orig/$f")
		fi
		# (A journal of an older version of this tooling has no checksums.)
		wrote=$(awk -v f="$f" '$2 == f { print $1 }' "$j/wrote" 2>/dev/null) || wrote=
		[ -n "$now" ] || die "$tree: cannot read $f"
		if [ "$now" = "$was" ] || [ "$now" = "$wrote" ]; then
			continue
		fi
		if [ "$was" = absent ]; then
			was="it did not exist before"
		else
			was="what it was before is $j/orig/$f"
		fi
		die "$tree: $f has changed since $name wrote it, so $name's change is not undone there ($was); remove $j when the tree is as you want it"
	done <"$j/files"
}

# journal_restore TREE [NAME]: undo the change journal_commit recorded,
# after checking that no file of it was edited since (journal_verify). A
# failure is never ignored: it is a one-line error, and the journal stays.
journal_restore() {
	local tree=$1 j f d
	j=$(journal_dir "$tree" "${2:-}")
	[ -d "$j" ] || return 0
	journal_verify "$j" "$tree"
	if [ -f "$j/files" ]; then
		while read -r f; do
			rm -f "$(replace_tmp "$tree" "$f")" || die "$tree: cannot remove $(replace_tmp "$tree" "$f")"
			if [ -e "$j/orig/$f.absent" ]; then
				rm -f "$tree/$f" || die "$tree: cannot remove $f, which ${j##*/} added"
			elif ! cmp -s "$j/orig/$f" "$tree/$f"; then
				replace_file "$tree" "$f" "$j/orig/$f" ||
					die "$tree: cannot put $f back; what it was is $j/orig/$f"
			fi
		done <"$j/files"
	fi
	if [ -f "$j/dirs" ]; then
		# Deepest first; a directory somebody has put a file in stays.
		sort -ru "$j/dirs" | while read -r d; do
			rmdir "$tree/$d" 2>/dev/null || true
		done
	fi
	rm -rf "$j" || die "cannot remove the journal $j"
}

# journal_clear TREE: the change is complete; forget the old contents.
journal_clear() {
	rm -rf "$(journal_dir "$1")"
}

# journal_repair TREE: undo what interrupted runs left half done in TREE,
# where the files are still what they wrote (journal_verify), or stop.
# Call it only with TREE's lock freshly taken: whoever wrote a journal we
# find then is dead. (A child of the holder, which inherits the lock, must
# not: the journal is its parent's work in progress.)
journal_repair() {
	local key j name
	[ "${LOCK_INHERITED:-0}" = 1 ] && return 0
	key=$(path_key "$1")
	# A journal still being written when its run died: nothing was changed.
	for j in "$CACHE/journal/.$key-"*; do
		[ -d "$j" ] || continue
		cache_writable "$j"
		rm -rf "$j"
	done
	for j in "$CACHE/journal/$key-"*; do
		[ -d "$j" ] || continue
		cache_writable "$j"
		name=${j##*/}
		name=${name#*-}
		if [ -f "$j/files" ]; then
			journal_verify "$j" "$1"
			note "$1: an earlier run ($name) was interrupted while changing $(paste -sd' ' "$j/files"); restoring them"
			journal_restore "$1" "$name"
		else
			rm -rf "$j"
		fi
	done
}

# judge_results JSON ARCH [TREE]: the suite's verdict on a kunit.py --json
# file: every case declared in the suite that was built (TREE's copy, default
# $tree, which carries the backports of an older kernel) ran, and nothing
# failed or skipped. ARCH is kept for callers; no architecture allows a skip.
judge_results() {
	local src="${3:-${tree:-}}/fs/autofs/autofs_kunit.c"
	[ -f "$src" ] || src="$TOP/fs/autofs/autofs_kunit.c"
	"$TOP/scripts/kunit_results.py" summary "$1" --cases "$src"
}

# make_initramfs BDIR LIST CPIO: turn the gen_init_cpio LIST into CPIO with
# the tree's usr/gen_init_cpio, which the kernel build in BDIR has made (or
# which is built there now).
make_initramfs() {
	local gen="$1/usr/gen_init_cpio"

	[ -x "$gen" ] || gcc -O2 -o "$gen" "$tree/usr/gen_init_cpio.c"
	"$gen" "$2" >"$3"
}

# qemu_accel: kvm where it works, tcg otherwise.
qemu_accel() {
	if [ -w /dev/kvm ] && grep -qEw 'vmx|svm' /proc/cpuinfo; then
		echo kvm
	else
		echo tcg
	fi
}

# qemu_without_kvm: kunit.py (7.3) asks qemu for KVM first. Where /dev/kvm
# exists but cannot run guests (no vmx or svm, as in many cloud VMs), qemu
# takes it and the guest never boots. There, put shims first in PATH that
# drop "-accel kvm" and run the real qemu.
qemu_without_kvm() {
	local dir="$CACHE/qemu-tcg" q real
	[ "$(qemu_accel)" = tcg ] && [ -e /dev/kvm ] || return 0
	mkdir -p "$dir"
	for q in qemu-system-x86_64 qemu-system-i386 qemu-system-aarch64 qemu-system-s390x; do
		real=$(PATH=${PATH#"$dir:"} command -v "$q") || continue
		# shellcheck disable=SC2016  # the shim's own code
		printf '%s\n' '#!/bin/bash' \
			"# Written by autofs-kunit: $q without KVM, which cannot run guests here." \
			'args=()' \
			'while [ "$#" -gt 0 ]; do' \
			'	if [ "$1" = -accel ] && [ "${2:-}" = kvm ]; then shift 2; continue; fi' \
			'	args+=("$1"); shift' \
			'done' \
			"exec $real \"\${args[@]}\"" >"$dir/$q.tmp"
		chmod +x "$dir/$q.tmp"
		mv "$dir/$q.tmp" "$dir/$q"
	done
	case ":$PATH:" in *":$dir:"*) ;; *) export PATH="$dir:$PATH" ;; esac
}

kernel_version() {
	awk -F' = ' '$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
		$1 == "SUBLEVEL" { s = $2 } END { print (v == "" ? "unknown" : v "." p "." s) }' "$1/Makefile"
}

# build_dir TREE ARCH [FLAVOUR]: a build directory in the cache, one per
# tree, arch and flavour; made here, with the marker, if it is not there.
build_dir() {
	local tree d
	tree=$(cd "$1" && pwd -P)
	d="$CACHE/build/$(basename "$tree")-$(path_key "$tree")-$2${3:+-$3}"
	[ -e "$d" ] || make_own_dir "$d"
	echo "$d"
}

# ours_build DIR TREE: DIR is a build directory this tooling made: its
# marker, or, made by a version that wrote none, kbuild's link from it to
# TREE, a tree of this cache.
ours_build() {
	ours "$1" || [ "$(readlink "$1/source" 2>/dev/null)" = "$2" ]
}

# check_build_dir DIR TREE: a one-line error if DIR exists and is not
# (ours_build) a build directory of TREE this tooling made.
check_build_dir() {
	if [ -e "$1" ] && ! ours_build "$1" "$2"; then
		die "$1 is in the way and not a build directory this tooling made (it has no $MARKER): move it away, or set AUTOFS_KUNIT_CACHE to another directory"
	fi
}

# remove_build_dir DIR TREE: delete DIR, a build directory of TREE this
# tooling made (else a one-line error, and DIR stays).
remove_build_dir() {
	check_build_dir "$1" "$2"
	rm -rf "$1"
}

# prepare_tree: apply the suite to $KERNEL_SRC, or to the cached Debian tree
# of $KERNEL, which is unpacked afresh if an older version of the suite left
# it in a state the current hooks do not apply to. Sets $tree to its
# physical path.
prepare_tree() {
	local rc
	tree=${KERNEL_SRC:-}
	if [ -n "$tree" ]; then
		[ -d "$tree" ] && lock_tree "$tree"
		"$TOP/scripts/apply.sh" "$tree"
	else
		tree=$("$TOP/scripts/kernel-src.sh")
		lock_tree "$tree"
		rc=0
		"$TOP/scripts/apply.sh" "$tree" || rc=$?
		# Only a cached tree the hooks no longer fit is unpacked afresh.
		[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || exit "$rc"
		if [ "$rc" -eq 3 ]; then
			note "unpacking the cached $(basename "$tree") afresh"
			tree=$("$TOP/scripts/kernel-src.sh" --afresh)
			"$TOP/scripts/apply.sh" "$tree"
		fi
	fi
	tree=$(cd "$tree" && pwd -P)
}

# lock_tree TREE: hold TREE's lock (its sources and build dirs) until this
# script exits: applying, mutating and building in one tree are never
# interleaved by two runs. Whoever takes it first undoes what a killed run
# left half done there.
lock_tree() {
	local t
	t=$(cd "$1" && pwd -P)
	with_lock "tree-$(path_key "$t")" "building in $1"
	journal_repair "$t"
}

# KERNEL and KERNEL_SRC, checked before anything is installed or
# downloaded: KERNEL is a kernel of kernels.list the suite supports, and
# given with KERNEL_SRC, whose tree is built then, it is that tree's.
if [ -n "${KERNEL:-}" ]; then
	kernel_pin "$KERNEL"
	if [ -n "${KERNEL_SRC:-}" ] && grep -q '^VERSION = ' "$KERNEL_SRC/Makefile" 2>/dev/null; then
		case "$(kernel_version "$KERNEL_SRC")" in
		"$PIN_KERNEL".*) ;;
		*) die "KERNEL=$KERNEL and KERNEL_SRC=$KERNEL_SRC (Linux $(kernel_version "$KERNEL_SRC")) name different kernels: give one of them" ;;
		esac
	fi
fi
