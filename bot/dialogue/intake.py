"""The intake form (申请调解): consent, confirm what we already know, ask what is missing, review, file.

Steps are named states persisted with the conversation (`state.step`):

    consent → confirm:<field>… → topic → summary → employer → place → amount → phone → evidence → review

Fields the first message already gave (topic, amount, head count, platform) are confirmed with
对/改一下 instead of asked. Any answer that does not fit is asked again with a hint; "取消" (checked
by the engine before we get here) leaves at any step. The next step is computed from what is
done, so an edit from the review or a restart always lands on the right question.

Button payloads: in:consent:yes  in:yes:<f>  in:no:<f>  in:topic:<t>  in:skip:<f>  in:same:<f>
in:done:evidence  in:edit:<f>  in:submit  in:cancel.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.dialogue import buttons as B
from bot.dialogue import validate, words
from bot.dialogue.turn import Turn
from bot.dialogue.types import Button, Reply
from bot.tickets.api import Consent, Intake, Kind
from intents.types import TOPICS

if TYPE_CHECKING:
    from bot.dialogue.engine import Dialogue

ASK_ORDER = ("topic", "summary", "employer", "place", "amount", "phone", "evidence")
CONFIRMABLE = ("topic", "amount", "headcount", "platform")
OPTIONAL = frozenset({"amount", "platform", "phone", "evidence"})
EDITABLE = ("topic", "summary", "employer", "place", "amount", "headcount", "platform", "phone", "evidence")
CHOOSABLE_TOPICS = TOPICS        # "none" (其他) last: the worker may not know the category
MAX_EVIDENCE = 20
SAME_TEXT_MIN = 8          # the first message is offered as "what happened" only if it says something
HINT_HUMAN_AFTER = 3       # invalid answers in a row before the hint also offers a person
CONSENT_KEY = "intake.consent"


class IntakeFlow:
    def __init__(self, dialogue: Dialogue) -> None:
        self.d = dialogue

    # ---- entering -----------------------------------------------------------------------------------
    async def start(self, turn: Turn, understood: Any | None, *, topic: str | None = None) -> None:
        state = turn.state
        state.reset_flow()
        state.flow = "intake"
        draft: dict[str, Any] = {"evidence": list(state.pending_files)[:MAX_EVIDENCE], "skipped": [],
                                 "form_id": new_form_id()}
        state.pending_files = []
        confirm: list[str] = []
        if understood is not None:
            nlu = understood.nlu
            draft["source_text"] = validate.clean_text(nlu.text)[: validate.SUMMARY_MAX]
            entities = nlu.entities or {}
            if nlu.topic in TOPICS and nlu.topic != "none":
                draft["topic"] = nlu.topic
            found_amount = validate.amount(entities, "")
            if found_amount is not None:
                draft["amount"] = found_amount
            found_heads = validate.headcount(entities, "")
            if found_heads is not None:
                draft["headcount"] = found_heads
            platforms = [p for p in entities.get("platform", []) or [] if isinstance(p, str) and p.strip()]
            if platforms:
                draft["platform"] = platforms[0][: validate.PLATFORM_MAX]
            companies = [c for c in entities.get("company", []) or [] if isinstance(c, str) and c.strip()]
            if companies:
                draft["company"] = companies[0][: validate.EMPLOYER_MAX]
        elif topic in TOPICS and topic != "none":
            draft["topic"] = topic
        for field in CONFIRMABLE:
            if draft.get(field) not in (None, ""):
                confirm.append(field)
        state.draft = draft
        state.confirm = confirm
        state.step = "consent"
        await self.prompt(turn)

    # ---- asking -------------------------------------------------------------------------------------
    def next_step(self, turn: Turn) -> str:
        state = turn.state
        if not state.consent:
            return "consent"
        if state.confirm:
            return f"confirm:{state.confirm[0]}"
        for field in ASK_ORDER:
            if field not in state.done:
                return field
        return "review"

    async def advance(self, turn: Turn) -> None:
        state = turn.state
        state.invalid = 0
        if state.editing:           # an edit from the review goes back to the review
            state.editing = False
            state.step = "review"
        else:
            state.step = self.next_step(turn)
        await self.prompt(turn)

    async def prompt(self, turn: Turn, *, hint: bool = False) -> None:
        """Ask the current question (or, with `hint`, say why the last answer did not fit)."""
        d, state = self.d, turn.state
        step = state.step or "consent"
        cancel = d.button("btn.cancel", B.CANCEL)
        if step == "consent":
            key = "intake.hint.consent" if hint else CONSENT_KEY
            turn.say(d.t(key), [[d.button("btn.agree", "in:consent:yes"), cancel]])
            return
        if step.startswith("confirm:"):
            field = step.split(":", 1)[1]
            text = d.t("intake.hint.confirm") if hint else self._confirm_text(field, state.draft)
            turn.say(text, [[d.button("btn.yes", f"in:yes:{field}"), d.button("btn.change", f"in:no:{field}")], [cancel]])
            return
        if step == "review":
            if hint:
                turn.say(d.t("intake.hint.review"))
            turn.say(d.t("intake.review", lines=self.review_lines(state.draft)), self._review_buttons(state.draft))
            return
        limits = {"min": validate.SUMMARY_MIN, "max": _max_len(step)}
        text = d.t(f"intake.hint.{step}", **limits) if hint else d.t(f"intake.ask.{step}")
        if hint and state.invalid >= HINT_HUMAN_AFTER:
            text += "\n" + d.t("intake.hint.many")
        rows: list[list[Button]] = []
        if step == "topic":
            choices = [d.button(f"topic.{t}", f"in:topic:{t}") for t in CHOOSABLE_TOPICS]
            rows = [choices[i:i + 3] for i in range(0, len(choices), 3)]
        elif step == "summary" and len(state.draft.get("source_text", "")) >= SAME_TEXT_MIN:
            rows = [[d.button("btn.same_text", "in:same:summary")]]
        elif step == "employer" and _known_employer(state.draft):
            rows = [[d.button("btn.same_employer", "in:same:employer", name=_known_employer(state.draft))]]
        elif step == "evidence":
            if state.draft.get("evidence"):
                rows = [[d.button("btn.evidence_done", "in:done:evidence")]]
            else:
                rows = [[d.button("btn.skip", "in:skip:evidence")]]
        elif step in OPTIONAL:
            rows = [[d.button("btn.skip", f"in:skip:{step}")]]
        if hint and state.invalid >= HINT_HUMAN_AFTER:
            rows.append([d.button("btn.menu.human", B.HUMAN)])
        rows.append([cancel])
        turn.say(text, rows)

    def _confirm_text(self, field: str, draft: dict[str, Any]) -> str:
        d = self.d
        if field == "topic":
            return d.t("intake.confirm.topic", topic=d.topic_name(draft.get("topic", "none")))
        if field == "amount":
            return d.t("intake.confirm.amount", amount=format_amount(draft.get("amount")))
        if field == "headcount":
            return d.t("intake.confirm.headcount", headcount=draft.get("headcount"))
        return d.t("intake.confirm.platform", platform=draft.get("platform", ""))

    def review_lines(self, draft: dict[str, Any]) -> str:
        d = self.d
        unset, skipped = d.t("intake.unset"), d.t("intake.skipped")
        place = (draft.get("city", "") + draft.get("district", "")).strip()
        amount = draft.get("amount")
        values = {
            "topic": d.topic_name(draft.get("topic", "none")),
            "summary": draft.get("summary") or unset,
            "employer": draft.get("employer") or unset,
            "place": place or unset,
            "amount": f"{format_amount(amount)} 元" if amount else (skipped if "amount" in draft.get("skipped", []) else unset),
            "headcount": str(draft["headcount"]) if draft.get("headcount") else "",
            "platform": draft.get("platform") or "",
            "phone": draft.get("phone") or (d.t("intake.phone_skipped") if "phone" in draft.get("skipped", []) else unset),
            "evidence": d.t("intake.files", count=len(draft["evidence"])) if draft.get("evidence") else d.t("intake.no_files"),
        }
        return "\n".join(f"{d.t('field.' + f)}：{values[f]}" for f in EDITABLE if values[f])

    def _review_buttons(self, draft: dict[str, Any]) -> list[list[Button]]:
        d = self.d
        fields = [f for f in EDITABLE if f not in ("headcount", "platform") or draft.get(f)]
        edits = [d.button("btn.edit", f"in:edit:{f}", field=d.t(f"field.{f}")) for f in fields]
        rows = [[d.button("btn.submit", "in:submit")]]
        rows += [edits[i:i + 3] for i in range(0, len(edits), 3)]
        rows.append([d.button("btn.cancel", B.CANCEL)])
        return rows

    # ---- answers ------------------------------------------------------------------------------------
    async def on_text(self, turn: Turn) -> None:
        state, text = turn.state, turn.text
        step = state.step or "consent"
        if step == "consent":
            if words.is_yes(text):
                await self._agree(turn)
            else:
                await self._invalid(turn)
            return
        if step.startswith("confirm:"):
            field = step.split(":", 1)[1]
            if words.is_yes(text):
                await self._confirmed(turn, field)
            elif words.is_no(text):
                await self._change(turn, field)
            elif self._take(turn, field, text):
                self._mark_done(turn, field)
                await self.advance(turn)
            else:
                await self._invalid(turn)
            return
        if step == "review":
            if words.is_yes(text):
                await self.submit(turn)
            else:
                await self._invalid(turn)
            return
        if step == "evidence":
            if words.is_skip(text) or words.is_done(text):
                self._mark_done(turn, "evidence")
                await self.advance(turn)
            else:
                await self._invalid(turn)
            return
        if step in OPTIONAL and words.is_skip(text):
            await self._skip(turn, step)
            return
        if self._take(turn, step, text):
            self._mark_done(turn, step)
            await self.advance(turn)
        else:
            await self._invalid(turn)

    def _take(self, turn: Turn, field: str, text: str) -> bool:
        """Store `text` as the answer for `field` if it is valid; False to ask again."""
        draft = turn.state.draft
        if field == "topic":
            topic = self.d.understand(turn).nlu.topic
            if topic not in TOPICS or topic == "none":
                return False
            draft["topic"] = topic
        elif field == "summary":
            value = validate.free_text(text, min_len=validate.SUMMARY_MIN, max_len=validate.SUMMARY_MAX)
            if value is None:
                return False
            draft["summary"] = value
        elif field in ("employer", "platform"):
            value = validate.free_text(text, max_len=_max_len(field))
            if value is None:
                return False
            draft[field] = value
        elif field == "place":
            place = validate.place(text)
            if place is None:
                return False
            draft["city"], draft["district"] = place
        elif field == "amount":
            value = validate.amount(self.d.understand(turn).nlu.entities or {}, text)
            if value is None:
                return False
            draft["amount"] = value
        elif field == "headcount":
            heads = validate.headcount(self.d.understand(turn).nlu.entities or {}, text)
            if heads is None:
                return False
            draft["headcount"] = heads
        elif field == "phone":
            phone = validate.phone(text)
            if phone is None:
                return False
            draft["phone"] = phone
        else:
            return False
        _unskip(draft, field)
        return True

    async def on_file(self, turn: Turn) -> None:
        attachment = turn.incoming.attachment
        assert attachment is not None
        state = turn.state
        evidence = state.draft.setdefault("evidence", [])
        if len(evidence) >= MAX_EVIDENCE:
            turn.say(self.d.t("intake.evidence_full", max=MAX_EVIDENCE))
            if state.step == "evidence":
                self._mark_done(turn, "evidence")
                await self.advance(turn)
            return
        evidence.append({"kind": attachment.kind, "file_id": attachment.file_id, "name": attachment.name[:200],
                         "size": attachment.size})
        if state.step == "evidence":
            state.invalid = 0
            turn.say(self.d.t("intake.evidence_got", count=len(evidence)),
                     [[self.d.button("btn.evidence_done", "in:done:evidence")], [self.d.button("btn.cancel", B.CANCEL)]])
            return
        turn.say(self.d.t("intake.file_kept"))
        await self.prompt(turn)

    async def on_button(self, turn: Turn, payload: str) -> None:
        state = turn.state
        if state.flow != "intake":
            self.d.stale(turn)
            await self.d.reprompt(turn)
            return
        action, _, arg = payload.partition(":")
        step = state.step or "consent"
        if action == "consent" and step == "consent" and arg == "yes":
            await self._agree(turn)
        elif action == "yes" and step == f"confirm:{arg}":
            await self._confirmed(turn, arg)
        elif action == "no" and step == f"confirm:{arg}":
            await self._change(turn, arg)
        elif action == "topic" and step == "topic" and arg in CHOOSABLE_TOPICS:
            state.draft["topic"] = arg
            self._mark_done(turn, "topic")
            await self.advance(turn)
        elif action == "skip" and step == arg and arg in OPTIONAL:
            await self._skip(turn, arg)
        elif action == "same" and step == arg == "summary" and state.draft.get("source_text"):
            state.draft["summary"] = state.draft["source_text"]
            self._mark_done(turn, "summary")
            await self.advance(turn)
        elif action == "same" and step == arg == "employer" and _known_employer(state.draft):
            state.draft["employer"] = _known_employer(state.draft)
            self._mark_done(turn, "employer")
            await self.advance(turn)
        elif action == "done" and step == arg == "evidence":
            self._mark_done(turn, "evidence")
            await self.advance(turn)
        elif action == "edit" and step == "review" and arg in EDITABLE:
            state.editing = True
            state.step = arg
            state.invalid = 0
            await self.prompt(turn)
        elif action == "submit" and step == "review":
            await self.submit(turn)
        else:
            self.d.stale(turn)
            await self.prompt(turn)

    # ---- transitions --------------------------------------------------------------------------------
    async def _agree(self, turn: Turn) -> None:
        turn.state.consent = {"text_version": self.consent_version(), "agreed_at": turn.now.isoformat()}
        await self.advance(turn)

    async def _confirmed(self, turn: Turn, field: str) -> None:
        self._mark_done(turn, field)
        await self.advance(turn)

    async def _change(self, turn: Turn, field: str) -> None:
        state = turn.state
        if field in state.confirm:
            state.confirm.remove(field)
        state.draft.pop(field, None)
        if field in state.done:
            state.done.remove(field)
        state.step = field
        state.invalid = 0
        await self.prompt(turn)

    async def _skip(self, turn: Turn, field: str) -> None:
        draft = turn.state.draft
        draft.pop(field, None)
        skipped = draft.setdefault("skipped", [])
        if field not in skipped:
            skipped.append(field)
        self._mark_done(turn, field)
        await self.advance(turn)

    async def _invalid(self, turn: Turn) -> None:
        turn.state.invalid += 1
        await self.prompt(turn, hint=True)

    def _mark_done(self, turn: Turn, field: str) -> None:
        state = turn.state
        if field in state.confirm:
            state.confirm.remove(field)
        if field not in state.done:
            state.done.append(field)

    def consent_version(self) -> str:
        """The consent text's key and a hash of its wording: which text the worker agreed to."""
        text = self.d.t(CONSENT_KEY)
        return f"{CONSENT_KEY}#{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}"

    def intake_of(self, draft: dict[str, Any]) -> Intake:
        topic = draft.get("topic") or "none"
        return Intake(
            topic=topic,
            summary=draft.get("summary", ""),
            employer=draft.get("employer", ""),
            platform=draft.get("platform", ""),
            city=draft.get("city", ""),
            district=draft.get("district", ""),
            amount=draft.get("amount"),
            headcount=draft.get("headcount"),
            phone=draft.get("phone", ""),
            injury=topic == "injury",
            evidence=list(draft.get("evidence", [])),
            source_text=draft.get("source_text", ""),
        )

    def consent_of(self, turn: Turn) -> Consent | None:
        consent = turn.state.consent
        if not consent:
            return None
        return Consent(consent["text_version"], datetime.fromisoformat(consent["agreed_at"]))

    async def submit(self, turn: Turn, kind: Kind = Kind.MEDIATION) -> None:
        d, state = self.d, turn.state
        ticket = await d.tickets.create(
            channel=turn.channel, user_id=turn.user_id, kind=kind, intake=self.intake_of(state.draft),
            consent=self.consent_of(turn), actor=d.actor(turn), told_in_reply=True,
            form_key=form_key(turn),
        )
        state.reset_flow()
        key = "human.created" if kind == Kind.CALLBACK else "intake.created"
        turn.replies.append(Reply(d.t(key, code=ticket.code, eta=d.t(f"eta.{ticket.priority}")),
                                  [[d.button("btn.menu.status", B.STATUS), d.menu_button()]], settles=(ticket.id,)))


def new_form_id() -> str:
    """Names one form from its first question on; saved with the draft, so a repeated submit is recognised."""
    return secrets.token_hex(8)


def form_key(turn: Turn) -> str | None:
    # The random id alone (64 bits, made by us): no worker id in it, so erasure has nothing to blank here.
    form_id = turn.state.draft.get("form_id")
    return f"form:{form_id}" if form_id else None


def format_amount(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _max_len(field: str) -> int:
    return {
        "summary": validate.SUMMARY_MAX, "employer": validate.EMPLOYER_MAX, "place": validate.PLACE_MAX,
        "platform": validate.PLATFORM_MAX,
    }.get(field, validate.SUMMARY_MAX)


def _known_employer(draft: dict[str, Any]) -> str:
    """The employer the first message named (a company or site beats a bare platform name)."""
    return str(draft.get("company") or draft.get("platform") or "")


def _unskip(draft: dict[str, Any], field: str) -> None:
    skipped = draft.get("skipped", [])
    if field in skipped:
        skipped.remove(field)
