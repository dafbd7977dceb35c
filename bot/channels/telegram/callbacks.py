"""Callback data carried by inline buttons (Telegram allows at most 64 bytes).

Every button is a typed aiogram `CallbackData` factory, and every press is parsed by one: data
from Telegram is never trusted. Staff buttons name a ticket id (a positive integer) and one of a
fixed set of actions; anything else fails to unpack and reaches no handler that changes anything.
The dialogue's buttons carry an opaque payload (≤ 48 ASCII bytes, may contain ":"), so they
travel as "d|" + payload (`DialogueButton`, separator "|") and come back unchanged.
"""

from __future__ import annotations

from typing import Annotated, Literal

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

DIALOGUE_PREFIX = "d|"
MAX_CALLBACK_BYTES = 64
TicketId = Annotated[int, Field(ge=1, le=2**63 - 1)]      # a real SQLite row id, never 0, negative or huge

STAFF_ACTIONS = ("claim", "note", "transfer", "close")


class TicketAction(CallbackData, prefix="tk"):
    """A staff button on a ticket's alert card: claim, note, transfer or close (and reopen)."""

    ticket_id: TicketId
    action: Literal["claim", "note", "transfer", "close", "reopen"]


class ForgetWorker(CallbackData, prefix="fw"):
    """Staff confirming (or not) `/forget_worker CODE`: erase the personal data of the worker behind a ticket."""

    ticket_id: TicketId
    action: Literal["yes", "no"]


class DialogueButton(CallbackData, prefix="d", sep="|"):
    """A dialogue button: the payload goes back to the dialogue, which checks it against its state."""

    payload: str


def pack_dialogue(data: str) -> str:
    packed = DialogueButton(payload=data).pack()
    if len(packed.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"button payload too long for Telegram ({len(packed.encode())} > {MAX_CALLBACK_BYTES} bytes): {data!r}")
    return packed


def unpack_dialogue(raw: str | None) -> str | None:
    """The payload of a dialogue button; None for anything that is not one."""
    if raw is None:
        return None
    try:
        return DialogueButton.unpack(raw).payload
    except (TypeError, ValueError):
        return None
