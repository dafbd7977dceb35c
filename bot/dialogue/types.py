"""What goes in and out of the channel-agnostic dialogue.

Channels (console, Telegram, …) translate their updates into `Incoming` and render `Reply`
objects; they hold no conversation state of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class UserRef:
    """A worker as a channel knows them: ("telegram", "123456") or ("console", "local")."""

    channel: str
    user_id: str

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class Attachment:
    kind: str                 # photo | document | voice | video | sticker | location | other
    file_id: str = ""         # channel's id for the file (Telegram file_id), "" when none
    name: str = ""            # file name or caption, never trusted for display without escaping
    size: int = 0


@dataclass(frozen=True, slots=True)
class Incoming:
    """One thing a worker did: typed text, pressed a button, sent a file, or used a command."""

    user: UserRef
    text: str = ""
    button: str | None = None        # the `Button.data` of a pressed button
    attachment: Attachment | None = None
    command: str | None = None       # "start", "menu", "help", "mytickets", "cancel", … without "/"
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class Button:
    label: str                # what the worker sees (short: phones)
    data: str                 # opaque payload the dialogue gets back (≤ 48 ASCII bytes)


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to the worker. `text` is plain text: channels escape it for their markup."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)   # rows of buttons
    # Tickets whose code this reply tells: once the channel has delivered it, it calls
    # `tickets.settle_told(id)` so the held-back outbox confirmation is not sent as well.
    settles: tuple[int, ...] = ()
