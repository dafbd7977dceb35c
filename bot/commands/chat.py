"""`gongyou chat`: talk to the bot in the terminal as a worker (console channel, no Telegram token)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.channels.console.cli import add_common_arguments, configure_logging, start_failed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common_arguments(parser)
    parser.add_argument("--user", default="local", help="worker id on the console channel (default: local)")


def run(args: argparse.Namespace) -> int:
    configure_logging(args.verbose)
    from bot.channels.console.worker import chat

    try:
        return asyncio.run(chat(args.db, stdin=sys.stdin, stdout=sys.stdout, user_id=args.user, data=args.data))
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # bad data or database: one plain message, not a traceback
        return start_failed(exc, args.verbose)
