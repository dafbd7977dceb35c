"""`gongyou purge [--dry-run]`: the retention purge by hand (the scheduler of `gongyou serve` runs it daily).

Erases the personal data of tickets resolved, transferred or closed more than --days ago (use the
value of RETENTION_DAYS) and deletes conversations idle as long; `--dry-run` only counts.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.channels.console.cli import configure_logging, start_failed
from bot.privacy.retention import DEFAULT_RETENTION_DAYS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="SQLite database file (default: gongyou.sqlite3 in your per-user data directory)")
    parser.add_argument("--days", type=int, default=DEFAULT_RETENTION_DAYS,
                        help=f"retention period in days, as RETENTION_DAYS (default {DEFAULT_RETENTION_DAYS})")
    parser.add_argument("--dry-run", action="store_true", help="only count what would be purged")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")


async def purge(db_path: Path | None, days: int, *, dry_run: bool) -> str:
    from bot.clock import SystemClock, to_local
    from bot.privacy import retention
    from bot.services import default_db_path
    from bot.storage.db import Database

    db = await Database.open(db_path if db_path is not None else default_db_path())
    try:
        result = await retention.purge(db, SystemClock(), days, dry_run=dry_run)
    finally:
        await db.close()
    before = to_local(result.cutoff).strftime("%Y-%m-%d %H:%M")
    verb = "would erase" if dry_run else "erased"
    return (f"gongyou purge: {verb} the personal data of {result.tickets} ticket(s) finished before {before} "
            f"and {result.conversations} conversation(s) idle since then (retention {days} days)"
            + (" — dry run, nothing changed" if dry_run else ""))


def run(args: argparse.Namespace) -> int:
    configure_logging(args.verbose)
    if args.days < 1:
        print("gongyou purge: --days must be at least 1", file=sys.stderr)
        return 2
    try:
        print(asyncio.run(purge(args.db, args.days, dry_run=args.dry_run)))
    except KeyboardInterrupt:
        raise
    except Exception as exc:      # a bad database: one plain line, not a traceback
        return start_failed(exc, args.verbose)
    return 0
