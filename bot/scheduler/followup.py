"""The follow-up tick: read tickets and their events, plan, write what is due — through the outbox.

A tick is safe to run at any time and any number of times: each action is written with its
dedupe key by `TicketService.record` (event + outbox rows in one transaction, at most once), and
the digest by `TicketService.enqueue` with `digest:<date>`. APScheduler (see `runner`) only
decides when to tick; tests call `tick()` directly with a `FakeClock`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.scheduler import digest as digest_mod
from bot.scheduler import timeline as tl
from bot.scheduler.calendar import WorkCalendar
from bot.scheduler.messages import FollowUpMessages
from bot.scheduler.plan import Action, Plan, plan
from bot.scheduler.rules import SlaRules
from bot.storage.db import Database
from bot.texts import Texts
from bot.tickets.api import SYSTEM, Event, Ticket
from bot.tickets.records import EVENT_COLUMNS, event_from_row, ticket_from_row
from bot.tickets.timefmt import to_db

log = logging.getLogger(__name__)

CALENDAR_FILE = Path("calendar") / "cn_workdays.yaml"
BATCH = 500                 # ids per SQL statement
TICK_BATCH = 50             # tickets planned between two yields to the event loop
_OPEN = "('new','assigned','mediating','waiting')"
_PLAN_EVENTS = "(" + ",".join(f"'{t}'" for t in sorted(tl.PLAN_EVENTS)) + ")"


@dataclass(slots=True)
class TickResult:
    sent: list[Action] = field(default_factory=list)                    # actions written this tick
    next_at: dict[int, datetime | None] = field(default_factory=dict)   # per ticket looked at
    digest_sent: bool = False

    @property
    def earliest(self) -> datetime | None:
        times = [t for t in self.next_at.values() if t is not None]
        return min(times) if times else None


class FollowUp:
    def __init__(self, db: Database, tickets: Any, texts: Texts, calendar: WorkCalendar, rules: SlaRules,
                 clock: Clock) -> None:
        self.db = db
        self.tickets = tickets            # TicketService: record() and enqueue() write at most once
        self.messages = FollowUpMessages(texts)
        self.calendar = calendar
        self.rules = rules
        self.clock = clock

    @classmethod
    def from_services(cls, services: Any, rules: SlaRules | None = None) -> FollowUp:
        calendar = WorkCalendar.load(Path(services.data) / CALENDAR_FILE)
        follow = cls(services.db, services.tickets, services.texts, calendar, rules or SlaRules(), services.clock)
        follow.check_calendar()
        return follow

    def check_calendar(self) -> None:
        """Warn when the calendar does not cover this year or (from November) the next one."""
        today = self.clock.now().astimezone(self.calendar.tz).date()
        needed = [today.year] + ([today.year + 1] if today.month >= 11 else [])
        for year in needed:
            if not self.calendar.covers(date(year, 1, 1)):
                log.warning("working calendar has no holidays for %s: add them to data/%s from the State "
                            "Council's notice (until then Monday–Friday is assumed)", year, CALENDAR_FILE)

    # --- reading ----------------------------------------------------------------------------
    async def candidates(self, *, changed_since: datetime | None = None) -> list[int]:
        """Ticket ids to plan: those changed since, or every one with a clock running."""
        now = self.clock.now()
        async with self.db.transaction(write=False) as conn:
            if changed_since is not None:
                rows = await conn.execute_fetchall("SELECT id FROM tickets WHERE updated_at >= ?", (to_db(changed_since),))
            else:
                oldest_survey = now - self.rules.survey_after - self.rules.survey_give_up - timedelta(days=1)
                rows = await conn.execute_fetchall(
                    f"SELECT id FROM tickets WHERE state IN {_OPEN} UNION "
                    "SELECT id FROM tickets AS t WHERE resolved_at >= ? AND state = 'resolved' "
                    "AND NOT EXISTS (SELECT 1 FROM events WHERE dedupe_key = 'survey:' || t.id)",
                    (to_db(oldest_survey),),
                )
        return sorted(int(r[0]) for r in rows)

    async def load(self, ticket_ids: Sequence[int]) -> list[tuple[Ticket, list[Event]]]:
        """The tickets with the events their clocks are read from (notes, messages and files are not needed)."""
        out: list[tuple[Ticket, list[Event]]] = []
        async with self.db.transaction(write=False) as conn:
            for start in range(0, len(ticket_ids), BATCH):
                chunk = list(ticket_ids[start: start + BATCH])
                marks = ",".join("?" for _ in chunk)
                rows = await conn.execute_fetchall(f"SELECT * FROM tickets WHERE id IN ({marks}) ORDER BY id", chunk)
                events: dict[int, list[Event]] = {int(r["id"]): [] for r in rows}
                for r in await conn.execute_fetchall(
                    f"SELECT {EVENT_COLUMNS} FROM events WHERE ticket_id IN ({marks}) AND type IN {_PLAN_EVENTS} "
                    "ORDER BY ticket_id, id", chunk,
                ):
                    events[r["ticket_id"]].append(event_from_row(r))
                out += [(ticket_from_row(r), events[int(r["id"])]) for r in rows]
        return out

    def plans(self, loaded: Sequence[tuple[Ticket, list[Event]]], now: datetime) -> list[Plan]:
        return [plan(ticket, events, self.rules, self.calendar, now) for ticket, events in loaded]

    async def all_plans(self, now: datetime) -> list[Plan]:
        plans: list[Plan] = []
        ids = await self.candidates()
        for start in range(0, len(ids), TICK_BATCH):
            plans += self.plans(await self.load(ids[start: start + TICK_BATCH]), now)
            await asyncio.sleep(0)
        return plans

    # --- writing ----------------------------------------------------------------------------
    async def tick(self, *, ticket_ids: Sequence[int] | None = None, changed_since: datetime | None = None,
                   digest: bool = True) -> TickResult:
        """Write every action due now (once each); return when each ticket looked at is next due.

        Works through the tickets in batches and yields to the event loop between them, so a big
        tick never holds up the bot's handlers for long.
        """
        now = self.clock.now()
        result = TickResult()
        ids = list(ticket_ids) if ticket_ids is not None else await self.candidates(changed_since=changed_since)
        for start in range(0, len(ids), TICK_BATCH):
            for p in self.plans(await self.load(ids[start: start + TICK_BATCH]), now):
                for action in p.due:
                    if await self.apply(p.ticket, action):
                        result.sent.append(action)
                result.next_at[p.ticket.id] = p.next_at
            await asyncio.sleep(0)
        for missing in set(ids) - set(result.next_at):
            result.next_at[missing] = None
        if digest:
            result.digest_sent = await self.send_digest()
        return result

    async def apply(self, ticket: Ticket, action: Action) -> bool:
        messages = self.messages.for_action(ticket, action)
        written = await self.tickets.record(
            ticket.id, SYSTEM, "reminder", dedupe_key=action.key, messages=messages,
            data={"rule": action.rule, "key": action.key, "n": action.n, "due": action.due.isoformat()},
        )
        if written:
            log.info("follow-up sent rule=%s ticket=%s n=%s", action.rule, ticket.code, action.n)
        return bool(written)

    # --- the daily digest -------------------------------------------------------------------
    def digest_day(self, now: datetime) -> date | None:
        """Today's local date once the digest time has come, else None."""
        if self.rules.digest_at is None:
            return None
        local = now.astimezone(self.calendar.tz)
        return local.date() if local.time() >= self.rules.digest_at else None

    def next_digest_at(self, now: datetime) -> datetime | None:
        if self.rules.digest_at is None:
            return None
        local = now.astimezone(self.calendar.tz)
        at = datetime.combine(local.date(), self.rules.digest_at, self.calendar.tz)
        if at <= local:
            at += timedelta(days=1)
        return at.astimezone(now.tzinfo)

    async def send_digest(self) -> bool:
        """Today's digest, if its time has come and it was not written yet (no catch-up of older days)."""
        now = self.clock.now()
        day = self.digest_day(now)
        if day is None:
            return False
        key = f"digest:{day.isoformat()}"
        async with self.db.transaction(write=False) as conn:
            if await conn.execute_fetchall("SELECT 1 FROM outbox WHERE dedupe_key = ?", (key,)):
                return False
        plans = await self.all_plans(now)
        async with self.db.transaction(write=False) as conn:
            report = await digest_mod.build(conn, plans, day, self.calendar.tz)
        written = await self.tickets.enqueue(self.messages.digest(report)) is not None
        if written:
            log.info("follow-up digest sent day=%s open=%s overdue=%s", day, report.open, len(report.overdue))
        return written
