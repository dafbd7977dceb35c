"""Working-time arithmetic against the real calendar file (2026's notice) and bad files."""

from datetime import UTC, date, datetime

import pytest

from bot.clock import LOCAL_TZ
from bot.scheduler.calendar import CalendarError, WorkCalendar


@pytest.fixture(scope="module")
def cal(data_path):
    return WorkCalendar.load(data_path / "calendar" / "cn_workdays.yaml")


def local(*args):
    return datetime(*args, tzinfo=LOCAL_TZ)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 23), True),    # a Monday
        (date(2026, 11, 22), False),   # a Sunday
        (date(2026, 10, 1), False),    # 国庆节
        (date(2026, 10, 10), True),    # Saturday make-up day (调休上班)
        (date(2026, 2, 14), True),     # Saturday before 春节, working
        (date(2026, 2, 23), False),    # Monday inside 春节
        (date(2025, 1, 26), True),     # Sunday make-up day in 2025
        (date(2025, 10, 8), False),
    ],
)
def test_working_days(cal, day, working):
    assert cal.is_working_day(day) is working


def test_four_working_hours_cross_the_night(cal):
    # Friday 16:00 + 4 working hours → Monday 11:00 (2 h Friday, 2 h Monday)
    assert cal.add_working_hours(local(2026, 11, 20, 16, 0), 4) == local(2026, 11, 23, 11, 0)


def test_working_hours_skip_golden_week_and_count_make_up_saturday(cal):
    # Wednesday 30 Sept 17:00 + 2 h → 1 h left that day, holidays 1–7 Oct, Thu 8 Oct 10:00
    assert cal.add_working_hours(local(2026, 9, 30, 17, 0), 2) == local(2026, 10, 8, 10, 0)
    # Friday 9 Oct 17:30 + 1 h → Saturday 10 Oct (调休上班) 09:30
    assert cal.add_working_hours(local(2026, 10, 9, 17, 30), 1) == local(2026, 10, 10, 9, 30)


def test_start_at_night_counts_from_opening(cal):
    assert cal.add_working_hours(local(2026, 11, 24, 22, 0), 1) == local(2026, 11, 25, 10, 0)


def test_result_keeps_the_callers_timezone(cal):
    start = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)   # 09:00 in China
    assert cal.add_working_hours(start, 1) == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_three_working_days_over_spring_festival(cal):
    # Thursday 12 Feb 2026 10:00 + 3 working days: Fri 13, Sat 14 (调休上班), then 24 Feb (after 春节)
    assert cal.add_working_days(local(2026, 2, 12, 10, 0), 3) == local(2026, 2, 24, 10, 0)


def test_year_not_covered_falls_back_to_weekdays(cal, caplog):
    assert cal.is_working_day(date(2031, 1, 6)) is True   # a Monday
    assert "no entry for year 2031" in caplog.text


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("version: 2\ntimezone: Asia/Shanghai\nworking_hours: {start: '09:00', end: '18:00'}\nyears: {}\n",
         "not supported"),
        ("version: 1\ntimezone: Asia/Shanghai\nworking_hours: {start: '18:00', end: '09:00'}\nyears: {}\n",
         "end must be after start"),
        ("version: 1\ntimezone: Asia/Shanghai\nworking_hours: {start: '09:00', end: '18:00'}\n"
         "years: {2026: {source: x, holidays: [{from: 2026-10-07, to: 2026-10-01, name: 国庆}]}}\n",
         "before `from`"),
        ("version: 1\ntimezone: Asia/Shanghai\nworking_hours: {start: '09:00', end: '18:00'}\n"
         "years: {2026: {source: x, holidays: [], workdays: [2026-11-23]}}\n",
         "not a weekend day"),
        ("version: 1\ntimezone: Asia/Shanghai\nworking_hours: {start: '09:00', end: '18:00'}\n"
         "years: {2026: {source: x, holidays: [{from: 2025-10-01, to: 2025-10-02, name: 国庆}]}}\n",
         "is not in 2026"),
        ("version: 1\ntimezone: Mars/Base\nworking_hours: {start: '09:00', end: '18:00'}\nyears: {}\n",
         "timezone"),
    ],
)
def test_bad_calendar_names_file_and_reason(tmp_path, body, reason):
    path = tmp_path / "cal.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CalendarError, match=reason) as exc:
        WorkCalendar.load(path)
    assert "cal.yaml" in str(exc.value)
