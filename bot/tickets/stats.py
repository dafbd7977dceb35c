"""The figures union reports use: counts by state and topic, medians, amount recovered.

Kept fast at 100 000 tickets by reading derived columns of the ticket row (first_response_s,
resolution_s, amount_recovered) through the report indexes of migration 2, named with INDEXED BY
so the plan cannot drift: one covering-index pass gives every count and sum, and each median is
one OFFSET into an index kept in value order — no table scan, no sort.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import aiosqlite

from bot.tickets.api import Stats
from bot.tickets.states import OPEN_STATES
from bot.tickets.timefmt import to_db

_GROUPS = """
SELECT state, topic, priority, count(*) AS n, total(amount_recovered) AS recovered,
       count(first_response_s) AS responded, count(resolution_s) AS resolved
FROM tickets INDEXED BY tickets_report
WHERE created_at >= ?
GROUP BY state, topic, priority
"""
_EARLIEST = "0"   # sorts before every stored time: "no since filter" without a second query shape


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


async def compute(conn: aiosqlite.Connection, since: datetime | None) -> Stats:
    since_db = to_db(since) if since else _EARLIEST
    by_state: Counter[str] = Counter()
    by_topic: Counter[str] = Counter()
    by_priority: Counter[str] = Counter()
    recovered = 0.0
    responded = resolved = 0
    for r in await conn.execute_fetchall(_GROUPS, (since_db,)):
        by_state[r["state"]] += r["n"]
        by_topic[r["topic"]] += r["n"]
        by_priority[r["priority"]] += r["n"]
        recovered += r["recovered"]
        responded += r["responded"]
        resolved += r["resolved"]
    return Stats(
        by_state=dict(by_state),
        by_topic=dict(by_topic),
        median_first_response_s=await _median(conn, "first_response_s", "tickets_first_response", since_db, responded),
        median_resolution_s=await _median(conn, "resolution_s", "tickets_resolution", since_db, resolved),
        amount_recovered=round(recovered, 2),
        total=sum(by_state.values()),
        extra={
            "open": sum(n for state, n in by_state.items() if state in OPEN_STATES),
            "by_priority": dict(by_priority),
            "responded": responded,
            "resolved_with_time": resolved,
            "since": since.isoformat() if since else None,
        },
    )
