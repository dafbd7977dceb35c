"""What is due on one ticket, and when the next thing will be: a pure function of its history.

    plan(ticket, events, rules, calendar, now) -> Plan(due=[Action…], next_at=…, overdue=[…])

Each action carries a stable dedupe key, so applying it twice (a restart, two jobs racing) is a
no-op in the database. Repeating reminders (urgent re-alerts, "no update") only ever offer their
latest occurrence: after an outage the staff get one current reminder, not a burst of old ones.

The rules (durations in `SlaRules`):

| rule             | due                                           | to             | key                              |
|------------------|-----------------------------------------------|----------------|----------------------------------|
| urgent_unclaimed | urgent, `new`: every `urgent_realert`         | staff + admins | rem:urgent_unclaimed:<t>:<p>:<n> |
| unclaimed        | high/normal, `new`: `unclaimed_working_hours` | staff thread   | rem:unclaimed:<t>:<p>            |
| stale            | no staff update: every `stale_working_days`   | the assignee   | rem:stale:<t>:<u>:<n>            |
| mediation_limit  | `mediation_days` after first `mediating`      | staff + worker | rem:mediation_limit:<t>          |
| waiting_nudge    | `waiting` for `waiting_nudge`                 | the worker     | rem:waiting_nudge:<t>:<w>        |
| survey           | `resolved` for `survey_after`                 | the worker     | survey:<t>                       |

<t> ticket id, <p> the event that made it `new`, <u> the last staff update, <w> the event that
started waiting, <n> the occurrence. `waiting` stops the staff clocks (the time waited does not
count). The statutory 15 days of 劳动争议调解仲裁法第十四条 are counted from the first entry into
`mediating` and do NOT stop while waiting (the law's period does not pause), unless
`mediation_pauses_when_waiting` is set. Worker messages never go out at night (`worker_day_*`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.scheduler import timeline as tl
from bot.scheduler.calendar import WorkCalendar
from bot.scheduler.rules import SlaRules
from bot.scheduler.worktime import (
    deadline,
    in_daytime,
    wall_add,
    wall_between,
    working_add,
    working_between,
    working_day_length,
)
from bot.tickets.api import Event, Priority, State, Ticket

log = logging.getLogger(__name__)

URGENT_UNCLAIMED = "urgent_unclaimed"
UNCLAIMED = "unclaimed"
STALE = "stale"
MEDIATION_LIMIT = "mediation_limit"
WAITING_NUDGE = "waiting_nudge"
SURVEY = "survey"
RULES = (URGENT_UNCLAIMED, UNCLAIMED, STALE, MEDIATION_LIMIT, WAITING_NUDGE, SURVEY)

ASSIGNED_STATES = frozenset({State.ASSIGNED.value, State.MEDIATING.value, State.WAITING.value})
MAX_REPEATS = 10_000          # a hard stop for the repeat search (10 000 × 10 minutes ≈ 69 days)


@dataclass(frozen=True, slots=True)
class Action:
    due: datetime
    rule: str
    ticket_id: int
    key: str
    n: int = 1
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(slots=True)
class Plan:
    ticket: Ticket
    due: list[Action] = field(default_factory=list)        # due now and not yet sent
    next_at: datetime | None = None                        # the next time something will be due
    overdue: list[str] = field(default_factory=list)       # staff deadlines passed (rules), for the digest


class _Planner:
    def __init__(self, ticket: Ticket, events: Sequence[Event], rules: SlaRules, calendar: WorkCalendar,
                 now: datetime) -> None:
        self.ticket, self.rules, self.calendar, self.now = ticket, rules, calendar, now
        self.line = tl.read(events)
        if self.line.state != ticket.state:
            log.warning("ticket %s: events end in %s but the row says %s; using the row", ticket.code,
                        self.line.state, ticket.state)
            self.line.entered = tl.Mark(0, ticket.updated_at)
        self.plan = Plan(ticket)
        self.add_work = working_add(calendar)
        self.work_between = working_between(calendar)

    # --- collecting -------------------------------------------------------------------------
    def offer(self, rule: str, due: datetime | None, key: str, n: int = 1, **data: Any) -> None:
        """Due now → `due` (unless already sent); later → candidate for `next_at`."""
        if due is None:
            return
        if due <= self.now:
            if key not in self.line.sent:
                self.plan.due.append(Action(due, rule, self.ticket.id, key, n, data))
        elif self.plan.next_at is None or due < self.plan.next_at:
            self.plan.next_at = due

    def worker_time(self, when: datetime) -> datetime:
        return in_daytime(when, self.calendar.tz, self.rules.worker_day_start, self.rules.worker_day_end)

    @property
    def has_worker(self) -> bool:
        return bool(self.ticket.user_id)

    def entered(self) -> tl.Mark:
        return self.line.entered or tl.Mark(0, self.ticket.created_at)

    # --- the rules --------------------------------------------------------------------------
    def run(self) -> Plan:
        state = self.ticket.state
        if state == State.NEW:
            if self.ticket.priority == Priority.URGENT:
                self.urgent_unclaimed()
            else:
                self.unclaimed()
        if state in ASSIGNED_STATES:
            self.stale()
            self.mediation_limit()
        if state == State.WAITING:
            self.waiting_nudge()
        if state == State.RESOLVED:
            self.survey()
        self.plan.due.sort(key=lambda a: (a.due, a.rule))
        return self.plan

    def urgent_unclaimed(self) -> None:
        every = self.rules.urgent_realert
        if not every:
            return
        start = self.entered()
        first = start.at + every

        def key(n: int) -> str:
            return f"rem:{URGENT_UNCLAIMED}:{self.ticket.id}:{start.event_id}:{n}"

        if self.now < first:
            self.offer(URGENT_UNCLAIMED, first, key(1))
            return
        self.plan.overdue.append(URGENT_UNCLAIMED)
        n = 1 + (self.now - first) // every                   # the latest occurrence already due
        self.offer(URGENT_UNCLAIMED, first + (n - 1) * every, key(n), n,
                   minutes=round((n * every).total_seconds() / 60))
        self.offer(URGENT_UNCLAIMED, first + n * every, key(n + 1), n + 1)

    def unclaimed(self) -> None:
        hours = self.rules.unclaimed_working_hours
        if not hours:
            return
        start = self.entered()
        due = self.calendar.add_working_hours(start.at, hours)
        if self.now >= due:
            self.plan.overdue.append(UNCLAIMED)
        self.offer(UNCLAIMED, due, f"rem:{UNCLAIMED}:{self.ticket.id}:{start.event_id}", hours=hours)

    def stale(self) -> None:
        if not self.rules.stale_enabled:
            return
        since = self.line.last_update or self.entered()
        period = working_day_length(self.calendar) * self.rules.stale_working_days
        pauses = self.line.pauses_after(since.at)

        def key(n: int) -> str:
            return f"rem:{STALE}:{self.ticket.id}:{since.event_id}:{n}"

        latest: tuple[int, datetime] | None = None
        start: datetime = since.at
        for n in range(1, MAX_REPEATS):
            # Each occurrence is one more period of running clock after the previous one.
            due = deadline(start, period, [p for p in pauses if p[1] is None or p[1] > start],
                           self.add_work, self.work_between)
            if due is None:
                return                                      # paused (waiting): nothing due, nothing next
            if due > self.now:
                self.offer(STALE, due, key(n), n)
                break
            latest, start = (n, due), due
        if latest is not None:
            k, at = latest
            self.plan.overdue.append(STALE)
            self.offer(STALE, at, key(k), k, days=self.rules.stale_working_days * k,
                       assignee=self.line.assignee_name)

    def mediation_limit(self) -> None:
        started = self.line.mediation_started
        if not self.rules.mediation_days or started is None:
            return
        pauses = self.line.pauses_after(started.at) if self.rules.mediation_pauses_when_waiting else []
        due = deadline(started.at, timedelta(days=self.rules.mediation_days), pauses, wall_add, wall_between)
        if due is None:
            return
        if self.now >= due:
            self.plan.overdue.append(MEDIATION_LIMIT)
        self.offer(MEDIATION_LIMIT, self.worker_time(due), f"rem:{MEDIATION_LIMIT}:{self.ticket.id}",
                   days=self.rules.mediation_days, started=started.at.isoformat())

    def waiting_nudge(self) -> None:
        if not self.rules.waiting_nudge or not self.has_worker:
            return
        since = self.entered()
        self.offer(WAITING_NUDGE, self.worker_time(since.at + self.rules.waiting_nudge),
                   f"rem:{WAITING_NUDGE}:{self.ticket.id}:{since.event_id}")

    def survey(self) -> None:
        if not self.rules.survey_after or not self.has_worker or self.line.survey_answered:
            return
        resolved = self.entered()
        due = self.worker_time(resolved.at + self.rules.survey_after)
        if self.now - due > self.rules.survey_give_up:
            return                                          # far too late to ask
        self.offer(SURVEY, due, f"{SURVEY}:{self.ticket.id}")


def plan(ticket: Ticket, events: Sequence[Event], rules: SlaRules, calendar: WorkCalendar, now: datetime) -> Plan:
    """The actions due on `ticket` at `now` (not yet sent), and when to look again."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return _Planner(ticket, events, rules, calendar, now).run()
