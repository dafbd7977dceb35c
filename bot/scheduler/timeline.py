"""A ticket's history read for its clocks: when each stretch began, when it waited, what was sent.

Everything here is derived from the append-only events, so the database stays the one truth:
the same events give the same timeline after any restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.scheduler.worktime import Pause
from bot.tickets.api import Event, State

# Staff actions the worker is told of: they reset the "no update" clock (internal notes do not).
STAFF_UPDATES = frozenset({"assigned", "staff_reply", "state", "reopened"})
# Events that move the ticket to another state, with data {"from", "to"}.
STATE_CHANGES = frozenset({"assigned", "state", "reopened"})
REMINDER = "reminder"
SURVEY_ANSWER = "survey"
# The only events `read` looks at: the scheduler loads just these (not notes, messages, files).
PLAN_EVENTS = frozenset({"created", REMINDER, SURVEY_ANSWER} | STATE_CHANGES | STAFF_UPDATES)


@dataclass(frozen=True, slots=True)
class Mark:
    """An event that started something: its id (stable, for dedupe keys) and time."""

    event_id: int
    at: datetime


@dataclass(slots=True)
class Timeline:
    state: str = State.NEW.value
    entered: Mark | None = None             # when the current state began
    mediation_started: Mark | None = None   # first entry into `mediating`
    last_update: Mark | None = None         # last staff update the worker saw, or (re)assignment
    assignee_name: str = ""
    pauses: list[Pause] = field(default_factory=list)    # waiting intervals, oldest first
    sent: set[str] = field(default_factory=set)          # dedupe keys of reminders already recorded
    survey_answered: bool = False

    def pauses_after(self, start: datetime) -> list[Pause]:
        return [p for p in self.pauses if p[1] is None or p[1] > start]


def read(events: Sequence[Event]) -> Timeline:
    """Walk the events in order (they come ordered by id)."""
    line = Timeline()
    for event in events:
        mark = Mark(event.id, event.at)
        if event.type == "created":
            line.state, line.entered = State.NEW.value, mark
        elif event.type in STATE_CHANGES:
            target = str(event.data.get("to") or line.state)
            if target != line.state:
                _leave(line, event.at)
                line.state, line.entered = target, mark
                if target == State.WAITING:
                    line.pauses.append((event.at, None))
                if target == State.MEDIATING and line.mediation_started is None:
                    line.mediation_started = mark
        if event.type == "assigned":
            line.assignee_name = str(event.data.get("assignee_name") or event.data.get("assignee") or "")
        if event.type in ("assigned", "reopened") or (event.actor.role == "staff" and event.type in STAFF_UPDATES):
            line.last_update = mark
        if event.type == REMINDER and event.data.get("key"):
            line.sent.add(str(event.data["key"]))
        if event.type == SURVEY_ANSWER:
            line.survey_answered = True
    return line


def _leave(line: Timeline, at: datetime) -> None:
    if line.state == State.WAITING and line.pauses and line.pauses[-1][1] is None:
        line.pauses[-1] = (line.pauses[-1][0], at)
