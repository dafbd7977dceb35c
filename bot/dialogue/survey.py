"""The worker's answer to the satisfaction survey the follow-up scheduler sends after `resolved`.

Buttons `sv:<ticket id>:<1-5>` and `sv:<ticket id>:skip` (built in `bot.scheduler.messages`).
A rating is stored once per ticket as a `survey` event (data {"rating"}); then the worker may type
one comment (flow "survey", for `COMMENT_WINDOW`), stored as a `survey_comment` event. A message
that is plainly a new request (a question, a complaint, 找人工 …) ends the flow and is handled as
usual, so a later question is never swallowed as a comment. Staff see the rating in the ticket's thread.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.dialogue.turn import Turn
from bot.dialogue.types import Button
from bot.tickets.api import Ticket
from bot.tickets.outbox import STAFF_CHANNEL, Outgoing

if TYPE_CHECKING:
    from bot.dialogue.engine import Dialogue

FLOW = "survey"
PREFIX = "sv"
RATINGS = frozenset({"1", "2", "3", "4", "5"})
SKIP = "skip"
COMMENT_WINDOW = timedelta(minutes=30)
COMMENT_MAX = 1000
# Plainly a new request: a question, a complaint, a progress check. Not "human": comments often name
# the 调解员 or 工作人员. (Urgent and 取消 are handled by the dialogue before the survey sees the text.)
NEW_REQUEST_ACTS = frozenset({"ask", "complain", "status"})


class Survey:
    def __init__(self, dialogue: Dialogue) -> None:
        self.d = dialogue

    def skip_button(self, ticket_id: int) -> list[list[Button]]:
        return [[self.d.button("sched.survey.btn.skip", f"{PREFIX}:{ticket_id}:{SKIP}")]]

    async def _own_ticket(self, turn: Turn, ticket_id: int) -> Ticket | None:
        for ticket in await self.d.tickets.tickets_of(turn.channel, turn.user_id):
            if ticket.id == ticket_id:
                return ticket
        return None

    async def on_button(self, turn: Turn, rest: str) -> None:
        d, state = self.d, turn.state
        ticket_part, _, choice = rest.partition(":")
        ticket = await self._own_ticket(turn, int(ticket_part)) if ticket_part.isdigit() else None
        if ticket is None or (choice not in RATINGS and choice != SKIP):
            d.stale(turn)
            await d.reprompt(turn)
            return
        if choice == SKIP:
            if state.flow == FLOW:
                state.reset_flow()
            turn.say(d.t("sched.survey.thanks"), d.menu())
            await d.reprompt(turn)
            return
        staff = Outgoing(channel=STAFF_CHANNEL, recipient="", ticket_id=ticket.id, kind="notify",
                         text=d.t("sched.staff.survey_rating", code=ticket.code, rating=choice),
                         meta={"event": "survey", "code": ticket.code, "rating": int(choice)})
        written = await d.tickets.record(ticket.id, d.actor(turn), "survey", data={"rating": int(choice)},
                                         dedupe_key=f"survey_answer:{ticket.id}", messages=[staff])
        if not written:
            turn.say(d.t("sched.survey.already"))
            await d.reprompt(turn)
            return
        if state.flow and state.flow != FLOW:
            turn.say(d.t("sched.survey.thanks"))     # in the middle of something else: do not take over
            await d.reprompt(turn)
            return
        state.reset_flow()
        state.flow, state.step, state.ticket_id = FLOW, "comment", ticket.id
        state.draft = {"asked_at": turn.now.isoformat()}
        turn.say(d.t("sched.survey.ask_comment"), self.skip_button(ticket.id))

    @staticmethod
    def _open(turn: Turn) -> bool:
        """Still waiting for a comment? An old or broken survey flow is ended here."""
        state = turn.state
        try:
            asked_at = datetime.fromisoformat(str(state.draft.get("asked_at")))
        except ValueError:
            asked_at = None
        if state.ticket_id is None or asked_at is None or turn.now - asked_at > COMMENT_WINDOW:
            state.reset_flow()
            return False
        return True

    async def on_text(self, turn: Turn) -> bool:
        """Take the text as the comment; False (flow ended, nothing stored) when it is not one."""
        d, state = self.d, turn.state
        ticket_id = state.ticket_id
        if not self._open(turn) or ticket_id is None:
            return False
        nlu = d.understand(turn).nlu
        if nlu.act in NEW_REQUEST_ACTS and not nlu.uncertain:
            state.reset_flow()
            return False
        text = turn.text[:COMMENT_MAX]
        ticket = await self._own_ticket(turn, ticket_id)
        if ticket is not None:
            code = ticket.code
            staff = Outgoing(channel=STAFF_CHANNEL, recipient="", ticket_id=ticket_id, kind="notify",
                             text=d.t("sched.staff.survey_comment", code=code, text=text),
                             meta={"event": "survey_comment", "code": code})
            await d.tickets.record(ticket_id, d.actor(turn), "survey_comment", note=text,
                                   dedupe_key=f"survey_comment:{ticket_id}", messages=[staff])
        state.reset_flow()
        turn.say(d.t("sched.survey.thanks"), d.menu())
        return True

    async def prompt(self, turn: Turn) -> None:
        """After a detour, ask for the comment again — unless the window has passed (then just end it)."""
        if self._open(turn) and turn.state.ticket_id is not None:
            turn.say(self.d.t("sched.survey.ask_comment"), self.skip_button(turn.state.ticket_id))
