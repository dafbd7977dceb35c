"""The figures union reports use: counts by state and topic, medians, amount recovered.

Kept fast at 100 000 tickets by reading derived columns of the ticket row (first_response_s,
resolution_s, amount_recovered) through indexes: medians are one indexed OFFSET, not a sort.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import aiosqlite

from bot.tickets.api import Stats
from bot.tickets.states import OPEN_STATES
from bot.tickets.timefmt import to_db


async def _median(conn: aiosqlite.Connection, column: str, since: str | None) -> tuple[float | None, int]:
    where = f"{column} IS NOT NULL" + (" AND created_at >= ?" if since else "")
    params: tuple[str, ...] = (since,) if since else ()
    row = await (await conn.execute(f"SELECT count(*) FROM tickets WHERE {where}", params)).fetchone()
    n = int(row[0])
    if n == 0:
        return None, 0
    take, offset = (1, n // 2) if n % 2 else (2, n // 2 - 1)
    rows = await conn.execute_fetchall(
        f"SELECT {column} FROM tickets WHERE {where} ORDER BY {column} LIMIT ? OFFSET ?", (*params, take, offset)
    )
    values = [float(r[0]) for r in rows]
    return sum(values) / len(values), n


async def compute(conn: aiosqlite.Connection, since: datetime | None) -> Stats:
    since_db = to_db(since) if since else None
    where = "WHERE created_at >= ?" if since_db else ""
    params: tuple[str, ...] = (since_db,) if since_db else ()
    rows = await conn.execute_fetchall(
        f"SELECT state, topic, count(*) AS n, total(amount_recovered) AS recovered FROM tickets {where} "
        "GROUP BY state, topic",
        params,
    )
    by_state: Counter[str] = Counter()
    by_topic: Counter[str] = Counter()
    recovered = 0.0
    for r in rows:
        by_state[r["state"]] += r["n"]
        by_topic[r["topic"]] += r["n"]
        recovered += r["recovered"]
    priority_rows = await conn.execute_fetchall(
        f"SELECT priority, count(*) FROM tickets {where} GROUP BY priority", params
    )
    first_response, n_first = await _median(conn, "first_response_s", since_db)
    resolution, n_resolved = await _median(conn, "resolution_s", since_db)
    return Stats(
        by_state=dict(by_state),
        by_topic=dict(by_topic),
        median_first_response_s=first_response,
        median_resolution_s=resolution,
        amount_recovered=round(recovered, 2),
        total=sum(by_state.values()),
        extra={
            "open": sum(n for state, n in by_state.items() if state in OPEN_STATES),
            "by_priority": {r[0]: r[1] for r in priority_rows},
            "responded": n_first,
            "resolved_with_time": n_resolved,
            "since": since.isoformat() if since else None,
        },
    )
