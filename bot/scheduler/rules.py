"""The follow-up rules and their durations: defaults here, overrides from `Settings` (SLA_* variables).

A duration of 0 switches its rule off. Staff clocks (unclaimed, no update) run in working time
from the calendar; the worker's clocks (nudge, survey) in plain hours, but a message to a worker
never goes out at night: it waits for the worker's daytime window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any


class RulesError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class SlaRules:
    urgent_realert: timedelta = timedelta(minutes=10)     # urgent and unclaimed: re-alert, then again each period
    unclaimed_working_hours: float = 4.0                  # normal/high unclaimed: one reminder in its staff thread
    stale_working_days: float = 3.0                       # assigned, no staff update: remind the assignee (repeats)
    mediation_days: int = 15                              # 劳动争议调解仲裁法第十四条
    mediation_pauses_when_waiting: bool = False           # the statute's 15 days do not stop; see docs in plan.py
    waiting_nudge: timedelta = timedelta(hours=48)        # one gentle nudge to the worker per waiting period
    survey_after: timedelta = timedelta(hours=24)         # ask for a 1–5 rating after `resolved`
    survey_give_up: timedelta = timedelta(days=7)         # a survey later than this is not sent at all
    digest_at: time | None = time(9, 0)                   # daily digest to the staff group (local time)
    worker_day_start: time = time(9, 0)                   # worker messages wait for this window …
    worker_day_end: time = time(20, 0)                    # … (local time)

    def __post_init__(self) -> None:
        problems = []
        for name in ("urgent_realert", "waiting_nudge", "survey_after", "survey_give_up"):
            if getattr(self, name) < timedelta(0):
                problems.append(f"{name} must not be negative")
        for name in ("unclaimed_working_hours", "stale_working_days", "mediation_days"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must not be negative")
        if self.urgent_realert and self.urgent_realert < timedelta(minutes=1):
            problems.append("urgent_realert under one minute would flood the staff group")
        if self.worker_day_end <= self.worker_day_start:
            problems.append("worker_day_end must be after worker_day_start")
        if problems:
            raise RulesError("follow-up rules are invalid: " + "; ".join(problems))

    @property
    def stale_enabled(self) -> bool:
        return self.stale_working_days > 0

    @classmethod
    def from_settings(cls, settings: Any) -> SlaRules:
        """Build from `bot.config.Settings` (its SLA_* fields; validated there and again here)."""
        return cls(
            urgent_realert=timedelta(minutes=settings.sla_urgent_realert_minutes),
            unclaimed_working_hours=settings.sla_unclaimed_working_hours,
            stale_working_days=settings.sla_stale_working_days,
            mediation_days=settings.sla_mediation_days,
            mediation_pauses_when_waiting=settings.sla_mediation_pauses_when_waiting,
            waiting_nudge=timedelta(hours=settings.sla_waiting_nudge_hours),
            survey_after=timedelta(hours=settings.sla_survey_after_hours),
            digest_at=parse_digest_time(settings.sla_digest_time),
        )


def parse_digest_time(value: str) -> time | None:
    """"09:00" → 09:00; "off" or "" → no digest."""
    text = (value or "").strip().lower()
    if text in ("", "off", "no", "false", "0"):
        return None
    try:
        hour, minute = (int(part) for part in text.split(":"))
        return time(hour, minute)
    except ValueError:
        raise RulesError(f"digest time {value!r} is not HH:MM (e.g. 09:00) or off") from None
