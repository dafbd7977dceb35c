"""Erase one worker's personal data in one transaction, and say exactly what went and what stayed.

Built on `bot.tickets.erasure` (tickets, events, outbox); adds the conversation row (draft, files
sent before an intake) and a note to staff per erased ticket, written after the blanking so it
survives: staff learn the worker can no longer be reached and that the staff group still holds
copies of the alert (the bot cannot reach back into Telegram's history).

The `erased` event of a worker's own request names no one: the actor is ("worker", "erased"),
never the worker's id, which is exactly what is being removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import aiosqlite

from bot.texts import Texts
from bot.tickets import erasure, outbox
from bot.tickets.api import Actor, State
from bot.tickets.outbox import Outgoing

ANONYMOUS_WORKER = Actor("worker", erasure.ERASED_ACTOR_ID, "")
# Freed space is overwritten with zeros, so erased text does not linger in the file's free pages
# (many builds default to it; this does not depend on the build). Stays on for the connection.
SECURE_DELETE = "PRAGMA secure_delete = ON"
OPEN_STATES = (State.NEW.value, State.ASSIGNED.value, State.MEDIATING.value, State.WAITING.value)


@dataclass(frozen=True, slots=True)
class ErasureResult:
    """What an erasure removed (counts) — the worker is told these numbers."""

    codes: list[str] = field(default_factory=list)        # tickets whose personal data was erased
    open_codes: list[str] = field(default_factory=list)   # of those, the ones still being handled
    messages: int = 0              # the worker's messages on those tickets
    files: int = 0                 # files (photos, documents) and their ids
    replies: int = 0               # staff replies to the worker
    other_texts: int = 0           # internal notes, reasons, survey comments
    outbox_dropped: int = 0        # messages not delivered yet, dropped
    outbox_blanked: int = 0        # stored copies of delivered messages, blanked
    conversation: bool = False     # a conversation row (draft, files, progress) deleted

    @property
    def tickets(self) -> int:
        return len(self.codes)

    @property
    def anything(self) -> bool:
        return bool(self.codes or self.outbox_dropped or self.outbox_blanked or self.conversation)


async def _ticket_rows(conn: aiosqlite.Connection, channel: str, user_id: str) -> list[aiosqlite.Row]:
    return list(await conn.execute_fetchall(
        "SELECT id, code, state FROM tickets WHERE channel = ? AND user_id = ? AND erased_at IS NULL ORDER BY id",
        (channel, user_id),
    ))


async def _count(conn: aiosqlite.Connection, ids: Sequence[int], channel: str, user_id: str) -> dict[str, int]:
    marks = ", ".join("?" for _ in ids) or "NULL"
    events = await conn.execute_fetchall(
        f"""SELECT count(*) FILTER (WHERE type = 'worker_message' AND note != ''),
                   count(*) FILTER (WHERE type = 'staff_reply' AND note != ''),
                   count(*) FILTER (WHERE type NOT IN ('worker_message', 'staff_reply') AND note != '')
            FROM events WHERE ticket_id IN ({marks}) AND erased_at IS NULL""", tuple(ids),
    )
    files = await conn.execute_fetchall(
        f"SELECT total(json_array_length(pii, '$.evidence')) FROM tickets WHERE id IN ({marks})", tuple(ids))
    mine = f"(ticket_id IN ({marks}) OR (channel = ? AND recipient = ?))"
    boxed = await conn.execute_fetchall(
        f"""SELECT count(*) FILTER (WHERE sent_at IS NULL AND dropped_at IS NULL),
                   count(*) FILTER (WHERE sent_at IS NOT NULL AND text != '')
            FROM outbox WHERE {mine}""", (*ids, channel, user_id),
    )
    return {"messages": events[0][0], "files": int(files[0][0]), "replies": events[0][1], "other_texts": events[0][2],
            "outbox_dropped": boxed[0][0], "outbox_blanked": boxed[0][1]}


async def erase_worker(conn: aiosqlite.Connection, texts: Texts, channel: str, user_id: str, actor: Actor,
                       now: datetime, *, reason_key: str = "privacy.staff.erased.by_worker") -> ErasureResult:
    """Erase everything personal about the worker (call inside one write transaction).

    `actor` is who asked: a staff member, or the worker (recorded anonymously). Running it twice
    changes nothing the second time and returns an empty result.
    """
    if not channel or not user_id:
        raise ValueError("a worker is named by their channel and user id")
    if actor.role == "worker":
        actor = ANONYMOUS_WORKER
    await conn.execute(SECURE_DELETE)
    rows = await _ticket_rows(conn, channel, user_id)
    ids = [row["id"] for row in rows]
    counts = await _count(conn, ids, channel, user_id)
    await erasure.erase_worker(conn, channel, user_id, actor, now)
    deleted = await conn.execute("DELETE FROM conversations WHERE user_key = ?", (f"{channel}:{user_id}",))
    open_codes = [row["code"] for row in rows if row["state"] in OPEN_STATES]
    for row in rows:
        text = texts.render(reason_key, code=row["code"])
        if row["code"] in open_codes:
            text += "\n" + texts.render("privacy.staff.erased.open")
        await outbox.put(conn, Outgoing(outbox.STAFF_CHANNEL, "", text, "notify", ticket_id=row["id"],
                                        meta={"event": "erased", "code": row["code"]}), now)
    return ErasureResult(codes=[row["code"] for row in rows], open_codes=open_codes,
                         conversation=(deleted.rowcount or 0) > 0, **counts)


async def worker_of_ticket(conn: aiosqlite.Connection, ticket_id: int) -> tuple[str, str] | None:
    """(channel, user id) of the worker behind a ticket; None when its personal data is already erased."""
    rows = await conn.execute_fetchall("SELECT channel, user_id FROM tickets WHERE id = ?", (ticket_id,))
    if not rows or not rows[0]["user_id"]:
        return None
    return rows[0]["channel"], rows[0]["user_id"]
