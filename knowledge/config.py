"""Retrieval settings as data (`data/faq/retrieval.yaml`): thresholds, weights, stopwords, synonyms.

The threshold and margin decide when the bot answers outright; they are calibrated on the
labelled dev set (see `benchmarks/kb_bench.py --calibrate`) and kept here, not in code, so a
union can make the bot more careful without a release.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from intents.types import ACTS
from knowledge.loader import KbError, Problem, pydantic_problems
from knowledge.yamlsrc import load_file


class _Weights(BaseModel):
    model_config = ConfigDict(extra="forbid")
    coverage: float = Field(ge=0, le=1)      # share of the message's (IDF-weighted) words the entry knows
    sentence: float = Field(ge=0, le=1)      # best single question/paraphrase overlap (weighted Dice)
    fuzzy: float = Field(ge=0, le=1)         # rapidfuzz similarity to the best sentence

    @model_validator(mode="after")
    def _sum_to_one(self) -> _Weights:
        if abs(self.coverage + self.sentence + self.fuzzy - 1) > 1e-6:
            raise ValueError("weights must add up to 1")
        return self


class _RetrievalFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    threshold: float = Field(gt=0, le=1)
    margin: float = Field(ge=0, le=1)
    min_coverage: float = Field(ge=0, le=1)
    min_words: int = Field(ge=1, le=10)
    floor: float = Field(ge=0, le=1)
    topic_boost: float = Field(ge=0, lt=1)
    candidates: int = Field(ge=3, le=500)
    unknown_word_weight: float = Field(ge=0, le=1)
    weights: _Weights
    no_hits_acts: list[str]
    sure_acts: list[str]
    stopwords: list[str]
    synonyms: dict[str, list[str]] = Field(default_factory=dict)
    compounds: dict[str, list[str]] = Field(default_factory=dict)
    question_markers: list[str] = Field(default_factory=list)
    focus_min_chars: int = Field(default=4, ge=1, le=50)
    focus_whole_floor: float = Field(default=0.0, ge=0, le=1)


@dataclass(frozen=True, slots=True)
class RetrievalConfig:
    threshold: float = 0.6          # top score at or above this (and the margin) → "sure"
    margin: float = 0.05            # …and this far above the best other entry
    min_coverage: float = 0.0       # …and the entry knows this share of the message's words (not half of two questions)
    min_words: int = 1              # …and the message has this many meaningful words (one word names a subject)
    floor: float = 0.2              # hits below this are not offered even as suggestions
    topic_boost: float = 0.15       # share of the remaining distance to 1 added when the topic matches
    candidates: int = 30            # entries picked from the inverted index for fine scoring
    unknown_word_weight: float = 0.5  # weight of a message word the knowledge base never uses (× the highest IDF)
    w_coverage: float = 0.4
    w_sentence: float = 0.3
    w_fuzzy: float = 0.3
    no_hits_acts: frozenset[str] = frozenset({"other"})
    sure_acts: frozenset[str] = frozenset({"ask"})
    stopwords: frozenset[str] = frozenset()
    synonyms: dict[str, tuple[str, ...]] | None = None   # word → the canonical word(s) it stands for
    # the question clause of a story (see Retriever.retrieve); no markers = off
    question_markers: tuple[str, ...] = ()
    focus_min_chars: int = 4
    focus_whole_floor: float = 0.0

    def canonical(self, token: str) -> tuple[str, ...]:
        if self.synonyms and token in self.synonyms:
            return self.synonyms[token]
        return (token,)


def load_config(path: Path) -> RetrievalConfig:
    name = path.name
    try:
        doc = load_file(path)
        parsed = _RetrievalFile.model_validate(doc)
    except (OSError, yaml.YAMLError) as exc:
        raise KbError([Problem(name, f"cannot read: {' '.join(str(exc).split())}")], "retrieval settings are invalid") from None
    except ValidationError as exc:
        raise KbError(pydantic_problems(exc, name, doc), "retrieval settings are invalid") from None
    problems: list[Problem] = []
    if parsed.version != 1:
        problems.append(Problem(name, f"version {parsed.version} is not supported (expected 1)", field="version"))
    for key in ("no_hits_acts", "sure_acts"):
        for act in getattr(parsed, key):
            if act not in ACTS:
                problems.append(Problem(name, f"unknown act {act!r}", field=key))
    mapping: dict[str, tuple[str, ...]] = {}
    for canonical, variants in parsed.synonyms.items():
        for variant in variants:
            if variant in mapping or variant == canonical:
                problems.append(Problem(name, f"{variant!r} is listed twice", entry=canonical, field="synonyms"))
            mapping[variant] = (canonical,)
    for word, parts in parsed.compounds.items():
        if word in mapping or not parts:
            problems.append(Problem(name, f"{word!r} is listed twice or has no parts", entry=word, field="compounds"))
        mapping[word] = tuple(c for part in parts for c in mapping.get(part, (part,)))
    if problems:
        raise KbError(problems, "retrieval settings are invalid")
    return RetrievalConfig(
        threshold=parsed.threshold, margin=parsed.margin, min_coverage=parsed.min_coverage,
        min_words=parsed.min_words,
        floor=parsed.floor, topic_boost=parsed.topic_boost,
        candidates=parsed.candidates, unknown_word_weight=parsed.unknown_word_weight,
        w_coverage=parsed.weights.coverage, w_sentence=parsed.weights.sentence, w_fuzzy=parsed.weights.fuzzy,
        no_hits_acts=frozenset(parsed.no_hits_acts), sure_acts=frozenset(parsed.sure_acts),
        stopwords=frozenset(parsed.stopwords), synonyms=mapping,
        question_markers=tuple(m for m in parsed.question_markers if m), focus_min_chars=parsed.focus_min_chars,
        focus_whole_floor=parsed.focus_whole_floor,
    )
