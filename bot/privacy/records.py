"""Everything stored about one worker, read in one transaction: what /mydata shows and /forget erases.

A worker is known by (channel, user id): their tickets (the row, its personal-data JSON, its
consent and its events), their conversation row (a draft, files sent before an intake) and the
outbox messages addressed to them. Tickets already erased carry no user id, so they are not theirs
any more and do not appear.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiosqlite

from bot.dialogue.state import ConversationState
from bot.tickets.timefmt import opt_from_db

# Event types the worker saw happen or took part in; internal staff notes are counted, not quoted.
INTERNAL_EVENT_TYPES = frozenset({"note"})


@dataclass(frozen=True, slots=True)
class EventRecord:
    at: datetime
    type: str                     # created | state | assigned | staff_reply | worker_message | evidence | …
    actor_role: str               # worker | staff | system
    note: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TicketRecord:
    id: int
    code: str
    kind: str
    state: str
    topic: str
    created_at: datetime
    updated_at: datetime
    final_at: datetime | None
    consent_version: str | None
    consent_at: datetime | None
    pii: dict[str, Any]           # name, summary, employer, district, phone, evidence, source_text
    platform: str
    city: str
    amount: float | None
    headcount: int | None
    injury: bool
    amount_recovered: float | None
    transfer_to: str
    events: list[EventRecord] = field(default_factory=list)

    @property
    def evidence(self) -> list[dict[str, Any]]:
        items = self.pii.get("evidence") or []
        return [item for item in items if isinstance(item, dict)]

    @property
    def internal_notes(self) -> int:
        return sum(1 for e in self.events if e.type in INTERNAL_EVENT_TYPES)


@dataclass(frozen=True, slots=True)
class WorkerRecords:
    channel: str
    user_id: str
    tickets: list[TicketRecord]
    conversation: ConversationState | None     # None: no conversation row
    conversation_saved_at: datetime | None
    outbox_waiting: int                        # messages to them not delivered yet
    outbox_delivered: int                      # copies of messages delivered to them, still stored

    @property
    def user_key(self) -> str:
        return f"{self.channel}:{self.user_id}"

    @property
    def empty(self) -> bool:
        """Nothing personal stored: no ticket, no saved draft or files, no messages kept."""
        return (not self.tickets and not has_personal_state(self.conversation)
                and not self.outbox_waiting and not self.outbox_delivered)


# Draft keys the bot sets for itself: nothing the worker told us.
BOOKKEEPING = frozenset({"form_id", "skipped"})


def has_personal_state(state: ConversationState | None) -> bool:
    """A conversation row holds something the worker told us (a draft, consent, files); being in a
    flow with nothing filled in yet is not personal data."""
    if state is None:
        return False
    filled = any(value not in (None, "", [], {}) for key, value in state.draft.items() if key not in BOOKKEEPING)
    return bool(filled or state.consent or state.pending_files)


def _loads(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


async def gather(conn: aiosqlite.Connection, channel: str, user_id: str) -> WorkerRecords:
    """Read everything stored about the worker (call inside one read transaction)."""
    if not channel or not user_id:
        raise ValueError("a worker is named by their channel and user id")
    rows = await conn.execute_fetchall(
        "SELECT id, code, kind, state, topic, created_at, updated_at, final_at, consent_version, consent_at, pii, "
        "platform, city, amount, headcount, injury, amount_recovered, transfer_to FROM tickets "
        "WHERE channel = ? AND user_id = ? ORDER BY id", (channel, user_id),
    )
    events: dict[int, list[EventRecord]] = {row["id"]: [] for row in rows}
    if events:
        marks = ", ".join("?" for _ in events)
        for e in await conn.execute_fetchall(
            f"SELECT ticket_id, at, type, actor_role, note, data FROM events WHERE ticket_id IN ({marks}) "
            "ORDER BY ticket_id, id", tuple(events),
        ):
            events[e["ticket_id"]].append(EventRecord(
                at=datetime.fromisoformat(e["at"]), type=e["type"], actor_role=e["actor_role"], note=e["note"],
                data=_loads(e["data"])))
    tickets = [
        TicketRecord(
            id=r["id"], code=r["code"], kind=r["kind"], state=r["state"], topic=r["topic"],
            created_at=datetime.fromisoformat(r["created_at"]), updated_at=datetime.fromisoformat(r["updated_at"]),
            final_at=opt_from_db(r["final_at"]), consent_version=r["consent_version"],
            consent_at=opt_from_db(r["consent_at"]), pii=_loads(r["pii"]), platform=r["platform"], city=r["city"],
            amount=r["amount"], headcount=r["headcount"], injury=bool(r["injury"]),
            amount_recovered=r["amount_recovered"], transfer_to=r["transfer_to"], events=events[r["id"]],
        )
        for r in rows
    ]
    conversation, saved_at = await _conversation(conn, f"{channel}:{user_id}")
    counts = await conn.execute_fetchall(
        "SELECT count(*) FILTER (WHERE sent_at IS NULL AND dropped_at IS NULL), "
        "count(*) FILTER (WHERE sent_at IS NOT NULL AND text != '') "
        "FROM outbox WHERE channel = ? AND recipient = ?", (channel, user_id),
    )
    return WorkerRecords(channel=channel, user_id=user_id, tickets=tickets, conversation=conversation,
                         conversation_saved_at=saved_at, outbox_waiting=int(counts[0][0]),
                         outbox_delivered=int(counts[0][1]))


async def _conversation(conn: aiosqlite.Connection, user_key: str) -> tuple[ConversationState | None, datetime | None]:
    rows = await conn.execute_fetchall("SELECT state, updated_at FROM conversations WHERE user_key = ?", (user_key,))
    if not rows:
        return None, None
    try:
        saved_at: datetime | None = datetime.fromisoformat(rows[0]["updated_at"])
    except (TypeError, ValueError):
        saved_at = None
    return ConversationState.from_json(rows[0]["state"]), saved_at
