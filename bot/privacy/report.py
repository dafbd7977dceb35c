"""`WorkerRecords` as plain Chinese messages for /mydata, each short enough for a phone.

One overview, then one message per ticket (its fields, consent, files and history), then the
unfinished draft. A message longer than `MAX_CHARS` is cut at line ends; channels split further
if their own limit is lower. Only fields that hold something are shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.clock import to_local
from bot.privacy.erase import ErasureResult
from bot.privacy.records import EventRecord, TicketRecord, WorkerRecords, has_personal_state
from bot.texts import Texts

MAX_CHARS = 1800                 # one message: a few screens on a phone, under Telegram's 4096
TIME_FORMAT = "%Y-%m-%d %H:%M"


def _money(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _file_names(items: list[dict[str, Any]], texts: Texts) -> str:
    return "、".join(str(item.get("name") or "").strip() or texts.render("privacy.mydata.unnamed_file")
                    for item in items)


def chunk(lines: list[str], limit: int = MAX_CHARS) -> list[str]:
    """Lines joined into messages of at most `limit` characters; a longer line is cut into pieces."""
    messages: list[str] = []
    current = ""
    for line in lines:
        pieces = [line[i:i + limit] for i in range(0, len(line), limit)] or [""]
        for piece in pieces:
            if current and len(current) + 1 + len(piece) > limit:
                messages.append(current)
                current = piece
            else:
                current = f"{current}\n{piece}" if current else piece
    if current.strip():
        messages.append(current)
    return messages


class Report:
    def __init__(self, texts: Texts, *, retention_days: int) -> None:
        self.texts = texts
        self.retention_days = retention_days

    def t(self, key: str, **values: Any) -> str:
        return self.texts.render(key, **values)

    def label(self, key: str, fallback: str) -> str:
        return self.t(key) if key in self.texts else fallback

    def when(self, at: Any) -> str:
        return to_local(at).strftime(TIME_FORMAT)

    def messages(self, records: WorkerRecords) -> list[str]:
        if records.empty:
            return [self.t("privacy.mydata.none")]
        draft = has_personal_state(records.conversation)
        out = [self.t("privacy.mydata.head", tickets=len(records.tickets),
                      draft=self.t("privacy.mydata.draft_some" if draft else "privacy.mydata.draft_none"),
                      delivered=records.outbox_delivered, waiting=records.outbox_waiting)]
        for ticket in records.tickets:
            out += chunk(self.ticket_lines(ticket))
        if draft:
            out += chunk(self.draft_lines(records))
        return out

    # ---- one ticket ---------------------------------------------------------------------------
    def field(self, name: str, value: Any) -> str | None:
        if value in (None, "", [], {}):
            return None
        return f"{self.t(f'privacy.field.{name}')}：{value}"

    def ticket_lines(self, ticket: TicketRecord) -> list[str]:
        pii = ticket.pii
        lines = [
            self.t("privacy.mydata.ticket", code=ticket.code, kind=self.label(f"tickets.kind.{ticket.kind}", ticket.kind),
                   state=self.label(f"status.state.{ticket.state}", ticket.state)),
            self.t("privacy.mydata.dates", created=self.when(ticket.created_at), updated=self.when(ticket.updated_at)),
        ]
        if ticket.final_at is not None:
            lines.append(self.t("privacy.mydata.finished", finished=self.when(ticket.final_at), days=self.retention_days))
        lines.append(self.consent_line(ticket))
        place = f"{ticket.city}{pii.get('district') or ''}".strip()
        fields = [
            self.field("topic", self.label(f"topic.{ticket.topic}", ticket.topic)),
            self.field("name", pii.get("name")),
            self.field("phone", pii.get("phone")),
            self.field("employer", pii.get("employer")),
            self.field("platform", ticket.platform),
            self.field("place", place),
            self.field("amount", None if ticket.amount is None else f"{_money(ticket.amount)} 元"),
            self.field("headcount", ticket.headcount),
            self.field("injury", self.t("privacy.mydata.yes") if ticket.injury else None),
            self.field("recovered", None if ticket.amount_recovered is None else f"{_money(ticket.amount_recovered)} 元"),
            self.field("transfer_to", ticket.transfer_to),
            self.field("summary", pii.get("summary")),
            self.field("source_text", pii.get("source_text")),
        ]
        lines += [f for f in fields if f]
        if ticket.evidence:
            lines.append(self.t("privacy.mydata.evidence", count=len(ticket.evidence),
                                names=_file_names(ticket.evidence, self.texts)))
        history = [line for e in ticket.events if (line := self.event_line(e))]
        if history:
            lines.append(self.t("privacy.mydata.history"))
            lines += history
        if ticket.internal_notes:
            lines.append(self.t("privacy.mydata.internal_notes", count=ticket.internal_notes))
        return lines

    def consent_line(self, ticket: TicketRecord) -> str:
        if not ticket.consent_version or ticket.consent_at is None:
            return self.t("privacy.mydata.consent_none")
        key, _, version = ticket.consent_version.partition("#")
        return self.t("privacy.mydata.consent", name=self.label(f"privacy.consent.{key}", key),
                      version=version or key, at=self.when(ticket.consent_at))

    def event_line(self, event: EventRecord) -> str | None:
        key = f"privacy.event.{event.type}"
        if key not in self.texts:
            return None            # system bookkeeping (reminders, …) and internal notes: not the worker's words
        data = event.data
        values = {"state": self.label(f"status.state.{data.get('to', '')}", str(data.get("to", ""))),
                  "rating": data.get("rating", "")}
        what = self.texts.render(key, **{k: v for k, v in values.items() if k in self.texts.placeholders(key)})
        detail = event.note
        if event.type == "evidence":
            detail = str(data.get("name") or "").strip() or self.t("privacy.mydata.unnamed_file")
        return f"· {self.when(event.at)} {what}" + (f"：{detail}" if detail else "")

    # ---- the unfinished draft -------------------------------------------------------------------
    def draft_lines(self, records: WorkerRecords) -> list[str]:
        state = records.conversation
        assert state is not None
        saved = self.when(records.conversation_saved_at) if records.conversation_saved_at else "-"
        lines = [self.t("privacy.mydata.draft_head", saved=saved)]
        if state.consent and state.consent.get("agreed_at"):
            lines.append(self.t("privacy.mydata.draft_consent", at=self._iso(state.consent["agreed_at"])))
        draft = state.draft
        place = f"{draft.get('city') or ''}{draft.get('district') or ''}".strip()
        fields = [
            self.field("topic", self.label(f"topic.{draft['topic']}", str(draft["topic"])) if draft.get("topic") else None),
            self.field("employer", draft.get("employer") or draft.get("company")),
            self.field("platform", draft.get("platform")),
            self.field("place", place),
            self.field("amount", None if not isinstance(draft.get("amount"), (int, float))
                       else f"{_money(float(draft['amount']))} 元"),
            self.field("headcount", draft.get("headcount")),
            self.field("phone", draft.get("phone")),
            self.field("summary", draft.get("summary")),
            self.field("source_text", draft.get("source_text")),
        ]
        lines += [f for f in fields if f]
        files = [f for f in (draft.get("evidence") or []) if isinstance(f, dict)]
        if files:
            lines.append(self.t("privacy.mydata.evidence", count=len(files), names=_file_names(files, self.texts)))
        if state.pending_files:
            lines.append(self.t("privacy.mydata.pending_files", count=len(state.pending_files),
                                names=_file_names(state.pending_files, self.texts)))
        return lines

    def _iso(self, raw: str) -> str:
        try:
            return self.when(datetime.fromisoformat(raw))
        except (TypeError, ValueError):
            return str(raw)


def erased_message(texts: Texts, result: ErasureResult) -> str:
    """What an erasure removed and what it kept, in the worker's words (lines with nothing are left out)."""
    if not result.anything:
        return texts.render("privacy.forget.done_nothing")
    lines = [texts.render("privacy.forget.done_head")]
    if result.tickets:
        lines.append(texts.render("privacy.forget.done_tickets", count=result.tickets, codes="、".join(result.codes)))
    for key, count in (("messages", result.messages), ("files", result.files), ("replies", result.replies),
                       ("other", result.other_texts)):
        if count:
            lines.append(texts.render(f"privacy.forget.done_{key}", count=count))
    if result.outbox_dropped or result.outbox_blanked:
        lines.append(texts.render("privacy.forget.done_outbox", dropped=result.outbox_dropped,
                                  blanked=result.outbox_blanked))
    if result.conversation:
        lines.append(texts.render("privacy.forget.done_conversation"))
    lines.append(texts.render("privacy.forget.done_kept"))
    return "\n".join(lines)
