#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# deps.sh: everything make test needs, installed in one go (as a normal
# user: one apt-get line for all of it), before the first test starts.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/../scripts/common.sh"

# shellcheck disable=SC2086  # lists of packages
deps $PKGS_BUILD $PKGS_QEMU gcc-multilib shellcheck perl git python3-ply rsync
