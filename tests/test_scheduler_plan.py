"""The pure part of the follow-up: rules applied to a ticket's events at a given moment (no database)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest

from bot.clock import LOCAL_TZ
from bot.scheduler import plan as P
from bot.scheduler.calendar import WorkCalendar
from bot.scheduler.rules import RulesError, SlaRules, parse_digest_time
from bot.scheduler.worktime import deadline, in_daytime, wall_add, wall_between, working_add, working_between
from bot.tickets.api import Actor, Event, Intake, Ticket

STAFF = Actor("staff", "telegram:7", "李姐")
WORKER = Actor("worker", "telegram:1", "小王")
SYSTEM = Actor("system", "system")


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def cal(data_path) -> WorkCalendar:
    return WorkCalendar.load(data_path / "calendar" / "cn_workdays.yaml")


class History:
    """Builds a ticket's events the way the ticket service writes them."""

    def __init__(self, created: datetime, priority: str = "normal", user_id: str = "1") -> None:
        self.priority, self.user_id, self.created = priority, user_id, created
        self.events: list[Event] = []
        self.state = "new"
        self.assignee: str | None = None
        self.add(created, "created", WORKER, kind="mediation", priority=priority)

    def add(self, when: datetime, type_: str, actor: Actor = STAFF, **data: Any) -> History:
        self.events.append(Event(len(self.events) + 1, 1, when, actor, type_, data=data))
        if "to" in data:
            self.state = data["to"]
        return self

    def claim(self, when: datetime) -> History:
        self.assignee = STAFF.id
        return self.add(when, "assigned", assignee=STAFF.id, assignee_name=STAFF.name, **{"from": self.state, "to": "assigned"})

    def move(self, when: datetime, to: str, actor: Actor = STAFF) -> History:
        return self.add(when, "state", actor, **{"from": self.state, "to": to})

    def sent(self, when: datetime, key: str) -> History:
        return self.add(when, "reminder", SYSTEM, key=key)

    def ticket(self) -> Ticket:
        return Ticket(id=1, code="GY-20260921-0001", channel="telegram", user_id=self.user_id, kind="mediation",
                      state=self.state, priority=self.priority, topic="wage", intake=Intake(), assignee=self.assignee,
                      created_at=self.created, updated_at=self.events[-1].at)

    def plan(self, now: datetime, rules: SlaRules | None = None, cal: WorkCalendar | None = None) -> P.Plan:
        assert cal is not None
        return P.plan(self.ticket(), self.events, rules or SlaRules(), cal, now)


def due(p: P.Plan) -> list[tuple[str, datetime, int]]:
    return [(a.rule, a.due, a.n) for a in p.due]


# --- urgent and unclaimed ------------------------------------------------------------------------
def test_urgent_realert_every_ten_minutes_only_the_latest_is_offered(cal):
    h = History(local(9, 21, 10), priority="urgent")
    assert due(h.plan(local(9, 21, 10, 9), cal=cal)) == []
    assert h.plan(local(9, 21, 10, 9), cal=cal).next_at == local(9, 21, 10, 10)
    p = h.plan(local(9, 21, 10, 25), cal=cal)
    assert due(p) == [(P.URGENT_UNCLAIMED, local(9, 21, 10, 20), 2)]       # not n=1 as well: no burst
    assert p.due[0].key == "rem:urgent_unclaimed:1:1:2" and p.due[0].data["minutes"] == 20
    assert p.next_at == local(9, 21, 10, 30) and p.overdue == [P.URGENT_UNCLAIMED]
    h.sent(local(9, 21, 10, 20), "rem:urgent_unclaimed:1:1:2")
    assert due(h.plan(local(9, 21, 10, 29), cal=cal)) == []
    h.claim(local(9, 21, 10, 31))
    assert due(h.plan(local(9, 21, 11), cal=cal)) == []


def test_unclaimed_counts_working_hours_across_the_weekend(cal):
    h = History(local(11, 20, 16))                          # Friday 16:00
    assert h.plan(local(11, 20, 17), cal=cal).next_at == local(11, 23, 11)
    assert due(h.plan(local(11, 23, 11), cal=cal)) == [(P.UNCLAIMED, local(11, 23, 11), 1)]
    h.sent(local(11, 23, 11), "rem:unclaimed:1:1")
    later = h.plan(local(11, 30, 11), cal=cal)
    assert due(later) == [] and later.next_at is None      # one reminder, no repeats
    assert later.overdue == [P.UNCLAIMED]                  # but the digest still lists it


def test_reopened_to_new_starts_a_new_unclaimed_period(cal):
    h = History(local(11, 23, 9)).sent(local(11, 23, 13), "rem:unclaimed:1:1")
    h.move(local(11, 23, 14), "closed").add(local(11, 24, 9), "reopened", **{"from": "closed", "to": "new"})
    p = h.plan(local(11, 24, 13), cal=cal)
    assert due(p) == [(P.UNCLAIMED, local(11, 24, 13), 1)] and p.due[0].key == "rem:unclaimed:1:4"


