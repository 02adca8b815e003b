#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise a kunit.py --json file.

kunit_results.py summary JSON [--cases FILE] [--allow-skip CASE[.PARAM] ...]
    Print one line per non-passing result and a final
    "autofs_pipe: N passed, N failed, N skipped" line. Exit 1 on any failure,
    on a skip not allowed, on an empty run, or when a case listed in the
    KUNIT_CASE*() array of FILE did not run.
kunit_results.py failing JSON
    Print the names of the failing cases (suite.case), one per line.
"""

import argparse
import json
import re
import sys


def leaves(group, prefix=''):
    """Yield (name, status) for every result, parameterised cases included."""
    for sub in group.get('sub_groups', []):
        name = sub['name']
        if sub.get('test_cases') or sub.get('sub_groups'):
            yield from leaves(sub, prefix + name + '.')
    for case in group.get('test_cases', []):
        yield prefix + case['name'], case['status']


def case_of(name):
    """suite.case.param -> suite.case"""
    return '.'.join(name.split('.')[:2])


def declared_cases(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    suite = re.search(r'struct kunit_suite \w+ = \{\s*\.name\s*=\s*"([^"]+)"', text).group(1)
    cases = re.findall(r'KUNIT_CASE\w*\(\s*(\w+)', text)
    return {f'{suite}.{c}' for c in cases}


def load(path):
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError) as err:
        sys.exit(f'kunit_results.py: error: cannot read results {path}: {err}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('mode', choices=['summary', 'failing'])
    ap.add_argument('json')
    ap.add_argument('--cases')
    ap.add_argument('--allow-skip', action='append', default=[])
    args = ap.parse_args()

    results = list(leaves(load(args.json)))
    if args.mode == 'failing':
        for name in sorted({case_of(n) for n, s in results if s not in ('PASS', 'SKIP')}):
            print(name)
        return 0

    counts = {'PASS': 0, 'SKIP': 0, 'FAIL': 0}
    bad = False
    for name, status in results:
        if status == 'PASS':
            counts['PASS'] += 1
            continue
        if status == 'SKIP':
            counts['SKIP'] += 1
            allowed = any(case_of(name).endswith('.' + a) or name.endswith('.' + a)
                          for a in args.allow_skip)
            print(f'SKIP {name}{"" if allowed else " (not allowed here)"}')
            bad |= not allowed
            continue
        counts['FAIL'] += 1
        print(f'{status} {name}')
        bad = True
    if not results:
        print('no test results at all')
        bad = True
    if args.cases:
        ran = {case_of(n) for n, _ in results}
        for missing in sorted(declared_cases(args.cases) - ran):
            print(f'MISSING {missing} (declared but not run)')
            bad = True
    print(f"autofs_pipe: {counts['PASS']} passed, {counts['FAIL']} failed, "
          f"{counts['SKIP']} skipped")
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
