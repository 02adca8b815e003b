# SPDX-License-Identifier: GPL-2.0
# autofs KUnit suite: install it into a kernel tree and run it.
#   make run                   Debian's linux-source-7.3 (mainline), UML
#   make run KERNEL=6.12       Debian's linux-source-6.12 (LTS)
#   make run KERNEL_SRC=DIR    your tree
#   make run ARCH=x86_64       the same under qemu (ARCH=um, x86_64, i386)
#   make test                  everything this project checks

KERNEL_SRC ?=
KERNEL ?=

# ARCH picks where the suite runs, from make's command line only: an ARCH
# or CROSS_COMPILE exported for some other purpose is not ours.
ifeq ($(origin ARCH),command line)
ARCH_ORIGIN := make's command line
else
ifneq ($(filter-out um,$(ARCH)),)
$(info note: ignoring ARCH=$(ARCH) from the $(origin ARCH); use make <target> ARCH=um|x86_64|i386)
endif
ARCH := um
ARCH_ORIGIN := the default
endif
ifneq ($(CROSS_COMPILE),)
$(info note: ignoring CROSS_COMPILE=$(CROSS_COMPILE) from the $(origin CROSS_COMPILE))
endif
unexport CROSS_COMPILE
export KERNEL_SRC KERNEL ARCH ARCH_ORIGIN

# Every target builds in the shared cache: one at a time, also under -j.
.NOTPARALLEL:

N ?= 50

.PHONY: all apply run run-debug configs soak bench prove compat bench-compat series \
	series-check cross test test-all test-deps test-tooling lint test-suite test-archs \
	test-x86_64 test-debug test-soak test-lts test-fresh test-series test-configs

all: run

# Install the suite (test file, .kunitconfig, Kconfig/Makefile hooks) into KERNEL_SRC.
# FORCE=1 replaces suite files there that this tooling did not write.
apply:
	@scripts/apply.sh "$(KERNEL_SRC)"

# The main job: apply the suite and run it with kunit.py.
run:
	@scripts/run.sh

# The suite on a debug kernel (KASAN, lockdep, debug objects, list debugging,
# kmemleak); fails on any kernel report in the log, not only on a failed case.
run-debug:
	@scripts/run-debug.sh

# Build fs/autofs in every AUTOFS_FS x KUNIT x AUTOFS_KUNIT_TEST combination
# Kconfig allows; load the all-modules build in qemu.
configs:
	@scripts/configs.sh

# Boot the suite N times (default 50) and report any case that ever failed.
soak:
	@N=$(N) scripts/soak.sh

# Benchmark, not a test: min/median/max of run, prove, compat; fs/fat beside it.
bench:
	@scripts/bench.sh

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
# git HEAD, or a throwaway git tree of Debian's 7.3; checkpatch summary.
series:
	@scripts/series.sh

# Apply the series one patch at a time and build after each.
series-check:
	@scripts/series-check.sh

# fs/autofs with the suite on six architectures (W=1); run on arm64, s390x.
cross:
	@scripts/cross.sh

# Project tests, cold within 60 minutes on 2 cores: packages first (one
# apt-get line for a normal user), tooling and style (seconds), then the
# suite on UML and i386, the module loaded in qemu, a short soak, the qemu
# compat test, the mutation run (whose baseline is make run-debug, the
# debug kernel), and the LTS kernel. What costs a cold build each and adds
# least (x86_64 under qemu, the rest of the Kconfig matrix) is in test-all.
TEST_STAGES := test-deps test-tooling lint test-suite test-archs test-configs test-soak \
	compat prove test-lts
test:
	@scripts/stages.sh $(TEST_STAGES)

# Everything, before resolving an issue: make test, the cross builds, the
# upstream series, and the README's first command on fresh Debian 12 and 13.
test-all: test test-x86_64 test-debug configs cross test-series test-fresh

test-deps:
	@tests/deps.sh

test-tooling:
	@tests/tooling.sh
	@tests/robustness.sh

lint:
	@tests/lint.sh

# make run, plus: every declared case ran and none failed or skipped.
test-suite:
	@tests/suite.sh

# The same on i386 under qemu, where the v5 packet has the compat size.
test-archs:
	@ARCH=i386 tests/suite.sh

# The same on x86_64 under qemu (UML is x86_64 already).
test-x86_64:
	@ARCH=x86_64 tests/suite.sh

# make run-debug on UML, the cheapest debug kernel with KASAN.
test-debug:
	@ARCH=um scripts/run-debug.sh

# The module path: autofs, KUnit and the suite as modules, loaded in qemu
# (modpost and the exports to autofs_kunit). make configs (in make
# test-all) builds every combination.
test-configs:
	@CONFIGS="loaded" scripts/configs.sh

# A short soak: ten boots.
test-soak:
	@N=10 scripts/soak.sh

# The LTS kernel: the suite and the compat test on Debian's 6.12.
test-lts:
	@KERNEL=6.12 tests/suite.sh
	@KERNEL=6.12 compat/run.sh

# The series (into series-out/), applied and built patch by patch.
test-series:
	@scripts/series.sh
	@scripts/series-check.sh

# The README's first command on pristine Debian 12 and 13 (debootstrap).
test-fresh:
	@scripts/test-fresh.sh

# make help: every target and every variable, one line each: the lines
# below that start with "#:".
.PHONY: help
help:
	@sed -n 's/^#: \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

