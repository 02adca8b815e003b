#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Scan a kernel console log for reports that a passing KUnit run can hide.

log_scan.py LOG
    Print every BUG, WARNING, KASAN, lockdep, debug-objects, list-corruption
    and UBSAN report with a few lines of context, and every kmemleak report
    that debug/init.c printed ("autofs-debug: kmemleak: ..."). kmemleak
    reports whose backtrace does not involve autofs or KUnit are printed as
    notes: they come from the rest of the boot. Exit 1 on any other report.
"""

import re
import sys

REPORT = re.compile(
    r'BUG:|WARNING:|Oops|Kernel panic|general protection fault|'
    r'INFO: |ODEBUG:|UBSAN:|list_(add|del) corruption|'
    r'possible (circular|recursive) locking|inconsistent lock state')
KMEMLEAK = 'autofs-debug: kmemleak: '
OURS = re.compile(r'autofs|kunit')
CONTEXT = 12


def kmemleak_blocks(lines):
    """Yield each kmemleak report (a list of lines) printed by debug/init.c."""
    block = []
    for line in lines:
        if not line.startswith(KMEMLEAK):
            continue
        text = line[len(KMEMLEAK):]
        if text.startswith('unreferenced object') and block:
            yield block
            block = []
        block.append(text)
    if block:
        yield block


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: log_scan.py LOG')
    try:
        with open(sys.argv[1], encoding='utf-8', errors='replace') as f:
            lines = [l.rstrip('\r\n') for l in f]
    except OSError as err:
        sys.exit(f'log_scan.py: error: {err}')

    found = 0
    last = -1
    for i, line in enumerate(lines):
        if line.startswith(KMEMLEAK) or not REPORT.search(line) or i <= last:
            continue
        found += 1
        last = min(len(lines), i + CONTEXT) - 1
        print(f'log_scan: kernel report at line {i + 1}:')
        for ctx in lines[i:last + 1]:
            print(f'  {ctx}')

    others = 0
    for block in kmemleak_blocks(lines):
        if OURS.search(''.join(block)):
            found += 1
            print('log_scan: kmemleak report involving autofs or KUnit:')
            for ctx in block:
                print(f'  {ctx}')
        else:
            others += 1
    if others:
        print(f'log_scan: note: {others} kmemleak report(s) from elsewhere in the boot')
    print(f'log_scan: {found} report(s) in {sys.argv[1]}')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
