"""What the Telegram adapter itself says (staff cards, refusals, media hints).

The texts live in `data/texts/telegram.yaml` so union staff can reword them; `REQUIRED` lists
every key the adapter renders with the placeholders it passes, checked once at start-up.
"""

from __future__ import annotations

from typing import Any

from bot.texts import Texts

REQUIRED: dict[str, set[str]] = {
    'tg.media.unsupported': set(),
    'tg.media.voice': set(),
    'tg.media.location': set(),
    'tg.flood': set(),
    'tg.error': set(),
    'tg.staff_only': set(),
    'tg.signature': set(),
    'tg.staff.refused': set(),
    'tg.staff.anonymous': set(),
    'tg.staff.no_ticket': set(),
    'tg.staff.usage.ticket': set(),
    'tg.staff.usage.note': set(),
    'tg.staff.usage.transfer': set(),
    'tg.staff.usage.resolve': set(),
    'tg.staff.usage.close': set(),
    'tg.staff.claimed': {'name'},
    'tg.staff.claimed_by_you': set(),
    'tg.staff.note_saved': set(),
    'tg.staff.reply_sent': set(),
    'tg.staff.relay_text_only': set(),
    'tg.staff.note_hint': set(),
    'tg.staff.transfer_hint': set(),
    'tg.staff.close_hint': set(),
    'tg.staff.done': {'code', 'state'},
    'tg.staff.queue_empty': set(),
    'tg.staff.queue_title': {'count'},
    'tg.staff.worker_says': set(),
    'tg.staff.failed': {'reason'},
    'tg.staff.stats_title': set(),
}


class Wording:
    """Text lookup for the adapter's own lines, from data."""

    def __init__(self, texts: Texts) -> None:
        texts.require(REQUIRED, "Telegram texts (data/texts/telegram.yaml)")
        self._texts = texts

    def __call__(self, key: str, **values: Any) -> str:
        return self._texts.render(key, **values)
