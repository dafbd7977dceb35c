"""Knowledge-base entries and retrieval results."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Citation:
    law: str          # e.g. 中华人民共和国劳动合同法
    article: str      # e.g. 第八十二条 (or a section/paragraph name for a policy document)
    note: str = ""


@dataclass(frozen=True, slots=True)
class NextStep:
    action: str                    # mediation | human | hotline | arbitration | legal_aid | inspection | none
    text: str                      # one warm sentence offering the step
    hotlines: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FaqEntry:
    id: str
    topic: str
    title: str                     # short label for buttons and suggestions (≤ 18 chars)
    question: str
    paraphrases: tuple[str, ...]
    answer: str
    basis: tuple[Citation, ...]
    related: tuple[str, ...]
    next_step: NextStep
    source_file: str = ""


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    score: float                   # 0..1, calibrated: >= threshold means "sure"
    entry: FaqEntry | None = None


@dataclass(frozen=True, slots=True)
class Retrieval:
    hits: list[Hit] = field(default_factory=list)   # best first, at most k
    sure: bool = False                               # the top hit is confident enough to answer

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None
