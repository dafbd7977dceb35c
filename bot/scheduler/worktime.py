"""Deadlines that pause: "N working hours (or N hours) of running clock after `start`".

A ticket's clock stops while it is `waiting` (staff wait on the worker). Given the waiting
intervals, `deadline` walks the running stretches in order and spends the amount on them; the
result is None while the clock is stopped with time still left. Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta

from bot.scheduler.calendar import WorkCalendar

Pause = tuple[datetime, datetime | None]          # [from, to); to None = still paused
Adder = Callable[[datetime, timedelta], datetime]
Measure = Callable[[datetime, datetime], timedelta]


def wall_add(start: datetime, amount: timedelta) -> datetime:
    return start + amount


def wall_between(a: datetime, b: datetime) -> timedelta:
    return max(b - a, timedelta(0))


def working_add(calendar: WorkCalendar) -> Adder:
    def add(start: datetime, amount: timedelta) -> datetime:
        return calendar.add_working_hours(start, amount.total_seconds() / 3600)
    return add


def working_between(calendar: WorkCalendar) -> Measure:
    """Working time in [a, b): the parts of working days inside working hours."""
    def between(a: datetime, b: datetime) -> timedelta:
        if b <= a:
            return timedelta(0)
        total = timedelta(0)
        day: date = a.astimezone(calendar.tz).date()
        last: date = b.astimezone(calendar.tz).date()
        while day <= last:
            if calendar.is_working_day(day):
                open_at = datetime.combine(day, calendar.day_start, calendar.tz)
                close_at = datetime.combine(day, calendar.day_end, calendar.tz)
                lo, hi = max(a, open_at), min(b, close_at)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total
    return between


def working_day_length(calendar: WorkCalendar) -> timedelta:
    return datetime.combine(date.min, calendar.day_end) - datetime.combine(date.min, calendar.day_start)


def deadline(start: datetime, amount: timedelta, pauses: Sequence[Pause], add: Adder, between: Measure) -> datetime | None:
    """When `amount` of running clock has passed since `start`, skipping `pauses`; None if paused first."""
    cursor, remaining = start, amount
    for paused_from, paused_to in sorted(pauses, key=lambda p: p[0]):
        if paused_to is not None and paused_to <= cursor:
            continue
        paused_from = max(paused_from, cursor)
        candidate = add(cursor, remaining)
        if candidate <= paused_from:
            return candidate
        remaining -= between(cursor, paused_from)
        if paused_to is None:
            return None
        cursor = paused_to
    return add(cursor, remaining)


def in_daytime(when: datetime, tz: object, day_start: time, day_end: time) -> datetime:
    """`when`, or the next moment inside the daily window [day_start, day_end) local time."""
    local = when.astimezone(tz)  # type: ignore[arg-type]
    opens = datetime.combine(local.date(), day_start, local.tzinfo)
    closes = datetime.combine(local.date(), day_end, local.tzinfo)
    if local < opens:
        return opens.astimezone(when.tzinfo)
    if local >= closes:
        return (opens + timedelta(days=1)).astimezone(when.tzinfo)
    return when
