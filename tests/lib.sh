# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Minimal TAP-ish helpers for the tooling tests; sourced.

PASS=0
FAIL=0

ok() {
	PASS=$((PASS + 1))
	echo "ok - $*"
}

not_ok() {
	FAIL=$((FAIL + 1))
	echo "not ok - $*"
}

# check DESCRIPTION COMMAND...: pass when COMMAND succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# fails_with STATUS PATTERN COMMAND...: succeed when COMMAND exits with
# exactly STATUS and its output (stdout and stderr) matches the extended
# regular expression PATTERN. A crash (a Python traceback, a shell error)
# is not the expected failure, whatever its status.
fails_with() {
	local want=$1 pattern=$2 rc=0 out
	shift 2
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "  expected exit status $want, got $rc: $(tail -n 3 <<<"$out")"
		return 1
	fi
	if grep -qE 'Traceback \(most recent call last\)|: line [0-9]+: |command not found' <<<"$out"; then
		echo "  crashed: $(tail -n 3 <<<"$out")"
		return 1
	fi
	if ! grep -qE -- "$pattern" <<<"$out"; then
		echo "  output does not match '$pattern': $(tail -n 3 <<<"$out")"
		return 1
	fi
}

finish() {
	echo "${0##*/}: $PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}

# tree_sum DIR: a checksum of every file name, mode and content under DIR.
tree_sum() {
	(cd "$1" && find . -printf '%p %m\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha1sum) | sha1sum
}
