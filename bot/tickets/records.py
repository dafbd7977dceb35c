"""Rows ↔ the api dataclasses. Personal data of a ticket sits in one JSON column (`pii`) so it can be blanked."""

from __future__ import annotations

import json
from typing import Any

from bot.tickets.api import Actor, Event, Intake, Ticket
from bot.tickets.timefmt import from_db, opt_from_db

# Keys of tickets.pii: everything that can identify or quote the worker.
PII_KEYS = ("name", "summary", "employer", "district", "phone", "evidence", "source_text")

TICKET_COLUMNS = (
    "id, code, channel, user_id, kind, state, priority, topic, platform, city, amount, headcount, injury, pii, "
    "assignee, assignee_name, created_at, updated_at, first_response_at, resolved_at, amount_recovered, staff_thread"
)
EVENT_COLUMNS = "id, ticket_id, at, actor_role, actor_id, actor_name, type, note, data"


def pii_of(intake: Intake, worker_name: str) -> dict[str, Any]:
    return {
        "name": worker_name,
        "summary": intake.summary,
        "employer": intake.employer,
        "district": intake.district,
        "phone": intake.phone,
        "evidence": [dict(item) for item in intake.evidence],
        "source_text": intake.source_text,
    }


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def ticket_from_row(row: Any) -> Ticket:
    pii = json.loads(row["pii"])
    intake = Intake(
        topic=row["topic"],
        summary=pii.get("summary", ""),
        employer=pii.get("employer", ""),
        platform=row["platform"],
        city=row["city"],
        district=pii.get("district", ""),
        amount=row["amount"],
        headcount=row["headcount"],
        phone=pii.get("phone", ""),
        injury=bool(row["injury"]),
        evidence=list(pii.get("evidence", [])),
        source_text=pii.get("source_text", ""),
    )
    return Ticket(
        id=row["id"], code=row["code"], channel=row["channel"], user_id=row["user_id"], kind=row["kind"],
        state=row["state"], priority=row["priority"], topic=row["topic"], intake=intake,
        assignee=row["assignee"],
        created_at=from_db(row["created_at"]), updated_at=from_db(row["updated_at"]),
        first_response_at=opt_from_db(row["first_response_at"]), resolved_at=opt_from_db(row["resolved_at"]),
        amount_recovered=row["amount_recovered"], staff_thread=row["staff_thread"],
    )


def worker_name_of(row: Any) -> str:
    return str(json.loads(row["pii"]).get("name", ""))


def event_from_row(row: Any) -> Event:
    return Event(
        id=row["id"], ticket_id=row["ticket_id"], at=from_db(row["at"]),
        actor=Actor(row["actor_role"], row["actor_id"], row["actor_name"]),
        type=row["type"], note=row["note"], data=json.loads(row["data"]),
    )
