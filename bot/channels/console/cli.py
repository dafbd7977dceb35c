"""What `gongyou chat` and `gongyou staff` share: the --db/--data options, logging, start-up errors."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from bot.services import Services


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


@asynccontextmanager
async def console_services(db_path: Path | None, data: Path | None, stdin: TextIO,
                           stdout: TextIO) -> AsyncIterator[Services]:
    """The services for one console session, with a word to the person while the data loads."""
    from bot.services import Services

    if stdin.isatty():
        stdout.write("正在准备，请稍等……\n")
        stdout.flush()
    services = await Services.open(db_path, data=data)
    try:
        yield services
    finally:
        await services.close()
