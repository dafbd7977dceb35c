"""The keyword data of the classifier: `data/intents/*.yaml`, validated at load.

Union staff edit these files, so every problem is reported as ``file: entry: reason`` and all
problems of a file are listed at once. Cue lists are grouped by weight::

    version: 1
    topics:
      wage:
        phrases:            # substrings of the normalised text
          4: [拖欠工资, 欠薪]
          -3: [不是工资]    # a negative weight is a negative cue
        words:              # whole jieba tokens (for short or ambiguous words)
          2: [扣]
        patterns:           # regular expressions over the normalised text
          4: ["欠.{0,6}工资"]
        weak:               # same shape; counts only a little when nothing in the
          phrases:          # message says it is about work (合同, 赔偿, 押金 …)
            2: [合同]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SUPPORTED_VERSION = 1

M = TypeVar("M", bound=BaseModel)
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)    # libyaml when present: 10x faster start-up


class _StrictLoader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """A key written twice in one mapping is an error (YAML would silently keep the last one)."""

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice (lines {seen[key]} and {line})", key_node.start_mark)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


_LOADER = _StrictLoader


class LexiconError(ValueError):
    """A data file is unusable. `problems` holds one ``file: entry: reason`` line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("intent data is invalid:\n" + "\n".join(problems))


def _check_weights(value: dict[float, list[str]]) -> dict[float, list[str]]:
    for weight, cues in value.items():
        if weight == 0:
            raise ValueError("weight 0 does nothing; use a positive weight or a negative cue")
        if abs(weight) > 20:
            raise ValueError(f"weight {weight} is out of range (-20..20)")
        for cue in cues:
            if not isinstance(cue, str) or not cue.strip():
                raise ValueError(f"empty cue under weight {weight}")
            if cue != cue.strip():
                raise ValueError(f"cue {cue!r} has spaces at its ends")
    return value


class CueGroup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phrases: dict[float, list[str]] = Field(default_factory=dict)
    words: dict[float, list[str]] = Field(default_factory=dict)
    patterns: dict[float, list[str]] = Field(default_factory=dict)

    _weights = field_validator("phrases", "words", "patterns")(_check_weights)

    def is_empty(self) -> bool:
        return not (self.phrases or self.words or self.patterns)


class LabelCues(CueGroup):
    weak: CueGroup | None = None


class ContrastRule(BaseModel):
    """Text matched by `pattern` (and, for `before`, all text before it) counts `discount`;
    text after it counts `stress`: "不是工伤的问题，是工资没发" is about wages."""

    model_config = ConfigDict(extra="forbid")

    pattern: str
    scope: str = Field(pattern=r"^(match|before)$", default="match")


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confidence_floor: float = Field(ge=0, le=1)
    margin_floor: float = Field(ge=0, le=1)
    temperature: float = Field(gt=0)
    residual: float = Field(ge=0)
    urgent_floor: float = Field(gt=0)
    labour_floor: float = Field(gt=0)
    named_topic_floor: float = Field(gt=0)
    weak_factor: float = Field(ge=0, le=1)
    contrast_discount: float = Field(ge=0, le=1)
    contrast_stress: float = Field(ge=1)
    question_stress: float = Field(ge=1)
    recency_bonus: float = Field(ge=0, le=1)
    ask_base: float = Field(ge=0)


class ActsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = SUPPORTED_VERSION
    thresholds: Thresholds
    acts: dict[str, LabelCues]


class TopicsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = SUPPORTED_VERSION
    contrast: list[ContrastRule] = Field(default_factory=list)
    question: CueGroup = Field(default_factory=CueGroup)
    topics: dict[str, LabelCues]


class NormaliseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = SUPPORTED_VERSION
    traditional_to_simplified: str
    emoji: dict[str, str] = Field(default_factory=dict)
    pinyin: dict[str, str] = Field(default_factory=dict)
    replacements: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("pinyin")
    @classmethod
    def _pinyin_is_ascii(cls, value: dict[str, str]) -> dict[str, str]:
        for key, target in value.items():
            if not re.fullmatch(r"[a-z]+( [a-z]+)*", key):
                raise ValueError(f"pinyin key {key!r} must be lower-case syllables separated by single spaces")
            if not target:
                raise ValueError(f"pinyin {key!r} has an empty replacement")
        return value

    @field_validator("replacements")
    @classmethod
    def _replacements(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for group, table in value.items():
            for key, target in table.items():
                if not isinstance(key, str) or not key:
                    raise ValueError(f"{group}: empty key")
                if not isinstance(target, str):
                    raise ValueError(f"{group}: {key}: replacement must be a string")
        return value


class UserDictFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = SUPPORTED_VERSION
    words: list[str]

    @field_validator("words")
    @classmethod
    def _words(cls, value: list[str]) -> list[str]:
        for i, line in enumerate(value):
            parts = str(line).split()
            if not parts or len(parts) > 3:
                raise ValueError(f"entry {i} {line!r}: expected `word [freq] [tag]`")
            if len(parts) >= 2 and not parts[1].isdigit():
                raise ValueError(f"entry {i} {line!r}: frequency {parts[1]!r} is not a whole number")
        return value


class EntitiesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = SUPPORTED_VERSION
    platforms: dict[str, list[str]]
    org_suffixes: list[str]
    org_weak_suffixes: list[str]
    org_generic_prefixes: list[str]
    hotlines: list[str]
    cities: list[str]
    districts: list[str]
    money_context: list[str]
    people_nouns: list[str]


# -- loading -------------------------------------------------------------------------------


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LexiconError([f"{path.name}: cannot read: {exc}"]) from exc
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise LexiconError([f"{path.name}: not valid YAML: {exc}"]) from exc


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def load_model(path: Path, model: type[M]) -> M:
    """Read one YAML file into `model`; every problem names the file, the entry and the reason."""
    doc = _read_yaml(path)
    if not isinstance(doc, dict):
        raise LexiconError([f"{path.name}: (top level): expected a mapping with `version:`"])
    version = doc.get("version", SUPPORTED_VERSION)
    if version != SUPPORTED_VERSION:
        raise LexiconError([f"{path.name}: version: {version!r} is not supported (expected {SUPPORTED_VERSION})"])
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        problems = [f"{path.name}: {_where(err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise LexiconError(problems) from None


def check_labels(file: str, section: str, labels: dict[str, LabelCues], allowed: tuple[str, ...],
                 must_have: tuple[str, ...]) -> list[str]:
    """Cross-checks beyond the schema: known labels, compilable patterns, no cue in two labels."""
    problems: list[str] = []
    for name in labels:
        if name not in allowed and not name.startswith("_"):
            problems.append(f"{file}: {section}.{name}: unknown label (known: {', '.join(allowed)}; "
                            "names starting with _ are helper groups)")
    for name in must_have:
        if name not in labels or labels[name].is_empty():
            problems.append(f"{file}: {section}.{name}: label has no cues")
    seen: dict[tuple[str, str], str] = {}
    for name, cues in labels.items():
        groups = [("", cues)] + ([("weak.", cues.weak)] if cues.weak else [])
        for prefix, group in groups:
            for kind in ("phrases", "words", "patterns"):
                for weight, items in getattr(group, kind).items():
                    for i, cue in enumerate(items):
                        where = f"{file}: {section}.{name}.{prefix}{kind}.{weight:g}[{i}] {cue!r}"
                        if kind == "patterns":
                            try:
                                re.compile(cue)
                            except re.error as exc:
                                problems.append(f"{where}: not a valid regular expression: {exc}")
                        key = (kind, cue)
                        if key in seen:
                            problems.append(f"{where}: already listed under {seen[key]}")
                        seen.setdefault(key, name)
    return problems
