"""Inline keyboards: the dialogue's buttons, and the staff card's 接单 · 备注 · 转交 · 结案 row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.telegram.callbacks import TicketAction, pack_dialogue
from bot.dialogue.types import Button

STAFF_BUTTONS = (("claim", "接单"), ("note", "备注"), ("transfer", "转交"), ("close", "结案"))


def dialogue_keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """The dialogue's rows of buttons as an inline keyboard (labels are plain text: no escaping)."""
    keyboard = [
        [InlineKeyboardButton(text=b.label, callback_data=pack_dialogue(b.data)) for b in row]
        for row in rows if row
    ]
    return InlineKeyboardMarkup(inline_keyboard=keyboard) if keyboard else None


def outbox_keyboard(rows: Sequence[Sequence[dict[str, Any]]]) -> InlineKeyboardMarkup | None:
    """Buttons stored with an outbox message ([[{"label", "data"}]]) for the worker's dialogue."""
    return dialogue_keyboard([[Button(str(b["label"]), str(b["data"])) for b in row] for row in rows])


def staff_keyboard(ticket_id: int, *, claimed: bool = False) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(text=label, callback_data=TicketAction(ticket_id=ticket_id, action=action).pack())
        for action, label in STAFF_BUTTONS
        if not (claimed and action == "claim")
    ]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])
