"""`gongyou` command line: one entry, subcommands imported lazily so `gongyou nlu` stays fast.

Each subcommand lives in `bot/commands/<name>.py` and exposes `add_arguments(parser)` and
`run(args) -> int`.
"""

from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS: dict[str, str] = {
    "nlu": "classify messages (one text, or --jsonl on stdin) — the evaluation interface",
    "ask": "answer a question from the knowledge base, as a worker would see it",
    "kb": "knowledge-base tools (`gongyou kb check`)",
    "chat": "chat with the bot in the terminal as a worker (console channel)",
    "staff": "work the ticket queue in the terminal as union staff (console channel)",
    "serve": "run the Telegram bot (long polling or webhook) with the scheduler",
    "purge": "erase personal data past the retention period now (`--dry-run` only counts)",
}


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongyou", description="工友 — 新就业形态劳动者维权助手")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # Only the chosen subcommand's module is imported (cold start of `nlu` matters).
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, help_text in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            module = importlib.import_module(f"bot.commands.{name}")
            module.add_arguments(p)
            p.set_defaults(_run=module.run)
    return parser


# Problems a person fixes by editing data or the environment, not bugs: one plain message, exit 2.
# Named, not imported, so a subcommand that never loads a module pays nothing for it.
DATA_ERRORS: tuple[tuple[str, str], ...] = (
    ("intents.lexicon", "LexiconError"),
    ("knowledge.loader", "KbError"),
    ("bot.texts", "TextsError"),
    ("bot.config", "ConfigError"),
    ("bot.scheduler.calendar", "CalendarError"),
    ("bot.scheduler.rules", "RulesError"),
    ("bot.storage.db", "DatabaseError"),
)


def is_data_error(exc: BaseException) -> bool:
    for module_name, class_name in DATA_ERRORS:
        module = sys.modules.get(module_name)
        error_class = getattr(module, class_name, None) if module else None
        if error_class is not None and isinstance(exc, error_class):
            return True
    return False


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 0 if not argv else 2
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if not is_data_error(exc):
            raise
        print(f"gongyou {args.command}: {exc}", file=sys.stderr)
        return 2
