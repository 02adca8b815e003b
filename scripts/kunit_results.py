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


class Unexpected(Exception):
    """The results are not in the shape kunit.py writes."""


def items(group, key):
    """group[key], a list of result objects, or Unexpected."""
    if not isinstance(group, dict):
        raise Unexpected(f'a group is {type(group).__name__}, not an object')
    value = group.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise Unexpected(f'"{key}" of {group.get("name", "a group")!r} is not a list of objects')
    return value


def field(obj, key):
    """obj[key], a string, or Unexpected."""
    value = obj.get(key)
    if not isinstance(value, str):
        raise Unexpected(f'a result has no string "{key}": {json.dumps(obj)[:80]}')
    return value


def leaves(group, prefix=''):
    """Yield (name, status) for every result, parameterised cases included."""
    for sub in items(group, 'sub_groups'):
        name = field(sub, 'name')
        if sub.get('test_cases') or sub.get('sub_groups'):
            yield from leaves(sub, prefix + name + '.')
    for case in items(group, 'test_cases'):
        yield prefix + field(case, 'name'), field(case, 'status')


def case_of(name):
    """suite.case.param -> suite.case"""
    return '.'.join(name.split('.')[:2])


def declared_cases(path):
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except (OSError, ValueError) as err:
        sys.exit(f'kunit_results.py: error: cannot read the cases of {path}: {err}')
    suite = re.search(r'struct kunit_suite \w+ = \{\s*\.name\s*=\s*"([^"]+)"', text)
    if not suite:
        sys.exit(f'kunit_results.py: error: {path} declares no struct kunit_suite with a .name')
    cases = re.findall(r'KUNIT_CASE\w*\(\s*(\w+)', text)
    return {f'{suite.group(1)}.{c}' for c in cases}


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

    try:
        results = list(leaves(load(args.json)))
    except (Unexpected, RecursionError) as err:
        sys.exit(f'kunit_results.py: error: {args.json} is not kunit.py --json results: {err}')
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
