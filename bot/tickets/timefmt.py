"""Times in the database: ISO 8601 UTC with microseconds, fixed width, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(when: datetime) -> str:
    if when.tzinfo is None:
        raise ValueError("naive datetime: the clock must give timezone-aware times")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    return datetime.fromisoformat(text)


def opt_from_db(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