# --- no staff update, waiting ---------------------------------------------------------------------
def test_stale_repeats_every_three_working_days_and_resets_on_an_update(cal):
    h = History(local(11, 23, 9)).claim(local(11, 23, 10))          # Monday 10:00
    assert h.plan(local(11, 23, 11), cal=cal).next_at == local(11, 26, 10)
    p = h.plan(local(12, 1, 12), cal=cal)                           # past Thu 11-26 and Tue 12-1 10:00
    assert due(p) == [(P.STALE, local(12, 1, 10), 2)] and p.due[0].data["days"] == 6
    assert p.due[0].data["assignee"] == "李姐"
    h.add(local(12, 1, 11), "note", note="内部备注不算进展")
    assert due(h.plan(local(12, 1, 12), cal=cal)) == [(P.STALE, local(12, 1, 10), 2)]
    h.add(local(12, 1, 11, 30), "staff_reply", note="在联系站点")
    p = h.plan(local(12, 1, 12), cal=cal)
    assert due(p) == [] and p.next_at == local(12, 4, 11, 30)


def test_waiting_stops_the_staff_clock_and_nudges_the_worker_once(cal):
    h = History(local(11, 23, 9)).claim(local(11, 23, 10)).move(local(11, 24, 10), "waiting")
    p = h.plan(local(12, 15, 10), cal=cal)                          # three weeks of waiting
    assert due(p) == [(P.WAITING_NUDGE, local(11, 26, 10), 1)]     # no stale reminder while waiting
    assert p.next_at is None
    h.sent(local(11, 26, 10), p.due[0].key)
    assert due(h.plan(local(12, 15, 10), cal=cal)) == []
    # The worker answers on Mon 12-14 15:00: the staff clock runs again from there (3 working days = 27 h).
    h.move(local(12, 14, 15), "mediating", actor=WORKER)
    assert h.plan(local(12, 14, 16), cal=cal).next_at == local(12, 17, 15)
    # A second waiting period gets its own nudge.
    h.move(local(12, 15, 9), "waiting")
    assert h.plan(local(12, 17, 9), cal=cal).due[0].key == "rem:waiting_nudge:1:6"


def test_nudge_at_night_waits_for_the_morning(cal):
    h = History(local(11, 23, 9)).claim(local(11, 23, 9, 5)).move(local(11, 23, 22), "waiting")
    assert h.plan(local(11, 25, 23), cal=cal).next_at == local(11, 26, 9)


# --- the 15 days of mediation -----------------------------------------------------------------------
def test_mediation_limit_counts_calendar_days_from_the_first_mediating(cal):
    h = History(local(9, 21, 9)).claim(local(9, 21, 9, 30)).move(local(9, 21, 10), "mediating")
    h.move(local(9, 22, 10), "waiting").move(local(9, 28, 10), "mediating", actor=WORKER)
    h.move(local(9, 29, 10), "waiting").move(local(9, 30, 10), "mediating")    # second entry: not a new start
    p = h.plan(local(10, 6, 10), cal=cal)
    assert [(a.rule, a.due) for a in p.due if a.rule == P.MEDIATION_LIMIT] == [(P.MEDIATION_LIMIT, local(10, 6, 10))]
    # With the (non-default) pause: 6 + 1 days of waiting push it to 10-13 10:00.
    pausing = SlaRules(mediation_pauses_when_waiting=True)
    assert not [a for a in h.plan(local(10, 13, 9, 59), pausing, cal).due if a.rule == P.MEDIATION_LIMIT]
    limit = [a for a in h.plan(local(10, 13, 10), pausing, cal).due if a.rule == P.MEDIATION_LIMIT]
    assert [(a.due, a.key) for a in limit] == [(local(10, 13, 10), "rem:mediation_limit:1")]


def test_mediation_limit_not_for_finished_or_never_mediated_tickets(cal):
    never = History(local(9, 21, 9)).claim(local(9, 21, 9, 30))
    assert not [a for a in never.plan(local(10, 30, 10), cal=cal).due if a.rule == P.MEDIATION_LIMIT]
    done = History(local(9, 21, 9)).claim(local(9, 21, 9, 30)).move(local(9, 21, 10), "mediating")
    done.move(local(9, 23, 10), "resolved")
    assert not [a for a in done.plan(local(10, 30, 10), cal=cal).due if a.rule == P.MEDIATION_LIMIT]


