"""One turn of the conversation: what came in, the state it changes, the replies it produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.dialogue.state import ConversationState
from bot.dialogue.types import Button, Incoming, Reply

if TYPE_CHECKING:
    from bot.understand import Understood


@dataclass(slots=True)
class Turn:
    incoming: Incoming
    state: ConversationState
    now: datetime
    replies: list[Reply] = field(default_factory=list)
    understood: Understood | None = None
    forgotten: bool = False            # the worker's data was erased this turn: save nothing back

    @property
    def channel(self) -> str:
        return self.incoming.user.channel

    @property
    def user_id(self) -> str:
        return self.incoming.user.user_id

    @property
    def text(self) -> str:
        return (self.incoming.text or "").strip()

    def say(self, text: str, buttons: list[list[Button]] | None = None) -> None:
        self.replies.append(Reply(text, buttons or []))
