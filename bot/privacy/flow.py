"""The dialogue's /mydata and /forget.

/mydata answers with everything stored about the worker. /forget first says what will be erased
and kept, with a 确认删除 button whose payload carries the time it was offered
(`pd:forget:<unix seconds>`): pressed within `CONFIRM_TTL` it erases, later it is refused as
expired, pressed again after the erasure it finds nothing and says so. Only the worker pressing
it is affected (the channel says who pressed), so a forged time only erases one's own data.

After an erasure the turn is marked `forgotten`: the engine must not save the conversation back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.dialogue.state import ConversationState
from bot.dialogue.turn import Turn
from bot.privacy.erase import OPEN_STATES
from bot.privacy.report import erased_message
from bot.privacy.retention import DEFAULT_RETENTION_DAYS
from bot.privacy.service import Privacy

if TYPE_CHECKING:
    from bot.dialogue.engine import Dialogue

PREFIX = "pd"
KEEP = f"{PREFIX}:keep"
CONFIRM_TTL = timedelta(minutes=10)


def forget_payload(now: datetime) -> str:
    return f"{PREFIX}:forget:{int(now.timestamp())}"


class PersonalData:
    def __init__(self, dialogue: Dialogue, *, retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        self.d = dialogue
        self.retention_days = retention_days       # set from RETENTION_DAYS by the channel that has settings

    @property
    def privacy(self) -> Privacy:
        return Privacy(self.d.store.db, self.d.texts, self.d.clock, retention_days=self.retention_days)

    async def mydata(self, turn: Turn) -> None:
        messages = await self.privacy.report(turn.channel, turn.user_id)
        for message in messages[:-1]:
            turn.say(message)
        turn.say(messages[-1], self.d.menu())

    async def forget(self, turn: Turn) -> None:
        d = self.d
        found = await self.privacy.records(turn.channel, turn.user_id)
        if found.empty and not turn.state.flow:
            turn.say(d.t("privacy.forget.nothing"), d.menu())
            return
        text = d.t("privacy.forget.ask")
        open_codes = [t.code for t in found.tickets if t.state in OPEN_STATES]
        if open_codes:
            text += "\n" + d.t("privacy.forget.ask_open", codes="、".join(open_codes))
        turn.say(text, [[d.button("privacy.forget.confirm_button", forget_payload(turn.now)),
                         d.button("privacy.forget.keep_button", KEEP)]])

    async def on_button(self, turn: Turn, rest: str) -> None:
        d = self.d
        action, _, stamp = rest.partition(":")
        if action == "keep" and not stamp:
            turn.say(d.t("privacy.forget.kept"), d.menu())
            await d.reprompt(turn)
            return
        if action != "forget" or not stamp.isdigit():
            d.stale(turn)
            await d.reprompt(turn)
            return
        offered = datetime.fromtimestamp(int(stamp), UTC)
        if not timedelta(0) <= turn.now - offered <= CONFIRM_TTL:
            turn.say(d.t("privacy.forget.expired"), d.menu())
            await d.reprompt(turn)
            return
        result = await self.privacy.erase_worker(turn.channel, turn.user_id, d.actor(turn))
        turn.state = ConversationState()
        turn.forgotten = True
        turn.say(erased_message(d.texts, result), d.menu())