# --- survey ----------------------------------------------------------------------------------------------
def test_survey_a_day_after_resolved_in_daytime_once_and_not_too_late(cal):
    h = History(local(10, 14, 9)).claim(local(10, 14, 9, 10)).move(local(10, 14, 21, 30), "resolved")
    assert h.plan(local(10, 15, 8), cal=cal).next_at == local(10, 16, 9)
    p = h.plan(local(10, 16, 9), cal=cal)
    assert due(p) == [(P.SURVEY, local(10, 16, 9), 1)] and p.due[0].key == "survey:1"
    assert due(h.plan(local(10, 30, 9), cal=cal)) == []                    # a week later: too late to ask
    answered = History(local(10, 14, 9)).claim(local(10, 14, 9, 10)).move(local(10, 14, 12), "resolved")
    answered.add(local(10, 14, 13), "survey", WORKER, rating=4)         # answered an earlier survey
    assert due(answered.plan(local(10, 15, 13), cal=cal)) == []


def test_no_worker_messages_once_the_worker_erased_their_data(cal):
    h = History(local(10, 14, 9), user_id="").claim(local(10, 14, 9, 10)).move(local(10, 14, 12), "resolved")
    assert h.plan(local(10, 15, 13), cal=cal).due == []
    w = History(local(10, 14, 9), user_id="").claim(local(10, 14, 9, 10)).move(local(10, 14, 12), "waiting")
    assert w.plan(local(10, 20, 13), cal=cal).due == []


@pytest.mark.parametrize("state", ["closed", "transferred"])
def test_finished_tickets_have_nothing_due(cal, state):
    h = History(local(10, 14, 9), priority="urgent").claim(local(10, 14, 9, 10)).move(local(10, 14, 12), state)
    p = h.plan(local(11, 14, 13), cal=cal)
    assert p.due == [] and p.next_at is None and p.overdue == []


def test_rules_switched_off(cal):
    off = SlaRules(urgent_realert=timedelta(0), unclaimed_working_hours=0, stale_working_days=0, mediation_days=0,
                   waiting_nudge=timedelta(0), survey_after=timedelta(0))
    urgent = History(local(10, 14, 9), priority="urgent")
    normal = History(local(10, 14, 9))
    waiting = History(local(10, 14, 9)).claim(local(10, 14, 9, 5)).move(local(10, 14, 9, 10), "mediating")
    waiting.move(local(10, 14, 10), "waiting")
    resolved = History(local(10, 14, 9)).claim(local(10, 14, 9, 5)).move(local(10, 14, 10), "resolved")
    for h in (urgent, normal, waiting, resolved):
        p = h.plan(local(11, 30, 10), off, cal)
        assert p.due == [] and p.next_at is None


# --- arithmetic -------------------------------------------------------------------------------------------
def test_deadline_skips_pauses_and_is_none_while_paused(cal):
    t0 = local(11, 23, 9)
    assert deadline(t0, timedelta(hours=10), [], wall_add, wall_between) == local(11, 23, 19)
    pauses = [(local(11, 23, 10), local(11, 23, 12)), (local(11, 23, 15), local(11, 23, 16))]
    assert deadline(t0, timedelta(hours=10), pauses, wall_add, wall_between) == local(11, 23, 22)
    assert deadline(t0, timedelta(hours=10), [(local(11, 23, 10), None)], wall_add, wall_between) is None
    assert deadline(t0, timedelta(minutes=30), [(local(11, 23, 10), None)], wall_add, wall_between) == local(11, 23, 9, 30)
    # Working time: Mon 09:00 + 18 h with Tuesday paused → Wednesday 18:00.
    add, between = working_add(cal), working_between(cal)
    assert deadline(t0, timedelta(hours=18), [(local(11, 24, 0), local(11, 25, 0))], add, between) == local(11, 25, 18)


def test_working_time_between_skips_nights_weekends_and_holidays(cal):
    between = working_between(cal)
    assert between(local(9, 24, 17), local(9, 28, 10)) == timedelta(hours=2)     # Thu 17:00 → (中秋) → Mon 10:00
    assert between(local(10, 9, 17), local(10, 12, 10)) == timedelta(hours=11)   # the 调休 Saturday counts
    assert between(local(10, 12, 10), local(10, 9, 17)) == timedelta(0)


@pytest.mark.parametrize(
    ("when", "expected"),
    [(local(11, 23, 8, 59), local(11, 23, 9)), (local(11, 23, 9), local(11, 23, 9)),
     (local(11, 23, 19, 59), local(11, 23, 19, 59)), (local(11, 23, 20), local(11, 24, 9))],
)
def test_worker_daytime_window(when, expected):
    assert in_daytime(when, LOCAL_TZ, time(9), time(20)) == expected


def test_rules_validation_and_digest_time():
    with pytest.raises(RulesError, match="flood"):
        SlaRules(urgent_realert=timedelta(seconds=20))
    with pytest.raises(RulesError, match="negative"):
        SlaRules(stale_working_days=-1)
    assert parse_digest_time("09:30") == time(9, 30) and parse_digest_time("off") is None
    with pytest.raises(RulesError, match="HH:MM"):
        parse_digest_time("9点")
