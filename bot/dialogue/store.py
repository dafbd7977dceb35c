"""Conversation state in the `conversations` table (created by the storage migrations).

The whole row is personal data: `forget` deletes it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.dialogue.state import ConversationState


class ConversationStore:
    def __init__(self, db: Any) -> None:
        self.db = db

    async def load(self, user_key: str) -> tuple[ConversationState, datetime | None]:
        """The saved state and when it was saved (`None` for a worker we have not seen)."""
        rows = await self.db.fetch_all("SELECT state, updated_at FROM conversations WHERE user_key = ?", (user_key,))
        if not rows:
            return ConversationState(), None
        row = rows[0]
        try:
            updated = datetime.fromisoformat(row[1])
        except (TypeError, ValueError):
            updated = None
        return ConversationState.from_json(row[0]), updated

    async def save(self, user_key: str, state: ConversationState, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO conversations (user_key, state, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            (user_key, state.to_json(), now.isoformat()),
        )

    async def forget(self, user_key: str) -> None:
        await self.db.execute("DELETE FROM conversations WHERE user_key = ?", (user_key,))
