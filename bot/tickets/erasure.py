"""Erasing a worker's personal data while keeping the anonymous counts.

Blanks: tickets.user_id and tickets.pii; on events, every note, the data of worker_message and
evidence events, and the id/name of worker actors (the events trigger allows exactly this, once);
outbox texts, recipients and meta of the worker's messages (undelivered ones are dropped).
Kept: code, state, topic, platform, city, amounts, head count, injury flag, times — for reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from bot.tickets.api import Actor
from bot.tickets.outbox import STAFF_CHANNEL
from bot.tickets.timefmt import to_db

ERASED_ACTOR_ID = "erased"
PII_EVENT_TYPES = ("worker_message", "evidence")
BATCH = 500                      # ids per statement: far below SQLite's variable limit


async def _erase_tickets(conn: aiosqlite.Connection, ids: Sequence[int], actor: Actor, now: datetime) -> int:
    if not ids:
        return 0
    at = to_db(now)
    marks = ", ".join("?" for _ in ids)
    await conn.execute(
        f"UPDATE tickets SET user_id = '', pii = '{{}}', erased_at = ? WHERE id IN ({marks})", (at, *ids)
    )
    await conn.execute(
        f"""UPDATE events SET
                note = '',
                data = CASE WHEN type IN {PII_EVENT_TYPES!r} THEN '{{}}' ELSE data END,
                actor_id = CASE WHEN actor_role = 'worker' THEN '{ERASED_ACTOR_ID}' ELSE actor_id END,
                actor_name = CASE WHEN actor_role = 'worker' THEN '' ELSE actor_name END,
                erased_at = ?
            WHERE ticket_id IN ({marks}) AND erased_at IS NULL""",
        (at, *ids),
    )
    await _erase_outbox(conn, f"ticket_id IN ({marks})", tuple(ids), at)
    await conn.executemany(
        "INSERT INTO events (ticket_id, at, actor_role, actor_id, actor_name, type) VALUES (?, ?, ?, ?, ?, 'erased')",
        [(ticket_id, at, actor.role, actor.id, actor.name) for ticket_id in ids],
    )
    return len(ids)


async def _erase_outbox(conn: aiosqlite.Connection, where: str, params: tuple[object, ...], at: str) -> None:
    await conn.execute(
        f"""UPDATE outbox SET
                text = '', meta = '{{}}', buttons = '[]',
                recipient = CASE WHEN channel = '{STAFF_CHANNEL}' THEN recipient ELSE '' END,
                last_error = CASE WHEN sent_at IS NULL AND dropped_at IS NULL THEN 'personal data erased'
                                  ELSE last_error END,
                dropped_at = CASE WHEN sent_at IS NULL AND dropped_at IS NULL THEN ? ELSE dropped_at END
            WHERE {where}""",
        (at, *params),
    )


async def erase_worker(conn: aiosqlite.Connection, channel: str, user_id: str, actor: Actor, now: datetime) -> int:
    if not channel or not user_id:
        raise ValueError("erase_worker needs the worker's channel and user id")
    rows = await conn.execute_fetchall(
        "SELECT id FROM tickets WHERE channel = ? AND user_id = ? AND erased_at IS NULL", (channel, user_id)
    )
    count = await _erase_many(conn, [r[0] for r in rows], actor, now)
    # Messages to the worker that belong to no ticket (or to tickets already erased).
    await _erase_outbox(conn, "channel = ? AND recipient = ?", (channel, user_id), to_db(now))
    return count


async def erase_final_before(conn: aiosqlite.Connection, cutoff: datetime, actor: Actor, now: datetime) -> int:
    rows = await conn.execute_fetchall(
        "SELECT id FROM tickets WHERE final_at IS NOT NULL AND final_at < ? AND erased_at IS NULL", (to_db(cutoff),)
    )
    return await _erase_many(conn, [r[0] for r in rows], actor, now)


async def _erase_many(conn: aiosqlite.Connection, ids: list[int], actor: Actor, now: datetime) -> int:
    erased = 0
    for start in range(0, len(ids), BATCH):
        erased += await _erase_tickets(conn, ids[start: start + BATCH], actor, now)
    return erased
