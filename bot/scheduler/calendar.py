"""Working time in China: weekends, public holidays and 调休 make-up days, from data.

SLA rules speak in working hours and working days ("not claimed within 4 working hours"), so
the clock arithmetic lives here, pure and tested apart from the scheduler.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

log = logging.getLogger(__name__)
SUPPORTED_VERSION = 1


class CalendarError(ValueError):
    pass


class _Span(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    name: str

    @model_validator(mode="after")
    def _ordered(self) -> _Span:
        if self.end < self.start:
            raise ValueError(f"`to` {self.end} is before `from` {self.start}")
        if (self.end - self.start).days > 14:
            raise ValueError("a holiday span longer than 14 days is surely a typo")
        return self


class _Year(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str
    holidays: list[_Span]
    workdays: list[date] = []


class _Hours(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> _Hours:
        if self.end <= self.start:
            raise ValueError("working_hours.end must be after start")
        return self


class _CalendarFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    timezone: str
    working_hours: _Hours
    years: dict[int, _Year]

    @field_validator("version")
    @classmethod
    def _version(cls, v: int) -> int:
        if v != SUPPORTED_VERSION:
            raise ValueError(f"version {v} is not supported (expected {SUPPORTED_VERSION})")
        return v


@dataclass(frozen=True)
class WorkCalendar:
    tz: ZoneInfo
    day_start: time
    day_end: time
    years: frozenset[int]
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def load(cls, path: Path) -> WorkCalendar:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            doc = _CalendarFile.model_validate(raw)
        except OSError as exc:
            raise CalendarError(f"{path.name}: cannot read: {exc}") from exc
        except yaml.YAMLError as exc:
            raise CalendarError(f"{path.name}: not valid YAML: {exc}") from exc
        except ValidationError as exc:
            lines = [f"{path.name}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
            raise CalendarError("calendar is invalid:\n" + "\n".join(lines)) from exc
        holidays: set[date] = set()
        workdays: set[date] = set()
        problems: list[str] = []
        for year, spec in doc.years.items():
            for span in spec.holidays:
                day = span.start
                while day <= span.end:
                    if day.year != year:
                        problems.append(f"{path.name}: years.{year}: holiday {span.name} {day} is not in {year}")
                    holidays.add(day)
                    day += timedelta(days=1)
            for day in spec.workdays:
                if day.year != year:
                    problems.append(f"{path.name}: years.{year}: workday {day} is not in {year}")
                if day.weekday() < 5:
                    problems.append(f"{path.name}: years.{year}: workday {day} is not a weekend day")
                workdays.add(day)
        clash = holidays & workdays
        if clash:
            problems.append(f"{path.name}: days both holiday and workday: {sorted(clash)}")
        try:
            tz = ZoneInfo(doc.timezone)
        except Exception as exc:  # ZoneInfoNotFoundError and bad keys
            problems.append(f"{path.name}: timezone {doc.timezone!r}: {exc}")
            tz = ZoneInfo("UTC")
        if problems:
            raise CalendarError("calendar is invalid:\n" + "\n".join(problems))
        return cls(tz, doc.working_hours.start, doc.working_hours.end, frozenset(doc.years),
                   frozenset(holidays), frozenset(workdays))

    def covers(self, day: date) -> bool:
        return day.year in self.years

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if not self.covers(day):
            log.warning("calendar has no entry for year %s: assuming Monday–Friday", day.year)
        return day.weekday() < 5

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` of working time after `start` (time outside working hours does not count)."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        remaining = timedelta(hours=hours)
        cursor = start.astimezone(self.tz)
        for _ in range(3660):  # ten years of days: a hard stop against a calendar with no working day
            day = cursor.date()
            if self.is_working_day(day):
                open_at = datetime.combine(day, self.day_start, self.tz)
                close_at = datetime.combine(day, self.day_end, self.tz)
                begin = max(cursor, open_at)
                if begin < close_at:
                    available = close_at - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(start.tzinfo)
                    remaining -= available
            cursor = datetime.combine(day + timedelta(days=1), time(0), self.tz)
        raise CalendarError("no working time found within ten years")

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same local time `days` working days later (a start on a day off counts from the next working day)."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        local = start.astimezone(self.tz)
        day = local.date()
        if not self.is_working_day(day):
            local = datetime.combine(day, self.day_start, self.tz)
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return datetime.combine(day, local.timetz().replace(tzinfo=None), self.tz).astimezone(start.tzinfo)
