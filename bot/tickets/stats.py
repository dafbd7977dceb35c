"""The figures union reports use: counts by state and topic, medians, amount recovered.

Fast at 100 000 tickets without scanning them:
- counts and sums come from `ticket_counts` (per created month, kept by triggers, migration 4):
  whole months from there, and the tickets of a partial first month (when `since` falls inside a
  month) straight from `tickets` through its created_at index;
- each median is one OFFSET into an index kept in value order (migration 2), never a sort.
`compute_from_tickets` recomputes the same figures the slow way: tests compare the two.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import aiosqlite

from bot.tickets.api import Stats
from bot.tickets.states import OPEN_STATES
from bot.tickets.timefmt import to_db

_FROM_COUNTS = """
SELECT state, topic, priority, sum(n) AS n, sum(recovered) AS recovered,
       sum(responded) AS responded, sum(resolved) AS resolved
FROM ticket_counts WHERE month >= ? GROUP BY state, topic, priority
"""
_FROM_TICKETS = """
SELECT state, topic, priority, count(*) AS n, total(amount_recovered) AS recovered,
       count(first_response_s) AS responded, count(resolution_s) AS resolved
FROM tickets INDEXED BY {index} WHERE created_at >= ? AND created_at < ? GROUP BY state, topic, priority
"""
_EARLIEST = "0"      # sorts before every stored time and month
_LATEST = "9"        # sorts after every stored time


def _month_bounds(since: datetime) -> tuple[str, str | None]:
    """The first whole month at or after `since` ("YYYY-MM"), and its start time if `since` is inside a month."""
    utc = since.astimezone(UTC)
    start = utc.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if utc == start:
        return start.strftime("%Y-%m"), None
    following = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return following.strftime("%Y-%m"), to_db(following)


async def _median(conn: aiosqlite.Connection, column: str, index: str, since: str, n: int) -> float | None:
    if n == 0:
        return None
    take, offset = (1, n // 2) if n % 2 else (2, n // 2 - 1)
    rows = await conn.execute_fetchall(
        f"SELECT {column} FROM tickets INDEXED BY {index} "
        f"WHERE {column} IS NOT NULL AND created_at >= ? ORDER BY {column} LIMIT ? OFFSET ?",
        (since, take, offset),
    )
    values = [float(r[0]) for r in rows]
    return sum(values) / len(values) if values else None


def _assemble(groups: list[aiosqlite.Row], medians: tuple[float | None, float | None], since: datetime | None,
              responded: int, resolved: int) -> Stats:
    by_state: Counter[str] = Counter()
    by_topic: Counter[str] = Counter()
    by_priority: Counter[str] = Counter()
    recovered = 0.0
    for r in groups:
        if not r["n"]:
            continue                      # a group emptied by later changes
        by_state[r["state"]] += r["n"]
        by_topic[r["topic"]] += r["n"]
        by_priority[r["priority"]] += r["n"]
        recovered += r["recovered"]
    return Stats(
        by_state=dict(by_state),
        by_topic=dict(by_topic),
        median_first_response_s=medians[0],
        median_resolution_s=medians[1],
        amount_recovered=round(recovered, 2) + 0.0,
        total=sum(by_state.values()),
        extra={
            "open": sum(n for state, n in by_state.items() if state in OPEN_STATES),
            "by_priority": dict(by_priority),
            "responded": responded,
            "resolved_with_time": resolved,
            "since": since.isoformat() if since else None,
        },
    )


async def _medians(conn: aiosqlite.Connection, since_db: str, responded: int, resolved: int
                   ) -> tuple[float | None, float | None]:
    return (await _median(conn, "first_response_s", "tickets_first_response", since_db, responded),
            await _median(conn, "resolution_s", "tickets_resolution", since_db, resolved))


async def compute(conn: aiosqlite.Connection, since: datetime | None) -> Stats:
    groups = []
    if since is None:
        groups += await conn.execute_fetchall(_FROM_COUNTS, (_EARLIEST,))
    else:
        first_month, partial_end = _month_bounds(since)
        groups += await conn.execute_fetchall(_FROM_COUNTS, (first_month,))
        if partial_end is not None:
            groups += await conn.execute_fetchall(_FROM_TICKETS.format(index="tickets_created"),
                                                  (to_db(since), partial_end))
    responded = sum(r["responded"] for r in groups)
    resolved = sum(r["resolved"] for r in groups)
    since_db = to_db(since) if since else _EARLIEST
    return _assemble(groups, await _medians(conn, since_db, responded, resolved), since, responded, resolved)


async def compute_from_tickets(conn: aiosqlite.Connection, since: datetime | None) -> Stats:
    """The same figures by scanning `tickets` (slow at scale): the reference for tests and checks."""
    since_db = to_db(since) if since else _EARLIEST
    groups = await conn.execute_fetchall(_FROM_TICKETS.format(index="tickets_report"), (since_db, _LATEST))
    responded = sum(r["responded"] for r in groups)
    resolved = sum(r["resolved"] for r in groups)
    return _assemble(groups, await _medians(conn, since_db, responded, resolved), since, responded, resolved)
