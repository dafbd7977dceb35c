"""Everything a channel needs, built once: database, reply texts, understanding, tickets, dialogue.

The console and Telegram channels and the scheduler all call `await Services.open(db_path)` and
receive the same objects; nothing else builds them, so there is one database connection per
process and one set of loaded data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.clock import Clock, SystemClock
from bot.dialogue.engine import Dialogue
from bot.dialogue.store import ConversationStore
from bot.paths import data_dir
from bot.storage.db import Database
from bot.texts import Texts
from bot.tickets.service import TicketService
from bot.understand import Understanding

DB_FILE_NAME = "gongyou.sqlite3"


def default_db_path() -> Path:
    """The per-user database file: `user_data_dir("gongyou")/gongyou.sqlite3`."""
    from platformdirs import user_data_path

    return user_data_path("gongyou", appauthor=False) / DB_FILE_NAME


@dataclass(slots=True)
class Services:
    db: Database
    texts: Texts
    understanding: Understanding
    tickets: TicketService
    dialogue: Dialogue
    clock: Clock
    data: Path

    @classmethod
    async def open(cls, db_path: str | Path | None = None, *, clock: Clock | None = None,
                   data: Path | None = None, understanding: Understanding | None = None) -> Services:
        """Load the data (failing loudly on a bad file) before opening the database.

        `understanding` may be passed in to share one loaded classifier between several
        `Services` in one process (tests); it is read-only after load.
        """
        root = Path(data) if data is not None else data_dir()
        clock = clock or SystemClock()
        texts = Texts.load(root / "texts")
        understanding = understanding or Understanding.load(root)
        db = await Database.open(db_path if db_path is not None else default_db_path())
        try:
            tickets = TicketService(db, clock, texts)
            dialogue = Dialogue(understanding, tickets, ConversationStore(db), texts, clock)
        except BaseException:
            await db.close()
            raise
        return cls(db=db, texts=texts, understanding=understanding, tickets=tickets, dialogue=dialogue,
                   clock=clock, data=root)

    async def close(self) -> None:
        await self.db.close()
