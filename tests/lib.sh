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

# not COMMAND...: succeed when COMMAND fails.
not() {
	! "$@"
}

finish() {
	echo "${0##*/}: $PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}

# tree_sum DIR: a checksum of every file name, mode and content under DIR.
tree_sum() {
	(cd "$1" && find . -printf '%p %m\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha1sum) | sha1sum
}
