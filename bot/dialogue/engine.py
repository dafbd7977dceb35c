"""The channel-agnostic conversation: one `Incoming` in, a list of `Reply` out.

Order of precedence in a turn: commands, then button presses, then files, then text. For text,
"取消" is checked first, then urgency (safety never waits for a form), then the open flow's
current question, then the classified act. State is loaded and saved around each turn, one turn
at a time per worker, so a restart continues where the worker was.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import weakref
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.dialogue import buttons as B
from bot.dialogue import validate, words
from bot.dialogue.answers import Answers
from bot.dialogue.cases import Cases
from bot.dialogue.feedback import AnswerFeedback
from bot.dialogue.intake import IntakeFlow
from bot.dialogue.safety import is_acute, mentions_self_harm
from bot.dialogue.state import MAX_PENDING_FILES
from bot.dialogue.store import ConversationStore
from bot.dialogue.survey import Survey
from bot.dialogue.turn import Turn
from bot.dialogue.types import Button, Incoming, Reply
from bot.privacy.flow import PersonalData
from bot.texts import Texts
from bot.tickets.api import Actor, Ticket, TicketApi

log = logging.getLogger(__name__)

MAX_FORWARD = 2000                 # characters of one worker message added to a ticket
DRAFT_TTL = timedelta(days=7)      # an unfinished intake older than this is dropped (data minimisation)


class Dialogue:
    def __init__(self, understanding: Any, tickets: TicketApi, store: ConversationStore, texts: Texts,
                 clock: Clock, *, draft_ttl: timedelta = DRAFT_TTL, feedback: AnswerFeedback | None = None) -> None:
        self.understanding = understanding
        self.tickets = tickets
        self.store = store
        self.texts = texts
        self.clock = clock
        self.draft_ttl = draft_ttl
        self.feedback = feedback or AnswerFeedback(store.db)   # 有用/没用 counts (anonymous)
        self.intake = IntakeFlow(self)
        self.answers = Answers(self)
        self.cases = Cases(self)
        self.survey = Survey(self)          # satisfaction survey answers (buttons sent by bot.scheduler)
        self.privacy = PersonalData(self)   # /mydata and /forget (bot.privacy)
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    # ---- the one entry point -------------------------------------------------------------
    async def handle(self, incoming: Incoming) -> list[Reply]:
        incoming = encodable(incoming)
        key = incoming.user.key
        async with self.lock_for(key):
            try:
                return await self._turn(incoming)
            except Exception:
                log.exception("dialogue turn failed", extra={"user_key": key})
                return [Reply(self.t("error"), self.menu())]

    def lock_for(self, user_key: str) -> asyncio.Lock:
        """The lock one worker's turns take. Staff erasing that worker take it too, so a turn in
        flight cannot save the conversation back after the erasure deleted it."""
        lock = self._locks.get(user_key)
        if lock is None:
            lock = self._locks[user_key] = asyncio.Lock()
        return lock

    async def _turn(self, incoming: Incoming) -> list[Reply]:
        now = self.clock.now()
        state, saved_at = await self.store.load(incoming.user.key)
        before = state.to_json()
        turn = Turn(incoming, state, now)
        if state.flow and saved_at is not None and now - saved_at > self.draft_ttl:
            if state.flow != "survey":        # an unanswered survey comment is no draft: end it quietly
                turn.say(self.t("expired.draft"))
            state.reset_flow()
        await self._route(turn)
        if state.to_json() != before and not turn.forgotten:
            await self.store.save(incoming.user.key, state, now)
        return turn.replies

    async def _route(self, turn: Turn) -> None:
        incoming = turn.incoming
        if incoming.command:
            await self._command(turn, incoming.command.lower())
        elif incoming.button is not None:
            await self._button(turn, incoming.button)
        elif incoming.attachment is not None:
            await self._attachment(turn)
        elif turn.text:
            await self._text(turn)
        else:
            turn.say(self.t("unclear"), self.menu())

    # ---- commands ---------------------------------------------------------------------------
    async def _command(self, turn: Turn, command: str) -> None:
        if command == "cancel":
            await self.cancel(turn)
        elif command in ("start", "menu"):
            # Never drop a half-filled form silently: show the menu, then ask the open question again.
            turn.say(self.t("welcome") if command == "start" else self.t("menu.prompt"), self.menu())
            if turn.state.flow:
                turn.say(self.t("resume"))
                await self.reprompt(turn)
        elif command == "mytickets":
            await self.cases.status(turn)
            await self.reprompt(turn)
        elif command == "mydata":
            await self.privacy.mydata(turn)
            await self.reprompt(turn)
        elif command == "forget":
            await self.privacy.forget(turn)      # the confirmation stays the last message: no reprompt
        else:  # help and anything unknown
            turn.say(self.t("help"), self.menu())
            await self.reprompt(turn)

    async def cancel(self, turn: Turn) -> None:
        if turn.state.flow:
            turn.state.reset_flow()
            turn.say(self.t("cancel.done"), self.menu())
        else:
            turn.say(self.t("cancel.none"), self.menu())

    async def reprompt(self, turn: Turn) -> None:
        """After a detour (help, a menu button), ask the open flow's question again."""
        if turn.state.flow == "intake":
            await self.intake.prompt(turn)
        elif turn.state.flow == "survey":
            await self.survey.prompt(turn)
        elif turn.state.flow:
            await self.cases.prompt(turn)

    # ---- buttons ---------------------------------------------------------------------------
    async def _button(self, turn: Turn, data: str) -> None:
        prefix, _, rest = data.partition(":")
        if data == B.CANCEL:
            await self.cancel(turn)
        elif prefix == "in":
            await self.intake.on_button(turn, rest)
        elif prefix in ("hu", "ur"):
            await self.cases.on_button(turn, prefix, rest)
        elif prefix == "m":
            await self._menu_button(turn, rest)
        elif prefix in ("faq", "rel", "fb", "sg"):
            handled = await self.answers.on_button(turn, prefix, rest)
            if not handled:
                self.stale(turn)
            await self.reprompt(turn)
        elif prefix == "tk":
            await self.cases.on_ticket_button(turn, rest)
            await self.reprompt(turn)
        elif prefix == "sv":
            await self.survey.on_button(turn, rest)
        elif prefix == "pd":
            await self.privacy.on_button(turn, rest)
        else:
            self.stale(turn)
            await self.reprompt(turn)

    async def _menu_button(self, turn: Turn, what: str) -> None:
        in_flow = turn.state.flow is not None
        if what == "complain":
            if in_flow:
                await self.reprompt(turn)
            else:
                await self.start_complaint(turn, None, from_button=True)
            return
        if what == "newcase":
            if in_flow:
                await self.reprompt(turn)
            else:
                await self.intake.start(turn, None, topic=self.answers.last_topic(turn))
            return
        if what == "status":
            await self.cases.status(turn)
        elif what == "human":
            await self.cases.human(turn)
            return
        elif what == "menu":
            turn.say(self.t("menu.prompt"), self.menu())
        elif what == "help":
            turn.say(self.t("help"), self.menu())
        elif what in B.MENU_TOPICS:
            self.answers.topic_menu(turn, what)
        else:
            self.stale(turn)
        await self.reprompt(turn)

    # ---- files ------------------------------------------------------------------------------
    async def _attachment(self, turn: Turn) -> None:
        attachment = turn.incoming.attachment
        assert attachment is not None
        if attachment.kind == "sticker":
            turn.say(self.t("file.unsupported"))
            await self.reprompt(turn)
            return
        if turn.state.flow == "intake":
            await self.intake.on_file(turn)
            return
        file = {"kind": attachment.kind, "file_id": attachment.file_id, "name": attachment.name[:200],
                "size": attachment.size}
        active = await self.active_ticket(turn)
        if active is not None:
            await self.forward(turn, active.id, turn.text, attachment=file)
            turn.say(self.t("open.file_forwarded", code=active.code))
            await self.reprompt(turn)
            return
        pending = turn.state.pending_files
        if len(pending) < MAX_PENDING_FILES:
            pending.append(file)
        turn.say(self.t("file.no_ticket"), [[self.button("btn.menu.complain", B.COMPLAIN)], [self.menu_button()]])
        await self.reprompt(turn)

    # ---- text -------------------------------------------------------------------------------
    async def _text(self, turn: Turn) -> None:
        text = turn.text
        if words.is_cancel(text):
            await self.cancel(turn)
            return
        understood = self.understand(turn)
        nlu = understood.nlu
        if self._urgent(nlu, text):
            await self.cases.urgent(turn)
            return
        if turn.state.flow == "intake":
            await self.intake.on_text(turn)
            return
        if turn.state.flow == "survey" and await self.survey.on_text(turn):
            return
        if turn.state.flow:
            if await self.cases.on_text(turn):
                return
        act = self._act(understood)
        if act in ("status", "human", "complain", "cancel"):
            await {"status": self.cases.status, "human": self.cases.human,
                   "complain": self._complain_text, "cancel": self.cancel}[act](turn)
            return
        active = await self.active_ticket(turn)
        if active is not None:
            await self.forward(turn, active.id, text)
            turn.say(self.t("open.forwarded", code=active.code))
            if act == "ask" and understood.retrieval.sure:
                self.answers.answer_best(turn)
            return
        if act == "ask":
            self.answers.ask(turn)
        elif act == "greet":
            turn.say(self.t("greet"), self.menu())
        elif act == "thanks":
            turn.say(self.t("thanks"), self.menu())
        else:
            turn.say(self.t("scope.other"), self.menu())

    @staticmethod
    def _urgent(nlu: Any, text: str) -> bool:
        """Urgent when the classifier says so, when self-harm is mentioned, or when acute danger
        words appear and the classifier was unsure or filed the message outside labour matters
        (a confident question about a past accident stays a question)."""
        if nlu.act == "urgent" or mentions_self_harm(text):
            return True
        return is_acute(text) and (nlu.uncertain or nlu.act in ("other", "greet", "thanks"))

    @staticmethod
    def _act(understood: Any) -> str:
        """The act to follow. When the classifier is unsure, a sure knowledge-base hit wins (answer it);
        greetings, thanks and requests stay what they are; anything else is treated as a question, so
        the worker gets "你是不是想问…" or an honest "答不上来" with a person offered — never a
        confident "out of scope" for a message we did not understand."""
        nlu, retrieval = understood.nlu, understood.retrieval
        if not nlu.uncertain:
            return nlu.act
        if retrieval.sure:
            return "ask"
        if nlu.act in ("greet", "thanks", "status", "human", "complain"):
            return nlu.act
        return "ask"

    async def _complain_text(self, turn: Turn) -> None:
        await self.start_complaint(turn, self.understand(turn))

    async def start_complaint(self, turn: Turn, understood: Any, *, from_button: bool = False) -> None:
        active = await self.active_ticket(turn)
        if active is not None:
            if not from_button and turn.text:
                await self.forward(turn, active.id, turn.text)
            turn.say(self.t("open.complain", code=active.code),
                     [[self.button("btn.new_case", B.NEW_CASE)], [self.menu_button()]])
            return
        topic = self.answers.last_topic(turn) if from_button else None
        await self.intake.start(turn, understood, topic=topic)

    # ---- shared helpers ---------------------------------------------------------------------
    def understand(self, turn: Turn) -> Any:
        if turn.understood is None:
            turn.understood = self.understanding.understand(turn.text)
        return turn.understood

    async def active_ticket(self, turn: Turn) -> Ticket | None:
        return await self.tickets.active_ticket_of(turn.channel, turn.user_id)

    async def forward(self, turn: Turn, ticket_id: int, text: str, *, attachment: dict[str, Any] | None = None) -> None:
        """A worker's message or file to their open ticket (staff see it through the outbox)."""
        cleaned = validate.clean_text(text)[:MAX_FORWARD]
        if not cleaned and attachment is None:
            return          # only invisible characters: nothing for staff to read
        await self.tickets.worker_message(ticket_id, self.actor(turn), text=cleaned, attachment=attachment)

    def actor(self, turn: Turn) -> Actor:
        return Actor("worker", turn.incoming.user.key, turn.incoming.display_name[:64])

    def t(self, key: str, **values: Any) -> str:
        return self.texts.render(key, **values)

    def button(self, key: str, data: str, **values: Any) -> Button:
        return B.make(self.t(key, **values), data)

    def menu_button(self) -> Button:
        return self.button("btn.menu", B.MENU)

    def menu(self) -> list[list[Button]]:
        return [[self.button(key, data) for key, data in row] for row in B.MENU_ROWS]

    def stale(self, turn: Turn) -> None:
        if turn.state.flow:
            turn.say(self.t("stale.in_flow"))
        else:
            turn.say(self.t("stale"), self.menu())

    def topic_name(self, topic: str) -> str:
        key = f"topic.{topic}"
        return self.t(key) if key in self.texts else topic


def _encodable_text(value: str) -> str:
    """Lone surrogates (broken emoji halves some clients send) cannot be stored as UTF-8: make them �."""
    return value.encode("utf-8", "replace").decode("utf-8") if value else value


def encodable(incoming: Incoming) -> Incoming:
    text = _encodable_text(incoming.text)
    name = _encodable_text(incoming.display_name)
    if text == incoming.text and name == incoming.display_name:
        return incoming
    return dataclasses.replace(incoming, text=text, display_name=name)
