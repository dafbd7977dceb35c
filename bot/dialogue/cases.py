"""The worker's tickets outside the intake form: 我的诉求, 找人工 (callback) and urgent cases.

Urgent never waits: the safety text goes first, the urgent ticket is created in the same turn
(the ticket service writes the staff alert to the outbox), and only then do we ask, optionally,
for a phone number. Small flows of their own: "callback" (one consent question) and
"urgent_phone" (one optional phone question).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from bot.clock import to_local
from bot.dialogue import buttons as B
from bot.dialogue import validate, words
from bot.dialogue.intake import format_amount, new_form_id
from bot.dialogue.safety import safety_keys
from bot.dialogue.turn import Turn
from bot.dialogue.types import Reply
from bot.tickets.api import Kind, State, Ticket
from intents.types import TOPICS

if TYPE_CHECKING:
    from bot.dialogue.engine import Dialogue

MAX_LISTED = 10
URGENT_STEP = "phone"


class Cases:
    def __init__(self, dialogue: Dialogue) -> None:
        self.d = dialogue

    # ---- 我的诉求 ------------------------------------------------------------------------------------
    async def status(self, turn: Turn) -> None:
        d = self.d
        tickets = await d.tickets.tickets_of(turn.channel, turn.user_id)
        if not tickets:
            turn.say(d.t("status.none"), [[d.button("btn.menu.complain", B.COMPLAIN), d.menu_button()]])
            return
        newest = sorted(tickets, key=lambda t: t.created_at, reverse=True)[:MAX_LISTED]
        lines = [d.t("status.head")]
        lines += [d.t("status.line", code=t.code, topic=d.topic_name(t.topic), state=self.state_words(t)) for t in newest]
        rows = [[B.make(t.code, B.ticket(t.id))] for t in newest]
        rows.append([d.menu_button()])
        turn.say("\n".join(lines), rows)

    def state_words(self, ticket: Ticket) -> str:
        d = self.d
        if ticket.state == State.RESOLVED and ticket.amount_recovered:
            return d.t("status.state.resolved_amount", amount=format_amount(ticket.amount_recovered))
        key = f"status.state.{ticket.state}"
        return d.t(key) if key in d.texts else ticket.state

    async def on_ticket_button(self, turn: Turn, rest: str) -> None:
        d = self.d
        ticket = None
        if rest.isdigit():
            ticket = await self._own_ticket(turn, int(rest))
        if ticket is None:
            d.stale(turn)
            return
        created = to_local(ticket.created_at).strftime("%Y-%m-%d %H:%M")
        turn.say(d.t("status.detail", code=ticket.code, topic=d.topic_name(ticket.topic), created=created,
                     state=self.state_words(ticket)),
                 [[d.button("btn.menu.status", B.STATUS), d.menu_button()]])

    async def _own_ticket(self, turn: Turn, ticket_id: int) -> Ticket | None:
        for ticket in await self.d.tickets.tickets_of(turn.channel, turn.user_id):
            if ticket.id == ticket_id:
                return ticket
        return None

    # ---- 找人工 ----------------------------------------------------------------------------------------
    async def human(self, turn: Turn) -> None:
        d, state = self.d, turn.state
        active = await d.active_ticket(turn)
        if active is not None:
            if state.flow:
                state.reset_flow()
            await d.forward(turn, active.id, turn.text or d.t("btn.menu.human"))
            turn.say(d.t("human.active", code=active.code), [[d.button("btn.menu.status", B.STATUS), d.menu_button()]])
            return
        if state.flow == "intake" and state.consent:
            # Consent is already given: the draft so far goes to the person who calls back.
            if turn.text:
                state.draft.setdefault("source_text", turn.text[: validate.SUMMARY_MAX])
            await d.intake.submit(turn, Kind.CALLBACK)
            return
        source = turn.text
        state.reset_flow()
        state.flow = "callback"
        state.step = "consent"
        state.draft = {"source_text": validate.clean_text(source)[: validate.SUMMARY_MAX]} if source else {}
        state.draft["form_id"] = new_form_id()
        last_topic = d.answers.last_topic(turn)
        if last_topic:
            state.draft["topic"] = last_topic
        await self.prompt(turn)

    async def _create_callback(self, turn: Turn) -> None:
        state = turn.state
        state.consent = {"text_version": self._callback_consent_version(), "agreed_at": turn.now.isoformat()}
        if not state.draft.get("summary"):
            state.draft["summary"] = state.draft.get("source_text") or self.d.t("btn.menu.human")
        await self.d.intake.submit(turn, Kind.CALLBACK)

    def _callback_consent_version(self) -> str:
        text = self.d.t("human.consent")
        return f"human.consent#{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}"

    # ---- urgent ------------------------------------------------------------------------------------------
    async def urgent(self, turn: Turn) -> None:
        d, state = self.d, turn.state
        nlu = d.understand(turn).nlu
        draft = dict(state.draft) if state.flow == "intake" else {}
        heads = validate.headcount(nlu.entities or {}, "") or draft.get("headcount")
        for key in safety_keys(turn.text, topic=nlu.topic, headcount=heads):
            turn.say(d.t(key))
        active = await d.active_ticket(turn)
        if active is not None and active.kind == Kind.URGENT:
            await d.forward(turn, active.id, turn.text)
            ticket = active
            turn.say(d.t("urgent.alerted_existing", code=ticket.code))
        else:
            topic = nlu.topic if nlu.topic in TOPICS else "none"
            if topic == "none" and draft.get("topic"):
                topic = draft["topic"]
            intake = d.intake.intake_of({**draft, "topic": topic})
            intake.summary = validate.clean_text(turn.text)[: validate.SUMMARY_MAX]
            intake.source_text = draft.get("source_text") or intake.summary
            intake.headcount = heads
            intake.injury = intake.injury or "urgent.injury" in safety_keys(turn.text, topic=topic)
            ticket = await d.tickets.create(channel=turn.channel, user_id=turn.user_id, kind=Kind.URGENT,
                                            intake=intake, consent=d.intake.consent_of(turn), actor=d.actor(turn),
                                            told_in_reply=True)
            turn.replies.append(Reply(d.t("urgent.alerted", code=ticket.code), settles=(ticket.id,)))
        had_phone = bool(draft.get("phone"))
        state.reset_flow()
        if had_phone:
            turn.say(d.t("urgent.phone_saved"), d.menu())
            return
        state.flow = "urgent_phone"
        state.step = URGENT_STEP
        state.ticket_id = ticket.id
        await self.prompt(turn)

    # ---- the small flows' questions -------------------------------------------------------------------
    async def prompt(self, turn: Turn, *, hint: bool = False) -> None:
        d, state = self.d, turn.state
        if state.flow == "callback":
            turn.say(d.t("human.consent"), [[d.button("btn.agree", B.CALLBACK_YES), d.button("btn.cancel", B.CANCEL)]])
        elif state.flow == "urgent_phone":
            key = "intake.hint.phone" if hint else "urgent.ask_phone"
            turn.say(d.t(key), [[d.button("btn.skip", "ur:skip")]])

    async def on_text(self, turn: Turn) -> bool:
        """An answer to a small flow's question; False hands the text on to normal handling."""
        d, state, text = self.d, turn.state, turn.text
        if state.flow == "callback":
            if words.is_yes(text):
                await self._create_callback(turn)
                return True
            state.reset_flow()       # anything else: the worker moved on
            return False
        if state.flow == "urgent_phone":
            if words.is_skip(text):
                state.reset_flow()
                turn.say(d.t("urgent.phone_skipped"), d.menu())
                return True
            phone = validate.phone(text)
            if phone is not None and state.ticket_id is not None:
                await d.forward(turn, state.ticket_id, f"{d.t('field.phone')}：{phone}")
                state.reset_flow()
                turn.say(d.t("urgent.phone_saved"), d.menu())
                return True
            if sum(ch.isdigit() for ch in text) >= 5:
                await self.prompt(turn, hint=True)
                return True
            state.reset_flow()       # not a number: a message for staff, handled as usual
            return False
        state.reset_flow()
        return False

    async def on_button(self, turn: Turn, prefix: str, rest: str) -> None:
        d, state = self.d, turn.state
        if prefix == "hu" and rest == "yes" and state.flow == "callback":
            await self._create_callback(turn)
        elif prefix == "ur" and rest == "skip" and state.flow == "urgent_phone":
            state.reset_flow()
            turn.say(d.t("urgent.phone_skipped"), d.menu())
        else:
            d.stale(turn)
            await d.reprompt(turn)

