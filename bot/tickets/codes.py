"""Ticket codes `GY-YYYYMMDD-NNNN`: the local (Asia/Shanghai) date and a per-day counter.

The counter is bumped inside the transaction that inserts the ticket, so two concurrent intakes
can never get the same number; the UNIQUE index on `tickets.code` is the backstop.
"""

from __future__ import annotations

import re
from datetime import datetime

import aiosqlite

from bot.clock import to_local

PREFIX = "GY"
CODE_RE = re.compile(r"^GY-(\d{8})-(\d{4,})$")


def local_day(now: datetime) -> str:
    return to_local(now).strftime("%Y%m%d")


def format_code(day: str, number: int) -> str:
    return f"{PREFIX}-{day}-{number:04d}"


def normalize_code(text: str) -> str:
    """What staff type ("gy-20261123-7", " GY-20261123-0007 ") → the stored form, or "" if it is no code."""
    cleaned = text.strip().upper().replace("—", "-").replace("－", "-")
    match = re.fullmatch(r"GY-?(\d{8})-?(\d{1,})", cleaned)
    if not match:
        return ""
    return format_code(match.group(1), int(match.group(2)))


async def allocate_code(conn: aiosqlite.Connection, now: datetime) -> str:
    """Next code for the local day of `now`. Call inside a write transaction."""
    day = local_day(now)
    rows = await conn.execute_fetchall(
        "INSERT INTO code_counters (day, last) VALUES (?, 1) "
        "ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last",
        (day,),
    )
    return format_code(day, int(rows[0][0]))
