"""The ticket service contract that the dialogue, every channel and the scheduler call.

Business logic never sends anything itself: every message to a worker or to staff is written to
the durable outbox in the same transaction as the change that caused it; channels drain it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class State(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    MEDIATING = "mediating"
    WAITING = "waiting"            # staff wait on the worker; SLA clocks pause
    RESOLVED = "resolved"
    TRANSFERRED = "transferred"    # to 人社/仲裁/法院/法律援助
    CLOSED = "closed"              # withdrawn, unreachable, out of scope — with a reason


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"


class Kind(StrEnum):
    MEDIATION = "mediation"        # the intake form's ticket
    CALLBACK = "callback"          # "找人工": a person should contact the worker
    URGENT = "urgent"              # opened at once from an urgent message, before any form


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something: a worker ("worker", "telegram:123"), staff ("staff", "telegram:456"), or "system"."""

    role: str                      # worker | staff | system
    id: str
    name: str = ""


SYSTEM = Actor("system", "system", "系统")


@dataclass(slots=True)
class Intake:
    """What the worker told the intake form (all optional except what happened)."""

    topic: str = "none"
    summary: str = ""              # what happened, in the worker's words
    employer: str = ""             # employer / platform / 站点
    platform: str = ""
    city: str = ""
    district: str = ""
    amount: float | None = None    # yuan involved
    headcount: int | None = None
    phone: str = ""
    injury: bool = False
    evidence: list[dict[str, Any]] = field(default_factory=list)   # [{"kind","file_id","name"}]
    source_text: str = ""          # the first message that led here


@dataclass(frozen=True, slots=True)
class Consent:
    text_version: str              # which consent text was shown (key + version of the reply text)
    agreed_at: datetime


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int
    code: str                      # GY-20261123-0007
    channel: str
    user_id: str
    kind: str
    state: str
    priority: str
    topic: str
    intake: Intake
    assignee: str | None
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    amount_recovered: float | None = None
    staff_thread: str | None = None   # channel-specific staff thread (forum topic id, alert msg id)


@dataclass(frozen=True, slots=True)
class TicketClock:
    """What SLA jobs need about one open ticket, read in one go (`TicketService.open_clocks`)."""

    ticket: Ticket
    waiting_since: datetime | None        # set while the ticket is `waiting` (SLA clocks pause)
    waiting_total_s: float                # seconds spent in `waiting` before, over the ticket's life
    last_update_at: datetime | None       # last staff action the worker was told of (claim, reply, state, reopen)


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    ticket_id: int
    at: datetime
    actor: Actor
    type: str                      # created | state | assigned | note | staff_reply | worker_message | evidence | reminder | …
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    channel: str                   # "telegram", "console", … or "staff" for the staff side
    recipient: str                 # user id on that channel; "" for the staff group
    text: str
    buttons: list[list[dict[str, str]]]   # [[{"label","data"}]]
    ticket_id: int | None
    kind: str                      # reply | notify | alert | reminder | digest | survey …
    created_at: datetime
    attempts: int = 0
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Stats:
    by_state: dict[str, int]
    by_topic: dict[str, int]
    median_first_response_s: float | None
    median_resolution_s: float | None
    amount_recovered: float
    total: int
    extra: dict[str, Any] = field(default_factory=dict)


class TransitionError(ValueError):
    """A refused state change; the message says why in plain words."""


class AccessError(PermissionError):
    """Someone tried to act on a ticket they may not touch."""


class TicketNotFound(LookupError):
    """No ticket with that id (or code); the message says which, in plain words."""


class TicketApi(Protocol):
    # worker side
    async def create(self, *, channel: str, user_id: str, kind: Kind, intake: Intake,
                     consent: Consent | None, actor: Actor, told_in_reply: bool = False,
                     form_key: str | None = None) -> Ticket: ...
    async def settle_told(self, ticket_id: int) -> None: ...
    async def worker_message(self, ticket_id: int, actor: Actor, *, text: str = "",
                             attachment: dict[str, Any] | None = None) -> None: ...
    async def tickets_of(self, channel: str, user_id: str) -> list[Ticket]: ...
    async def active_ticket_of(self, channel: str, user_id: str) -> Ticket | None: ...
    # staff side
    async def get(self, ticket_id: int) -> Ticket: ...
    async def by_code(self, code: str) -> Ticket | None: ...
    async def queue(self, *, limit: int = 50) -> list[Ticket]: ...
    async def claim(self, ticket_id: int, staff: Actor) -> Ticket: ...
    async def assign(self, ticket_id: int, staff: Actor, assignee: str) -> Ticket: ...
    async def note(self, ticket_id: int, staff: Actor, text: str) -> None: ...
    async def reply(self, ticket_id: int, staff: Actor, text: str) -> None: ...
    async def change_state(self, ticket_id: int, staff: Actor, new_state: State, *,
                           reason: str = "", amount_recovered: float | None = None,
                           transfer_to: str = "") -> Ticket: ...
    async def reopen(self, ticket_id: int, staff: Actor, reason: str) -> Ticket: ...
    async def events(self, ticket_id: int) -> list[Event]: ...
    async def stats(self, *, since: datetime | None = None) -> Stats: ...
    # outbox (drained by the channels)
    async def outbox_pending(self, *, channel: str | None = None, limit: int = 100) -> list[OutboxMessage]: ...
    async def outbox_mark_sent(self, message_id: int, *, meta: dict[str, Any] | None = None) -> None: ...
    async def outbox_mark_failed(self, message_id: int, error: str, *, retry_at: datetime) -> None: ...
