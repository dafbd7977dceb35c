"""`gongyou staff`: work the ticket queue in the terminal as union staff (same database as `chat`)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from bot.channels.console.cli import add_common_arguments, configure_logging, start_failed


def _default_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "staff"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common_arguments(parser)
    parser.add_argument("--name", default=None, help="your name as workers and colleagues see it (default: login name)")


def run(args: argparse.Namespace) -> int:
    configure_logging(args.verbose)
    from bot.channels.console.staff import staff_console

    try:
        return asyncio.run(staff_console(args.db, stdin=sys.stdin, stdout=sys.stdout,
                                         name=args.name or _default_name(), data=args.data))
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # bad data or database: one plain message, not a traceback
        return start_failed(exc, args.verbose)
