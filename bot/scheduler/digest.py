"""The daily digest's figures: new, unclaimed, overdue and urgent tickets; yesterday's results.

"Yesterday" and "today" are local dates (Asia/Shanghai). Overdue comes from the same plans the
reminders use, so the digest and the reminders never disagree about a deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import aiosqlite

from bot.scheduler.plan import Plan
from bot.tickets.api import Priority, State
from bot.tickets.states import OPEN_STATES
from bot.tickets.timefmt import to_db


@dataclass(slots=True)
class DigestReport:
    day: date
    created: int = 0                   # tickets registered yesterday
    resolved: int = 0                  # resolved yesterday (and still resolved)
    recovered: float = 0.0             # amount recovered by those
    open: int = 0
    unclaimed: list[str] = field(default_factory=list)   # codes, oldest first
    overdue: list[str] = field(default_factory=list)
    urgent: list[str] = field(default_factory=list)


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tz)
    return start, start + timedelta(days=1)


async def build(conn: aiosqlite.Connection, plans: Iterable[Plan], day: date, tz: ZoneInfo) -> DigestReport:
    report = DigestReport(day)
    y_start, y_end = local_day_bounds(day - timedelta(days=1), tz)
    bounds = (to_db(y_start), to_db(y_end))
    rows = await conn.execute_fetchall("SELECT count(*) FROM tickets WHERE created_at >= ? AND created_at < ?", bounds)
    report.created = int(rows[0][0])
    rows = await conn.execute_fetchall(
        "SELECT count(*), total(amount_recovered) FROM tickets "
        "WHERE resolved_at >= ? AND resolved_at < ? AND state = 'resolved'", bounds,
    )
    report.resolved, report.recovered = int(rows[0][0]), round(float(rows[0][1]), 2)
    ordered = sorted((p for p in plans if p.ticket.state in OPEN_STATES), key=lambda p: (p.ticket.created_at, p.ticket.id))
    report.open = len(ordered)
    for p in ordered:
        if p.ticket.state == State.NEW:
            report.unclaimed.append(p.ticket.code)
        if p.overdue:
            report.overdue.append(p.ticket.code)
        if p.ticket.priority == Priority.URGENT:
            report.urgent.append(p.ticket.code)
    return report
