"""The outbox rows each follow-up action writes, rendered from `data/texts/scheduler.yaml`.

Staff reminders go to the ticket's staff thread (channel "staff"). The urgent re-alert and the
"not claimed" reminder are of kind `alert` so the channel shows the claim button (and, for an
urgent ticket, mentions the on-duty admins); the others are of kind `reminder`. Every row's meta
names its rule, so the channels and the tests can tell them apart.
"""

from __future__ import annotations

from typing import Any

from bot.scheduler import plan as P
from bot.texts import Texts
from bot.tickets.api import Priority, Ticket
from bot.tickets.notify import money
from bot.tickets.outbox import STAFF_CHANNEL, Outgoing

SURVEY_PREFIX = "sv"          # worker buttons: sv:<ticket id>:<1-5> and sv:<ticket id>:skip
RATINGS = (1, 2, 3, 4, 5)

REQUIRED: dict[str, set[str]] = {
    "sched.staff.urgent_unclaimed": {"code", "minutes", "topic"},
    "sched.staff.unclaimed": {"code", "hours", "priority", "topic"},
    "sched.staff.stale": {"code", "days", "assignee"},
    "sched.staff.mediation_limit": {"code", "days"},
    "sched.digest.title": {"date"},
    "sched.digest.created": {"count"},
    "sched.digest.unclaimed": {"count", "codes"},
    "sched.digest.overdue": {"count", "codes"},
    "sched.digest.urgent": {"count", "codes"},
    "sched.digest.resolved": {"count", "amount"},
    "sched.digest.open": {"count"},
    "sched.digest.codes": {"codes"},
    "sched.digest.more": {"codes", "count"},
    "sched.worker.waiting_nudge": {"code"},
    "sched.worker.mediation_limit": {"code", "days"},
    "sched.worker.survey": {"code"},
    "sched.survey.btn": {"rating"},
    "sched.survey.btn.skip": set(),
    "sched.survey.ask_comment": set(),
    "sched.survey.thanks": set(),
    "sched.survey.already": set(),
    "sched.staff.survey_rating": {"code", "rating"},
    "sched.stats.satisfaction": {"average", "count"},
    "sched.stats.satisfaction_none": set(),
    "sched.staff.survey_comment": {"code", "text"},
    "tickets.topic.none": set(),
    **{f"tickets.priority.{p}": set() for p in Priority},
}


def check_texts(texts: Texts) -> None:
    """Every key rendered here exists and uses only the placeholders it is given."""
    texts.require(REQUIRED, "scheduler texts (data/texts/scheduler.yaml)")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def survey_button(ticket_id: int, choice: int | str) -> str:
    return f"{SURVEY_PREFIX}:{ticket_id}:{choice}"


class FollowUpMessages:
    def __init__(self, texts: Texts) -> None:
        check_texts(texts)
        self.texts = texts

    def topic(self, topic: str) -> str:
        key = f"tickets.topic.{topic}"
        return self.texts.render(key if key in self.texts else "tickets.topic.none")

    def _staff(self, ticket: Ticket, action: P.Action, key: str, kind: str = "reminder", **values: Any) -> Outgoing:
        return Outgoing(
            channel=STAFF_CHANNEL, recipient="", ticket_id=ticket.id, kind=kind,
            text=self.texts.render(key, code=ticket.code, **values),
            meta={"event": "reminder", "rule": action.rule, "n": action.n, "code": ticket.code,
                  "priority": ticket.priority, "state": ticket.state, "urgent": ticket.priority == Priority.URGENT,
                  **({"assignee": ticket.assignee} if action.rule == P.STALE else {})},
        )

    def _worker(self, ticket: Ticket, action: P.Action, key: str, kind: str = "reminder",
                buttons: list[list[dict[str, str]]] | None = None, **values: Any) -> Outgoing:
        return Outgoing(
            channel=ticket.channel, recipient=ticket.user_id, ticket_id=ticket.id, kind=kind,
            text=self.texts.render(key, code=ticket.code, **values), buttons=buttons or [],
            meta={"event": "reminder", "rule": action.rule, "code": ticket.code, "state": ticket.state},
        )

    def for_action(self, ticket: Ticket, action: P.Action) -> list[Outgoing]:
        rule, data = action.rule, action.data
        if rule == P.URGENT_UNCLAIMED:
            return [self._staff(ticket, action, "sched.staff.urgent_unclaimed", kind="alert",
                                minutes=data.get("minutes", ""), topic=self.topic(ticket.topic))]
        if rule == P.UNCLAIMED:
            return [self._staff(ticket, action, "sched.staff.unclaimed", kind="alert",
                                hours=_number(data.get("hours", 0)), topic=self.topic(ticket.topic),
                                priority=self.texts.render(f"tickets.priority.{ticket.priority}"))]
        if rule == P.STALE:
            return [self._staff(ticket, action, "sched.staff.stale", days=_number(data.get("days", 0)),
                                assignee=data.get("assignee") or ticket.assignee or "")]
        if rule == P.MEDIATION_LIMIT:
            days = data.get("days", "")
            messages = [self._staff(ticket, action, "sched.staff.mediation_limit", days=days)]
            if ticket.user_id:
                messages.append(self._worker(ticket, action, "sched.worker.mediation_limit", days=days))
            return messages
        if rule == P.WAITING_NUDGE:
            return [self._worker(ticket, action, "sched.worker.waiting_nudge")]
        if rule == P.SURVEY:
            return [self._worker(ticket, action, "sched.worker.survey", kind="survey", buttons=self.survey_buttons(ticket))]
        raise ValueError(f"no message for rule {rule!r}")

    def survey_buttons(self, ticket: Ticket) -> list[list[dict[str, str]]]:
        return [
            [{"label": self.texts.render("sched.survey.btn", rating=r), "data": survey_button(ticket.id, r)} for r in RATINGS],
            [{"label": self.texts.render("sched.survey.btn.skip"), "data": survey_button(ticket.id, "skip")}],
        ]

    # --- the digest --------------------------------------------------------------------------
    def codes(self, codes: list[str], limit: int = 10) -> str:
        if not codes:
            return ""
        shown = "、".join(codes[:limit])
        if len(codes) > limit:
            shown = self.texts.render("sched.digest.more", codes=shown, count=len(codes))
        return self.texts.render("sched.digest.codes", codes=shown)

    def digest(self, report: Any) -> Outgoing:
        t = self.texts.render
        lines = [
            t("sched.digest.title", date=report.day.isoformat()),
            t("sched.digest.created", count=report.created),
            t("sched.digest.unclaimed", count=len(report.unclaimed), codes=self.codes(report.unclaimed)),
            t("sched.digest.overdue", count=len(report.overdue), codes=self.codes(report.overdue)),
            t("sched.digest.urgent", count=len(report.urgent), codes=self.codes(report.urgent)),
            t("sched.digest.resolved", count=report.resolved, amount=money(report.recovered)),
            t("sched.digest.open", count=report.open),
        ]
        return Outgoing(
            channel=STAFF_CHANNEL, recipient="", ticket_id=None, kind="digest", text="\n".join(lines),
            meta={"event": "digest", "rule": "digest", "day": report.day.isoformat()},
            dedupe_key=f"digest:{report.day.isoformat()}",
        )
