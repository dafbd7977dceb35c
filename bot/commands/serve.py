"""`gongyou serve`: run the Telegram bot (long polling by default, webhook when WEBHOOK_URL is set).

Settings come from the environment or a `.env` file (see `.env.example`). A missing or malformed
BOT_TOKEN or STAFF_CHAT_ID stops here at once (exit 2), before any data is loaded or any network
is touched. Then the data and database are opened, the follow-up scheduler is hooked in, and the
bot runs until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings

EXIT_CONFIG = 2

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env-file", type=Path, default=Path(".env"),
                        help="settings file read after the environment (default: ./.env if it exists)")
    parser.add_argument("--check", action="store_true",
                        help="only check the settings and the data files, then exit (0 when all is well)")
    parser.add_argument("--no-scheduler", action="store_true", help="do not run the follow-up scheduler")


def run(args: argparse.Namespace) -> int:
    from bot.config import ConfigError, load_settings

    try:
        settings = load_settings(args.env_file if args.env_file.exists() else None)
    except ConfigError as exc:
        print(f"gongyou serve: {exc}", file=sys.stderr)
        return EXIT_CONFIG

    from bot import logsafe

    logsafe.configure(settings.log_level)
    try:
        return asyncio.run(serve(settings, check_only=args.check, scheduler=not args.no_scheduler))
    except KeyboardInterrupt:
        return 130


async def serve(settings: Settings, *, check_only: bool = False, scheduler: bool = True) -> int:
    from aiogram.exceptions import TelegramUnauthorizedError

    from bot.channels.telegram.app import TelegramApp
    from bot.services import Services

    try:
        services = await Services.open(settings.database_path, data=settings.data_dir)
    except Exception as exc:   # a bad data file or database: one clear line, not a traceback
        print(f"gongyou serve: cannot start: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        app = TelegramApp.create(settings, services)
        if scheduler:
            from bot.scheduler.runner import install

            try:
                install(app)          # loads and checks the working calendar and the scheduler's texts
            except Exception as exc:
                print(f"gongyou serve: cannot start the follow-up scheduler: {exc}", file=sys.stderr)
                await app.bot.session.close()
                return EXIT_CONFIG
        if check_only:
            print("gongyou serve: settings and data are fine", file=sys.stderr)
            await app.bot.session.close()
            return 0
        try:
            if settings.mode == "webhook":
                await app.run_webhook()
            else:
                await app.run_polling()
        except TelegramUnauthorizedError:
            print("gongyou serve: Telegram refused BOT_TOKEN (401): check the token with @BotFather", file=sys.stderr)
            return EXIT_CONFIG
        return 0
    finally:
        await services.close()
