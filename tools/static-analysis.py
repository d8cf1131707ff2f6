#!/usr/bin/env python3
"""Runs gcc's -fanalyzer over every C file under src/ and fails on any report.

Usage: tools/static-analysis.py [BUILD_DIR]   (default: build)

It compiles each file with the flags meson recorded in compile_commands.json,
so it needs a configured (and built, for generated headers) gcc build dir.

Two choices keep the output to real findings:
- G_DISABLE_CHECKS: g_return_val_if_fail() paths only run on programmer
  error, and by GLib convention they return FALSE without setting the GError.
  Following them makes the analyzer flag every `error->message` after a
  failed call. Internal invariants use g_assert(), which stays analysed.
- gcc 12 reports "use of uninitialized value '*(void **)&x'" inside
  g_autoptr_cleanup_generic_gfree() for g_autofree variables that are
  initialised to NULL on their declaration line. A report of that kind is
  dropped only after checking, in the report's own event trace, that the
  declaration does read "x = NULL"; any other form still fails.
"""
import json
import os
import re
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, 'build'))
with open(os.path.join(build, 'compile_commands.json')) as f:
    commands = [c for c in json.load(f)
                if os.path.normpath(os.path.join(c['directory'], c['file'])).startswith(os.path.join(root, 'src') + os.sep)]

if not commands:
    sys.exit('static-analysis: no src/ files in %s/compile_commands.json' % build)


def analyzer_command(entry):
    args, skip = [], False
    for arg in shlex.split(entry['command']):
        if skip:
            skip = False
        elif arg in ('-o', '-MQ', '-MF'):
            skip = True
        elif arg != '-MD' and not arg.startswith('-fdiagnostics-color'):
            args.append(arg)
    return args + ['-fanalyzer', '-DG_DISABLE_CHECKS', '-fdiagnostics-color=never', '-o', os.devnull]


def analyse(entry):
    run = subprocess.run(analyzer_command(entry), cwd=entry['directory'],
                         capture_output=True, text=True)
    return entry['file'], run.returncode, run.stderr


# A diagnostic starts at a "path:line:col: warning:" line and runs until the next.
warning_re = re.compile(r'^(\S+?):(\d+):\d+: warning: (.*)$')
autofree_re = re.compile(r"use of uninitialized value ‘\*\(void \*\*\)&(\w+)’")


def split_reports(stderr):
    reports, current = [], None
    for line in stderr.splitlines():
        match = warning_re.match(line)
        if match:
            current = [line]
            reports.append(current)
        elif current is not None and not re.match(r'^\S.*: In function', line):
            current.append(line)
    return reports


def is_known_autofree_false_positive(report):
    match = autofree_re.search(report[0])
    if not match or 'glib-autocleanups.h' not in report[0]:
        return False
    declaration = re.compile(r'g_auto(free|ptr\(\w+\))\s+[^;]*\b%s\s*=\s*NULL' % match.group(1))
    return any(declaration.search(line) for line in report[1:])


jobs = os.cpu_count() or 2
failures = 0
with ThreadPoolExecutor(max_workers=jobs) as pool:
    for name, returncode, stderr in pool.map(analyse, commands):
        if returncode != 0:
            print('%s: the compiler failed:\n%s' % (name, stderr))
            failures += 1
            continue
        for report in split_reports(stderr):
            if '-Wanalyzer' not in report[0] or is_known_autofree_false_positive(report):
                continue
            print('\n'.join(report))
            failures += 1

print('static-analysis: %d files, %d reports' % (len(commands), failures))
sys.exit(1 if failures else 0)
