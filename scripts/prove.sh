#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# prove.sh: mutation run. Applies each mutants/*.patch to the kernel tree in
# turn, runs the suite, and shows which cases kill it. The unmodified tree
# must pass before and after. Builds are incremental in the same build dir
# as `make run`; the tree is restored on any exit, interrupts included.
# MUTANTS=GLOB limits the run to matching mutants/GLOB.patch. Mutants with a
# "Compat:" line also run the i386 daemon kselftest under qemu
# (compat/run.sh); PROVE_COMPAT=0 leaves that out. mutants/debug/*.patch are
# bugs no case can see: each must make make run-debug (ARCH=$PROVE_DEBUG_ARCH,
# default um) fail with the kernel report its "Killed-by:" line names;
# PROVE_DEBUG=0 leaves them out.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

timeout=${PROVE_TIMEOUT:-120}
check_seconds PROVE_TIMEOUT "$timeout"
# MUTANTS is checked before anything is installed or built.
# shellcheck disable=SC2206  # MUTANTS is a glob
picked=("$TOP"/mutants/${MUTANTS:-*}.patch "$TOP"/mutants/debug/${MUTANTS:-*}.patch)
for p in "${picked[@]}"; do
	[ -e "$p" ] && break
done
[ -e "$p" ] || die "MUTANTS=${MUTANTS:-*}: no mutant matches mutants/${MUTANTS:-*}.patch or mutants/debug/${MUTANTS:-*}.patch"
extra=()
[ "${PROVE_COMPAT:-1}" = 1 ] && extra+=(libelf-dev gcc-multilib qemu-system-x86)
build_deps um ${extra[@]+"${extra[@]}"}
prepare_tree
bdir=$(build_dir "$tree" um)
mkdir -p "$bdir"

work=$(mktemp -d)

# Put the files a mutant changed back. The journal lives in the cache: if
# this run is killed outright, the next run's apply.sh restores them. A
# file edited meanwhile is not restored: the run stops there, in one line,
# and keeps the journal; the EXIT trap does not try again.
restoring=0
restore() {
	[ "$restoring" = 0 ] || return 0
	restoring=1
	journal_restore "$tree"
	restoring=0
}
trap 'rm -rf "$work"; restore' EXIT

# Builds and boots run in their own session in the background, so that an
# interrupt reaches this script at once (and not only when kunit.py is done):
# the handler stops the whole session and the EXIT trap restores the tree.
child=
# shellcheck disable=SC2317  # invoked by trap
interrupted() {
	[ -n "$child" ] && kill -TERM -- "-$child" 2>/dev/null
	wait
	exit 130
}
trap interrupted INT TERM HUP

# in_session COMMAND...: run COMMAND as described above.
in_session() {
	local rc=0
	setsid "$@" &
	child=$!
	wait "$child" || rc=$?
	child=
	return "$rc"
}

kunit() {
	in_session "$tree/tools/testing/kunit/kunit.py" "$@"
}

# patched_files PATCH: the files a patch edits.
patched_files() {
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$1"
}

# apply_mutant PATCH: apply it exactly (no fuzz) to a copy of the files it
# edits, then write them into the tree under the journal (restore() puts
# them back); fails, touching nothing, if it does not apply.
apply_mutant() {
	local f m="$work/mutant"
	rm -rf "$m"
	mkdir "$m"
	for f in $(patched_files "$1"); do
		[ -e "$tree/$f" ] || continue
		mkdir -p "$m/$(dirname "$f")"
		cp -p "$tree/$f" "$m/$f" || return 1
	done
	patch -d "$m" -p1 -N -s -t --fuzz=0 --no-backup-if-mismatch <"$1" >/dev/null 2>&1 || return 1
	# shellcheck disable=SC2046  # file names without blanks
	journal_commit "$tree" "$m" $(patched_files "$1")
}

# run_suite LABEL: build and run; sets $failing, returns 0 pass, 1 fail, 2
# no build, 3 no verdict: kunit.py failed without judging the kernel's
# output (no results, or a Python traceback), which is not a kill. A kernel
# that crashed or timed out is judged: its results say so.
run_suite() {
	local label=$1 rc=0
	failing=
	if ! kunit build --kunitconfig "$tree/fs/autofs" --build_dir "$bdir" \
		--jobs "$(nproc)" >"$work/$label.build.log" 2>&1; then
		tail -n 20 "$work/$label.build.log" >&2
		return 2
	fi
	rm -f "$work/$label.json"
	kunit exec --build_dir "$bdir" --timeout "$timeout" --json="$work/$label.json" \
		>"$work/$label.log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ] && { [ ! -s "$work/$label.json" ] ||
		grep -q 'Traceback (most recent call last)' "$work/$label.log"; }; then
		failing="(kunit.py exited $rc without results: see the log)"
		return 3
	fi
	if [ -s "$work/$label.json" ]; then
		failing=$("$TOP/scripts/kunit_results.py" failing "$work/$label.json" |
			sed 's/^autofs_pipe\.//' | paste -sd' ' -)
		if [ "$rc" -eq 0 ] && ! judge_results "$work/$label.json" um >/dev/null; then
			rc=1
		fi
	fi
	if [ "$rc" -ne 0 ] && [ -z "$failing" ]; then
		failing="(kernel crashed or timed out)"
	fi
	[ "$rc" -eq 0 ] && return 0
	return 1
}