#: Targets (make TARGET [VARIABLE=value ...]):
#:   run            apply the suite and run it with kunit.py (default: Debian's 7.3, UML)
#:   all            the same as run
#:   apply          only install the suite into KERNEL_SRC
#:   run-debug      the suite on a debug kernel; fails on any kernel report (KASAN, lockdep, kmemleak...)
#:   configs        fs/autofs in every AUTOFS_FS x KUNIT x AUTOFS_KUNIT_TEST combination; the module loaded in qemu
#:   soak           boot the suite N times and report any case that ever failed
#:   bench          benchmark, not a test: make run cold and warm, in-kernel time, prove, compat, beside fs/fat
#:   prove          mutation run: every mutants/*.patch must be killed by the suite
#:   compat         a real 32-bit (and 64-bit) autofs daemon kselftest on a 64-bit kernel, in qemu
#:   bench-compat   benchmark, not a test: cold and warm time to verdict of make compat
#:   series         the upstream patch series (into series-out/), with a checkpatch summary
#:   series-check   apply the series one patch at a time and build after each
#:   cross          fs/autofs with the suite on six architectures (W=1); run on arm64 and s390x
#:   test           the project's tests: test-deps test-tooling lint test-suite test-archs test-configs test-soak compat prove test-lts
#:   test-all       make test, test-x86_64, test-debug, configs, cross, test-series and test-fresh
#:   test-deps      the packages make test needs (as a normal user: the one apt-get line)
#:   test-tooling   the tooling's own tests (tests/tooling.sh, tests/robustness.sh); no kernel build
#:   lint           checkpatch --strict on the kernel code, shellcheck on the tooling
#:   test-suite     make run, and every declared case ran, none failed or skipped
#:   test-archs     test-suite on i386 (qemu)
#:   test-x86_64    test-suite on x86_64 (qemu); in test-all
#:   test-debug     run-debug on UML; in test-all (prove's baseline runs it in test)
#:   test-soak      a short soak: ten boots
#:   test-configs   the module path: all modules, loaded in qemu
#:   test-lts       the suite and compat on Debian's 6.12
#:   test-series    series and series-check
#:   test-fresh     the README's first command in fresh Debian 12 and 13 chroots, as root and as a user (root)
#:   help           this list
#:
#: Variables (on make's command line or in the environment; ARCH on the command line only):
#:   KERNEL=7.3|6.12                 Debian's kernel source to use (kernels.list; default 7.3)
#:   KERNEL_SRC=DIR                  your kernel tree instead (given with KERNEL, it must be that kernel)
#:   ARCH=um|x86_64|i386             where the suite runs (default um)
#:   FORCE=1                         apply: replace suite files in the tree that this tooling did not write
#:   N=50                            soak: how many boots
#:   SOAK_ISOLATED=suite|test        soak: kunit.py --run_isolated
#:   SOAK_TIMEOUT=300                soak: seconds each boot may take
#:   BENCH_RUNS=3                    bench: runs of each measurement
#:   BENCH_PARTS="builds kernel prove compat"  bench: which measurements
#:   MUTANTS=GLOB                    prove: only mutants/GLOB.patch (and mutants/debug/GLOB.patch)
#:   PROVE_COMPAT=0                  prove: leave out the compat mutants (the daemon kselftest in qemu)
#:   PROVE_DEBUG=0                   prove: leave out mutants/debug (make run-debug)
#:   PROVE_DEBUG_ARCH=um             prove: ARCH of the debug mutants' make run-debug
#:   PROVE_TIMEOUT=120               prove: seconds each kunit.py exec may take
#:   COMPAT_TIMEOUT=180              compat: seconds qemu may run
#:   COMPAT_FLAVOUR=compat           compat: the last part of its build directory's name
#:   CONFIGS="yy yym ..."            configs: which combinations (yy yym ymm mym mmm off nokunit lowered loaded)
#:   CONFIGS_TIMEOUT=300             configs: seconds the "loaded" boot in qemu may take
#:   CROSS_ARCHS="arm64 ..."         cross: which architectures to compile (arm64 armhf alpha s390x ppc64el riscv64)
#:   CROSS_RUN="arm64 s390x"         cross: which of them to run under qemu (none: no run)
#:   CROSS_TIMEOUT=600               cross: seconds each qemu run may take
#:   DEBUG_TIMEOUT=900               run-debug: seconds the boot may take
#:   SERIES_OUT=DIR                  series, series-check: where the series goes (new, empty, or made by series)
#:   FRESH_SUITES="bookworm trixie"  test-fresh: which Debian releases
#:   FRESH_TARGETS="run"             test-fresh: the targets run as root ("run test" adds make test)
#:   AUTOFS_KUNIT_CACHE=DIR          the cache: sources, builds, locks (default $XDG_CACHE_HOME or ~/.cache, /autofs-kunit)
#:   AUTOFS_KUNIT_BUILD_DIR=DIR      run: build there instead of in the cache
#:   AUTOFS_KUNIT_MIRROR=URI         Debian's archive (default: the one in this machine's apt sources)
#:   AUTOFS_KUNIT_SECURITY_MIRROR=URI  Debian's security archive (default: the one in this machine's apt sources)
#:   APT_CONFIG=FILE                 apt's own: the apt configuration kernel sources are fetched through
