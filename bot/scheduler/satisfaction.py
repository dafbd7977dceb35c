"""Satisfaction survey results for /stats: how many workers rated the service, and the average.

The survey is sent by the follow-up (`plan.SURVEY`) and answered through `bot/dialogue/survey.py`,
which stores each rating once per ticket as a `survey` event (kept when personal data is erased).
Read through the partial index `events_survey` (migration 3): no scan of the events table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.db import Database
from bot.tickets.timefmt import to_db

_QUERY = """
SELECT count(*) AS n, avg(json_extract(data, '$.rating')) AS average
FROM events INDEXED BY events_survey
WHERE type = 'survey' AND at >= ?
"""


@dataclass(frozen=True, slots=True)
class Satisfaction:
    count: int
    average: float | None          # 1–5, two decimals; None when nobody rated yet


async def compute(db: Database, *, since: datetime | None = None) -> Satisfaction:
    """Ratings given since `since` (all when None)."""
    async with db.transaction(write=False) as conn:
        row = (await conn.execute_fetchall(_QUERY, (to_db(since) if since else "0",)))[0]
    count = int(row["n"])
    return Satisfaction(count, round(float(row["average"]), 2) if count else None)


def describe(result: Satisfaction, texts: Any | None) -> str:
    """One line for every /stats view: "服务满意度：4.6 分（12 人评价，满分 5 分）"."""
    if result.count and result.average is not None:
        key, values = "sched.stats.satisfaction", {"average": f"{result.average:.1f}", "count": result.count}
        fallback = f"服务满意度：{values['average']} 分（{result.count} 人评价，满分 5 分）"
    else:
        key, values, fallback = "sched.stats.satisfaction_none", {}, "服务满意度：还没有人评价"
    if texts is not None and key in texts:
        return str(texts.render(key, **values))
    return fallback