start=$(date +%s)
status=0
note "kernel $(kernel_version "$tree") at $tree, build dir $bdir"
if run_suite baseline; then
	note "unmodified tree: suite passes"
else
	tail -n 30 "$work/baseline.log" >&2
	die "the unmodified tree does not pass the suite; nothing to prove"
fi

total=0
killed=0
gaps=0
na=0
rows=()

# try_mutant PATCH NAME COMMAND...: apply PATCH, run COMMAND, restore the
# tree. Sets name, desc, expect (its header lines), rc (COMMAND's status) and
# secs; counts the mutant. Sets tried=0, with a DOES NOT APPLY row, if the
# patch no longer applies, and without a row if its Applies-if: test says
# this kernel does not have the code it breaks; else tried=1. (Not called
# as `try_mutant || ...`, which would turn errexit off in it.)
try_mutant() {
	local patch=$1 t0 cond
	name=$2
	tried=0
	shift 2
	desc=$(sed -n 's/^Mutant: //p' "$patch")
	expect=$(sed -n 's/^Killed-by: //p' "$patch")
	cond=$(sed -n 's/^Applies-if: //p' "$patch")
	if [ -n "$cond" ] && ! (cd "$tree" && sh -c "$cond"); then
		na=$((na + 1))
		return 0
	fi
	total=$((total + 1))
	t0=$(date +%s)
	if ! apply_mutant "$patch"; then
		rows+=("$name|DOES NOT APPLY|-|kernel changed: update or drop this mutant")
		status=1
		return 0
	fi
	rc=0
	"$@" || rc=$?
	restore
	secs=$(($(date +%s) - t0))
	tried=1
}

# row RESULT DETAIL: the table row for the mutant just tried. A kill counts;
# anything but a plain "killed" fails the proof.
row() {
	rows+=("$name|$1|${secs}s|$2")
	case "$1" in killed*) killed=$((killed + 1)) ;; esac
	[ "$1" = killed ] || status=1
}

for patch in "$TOP"/mutants/${MUTANTS:-*}.patch; do
	[ -e "$patch" ] || continue
	# What only the kselftest can see is tried in the compat loop below.
	[ "$(sed -n 's/^Killed-by: //p' "$patch")" = kselftest ] && continue
	try_mutant "$patch" "$(basename "$patch" .patch)" run_suite mutant
	[ "$tried" = 1 ] || continue
	case "$rc" in
	0)
		row SURVIVED "$desc"
		continue
		;;
	2)
		row "BUILD FAILED" "$desc"
		continue
		;;
	3)
		row "NO VERDICT" "$desc; $failing"
		continue
		;;
	esac
	missed=
	for c in $expect; do
		case " $failing " in
		*" $c "*) ;;
		*) missed="$missed $c" ;;
		esac
	done
	if [ -n "$missed" ] && [ "$failing" != "(kernel crashed or timed out)" ]; then
		row "killed, MISSED BY" "$desc; not failed:$missed; failed: $failing"
	else
		row killed "$desc; failed: $failing"
	fi
done

# The same regressions seen from user space: the daemon kselftest in qemu
# (compat/run.sh) must fail on them as the Compat: line says, the 32-bit
# daemon only (packet mode) or both (a field the kernel fills wrongly).
# shellcheck disable=SC2317  # invoked through try_mutant
run_compat() {
	KERNEL_SRC=$tree in_session "$TOP/compat/run.sh" >"$work/compat.log" 2>&1
}
if [ "${PROVE_COMPAT:-1}" = 1 ]; then
	for patch in "$TOP"/mutants/${MUTANTS:-*}.patch; do
		grep -q '^Compat: ' "$patch" || continue
		try_mutant "$patch" "$(basename "$patch" .patch) [compat]" run_compat
		[ "$tried" = 1 ] || continue
		verdicts=$(grep -ao 'autofs-compat: /autofs_daemon_test_[0-9]* [A-Z]*' "$work/compat.log" |
			sort -u | sed 's|autofs-compat: /autofs_daemon_test_||' | paste -sd' ' -)
		want="32 FAIL 64 PASS"
		grep -q '^Compat: .*both' "$patch" && want="32 FAIL 64 FAIL"
		if [ "$rc" -eq 0 ]; then
			row SURVIVED "daemons in qemu: $verdicts"
		elif [ -z "$verdicts" ]; then
			# compat/run.sh failed before the daemons said anything.
			row "NO VERDICT" "compat/run.sh exited $rc without a verdict of the daemons"
		elif [ "$verdicts" = "$want" ]; then
			row killed "daemons in qemu: $verdicts"
		else
			row "killed, MISSED BY" "expected $want, got: ${verdicts:-no verdict}"
		fi
	done
