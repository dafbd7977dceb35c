"""The durable outbox: rows written in the same transaction as the change, drained by channels.

Delivery order is kept per recipient: a message is only handed out when no older unsent message
to the same recipient is waiting (head of line), so a retry never overtakes, and a message that
can never be delivered must be dropped (`drop`) or it holds back the ones after it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiosqlite

from bot.storage.db import Database
from bot.tickets.api import OutboxMessage
from bot.tickets.timefmt import from_db, to_db

STAFF_CHANNEL = "staff"


@dataclass(slots=True)
class Outgoing:
    """A message to write: to a worker (channel, user id) or to staff (channel "staff", recipient "")."""

    channel: str
    recipient: str
    text: str
    kind: str
    ticket_id: int | None = None
    buttons: list[list[dict[str, str]]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str | None = None
    due_at: datetime | None = None


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


async def put(conn: aiosqlite.Connection, message: Outgoing, now: datetime) -> int | None:
    """Insert one message; returns its id, or None when its dedupe key was already used."""
    if not message.text.strip():
        raise ValueError("outbox message text is empty")
    rows = await conn.execute_fetchall(
        "INSERT INTO outbox (channel, recipient, text, buttons, ticket_id, kind, meta, dedupe_key, created_at, due_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        (
            message.channel, message.recipient, message.text, _dumps(message.buttons), message.ticket_id,
            message.kind, _dumps(message.meta), message.dedupe_key, to_db(now), to_db(message.due_at or now),
        ),
    )
    return int(rows[0][0]) if rows else None


_PENDING = """
SELECT o.id, o.channel, o.recipient, o.text, o.buttons, o.ticket_id, o.kind, o.created_at, o.attempts, o.meta
FROM outbox AS o
WHERE o.sent_at IS NULL AND o.dropped_at IS NULL AND o.due_at <= ? {channel_filter}
  AND NOT EXISTS (
      SELECT 1 FROM outbox AS older
      WHERE older.channel = o.channel AND older.recipient = o.recipient AND older.id < o.id
        AND older.sent_at IS NULL AND older.dropped_at IS NULL
  )
ORDER BY o.id
LIMIT ?
"""


async def pending(db: Database, now: datetime, *, channel: str | None, limit: int) -> list[OutboxMessage]:
    """One statement (its own snapshot), read outside any transaction: the sender polls this often."""
    sql = _PENDING.format(channel_filter="AND o.channel = ?" if channel is not None else "")
    params: tuple[Any, ...] = (to_db(now), channel, limit) if channel is not None else (to_db(now), limit)
    rows = await db.fetch_all(sql, params)
    return [
        OutboxMessage(
            id=r["id"], channel=r["channel"], recipient=r["recipient"], text=r["text"],
            buttons=json.loads(r["buttons"]), ticket_id=r["ticket_id"], kind=r["kind"],
            created_at=from_db(r["created_at"]), attempts=r["attempts"], meta=json.loads(r["meta"]),
        )
        for r in rows
    ]


async def _exists(conn: aiosqlite.Connection, message_id: int) -> None:
    rows = await conn.execute_fetchall("SELECT 1 FROM outbox WHERE id = ?", (message_id,))
    if not rows:
        raise LookupError(f"no outbox message with id {message_id}")


async def mark_sent(conn: aiosqlite.Connection, message_id: int, now: datetime, meta: dict[str, Any] | None) -> None:
    """Idempotent: a second call (or a call after a drop) changes nothing."""
    await _exists(conn, message_id)
    await conn.execute(
        "UPDATE outbox SET sent_at = ?, sent_meta = ? WHERE id = ? AND sent_at IS NULL AND dropped_at IS NULL",
        (to_db(now), _dumps(meta or {}), message_id),
    )


async def mark_failed(conn: aiosqlite.Connection, message_id: int, error: str, retry_at: datetime) -> None:
    await _exists(conn, message_id)
    await conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, due_at = ? "
        "WHERE id = ? AND sent_at IS NULL AND dropped_at IS NULL",
        (error[:1000], to_db(retry_at), message_id),
    )


async def drop(conn: aiosqlite.Connection, message_id: int, error: str, now: datetime) -> None:
    """Give up on a message that can never be delivered (the worker blocked the bot, the chat is gone)."""
    await _exists(conn, message_id)
    await conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, dropped_at = ? "
        "WHERE id = ? AND sent_at IS NULL AND dropped_at IS NULL",
        (error[:1000], to_db(now), message_id),
    )
