"""What the outbox says about a ticket: worker messages and staff alerts, rendered from reply texts.

Texts live in `data/texts/tickets.yaml`; `REQUIRED` lists each key with the placeholders this
module fills, and `check_texts` runs when the service starts so a missing key fails at once.
"""

from __future__ import annotations

from typing import Any

from bot.texts import Texts
from bot.tickets import states
from bot.tickets.api import Actor, Intake, Kind, Priority, State, Ticket
from bot.tickets.outbox import STAFF_CHANNEL, Outgoing

SUMMARY_MAX = 600
TEXT_MAX = 1500

_STAFF_NEW = {"code", "priority", "kind", "topic", "name", "phone", "platform", "place", "amount", "headcount",
              "injury", "evidence", "summary"}
REQUIRED: dict[str, set[str]] = {
    "tickets.worker.created.mediation": {"code"},
    "tickets.worker.created.callback": {"code"},
    "tickets.worker.created.urgent": {"code"},
    "tickets.worker.claimed": {"code"},
    "tickets.worker.mediating": {"code"},
    "tickets.worker.waiting": {"code"},
    "tickets.worker.waiting_reason": {"code", "reason"},
    "tickets.worker.resolved": {"code"},
    "tickets.worker.resolved_amount": {"code", "amount"},
    "tickets.worker.transferred": {"code", "transfer_to", "reason"},
    "tickets.worker.transferred_somewhere": {"code", "reason"},
    "tickets.worker.closed": {"code", "reason"},
    "tickets.worker.reopened": {"code"},
    "tickets.worker.reply": {"code", "text"},
    "tickets.staff.new": _STAFF_NEW,
    "tickets.staff.new_urgent": _STAFF_NEW,
    "tickets.staff.worker_message": {"code", "state", "name", "text"},
    "tickets.staff.worker_message_final": {"code", "state", "name", "text"},
    "tickets.staff.evidence": {"code", "state", "name", "evidence"},
    "tickets.staff.assigned": {"code", "by", "assignee"},
    "tickets.staff.reopened": {"code", "by", "state", "reason"},
    "tickets.none": set(),
    "tickets.yes": set(),
    "tickets.no": set(),
    "tickets.no_reason": set(),
    "tickets.amount": {"amount"},
    **{f"tickets.priority.{p}": set() for p in Priority},
    **{f"tickets.kind.{k}": set() for k in Kind},
    "tickets.topic.none": set(),
    "tickets.evidence.other": set(),
}


def check_texts(texts: Texts) -> None:
    """Every key the service renders exists and uses only the placeholders it is given."""
    texts.require(REQUIRED, "ticket texts (data/texts/tickets.yaml)")


def money(amount: float) -> str:
    return str(int(amount)) if float(amount).is_integer() else f"{amount:.2f}"


def clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Notifier:
    """Builds the outbox rows for each ticket change."""

    def __init__(self, texts: Texts) -> None:
        check_texts(texts)
        self.texts = texts

    # --- labels ---------------------------------------------------------------------------
    def _label(self, group: str, value: str, fallback_key: str) -> str:
        key = f"tickets.{group}.{value}"
        return self.texts.render(key if key in self.texts else fallback_key)

    def topic_label(self, topic: str) -> str:
        return self._label("topic", topic, "tickets.topic.none") if topic else self.texts.render("tickets.topic.none")

    def evidence_label(self, item: dict[str, Any]) -> str:
        kind = self._label("evidence", str(item.get("kind", "other")), "tickets.evidence.other")
        name = str(item.get("name", "")).strip()
        return f"{kind}「{clip(name, 60)}」" if name else kind

    def _or_none(self, value: Any) -> str:
        return str(value) if value not in (None, "") else self.texts.render("tickets.none")

    # --- to the worker --------------------------------------------------------------------
    def _to_worker(self, ticket: Ticket, key: str, event: str, **values: Any) -> Outgoing:
        return Outgoing(
            channel=ticket.channel, recipient=ticket.user_id, ticket_id=ticket.id,
            text=self.texts.render(key, code=ticket.code, **values),
            kind="reply" if event == "staff_reply" else "notify",
            meta={"event": event, "code": ticket.code, "state": ticket.state},
        )

    def created_for_worker(self, ticket: Ticket) -> Outgoing:
        return self._to_worker(ticket, f"tickets.worker.created.{Kind(ticket.kind)}", "created")

    def claimed_for_worker(self, ticket: Ticket) -> Outgoing:
        return self._to_worker(ticket, "tickets.worker.claimed", "claimed")

    def reply_for_worker(self, ticket: Ticket, text: str) -> Outgoing:
        return self._to_worker(ticket, "tickets.worker.reply", "staff_reply", text=text.strip())

    def reopened_for_worker(self, ticket: Ticket) -> Outgoing:
        return self._to_worker(ticket, "tickets.worker.reopened", "reopened")

    def state_for_worker(self, ticket: Ticket, *, reason: str, amount_recovered: float | None,
                         transfer_to: str) -> Outgoing:
        state = State(ticket.state)
        if state is State.MEDIATING:
            return self._to_worker(ticket, "tickets.worker.mediating", "state")
        if state is State.WAITING:
            if reason.strip():
                return self._to_worker(ticket, "tickets.worker.waiting_reason", "state", reason=reason.strip())
            return self._to_worker(ticket, "tickets.worker.waiting", "state")
        reason = reason.strip() or self.texts.render("tickets.no_reason")
        if state is State.RESOLVED:
            if amount_recovered:
                return self._to_worker(ticket, "tickets.worker.resolved_amount", "state", amount=money(amount_recovered))
            return self._to_worker(ticket, "tickets.worker.resolved", "state")
        if state is State.TRANSFERRED:
            if transfer_to.strip():
                return self._to_worker(ticket, "tickets.worker.transferred", "state",
                                       transfer_to=transfer_to.strip(), reason=reason)
            return self._to_worker(ticket, "tickets.worker.transferred_somewhere", "state", reason=reason)
        if state is State.CLOSED:
            return self._to_worker(ticket, "tickets.worker.closed", "state", reason=reason)
        raise ValueError(f"no worker message for state {state}")

    # --- to staff -------------------------------------------------------------------------
    def _to_staff(self, ticket: Ticket, text: str, event: str, *, kind: str = "notify", **meta: Any) -> Outgoing:
        return Outgoing(
            channel=STAFF_CHANNEL, recipient="", ticket_id=ticket.id, text=text, kind=kind,
            meta={"event": event, "code": ticket.code, "priority": ticket.priority, "state": ticket.state,
                  "urgent": ticket.priority == Priority.URGENT, **meta},
        )

    def new_for_staff(self, ticket: Ticket, worker_name: str) -> Outgoing:
        intake: Intake = ticket.intake
        urgent = ticket.priority == Priority.URGENT
        none = self.texts.render("tickets.none")
        place = "".join(p for p in (intake.city, intake.district) if p) or none
        text = self.texts.render(
            "tickets.staff.new_urgent" if urgent else "tickets.staff.new",
            code=ticket.code,
            priority=self.texts.render(f"tickets.priority.{ticket.priority}"),
            kind=self.texts.render(f"tickets.kind.{ticket.kind}"),
            topic=self.topic_label(ticket.topic),
            name=self._or_none(worker_name), phone=self._or_none(intake.phone),
            platform=self._or_none(intake.platform or intake.employer), place=place,
            amount=self.texts.render("tickets.amount", amount=money(intake.amount)) if intake.amount is not None else none,
            headcount=self._or_none(intake.headcount),
            injury=self.texts.render("tickets.yes" if intake.injury else "tickets.no"),
            evidence=len(intake.evidence),
            summary=clip(intake.summary or intake.source_text, SUMMARY_MAX) or none,
        )
        return self._to_staff(ticket, text, "created", kind="alert", actions=["claim"])

    def worker_message_for_staff(self, ticket: Ticket, worker: Actor, text: str) -> Outgoing:
        final = State(ticket.state) in states.FINAL_STATES
        key = "tickets.staff.worker_message_final" if final else "tickets.staff.worker_message"
        body = self.texts.render(key, code=ticket.code, state=states.label(ticket.state),
                                 name=self._or_none(worker.name), text=clip(text, TEXT_MAX))
        return self._to_staff(ticket, body, "worker_message", actions=["reopen"] if final else ["reply"])

    def evidence_for_staff(self, ticket: Ticket, worker: Actor, item: dict[str, Any]) -> Outgoing:
        body = self.texts.render("tickets.staff.evidence", code=ticket.code, state=states.label(ticket.state),
                                 name=self._or_none(worker.name), evidence=self.evidence_label(item))
        return self._to_staff(ticket, body, "evidence", file=dict(item))

    def assigned_for_staff(self, ticket: Ticket, by: Actor, assignee_name: str) -> Outgoing:
        body = self.texts.render("tickets.staff.assigned", code=ticket.code, by=by.name or by.id, assignee=assignee_name)
        return self._to_staff(ticket, body, "assigned", assignee=ticket.assignee)

    def reopened_for_staff(self, ticket: Ticket, by: Actor, reason: str) -> Outgoing:
        body = self.texts.render("tickets.staff.reopened", code=ticket.code, by=by.name or by.id,
                                 state=states.label(ticket.state),
                                 reason=reason.strip() or self.texts.render("tickets.no_reason"))
        return self._to_staff(ticket, body, "reopened", assignee=ticket.assignee)