fi

# report_pattern KIND: what the run-debug output shows for a report of KIND.
report_pattern() {
	case "$1" in
	kmemleak) echo 'log_scan: kmemleak report involving' ;;
	KASAN) echo 'BUG: KASAN:' ;;
	lockdep) echo 'WARNING: possible .* locking' ;;
	*) echo "unknown report kind $1" ;;
	esac
}

# run_debug LABEL: make run-debug on the tree as it is now.
run_debug() {
	KERNEL_SRC=$tree ARCH=${PROVE_DEBUG_ARCH:-um} in_session "$TOP/scripts/run-debug.sh" \
		>"$work/$1.log" 2>&1
}

# shellcheck disable=SC2206  # MUTANTS is a glob
debug_mutants=("$TOP"/mutants/debug/${MUTANTS:-*}.patch)
if [ "${PROVE_DEBUG:-1}" = 1 ] && [ -e "${debug_mutants[0]}" ]; then
	if ! run_debug debug-baseline; then
		tail -n 30 "$work/debug-baseline.log" >&2
		die "the unmodified tree does not pass make run-debug; nothing to prove"
	fi
	note "unmodified tree: make run-debug passes"
	for patch in "${debug_mutants[@]}"; do
		try_mutant "$patch" "debug/$(basename "$patch" .patch)" run_debug debug-mutant
		[ "$tried" = 1 ] || continue
		failing=$(sed -n 's/^FAIL autofs_pipe\.//p' "$work/debug-mutant.log" | paste -sd' ' -)
		if [ "$rc" -eq 0 ]; then
			# A gap we know of and have not closed yet: shown on its own
			# row and in the summary, never counted as a kill.
			gap=$(sed -n 's/^Known-gap: //p' "$patch")
			if [ -n "$gap" ]; then
				rows+=("$name|KNOWN GAP|${secs}s|$desc: $gap")
				gaps=$((gaps + 1))
				continue
			fi
			row SURVIVED "$desc"
			continue
		fi
		missed=
		for kind in $expect; do
			grep -q "$(report_pattern "$kind")" "$work/debug-mutant.log" || missed="$missed $kind"
		done
		if [ -n "$missed" ]; then
			row "killed, MISSED BY" "$desc; no$missed report; failed: ${failing:-no case}"
		else
			row killed "$desc; $expect report; failed: ${failing:-no case}"
		fi
	done
fi

[ "$total" -gt 0 ] || die "no mutant matches mutants/${MUTANTS:-*}.patch or mutants/debug/${MUTANTS:-*}.patch"

if run_suite final; then
	note "restored tree: suite passes again"
else
	note "restored tree FAILS the suite"
	status=1
fi

printf '\n%-32s %-18s %-6s %s\n' mutant result time "description; failing cases"
for row in "${rows[@]}"; do
	IFS='|' read -r n r t d <<<"$row"
	printf '%-32s %-18s %-6s %s\n' "$n" "$r" "$t" "$d"
done
# What no case must catch, and why: not run, listed so the reader sees it.
for patch in "$TOP"/mutants/not-promises/*.patch; do
	[ -e "$patch" ] || continue
	printf '%-32s %-18s %-6s %s\n' "$(basename "$patch" .patch)" "not a promise" - \
		"$(sed -n 's/^Mutant: //p' "$patch"): $(sed -n 's/^Not-a-promise: //p' "$patch")"
done
echo
echo "wall time: $(($(date +%s) - start))s"
gap_note=
[ "$gaps" -gt 0 ] && gap_note="; $gaps known gap(s), not killed: see the KNOWN GAP rows"
if [ "$na" -gt 0 ]; then
	echo "$killed/$total mutants killed ($na not applicable to Linux $(kernel_version "$tree"))$gap_note"
else
	echo "$killed/$total mutants killed$gap_note"
fi
exit "$status"
