"""`ask`: answers from the knowledge base, "你是不是想问…", related questions and feedback.

Every answer ends with next steps as buttons (申请调解 or 找人工, 相关问题, 有用/没用). When the
retriever is not sure, up to three suggestions are offered instead of a guess; when it finds
nothing, the worker is told so and offered a person.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.clock import to_local
from bot.dialogue import buttons as B
from bot.dialogue.turn import Turn
from bot.dialogue.types import Button
from knowledge.base import KnowledgeBase
from knowledge.render import render_reply
from knowledge.types import FaqEntry

if TYPE_CHECKING:
    from bot.dialogue.engine import Dialogue

log = logging.getLogger(__name__)
feedback_log = logging.getLogger("gongyou.feedback")

MAX_SUGGESTIONS = 3
MAX_TOPIC_QUESTIONS = 6
MAX_RATED = 50          # answers a conversation remembers having rated


class Answers:
    def __init__(self, dialogue: Dialogue) -> None:
        self.d = dialogue

    # ---- knowledge-base access ------------------------------------------------------------------
    def _kb(self) -> KnowledgeBase | None:
        """The loaded knowledge base, or None while retrieval is not wired in."""
        retriever = getattr(self.d.understanding, "retriever", None)
        return getattr(retriever, "kb", None)

    def entry(self, entry_id: str) -> FaqEntry | None:
        kb = self._kb()
        return kb.get(entry_id) if kb is not None else None

    def topic_entries(self, topic: str) -> list[FaqEntry]:
        kb = self._kb()
        return [e for e in kb if e.topic == topic] if kb is not None else []

    def last_topic(self, turn: Turn) -> str | None:
        entry = self.entry(turn.state.last_answer) if turn.state.last_answer else None
        return entry.topic if entry is not None else None

    # ---- replies ------------------------------------------------------------------------------------
    def ask(self, turn: Turn) -> None:
        retrieval = self.d.understand(turn).retrieval
        if retrieval.sure and retrieval.best is not None and retrieval.best.entry is not None:
            self.answer(turn, retrieval.best.entry)
            return
        entries = [h.entry for h in retrieval.hits if h.entry is not None][:MAX_SUGGESTIONS]
        if entries:
            self.suggest(turn, entries)
        else:
            self.nothing(turn)

    def answer_best(self, turn: Turn) -> None:
        best = self.d.understand(turn).retrieval.best
        if best is not None and best.entry is not None:
            self.answer(turn, best.entry)

    def answer(self, turn: Turn, entry: FaqEntry) -> None:
        turn.state.last_answer = entry.id
        turn.state.suggestions = []
        turn.say(render_reply(entry), self.next_steps(entry))

    def next_steps(self, entry: FaqEntry) -> list[list[Button]]:
        d = self.d
        if entry.next_step.action == "human":
            first = d.button("btn.menu.human", B.HUMAN)
        else:
            first = d.button("btn.menu.complain", B.COMPLAIN)
        rows = [[first]]
        if B.fits(B.feedback(entry.id, useful=False)):
            rows[0].append(d.button("btn.related", B.related(entry.id)))
            rows.append([d.button("btn.useful", B.feedback(entry.id, True)),
                         d.button("btn.useless", B.feedback(entry.id, False))])
        return rows

    def suggest(self, turn: Turn, entries: list[FaqEntry]) -> None:
        turn.state.suggestions = [e.id for e in entries]
        rows = [[B.make(e.title, B.faq(e.id))] for e in entries if B.fits(B.faq(e.id))]
        rows.append([self.d.button("btn.none_of_these", B.NONE_OF_THESE)])
        turn.say(self.d.t("ask.suggest"), rows)

    def nothing(self, turn: Turn) -> None:
        turn.state.suggestions = []
        d = self.d
        turn.say(d.t("ask.nothing"), [[d.button("btn.menu.human", B.HUMAN), d.menu_button()]])

    def topic_menu(self, turn: Turn, topic: str) -> None:
        d = self.d
        name = d.topic_name(topic)
        entries = [e for e in self.topic_entries(topic) if B.fits(B.faq(e.id))][:MAX_TOPIC_QUESTIONS]
        if not entries:
            turn.say(d.t("menu.topic_empty", topic=name), [[d.menu_button()]])
            return
        rows = [[B.make(e.title, B.faq(e.id))] for e in entries]
        rows.append([d.menu_button()])
        turn.say(d.t("menu.topic", topic=name), rows)

    # ---- buttons ------------------------------------------------------------------------------------
    async def on_button(self, turn: Turn, prefix: str, rest: str) -> bool:
        """Handle faq:/rel:/fb:/sg: payloads; False when the payload is stale or unknown."""
        d = self.d
        if prefix == "sg":
            if rest != "none":
                return False
            turn.state.suggestions = []
            turn.say(d.t("ask.none_of_these"), [[d.button("btn.menu.human", B.HUMAN), d.menu_button()]])
            return True
        if prefix == "fb":
            verdict, _, entry_id = rest.partition(":")
            entry = self.entry(entry_id)
            if verdict not in ("up", "down") or entry is None:
                return False
            feedback_log.info("answer feedback", extra={"faq": entry.id, "useful": verdict == "up"})
            if entry.id not in turn.state.rated:        # a second press on the same answer is not counted
                try:
                    await d.feedback.record(entry.id, useful=verdict == "up", day=to_local(turn.now).date())
                    turn.state.rated = [*turn.state.rated, entry.id][-MAX_RATED:]
                except Exception:                        # a count is not worth failing the worker's turn
                    log.warning("could not store answer feedback for %s", entry.id, exc_info=True)
            if verdict == "up":
                turn.say(d.t("ask.useful"), d.menu())
            else:
                turn.say(d.t("ask.useless"), [[d.button("btn.menu.human", B.HUMAN), d.menu_button()]])
            return True
        entry = self.entry(rest)
        if entry is None:
            return False
        if prefix == "faq":
            self.answer(turn, entry)
            return True
        related = [e for e in (self.entry(i) for i in entry.related) if e is not None and B.fits(B.faq(e.id))]
        if not related:
            turn.say(d.t("ask.related_none"), d.menu())
            return True
        rows = [[B.make(e.title, B.faq(e.id))] for e in related]
        rows.append([d.menu_button()])
        turn.say(d.t("ask.related"), rows)
        return True
