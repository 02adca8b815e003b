#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# deps.sh PACKAGE...: install the Debian packages that are missing.
# Not root: print the apt-get command to run and fail.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"

missing=()
for pkg in "$@"; do
	# Each once, however many of the lists a target combines name it.
	case " ${missing[*]} " in *" $pkg "*) continue ;; esac
	if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]; then
		missing+=("$pkg")
	fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
if [ "$(id -u)" -ne 0 ]; then
	die "missing packages; as root run: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
fi
ensure_cache
log=$CACHE/apt.log
note "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
	apt-get update -q >>"$log" 2>&1 || true
	apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1 ||
		die "apt-get install ${missing[*]} failed; see $log"
fi
