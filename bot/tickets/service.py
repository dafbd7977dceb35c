"""The ticket service: every channel, the dialogue and the scheduler change tickets through it.

Each operation is one transaction that updates the ticket row (derived state), appends the
event(s) and writes the outbox messages it causes — so a crash leaves either all of it or none,
and nothing is ever sent from here. The state machine is in `bot.tickets.states`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.clock import Clock
from bot.storage.db import Database
from bot.texts import Texts
from bot.tickets import erasure, outbox, states
from bot.tickets import stats as stats_mod
from bot.tickets.api import (
    AccessError,
    Actor,
    Consent,
    Event,
    Intake,
    Kind,
    OutboxMessage,
    State,
    Stats,
    Ticket,
    TicketClock,
    TicketNotFound,
    TransitionError,
)
from bot.tickets.codes import allocate_code, normalize_code
from bot.tickets.notify import Notifier
from bot.tickets.outbox import Outgoing
from bot.tickets.priority import RANK, PriorityRules, compute_priority
from bot.tickets.records import (
    EVENT_COLUMNS,
    dumps,
    event_from_row,
    pii_of,
    ticket_from_row,
)
from bot.tickets.timefmt import from_db, opt_from_db, to_db

# How long a worker's ticket confirmation waits for the dialogue's own reply to be delivered.
REPLY_GRACE = timedelta(seconds=90)


def told_key(ticket_id: int) -> str:
    return f"created:{ticket_id}"

STAFF = frozenset({"staff"})
STAFF_OR_SYSTEM = frozenset({"staff", "system"})
_OPEN_SQL = "('new','assigned','mediating','waiting')"   # must match the partial index tickets_queue


class TicketService:
    """Implements `bot.tickets.api.TicketApi` on one `Database`; times come from `clock` only."""

    def __init__(self, db: Database, clock: Clock, texts: Texts, *,
                 high_amount_yuan: float = 10_000, collective_headcount: int = 10) -> None:
        self.db = db
        self.clock = clock
        self.notifier = Notifier(texts)
        self.rules = PriorityRules(high_amount_yuan=high_amount_yuan, collective_headcount=collective_headcount)

    # ------------------------------------------------------------------ helpers
    def _now(self) -> datetime:
        now = self.clock.now()
        if now.tzinfo is None:
            raise ValueError("the clock gave a naive datetime; it must be timezone-aware")
        return now

    @staticmethod
    def _require(actor: Actor, roles: frozenset[str], what: str) -> None:
        if actor.role not in roles:
            raise AccessError(
                f"只有工会工作人员可以{what}。(only {' or '.join(sorted(roles))} may {what}; got role {actor.role!r})"
            )

    @staticmethod
    async def _load(conn: aiosqlite.Connection, ticket_id: int) -> aiosqlite.Row:
        rows = await conn.execute_fetchall("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
        if not rows:
            raise TicketNotFound(f"没有这个工单（编号 {ticket_id}）。(no ticket with id {ticket_id})")
        return rows[0]

    async def _reload(self, conn: aiosqlite.Connection, ticket_id: int) -> Ticket:
        return ticket_from_row(await self._load(conn, ticket_id))

    @staticmethod
    async def _event(conn: aiosqlite.Connection, ticket_id: int, actor: Actor, type_: str, now: datetime, *,
                     note: str = "", data: dict[str, Any] | None = None, dedupe_key: str | None = None) -> int | None:
        rows = await conn.execute_fetchall(
            "INSERT INTO events (ticket_id, at, actor_role, actor_id, actor_name, type, note, data, dedupe_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            (ticket_id, to_db(now), actor.role, actor.id, actor.name, type_, note, dumps(data or {}), dedupe_key),
        )
        return int(rows[0][0]) if rows else None

    @staticmethod
    async def _send(conn: aiosqlite.Connection, messages: Iterable[Outgoing | None], now: datetime) -> None:
        for message in messages:
            if message is not None:
                await outbox.put(conn, message, now)

    @staticmethod
    def _staff_update(row: aiosqlite.Row, actor: Actor, now: datetime) -> dict[str, Any]:
        """Columns to set for a worker-visible staff action: the last update, and the first response once."""
        if actor.role != "staff":
            return {}
        values: dict[str, Any] = {"last_update_at": to_db(now)}
        if row["first_response_at"] is None:
            values.update(first_response_at=to_db(now),
                          first_response_s=(now - from_db(row["created_at"])).total_seconds())
        return values

    @staticmethod
    async def _update(conn: aiosqlite.Connection, ticket_id: int, values: dict[str, Any]) -> None:
        assignments = ", ".join(f"{column} = ?" for column in values)
        await conn.execute(f"UPDATE tickets SET {assignments} WHERE id = ?", (*values.values(), ticket_id))

    @staticmethod
    def _waiting_end(row: aiosqlite.Row, now: datetime) -> dict[str, Any]:
        if row["waiting_since"] is None:
            return {}
        waited = (now - from_db(row["waiting_since"])).total_seconds()
        return {"waiting_since": None, "waiting_total_s": row["waiting_total_s"] + max(waited, 0.0)}

    @staticmethod
    def _check_worker(row: aiosqlite.Row, actor: Actor) -> None:
        expected = f"{row['channel']}:{row['user_id']}"
        if actor.role != "worker" or actor.id != expected or not row["user_id"]:
            raise AccessError(
                f"这不是你的工单。(ticket {row['code']} belongs to {row['channel']} user; "
                f"a worker actor must be Actor('worker', '{row['channel']}:<user id>'), got {actor.role}/{actor.id})"
            )

    # ------------------------------------------------------------------ worker side
    async def create(self, *, channel: str, user_id: str, kind: Kind, intake: Intake,
                     consent: Consent | None, actor: Actor, told_in_reply: bool = False,
                     form_key: str | None = None) -> Ticket:
        """Open a ticket; staff are alerted and the worker is told the code, both through the outbox.

        `told_in_reply=True` when the caller tells the worker the code in its own reply (the
        dialogue does): the worker's confirmation is then held back for `REPLY_GRACE` and the
        channel calls `settle_told` once that reply is delivered. If the reply is lost (a crash,
        Telegram down), the held-back confirmation goes out by itself: never lost, and not said twice.

        `form_key` names the form being submitted: a second submit of the same form (a button
        pressed twice, Telegram re-sending an update after a crash) returns the ticket it already
        filed and writes nothing.
        """
        kind = Kind(kind)
        if not channel or not user_id or channel == outbox.STAFF_CHANNEL:
            raise ValueError(f"a ticket needs the worker's channel and user id (got {channel!r}, {user_id!r})")
        if intake.amount is not None and (not math.isfinite(intake.amount) or intake.amount < 0):
            raise ValueError(f"intake amount must be a non-negative number of yuan (got {intake.amount!r})")
        if intake.headcount is not None and intake.headcount < 0:
            raise ValueError(f"intake head count must not be negative (got {intake.headcount!r})")
        priority = compute_priority(kind, intake, self.rules)
        worker_name = actor.name if actor.role == "worker" else ""
        topic = intake.topic or "none"
        now = self._now()
        async with self.db.transaction() as conn:
            if form_key:
                filed = await conn.execute_fetchall("SELECT id FROM tickets WHERE form_key = ?", (form_key,))
                if filed:
                    return await self._reload(conn, int(filed[0][0]))
            code = await allocate_code(conn, now)
            inserted = await conn.execute_fetchall(
                "INSERT INTO tickets (code, channel, user_id, kind, state, priority, priority_rank, topic, platform, "
                "city, amount, headcount, injury, pii, consent_version, consent_at, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    code, channel, user_id, kind.value, priority.value, RANK[priority], topic, intake.platform,
                    intake.city, intake.amount, intake.headcount, int(intake.injury), dumps(pii_of(intake, worker_name)),
                    consent.text_version if consent else None, to_db(consent.agreed_at) if consent else None,
                    to_db(now), to_db(now),
                ),
            )
            ticket_id = int(inserted[0][0])
            if form_key:
                await conn.execute("UPDATE tickets SET form_key = ? WHERE id = ?", (form_key, ticket_id))
            await self._event(conn, ticket_id, actor, "created", now, data={
                "kind": kind.value, "priority": priority.value, "topic": topic,
                "consent": consent.text_version if consent else None,
            })
            ticket = await self._reload(conn, ticket_id)
            to_worker = self.notifier.created_for_worker(ticket)
            if told_in_reply:
                to_worker.dedupe_key = told_key(ticket.id)
                to_worker.due_at = now + REPLY_GRACE
            await self._send(conn, (to_worker, self.notifier.new_for_staff(ticket, worker_name)), now)
        return ticket

    async def worker_message(self, ticket_id: int, actor: Actor, *, text: str = "",
                             attachment: dict[str, Any] | None = None) -> None:
        """A worker's follow-up. On a `waiting` ticket it moves the case back to `mediating`."""
        if not text.strip() and not attachment:
            raise ValueError("a worker message needs text or an attachment")
        now = self._now()
        async with self.db.transaction() as conn:
            row = await self._load(conn, ticket_id)
            self._check_worker(row, actor)
            values: dict[str, Any] = {"updated_at": to_db(now)}
            if row["state"] == State.WAITING:
                values.update(self._waiting_end(row, now), state=State.MEDIATING.value)
                await self._event(conn, ticket_id, actor, "state", now,
                                  data={"from": State.WAITING.value, "to": State.MEDIATING.value})
            await self._update(conn, ticket_id, values)
            messages: list[Outgoing] = []
            if text.strip():
                await self._event(conn, ticket_id, actor, "worker_message", now, note=text.strip())
                ticket = await self._reload(conn, ticket_id)
                messages.append(self.notifier.worker_message_for_staff(ticket, actor, text))
            if attachment:
                messages.append(await self._add_evidence(conn, ticket_id, actor, attachment, now))
            await self._send(conn, messages, now)

    async def add_evidence(self, ticket_id: int, actor: Actor, item: dict[str, Any]) -> None:
        """Attach a file ({"kind","file_id","name"}) to the ticket: by its worker, or by staff."""
        now = self._now()
        async with self.db.transaction() as conn:
            row = await self._load(conn, ticket_id)
            if actor.role == "worker":
                self._check_worker(row, actor)
            else:
                self._require(actor, STAFF_OR_SYSTEM, "添加材料")
            await self._update(conn, ticket_id, {"updated_at": to_db(now)})
            message = await self._add_evidence(conn, ticket_id, actor, item, now)
            await self._send(conn, [message] if actor.role == "worker" else [], now)

    async def _add_evidence(self, conn: aiosqlite.Connection, ticket_id: int, actor: Actor,
                            item: dict[str, Any], now: datetime) -> Outgoing:
        item = {str(k): v for k, v in item.items()}
        item.setdefault("kind", "other")
        await conn.execute(
            "UPDATE tickets SET pii = json_set(pii, '$.evidence[#]', json(?)) WHERE id = ?", (dumps(item), ticket_id)
        )
        await self._event(conn, ticket_id, actor, "evidence", now, data=item)
        ticket = await self._reload(conn, ticket_id)
        return self.notifier.evidence_for_staff(ticket, actor, item)

    async def tickets_of(self, channel: str, user_id: str) -> list[Ticket]:
        """The worker's tickets, newest first."""
        if not user_id:
            return []
        rows = await self.db.fetch_all(
            "SELECT * FROM tickets WHERE channel = ? AND user_id = ? ORDER BY id DESC", (channel, user_id)
        )
        return [ticket_from_row(r) for r in rows]

    async def active_ticket_of(self, channel: str, user_id: str) -> Ticket | None:
        """The worker's newest ticket that is not resolved, transferred or closed."""
        if not user_id:
            return None
        rows = await self.db.fetch_all(
            f"SELECT * FROM tickets WHERE channel = ? AND user_id = ? AND state IN {_OPEN_SQL} "
            "ORDER BY id DESC LIMIT 1",
            (channel, user_id),
        )
        return ticket_from_row(rows[0]) if rows else None

    # ------------------------------------------------------------------ staff side: reading
    async def get(self, ticket_id: int) -> Ticket:
        async with self.db.transaction(write=False) as conn:
            return await self._reload(conn, ticket_id)

    async def by_code(self, code: str) -> Ticket | None:
        normalized = normalize_code(code)
        if not normalized:
            return None
        rows = await self.db.fetch_all("SELECT * FROM tickets WHERE code = ?", (normalized,))
        return ticket_from_row(rows[0]) if rows else None

    async def queue(self, *, limit: int = 50, assignee: str | None = None) -> list[Ticket]:
        """Open tickets (new, assigned, mediating, waiting): most urgent first, then oldest first."""
        where = f"state IN {_OPEN_SQL}" + (" AND assignee = ?" if assignee is not None else "")
        params: tuple[Any, ...] = (assignee, limit) if assignee is not None else (limit,)
        rows = await self.db.fetch_all(
            f"SELECT * FROM tickets WHERE {where} ORDER BY priority_rank, created_at, id LIMIT ?", params
        )
        return [ticket_from_row(r) for r in rows]

    async def open_clocks(self) -> list[TicketClock]:
        """Every open ticket with the times SLA reminders are computed from (queue order)."""
        rows = await self.db.fetch_all(
            f"SELECT * FROM tickets WHERE state IN {_OPEN_SQL} ORDER BY priority_rank, created_at, id"
        )
        return [
            TicketClock(ticket=ticket_from_row(r), waiting_since=opt_from_db(r["waiting_since"]),
                        waiting_total_s=float(r["waiting_total_s"]), last_update_at=opt_from_db(r["last_update_at"]))
            for r in rows
        ]

    async def events(self, ticket_id: int) -> list[Event]:
        async with self.db.transaction(write=False) as conn:
            await self._load(conn, ticket_id)
            rows = await conn.execute_fetchall(
                f"SELECT {EVENT_COLUMNS} FROM events WHERE ticket_id = ? ORDER BY id", (ticket_id,)
            )
        return [event_from_row(r) for r in rows]

    async def stats(self, *, since: datetime | None = None) -> Stats:
        async with self.db.transaction(write=False) as conn:
            return await stats_mod.compute(conn, since)

    # ------------------------------------------------------------------ staff side: changing
    async def claim(self, ticket_id: int, staff: Actor) -> Ticket:
        """Take the ticket. A second tap by the same staff changes nothing; another staff is refused."""
        self._require(staff, STAFF, "接单")
        now = self._now()
        async with self.db.transaction() as conn:
            row = await self._load(conn, ticket_id)
            return await self._take(conn, row, staff, staff.id, staff.name or staff.id, now, claim=True)

    async def assign(self, ticket_id: int, staff: Actor, assignee: str, *, assignee_name: str = "") -> Ticket:
        """Give the ticket to `assignee` (a staff actor id): first assignment or hand-over."""
        self._require(staff, STAFF_OR_SYSTEM, "指派工单")
        if not assignee.strip():
            raise ValueError("assign needs the assignee's staff id")
        if not assignee_name and assignee == staff.id:
            assignee_name = staff.name
        now = self._now()
        async with self.db.transaction() as conn:
            row = await self._load(conn, ticket_id)
            return await self._take(conn, row, staff, assignee, assignee_name or assignee, now, claim=False)

    async def _take(self, conn: aiosqlite.Connection, row: aiosqlite.Row, by: Actor, assignee: str,
                    assignee_name: str, now: datetime, *, claim: bool) -> Ticket:
        current = State(row["state"])
        if current in states.FINAL_STATES:
            raise TransitionError(states.refusal(row["code"], current, State.ASSIGNED))
        if row["assignee"] == assignee:
            return ticket_from_row(row)            # a double tap: nothing to do, no second event
        if claim and row["assignee"]:
            holder = row["assignee_name"] or row["assignee"]
            raise TransitionError(f"工单 {row['code']} 已由{holder}接单。(ticket {row['code']} is already claimed by {holder})")
        target = State.ASSIGNED if current is State.NEW else current
        await self._update(conn, row["id"], {
            "assignee": assignee, "assignee_name": assignee_name, "state": target.value, "updated_at": to_db(now),
            **self._staff_update(row, by, now),
        })
        await self._event(conn, row["id"], by, "assigned", now, data={
            "assignee": assignee, "assignee_name": assignee_name, "previous": row["assignee"],
            "from": current.value, "to": target.value,
        })
        ticket = await self._reload(conn, row["id"])
        messages: list[Outgoing] = []
        if current is State.NEW:
            messages.append(self.notifier.claimed_for_worker(ticket))
        if assignee != by.id:
            messages.append(self.notifier.assigned_for_staff(ticket, by, assignee_name))
        await self._send(conn, messages, now)
        return ticket

    async def note(self, ticket_id: int, staff: Actor, text: str) -> None:
        """An internal note: staff only, never shown to the worker."""
        self._require(staff, STAFF_OR_SYSTEM, "写备注")
        if not text.strip():
            raise ValueError("a note needs text")
        now = self._now()
        async with self.db.transaction() as conn:
            await self._load(conn, ticket_id)
            await self._update(conn, ticket_id, {"updated_at": to_db(now)})
            await self._event(conn, ticket_id, staff, "note", now, note=text.strip())

    async def reply(self, ticket_id: int, staff: Actor, text: str) -> None:
        """A message to the worker, signed as 工会调解员."""
        self._require(staff, STAFF, "回复工人")
        if not text.strip():
            raise ValueError("a reply needs text")
        now = self._now()
        async with self.db.transaction() as conn:
            row = await self._load(conn, ticket_id)
            if not row["user_id"]:
                raise TransitionError(
                    f"工单 {row['code']} 的工人已删除个人信息，无法再联系。(the worker erased their data; cannot reply)"
                )
            await self._update(conn, ticket_id, {"updated_at": to_db(now), **self._staff_update(row, staff, now)})
            await self._event(conn, ticket_id, staff, "staff_reply", now, note=text.strip())
            ticket = ticket_from_row(row)
            await self._send(conn, [self.notifier.reply_for_worker(ticket, text)], now)

    async def change_state(self, ticket_id: int, staff: Actor, new_state: State, *,
                           reason: str = "", amount_recovered: float | None = None,
                           transfer_to: str = "") -> Ticket:
        """Move the ticket along the state machine (see `bot.tickets.states`); refusals say why."""
        try:
            target = State(new_state)
        except ValueError:
            raise TransitionError(f"没有「{new_state}」这个状态。(unknown state {new_state!r})") from None
        self._require(staff, STAFF_OR_SYSTEM, "修改工单状态")
        now = self._now()
        async with self.db.transaction() as conn:
            row = await self._load(conn, ticket_id)
            code, current = row["code"], State(row["state"])
            if current is State.NEW and target is State.ASSIGNED:
                self._require(staff, STAFF, "接单")
                return await self._take(conn, row, staff, staff.id, staff.name or staff.id, now, claim=True)
            if why := states.refusal(code, current, target):
                raise TransitionError(why)
            reason = reason.strip()
            if target in states.NEEDS_REASON and not reason:
                raise TransitionError(
                    f"{'关闭' if target is State.CLOSED else '转交'}工单 {code} 需要写明原因（会告诉工人）。"
                    f"(a reason is required to {'close' if target is State.CLOSED else 'transfer'} a ticket)"
                )
            if target is State.RESOLVED:
                if amount_recovered is None:
                    raise TransitionError(
                        f"办结工单 {code} 请填写追回金额，没有追回就填 0。(give the amount recovered to resolve; 0 is allowed)"
                    )
                if not math.isfinite(amount_recovered) or amount_recovered < 0:
                    raise TransitionError(f"追回金额要是 0 或正数。(amount recovered must be ≥ 0, got {amount_recovered})")
            elif amount_recovered is not None:
                raise TransitionError(
                    f"只有办结时才填写追回金额。(amount recovered is only given when resolving, not for {target})"
                )
            if transfer_to.strip() and target is not State.TRANSFERRED:
                raise TransitionError(f"只有转交时才填写转交去向。(transfer_to is only for transferring, not {target})")

            values: dict[str, Any] = {"state": target.value, "updated_at": to_db(now),
                                      **self._waiting_end(row, now), **self._staff_update(row, staff, now)}
            if target is State.WAITING:
                values["waiting_since"] = to_db(now)
            if target in states.FINAL_STATES:
                values["final_at"] = to_db(now)
            if target is State.RESOLVED:
                values.update(resolved_at=to_db(now), amount_recovered=float(amount_recovered),
                              resolution_s=(now - from_db(row["created_at"])).total_seconds())
            if target is State.TRANSFERRED:
                values["transfer_to"] = transfer_to.strip()
            await self._update(conn, ticket_id, values)
            data: dict[str, Any] = {"from": current.value, "to": target.value}
            if target is State.RESOLVED:
                data["amount_recovered"] = float(amount_recovered)
            if transfer_to.strip():
                data["transfer_to"] = transfer_to.strip()
            await self._event(conn, ticket_id, staff, "state", now, note=reason, data=data)
            ticket = await self._reload(conn, ticket_id)
            await self._send(conn, [self.notifier.state_for_worker(
                ticket, reason=reason, amount_recovered=amount_recovered, transfer_to=transfer_to)], now)
            return ticket

    async def reopen(self, ticket_id: int, staff: Actor, reason: str) -> Ticket:
        """Resolved/transferred/closed → assigned (if it has an assignee) or new."""
        self._require(staff, STAFF_OR_SYSTEM, "重新打开工单")
        now = self._now()
        async with self.db.transaction() as conn:
            row = await self._load(conn, ticket_id)
            if why := states.reopen_refusal(row["code"], row["state"]):
                raise TransitionError(why)
            target = states.reopen_target(row["assignee"])
            await self._update(conn, ticket_id, {
                "state": target.value, "updated_at": to_db(now), "final_at": None, "resolved_at": None,
                "resolution_s": None, "amount_recovered": None, "transfer_to": "",
                **self._staff_update(row, staff, now),
            })
            await self._event(conn, ticket_id, staff, "reopened", now, note=reason.strip(), data={
                "from": row["state"], "to": target.value, "previous_amount_recovered": row["amount_recovered"],
            })
            ticket = await self._reload(conn, ticket_id)
            messages = [self.notifier.reopened_for_staff(ticket, staff, reason)]
            if row["user_id"]:
                messages.insert(0, self.notifier.reopened_for_worker(ticket))
            await self._send(conn, messages, now)
            return ticket

    # ------------------------------------------------------------------ staff threads (Telegram topics, alerts)
    async def set_staff_thread(self, ticket_id: int, thread: str) -> None:
        async with self.db.transaction() as conn:
            row = await self._load(conn, ticket_id)
            other = await conn.execute_fetchall(
                "SELECT code FROM tickets WHERE staff_thread = ? AND id != ?", (thread, ticket_id)
            )
            if other:
                raise ValueError(f"staff thread {thread!r} already belongs to ticket {other[0][0]}, not {row['code']}")
            await self._update(conn, ticket_id, {"staff_thread": thread})

    async def ticket_by_staff_thread(self, thread: str) -> Ticket | None:
        rows = await self.db.fetch_all("SELECT * FROM tickets WHERE staff_thread = ?", (thread,))
        return ticket_from_row(rows[0]) if rows else None

    # ------------------------------------------------------------------ scheduler and other producers
    async def record(self, ticket_id: int, actor: Actor, type_: str, *, note: str = "",
                     data: dict[str, Any] | None = None, dedupe_key: str | None = None,
                     messages: Sequence[Outgoing] = ()) -> bool:
        """Append an event (e.g. "reminder") and its outbox messages at most once per `dedupe_key`.

        Returns False, writing nothing, when an event with that key exists: a restart that re-runs a
        job neither loses nor repeats it.
        """
        now = self._now()
        async with self.db.transaction() as conn:
            await self._load(conn, ticket_id)
            if await self._event(conn, ticket_id, actor, type_, now, note=note, data=data, dedupe_key=dedupe_key) is None:
                return False
            await self._send(conn, messages, now)
            return True

    async def enqueue(self, message: Outgoing) -> int | None:
        """Put one message in the outbox (digests, surveys); None if its dedupe key was already used."""
        now = self._now()
        async with self.db.transaction() as conn:
            return await outbox.put(conn, message, now)

    # ------------------------------------------------------------------ outbox (drained by the channels)
    async def outbox_pending(self, *, channel: str | None = None, limit: int = 100) -> list[OutboxMessage]:
        """Due, unsent messages, oldest first; at most the oldest waiting one per recipient."""
        now = self._now()
        return await outbox.pending(self.db, now, channel=channel, limit=limit)

    async def outbox_mark_sent(self, message_id: int, *, meta: dict[str, Any] | None = None) -> None:
        now = self._now()
        async with self.db.transaction() as conn:
            await outbox.mark_sent(conn, message_id, now, meta)

    async def settle_told(self, ticket_id: int) -> None:
        """The worker's own reply carried this ticket's code: the held-back confirmation is not needed."""
        now = self._now()
        async with self.db.transaction() as conn:
            rows = await conn.execute_fetchall("SELECT id FROM outbox WHERE dedupe_key = ?", (told_key(ticket_id),))
            for (message_id,) in rows:
                await outbox.mark_sent(conn, int(message_id), now, {"told_in_reply": True})

    async def outbox_mark_failed(self, message_id: int, error: str, *, retry_at: datetime) -> None:
        async with self.db.transaction() as conn:
            await outbox.mark_failed(conn, message_id, error, retry_at)

    async def outbox_drop(self, message_id: int, error: str) -> None:
        """Give up on an undeliverable message so it stops holding back later ones to the same recipient."""
        now = self._now()
        async with self.db.transaction() as conn:
            await outbox.drop(conn, message_id, error, now)

    # ------------------------------------------------------------------ personal data
    async def erase_worker(self, channel: str, user_id: str, actor: Actor) -> int:
        """Blank the worker's personal data on all their tickets, keeping anonymous counts. Returns tickets erased."""
        now = self._now()
        async with self.db.transaction() as conn:
            return await erasure.erase_worker(conn, channel, user_id, actor, now)

    async def erase_final_before(self, cutoff: datetime, actor: Actor) -> int:
        """Retention: blank personal data of tickets finished (resolved/transferred/closed) before `cutoff`."""
        now = self._now()
        async with self.db.transaction() as conn:
            return await erasure.erase_final_before(conn, cutoff, actor, now)
