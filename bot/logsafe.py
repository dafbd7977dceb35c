"""Logging that keeps workers' words, names and phone numbers out of log files.

The first line of defence is our own code: log calls carry ids, codes and counts, never message
text, names or phone numbers (`tests/test_logs_privacy.py` greps the logs of a full scenario for
them). This module is the second line, for what we do not write ourselves — third-party debug
lines and exception messages:

- a LogRecord factory (process-wide, so it covers every logger and every handler, pytest's too)
  that masks phone-like numbers (mainland mobiles, landlines with an area code, ID-card numbers)
  in the message, its arguments and the exception text; shows only the function name for the
  `functools.partial` arguments of aiosqlite's "executing …" debug lines, which hold SQL
  parameters (message text); and hides pydantic's `input_value=…` in validation errors;
- a key=value formatter whose filter masks any field passed with `extra=` under a personal-data
  name (text, name, phone, …).

    configure("INFO")          # gongyou serve / chat / staff, once at start
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable
from typing import IO, Any

MASK = "<redacted>"
PHONE_MASK = "<phone>"
ID_MASK = "<id-number>"

# Field names that hold personal data: masked when passed with `extra=`, whatever the value.
PII_FIELDS = frozenset({
    "text", "message_text", "caption", "summary", "source_text", "note", "reason", "body",
    "first_name", "last_name", "full_name", "username", "display_name", "actor_name", "worker_name",
    "phone", "phone_number", "mobile", "contact", "employer", "district", "address", "pii",
})

_NOT_DIGIT_BEFORE = r"(?<![\dA-Za-z.])"
_NOT_DIGIT_AFTER = r"(?![\dA-Za-z])"
# 18-digit resident ID numbers (last character may be X).
_ID_NUMBER = re.compile(_NOT_DIGIT_BEFORE + r"\d{6}(?:19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx]" + _NOT_DIGIT_AFTER)
# Mainland mobiles, with an optional +86/0086 prefix and single spaces or dashes between groups
# (138 0013 8000, 138-0013-8000, +86 13800138000).
_MOBILE = re.compile(
    _NOT_DIGIT_BEFORE + r"(?:(?:\+?86|0086)[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}" + _NOT_DIGIT_AFTER
)
# Landlines written with their area code: 010-12345678, 0755 8888 6666, (020)87654321.
_LANDLINE = re.compile(_NOT_DIGIT_BEFORE + r"\(?0\d{2,3}\)?[ -]?\d{3,4}[ -]?\d{4}" + _NOT_DIGIT_AFTER)
# pydantic: "input_value='…', input_type=str" repeats the rejected input (a worker's message).
_PYDANTIC_INPUT = re.compile(r"input_value=.*?(?=, input_type=|\]$|$)", re.MULTILINE)


def redact(text: str) -> str:
    """`text` with phone numbers, ID-card numbers and pydantic input values masked."""
    if not text:
        return text
    text = _PYDANTIC_INPUT.sub(f"input_value={MASK}", text)
    text = _ID_NUMBER.sub(ID_MASK, text)
    text = _MOBILE.sub(PHONE_MASK, text)
    return _LANDLINE.sub(PHONE_MASK, text)


def _safe_arg(arg: Any) -> Any:
    """An argument as it may appear in a log line: a partial shows its function only."""
    if isinstance(arg, functools.partial):
        func = arg.func
        return f"<call {getattr(func, '__qualname__', None) or getattr(func, '__name__', type(func).__name__)}>"
    return arg


def _render(record: logging.LogRecord) -> str:
    args = record.args
    if not args:
        return str(record.msg)
    if isinstance(args, dict):
        safe: Any = {key: _safe_arg(value) for key, value in args.items()}
    else:
        safe = tuple(_safe_arg(a) for a in args)
    try:
        return str(record.msg) % safe
    except (TypeError, ValueError, KeyError):
        return f"{record.msg} {safe!r}"


_exception_formatter = logging.Formatter()


def scrub(record: logging.LogRecord) -> logging.LogRecord:
    """Render the message now (arguments made safe, then redacted) and pre-format the traceback,
    redacted, so every formatter downstream shows the safe text."""
    record.msg = redact(_render(record))
    record.args = None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = redact(_exception_formatter.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


_base_factory: Callable[..., logging.LogRecord] | None = None


def _safe_record_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    assert _base_factory is not None
    return scrub(_base_factory(*args, **kwargs))


def install_record_factory() -> None:
    """Make every LogRecord of the process safe at creation (idempotent)."""
    global _base_factory
    if logging.getLogRecordFactory() is _safe_record_factory:
        return
    _base_factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(_safe_record_factory)


def uninstall_record_factory() -> None:
    """Put back the factory that was there before (tests)."""
    global _base_factory
    if logging.getLogRecordFactory() is _safe_record_factory and _base_factory is not None:
        logging.setLogRecordFactory(_base_factory)
    _base_factory = None


_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


def extras(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a call passed with `extra=`."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS and not k.startswith("_")}


class RedactFilter(logging.Filter):
    """Masks `extra=` fields with personal-data names and redacts the rest (attach to handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in extras(record).items():
            if key.lower() in PII_FIELDS:
                setattr(record, key, MASK)
            elif isinstance(value, str):
                setattr(record, key, redact(value))
        if record.args:   # a record made before the factory was installed
            scrub(record)
        return True


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    if text and not any(ch.isspace() or ch in '"=' for ch in text):
        return text
    return json.dumps(text, ensure_ascii=False)


class KeyValueFormatter(logging.Formatter):
    """`2026-11-23T02:00:00.123Z level=INFO logger=bot.storage.db msg="…" key=value …`, traceback below."""

    converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        message = redact(record.getMessage())
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created))
        parts = [f"{stamp}.{int(record.msecs):03d}Z", f"level={record.levelname}", f"logger={record.name}",
                 f"msg={_value(message)}"]
        for key, value in sorted(extras(record).items()):
            parts.append(f"{key}={MASK if key.lower() in PII_FIELDS else _value(redact(str(value)))}")
        line = " ".join(parts)
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            line += "\n" + record.exc_text
        if record.stack_info:
            line += "\n" + redact(record.stack_info)
        return line


_HANDLER_MARK = "_gongyou_logsafe"
QUIET_BELOW_DEBUG = ("aiosqlite", "jieba", "asyncio")


def configure(level: str | int = "INFO", *, stream: IO[str] | None = None,
              quiet: Iterable[str] = ()) -> logging.Handler:
    """Root logging for a gongyou process: one key=value handler on `stream` (stderr), redaction on.

    `quiet` names loggers kept at WARNING (loading chatter on a chat screen). At any level above
    DEBUG, aiosqlite, jieba and asyncio stay at INFO or above. Calling again replaces the handler.
    """
    install_record_factory()
    numeric = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}: use DEBUG, INFO, WARNING or ERROR")
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _HANDLER_MARK, True)
    handler.setFormatter(KeyValueFormatter())
    handler.addFilter(RedactFilter())
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in QUIET_BELOW_DEBUG:
        logging.getLogger(name).setLevel(logging.NOTSET if numeric <= logging.DEBUG else max(numeric, logging.INFO))
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
