# SPDX-License-Identifier: GPL-2.0
# autofs KUnit suite: install it into a kernel tree and run it.
#   make run                   Debian's linux-source-6.12, UML
#   make run KERNEL_SRC=DIR    your tree
#   make test                  everything this project checks

KERNEL_SRC ?=
ARCH ?= um
export KERNEL_SRC ARCH

.PHONY: all apply run prove compat bench-compat series series-check test test-tooling lint test-suite

all: run

# Install the suite (test file, .kunitconfig, Kconfig/Makefile hooks) into KERNEL_SRC.
apply:
	@scripts/apply.sh "$(KERNEL_SRC)"

# The main job: apply the suite and run it with kunit.py.
run:
	@scripts/run.sh

# Mutation run: every mutants/*.patch must be killed by the suite.
prove:
	@scripts/prove.sh

# A real 32-bit autofs daemon on a 64-bit kernel, in qemu.
compat:
	@compat/run.sh

# Benchmark, not a test: cold and warm time to verdict of make compat.
bench-compat:
	@compat/bench.sh

# The upstream patch series (KUnit suite, kselftest) against KERNEL_SRC's
# git HEAD, or a throwaway git tree of Debian's 6.12; checkpatch summary.
series:
	@scripts/series.sh

# Apply the series one patch at a time and build after each.
series-check:
	@scripts/series-check.sh

# Project tests: tooling, style, then the suite itself.
test: test-tooling lint compat prove test-suite

test-tooling:
	@tests/tooling.sh

lint:
	@tests/lint.sh

# make run, plus: every declared case ran and none failed or skipped.
test-suite:
	@tests/suite.sh
