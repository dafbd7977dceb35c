"""Workers' 有用 / 没用 on an answer, kept as anonymous counts per entry and day.

The counts tell the union which answers fail people (`gongyou kb feedback`). They hold no worker
id; a worker's second press on the same answer is not counted again (the conversation remembers
which answers it rated, and that memory goes with the conversation on /forget).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.storage.db import Database


@dataclass(frozen=True, slots=True)
class FeedbackCount:
    faq_id: str
    useful: int
    useless: int


class AnswerFeedback:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, faq_id: str, *, useful: bool, day: date) -> None:
        column = "useful" if useful else "useless"
        await self.db.execute(
            f"INSERT INTO answer_feedback (faq_id, day, {column}) VALUES (?, ?, 1) "
            f"ON CONFLICT (faq_id, day) DO UPDATE SET {column} = {column} + 1",
            (faq_id, day.isoformat()),
        )

    async def totals(self, since: date) -> list[FeedbackCount]:
        """Counts per entry from `since` on, most 没用 first (then fewest 有用)."""
        rows = await self.db.fetch_all(
            "SELECT faq_id, sum(useful), sum(useless) FROM answer_feedback WHERE day >= ? "
            "GROUP BY faq_id ORDER BY sum(useless) DESC, sum(useful) ASC, faq_id",
            (since.isoformat(),),
        )
        return [FeedbackCount(str(r[0]), int(r[1]), int(r[2])) for r in rows]
