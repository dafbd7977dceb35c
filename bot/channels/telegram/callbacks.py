"""Callback data carried by inline buttons (Telegram allows at most 64 bytes).

Staff buttons use a typed `CallbackData` factory. The dialogue's buttons carry an opaque payload
(≤ 48 ASCII bytes, may contain ":"), so they travel as "d|" + payload and come back unchanged.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

DIALOGUE_PREFIX = "d|"
MAX_CALLBACK_BYTES = 64


class TicketAction(CallbackData, prefix="tk"):
    """A staff button on a ticket's alert card: claim, note, transfer or close."""

    ticket_id: int
    action: str            # claim | note | transfer | close


STAFF_ACTIONS = ("claim", "note", "transfer", "close")


def pack_dialogue(data: str) -> str:
    packed = DIALOGUE_PREFIX + data
    if len(packed.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"button payload too long for Telegram ({len(packed.encode())} > {MAX_CALLBACK_BYTES} bytes): {data!r}")
    return packed


def unpack_dialogue(raw: str | None) -> str | None:
    if raw is None or not raw.startswith(DIALOGUE_PREFIX):
        return None
    return raw[len(DIALOGUE_PREFIX):]
