"""Telegram updates as the dialogue's `Incoming`: text, commands, button presses and files."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message, User

from bot.dialogue.types import Attachment, Incoming, UserRef

CHANNEL = "telegram"
WORKER_COMMANDS = ("start", "menu", "help", "mytickets", "cancel", "mydata", "forget")


def worker_ref(user: User) -> UserRef:
    return UserRef(CHANNEL, str(user.id))


def display_name(user: User | None) -> str:
    return user.full_name if user else ""


def parse_command(text: str) -> tuple[str, str] | None:
    """("start", "payload") for "/start payload" or "/start@MyBot payload"; None when not a command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, rest = text.partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    if not name or not all(c.isalnum() or c == "_" for c in name):
        return None
    return name, rest.strip()


def attachment_of(message: Message) -> Attachment | None:
    """What file a message carries, if any; photos keep the largest size Telegram offers."""
    if message.photo:
        best = message.photo[-1]
        return Attachment("photo", best.file_id, message.caption or "", best.file_size or 0)
    if message.document:
        doc = message.document
        return Attachment("document", doc.file_id, doc.file_name or message.caption or "", doc.file_size or 0)
    if message.voice:
        return Attachment("voice", message.voice.file_id, "", message.voice.file_size or 0)
    if message.audio:
        return Attachment("voice", message.audio.file_id, message.audio.file_name or "", message.audio.file_size or 0)
    if message.video:
        return Attachment("video", message.video.file_id, message.caption or "", message.video.file_size or 0)
    if message.video_note:
        return Attachment("video", message.video_note.file_id, "", message.video_note.file_size or 0)
    if message.sticker:
        return Attachment("sticker", message.sticker.file_id, message.sticker.emoji or "")
    if message.location or message.venue:
        loc = message.location
        name = f"{loc.latitude:.5f},{loc.longitude:.5f}" if loc else ""
        return Attachment("location", "", message.venue.title if message.venue else name)
    if message.text is None:
        return Attachment("other")
    return None


def from_message(message: Message) -> Incoming:
    """A worker's private message. Commands come as `command` (+ any payload as text)."""
    user = message.from_user
    assert user is not None, "private messages always have a sender"
    text = message.text or message.caption or ""
    command = None
    if message.text and (parsed := parse_command(message.text)):
        command, text = parsed
    return Incoming(
        user=worker_ref(user),
        text=text,
        attachment=attachment_of(message),
        command=command,
        display_name=display_name(user),
    )


def from_button(query: CallbackQuery, payload: str) -> Incoming:
    return Incoming(user=worker_ref(query.from_user), button=payload, display_name=display_name(query.from_user))
