"""`gongyou kb check` — validate the knowledge base and show its coverage of the catalogue.

Prints every problem (file:line: entry: field: reason), then per topic how many catalogue
entries exist and which are missing. Exit 1 on any problem or gap, so CI and editors can use it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.paths import data_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="kb_command", metavar="ACTION")
    check = sub.add_parser("check", help="validate data/faq/*.yaml and print coverage per topic")
    check.add_argument("--dir", type=Path, default=None, help="the knowledge-base folder (default: <data>/faq)")


def run(args: argparse.Namespace) -> int:
    if args.kb_command != "check":
        print("usage: gongyou kb check [--dir DIR]", file=sys.stderr)
        return 2
    return check(args.dir or data_dir() / "faq")


def check(folder: Path) -> int:
    from knowledge.config import load_config
    from knowledge.loader import RETRIEVAL_FILE, KbError
    from knowledge.loader import check as check_kb

    try:
        report = check_kb(folder)
    except KbError as exc:            # the catalogue itself is unreadable
        print(exc)
        return 1
    problems = [str(p) for p in report.problems]
    try:
        load_config(folder / RETRIEVAL_FILE)
    except KbError as exc:
        problems.extend(exc.problems)
    for line in problems:
        print(line)
    coverage = report.coverage()
    width = max((len(t) for t in coverage), default=0)
    print(f"\ncoverage of the catalogue ({len(report.kb)} valid entries):")
    for topic, (have, invalid, missing) in coverage.items():
        total = len(have) + len(invalid) + len(missing)
        marks = [f"invalid: {', '.join(invalid)}"] * bool(invalid) + [f"missing: {', '.join(missing)}"] * bool(missing)
        print(f"  {topic:<{width}}  {len(have)}/{total}  {'; '.join(marks) or 'ok'}")
    gaps = len(report.missing)
    if problems or gaps:
        print(f"\nFAILED: {len(problems)} problem(s), {gaps} catalogue entr{'y' if gaps == 1 else 'ies'} missing")
        return 1
    print("\nOK: every entry valid, every catalogue entry present")
    return 0
