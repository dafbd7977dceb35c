"""Long-polling updates kept in SQLite from the moment they arrive until they are handled.

Telegram counts an update as delivered once the bot asks for the next ones (the getUpdates
offset), which aiogram's own polling does while the previous batch is still being handled: a
crash then loses up to a batch of workers' messages. Here a batch is written to `telegram_inbox`
in one transaction *before* the offset moves past it, and each row is deleted once its update was
handled; at the next start the rows left over are handled first. The highest id ever kept is the
next offset, so an update Telegram re-sends after a crash is not handled twice.

Rows hold whole updates (message text: personal data) for the seconds their handling takes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from bot.storage.db import Database
from bot.tickets.timefmt import to_db

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3      # an update that crashed the bot this many times is dropped, not replayed forever


class Inbox:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def next_offset(self) -> int | None:
        """The getUpdates offset to ask with: one past the highest id ever kept (None at first start)."""
        rows = await self.db.fetch_all("SELECT last_update_id FROM telegram_offset WHERE id = 1")
        return int(rows[0][0]) + 1 if rows else None

    async def keep(self, updates: Sequence[tuple[int, str]], now: datetime) -> None:
        """Write a batch (update id, JSON body) and move the offset past it, together."""
        if not updates:
            return
        async with self.db.transaction() as conn:
            await conn.executemany(
                "INSERT OR IGNORE INTO telegram_inbox (update_id, body, received_at) VALUES (?, ?, ?)",
                [(update_id, body, to_db(now)) for update_id, body in updates],
            )
            await conn.execute(
                "INSERT INTO telegram_offset (id, last_update_id) VALUES (1, ?) "
                "ON CONFLICT (id) DO UPDATE SET last_update_id = max(last_update_id, excluded.last_update_id)",
                (max(update_id for update_id, _ in updates),),
            )

    async def done(self, update_id: int) -> None:
        await self.db.execute("DELETE FROM telegram_inbox WHERE update_id = ?", (update_id,))

    async def left_over(self) -> list[tuple[int, str]]:
        """Updates a previous run received and did not finish, oldest first; each replay counts as an
        attempt, and one that has been tried `MAX_ATTEMPTS` times is dropped (it keeps killing the bot)."""
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE telegram_inbox SET attempts = attempts + 1")
            dropped = await conn.execute("DELETE FROM telegram_inbox WHERE attempts > ?", (MAX_ATTEMPTS,))
            rows = await conn.execute_fetchall("SELECT update_id, body FROM telegram_inbox ORDER BY update_id")
        if dropped.rowcount:
            log.error("dropped %d telegram update(s) that failed %d restarts in a row", dropped.rowcount, MAX_ATTEMPTS)
        return [(int(r[0]), str(r[1])) for r in rows]
