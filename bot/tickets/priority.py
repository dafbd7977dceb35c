"""Priority from what the worker reported: the act (urgent kind), injury, amount and head count.

- urgent: opened as urgent (danger, self-harm, a group stand-off happening now);
- high: a dispute of `collective_headcount`+ people, an injury, or an amount ≥ `high_amount_yuan`;
- normal: the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.tickets.api import Intake, Kind, Priority

RANK: dict[Priority, int] = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}


@dataclass(frozen=True, slots=True)
class PriorityRules:
    high_amount_yuan: float = 10_000
    collective_headcount: int = 10


def compute_priority(kind: Kind | str, intake: Intake, rules: PriorityRules | None = None) -> Priority:
    rules = rules or PriorityRules()
    if Kind(kind) is Kind.URGENT:
        return Priority.URGENT
    is_dispute = Kind(kind) is Kind.MEDIATION or intake.topic not in ("", "none")
    if is_dispute and intake.headcount is not None and intake.headcount >= rules.collective_headcount:
        return Priority.HIGH
    if intake.injury:
        return Priority.HIGH
    if intake.amount is not None and intake.amount >= rules.high_amount_yuan:
        return Priority.HIGH
    return Priority.NORMAL
