"""`gongyou kb check` and `gongyou kb feedback`: the knowledge base's health.

`check` prints every problem (file:line: entry: field: reason), then per topic how many catalogue
entries exist and which are missing. Exit 1 on any problem or gap, so CI and editors can use it.

`feedback` prints the workers' 有用 / 没用 presses per answer over the last days, most 没用 first:
where to start when improving answers.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta
from pathlib import Path

from bot.paths import data_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="kb_command", metavar="ACTION")
    check = sub.add_parser("check", help="validate data/faq/*.yaml and print coverage per topic")
    check.add_argument("--dir", type=Path, default=None, help="the knowledge-base folder (default: <data>/faq)")
    feedback = sub.add_parser("feedback", help="workers' 有用/没用 presses per answer, most 没用 first")
    feedback.add_argument("--db", type=Path, default=None,
                          help="SQLite database file (default: gongyou.sqlite3 in your per-user data directory)")
    feedback.add_argument("--days", type=int, default=30, help="how many days back (default 30)")
    feedback.add_argument("--dir", type=Path, default=None, help="the knowledge-base folder (default: <data>/faq)")


def run(args: argparse.Namespace) -> int:
    folder = getattr(args, "dir", None) or data_dir() / "faq"
    if args.kb_command == "check":
        return check(folder)
    if args.kb_command == "feedback":
        if args.days < 1:
            print("gongyou kb feedback: --days must be at least 1", file=sys.stderr)
            return 2
        print(asyncio.run(feedback(args.db, args.days, folder)))
        return 0
    print("usage: gongyou kb check [--dir DIR] | gongyou kb feedback [--db FILE] [--days N]", file=sys.stderr)
    return 2


async def feedback(db_path: Path | None, days: int, folder: Path) -> str:
    from bot.clock import SystemClock, to_local
    from bot.dialogue.feedback import AnswerFeedback
    from bot.services import default_db_path
    from bot.storage.db import Database
    from knowledge.loader import check as check_kb

    titles = {entry.id: entry.title for entry in check_kb(folder).kb}
    since = to_local(SystemClock().now()).date() - timedelta(days=days - 1)
    db = await Database.open(db_path if db_path is not None else default_db_path())
    try:
        counts = await AnswerFeedback(db).totals(since)
    finally:
        await db.close()
    if not counts:
        return f"no 有用/没用 presses since {since.isoformat()}"
    lines = [f"有用/没用 since {since.isoformat()} ({days} days), most 没用 first:", "  没用  有用  answer"]
    lines += [f"  {c.useless:>4}  {c.useful:>4}  {c.faq_id}  {titles.get(c.faq_id, '(no longer in the knowledge base)')}"
              for c in counts]
    return "\n".join(lines)


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
    added = len(report.kb.catalogue.added)
    print(f"\ncoverage of the catalogue ({len(report.kb)} valid entries"
          + (f"; {added} added by the union under additions:" if added else "") + "):")
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
