"""Result types of the classifier: what every other part of gongyou reads from a message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ACTS: tuple[str, ...] = ("greet", "thanks", "ask", "complain", "status", "human", "urgent", "cancel", "other")
TOPICS: tuple[str, ...] = (
    "wage", "injury", "insurance", "social_insurance", "contract", "dismissal",
    "hours", "platform", "union", "process", "none",
)


@dataclass(frozen=True, slots=True)
class NluResult:
    """One classified message.

    `act` and `topic` always name the best label (the batch output needs one); `uncertain` is set
    when confidence or margin is below the configured floor so the dialogue asks instead of
    guessing. `entities` is JSON-ready; its keys are documented in `intents.entities`.
    `off_topic` > 0 means the message named another domain or was small talk.
    """

    text: str
    normalized: str
    act: str
    topic: str
    confidence: float
    margin: float
    uncertain: bool
    entities: dict[str, list[Any]] = field(default_factory=dict)
    act_scores: dict[str, float] = field(default_factory=dict)
    topic_scores: dict[str, float] = field(default_factory=dict)
    # evidence that the message is about something else (another legal domain, small talk);
    # 0 when nothing says so. Lets callers tell "other: not ours" from "other: no cue found".
    off_topic: float = 0.0
