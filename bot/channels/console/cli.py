"""What `gongyou chat` and `gongyou staff` share: the --db/--data options, logging, start-up errors."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="SQLite database file (default: gongyou.sqlite3 in your per-user data directory)")
    parser.add_argument("--data", type=Path, default=None,
                        help="data folder (default: GONGYOU_DATA_DIR or the repository's data/)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")


def configure_logging(verbose: bool) -> None:
    from bot.logsafe import configure  # key=value lines, phone numbers and personal fields masked

    configure(logging.INFO if verbose else logging.WARNING, stream=sys.stderr)
    if not verbose:
        # Loading chatter (jieba's dictionary, knowledge-base coverage notes) is not for a chat screen.
        for name in ("jieba", "knowledge", "intents"):
            logging.getLogger(name).setLevel(logging.ERROR)
        try:
            import jieba

            jieba.setLogLevel(logging.ERROR)
        except ImportError:
            pass


def start_failed(exc: BaseException, verbose: bool) -> int:
    """A bad data file or database stops the console with one plain message (the traceback with -v)."""
    if verbose:
        logging.getLogger("gongyou").exception("start-up failed")
    print(f"gongyou: {exc}", file=sys.stderr)
    return 1
