"""Load and validate the whole knowledge base: every `data/faq/<topic>.yaml`, checked together.

Every problem is collected and reported once, one line each, naming the file (and line), the
entry and the field — the person who edits the files fixes them all in one pass (Rasa style).
A file with any problem fails the load; a catalogue id without an entry is reported as a gap
(`KbReport.missing`): `gongyou kb check` and the tests fail on it, the bot starts and says
"not sure" for that question (see `load_kb`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from intents.types import TOPICS
from knowledge import schema
from knowledge.base import Catalogue, KnowledgeBase
from knowledge.render import render_answer
from knowledge.types import Citation, FaqEntry, NextStep
from knowledge.yamlsrc import LineDict, line_of, load_file

log = logging.getLogger(__name__)

CATALOGUE_FILE = "catalogue.yaml"
RETRIEVAL_FILE = "retrieval.yaml"
NOT_ENTRY_FILES = frozenset({CATALOGUE_FILE, RETRIEVAL_FILE})
ENTRY_TOPICS = tuple(t for t in TOPICS if t != "none")


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    message: str
    line: int | None = None
    entry: str = ""
    field: str = ""

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        parts = [where, self.entry, self.field]
        return ": ".join(p for p in parts if p) + f": {self.message}"


class KbError(ValueError):
    def __init__(self, problems: Iterable[Problem | str], header: str = "the knowledge base is invalid") -> None:
        self.problems = [str(p) for p in problems]
        super().__init__(header + ":\n" + "\n".join(self.problems))


@dataclass(slots=True)
class KbReport:
    """Everything `check` found: the valid entries, the problems, and catalogue ids with no entry."""

    kb: KnowledgeBase
    problems: list[Problem] = field(default_factory=list)
    invalid: set[str] = field(default_factory=set)     # ids of entries written but not valid

    @property
    def missing(self) -> list[str]:
        """Catalogue ids with no entry written at all (an invalid entry is a problem, not a gap)."""
        return [i for i in self.kb.missing() if i not in self.invalid]

    def coverage(self) -> dict[str, tuple[list[str], list[str], list[str]]]:
        """topic → (valid ids, invalid ids, ids not written), in catalogue order."""
        out: dict[str, tuple[list[str], list[str], list[str]]] = {}
        for topic, (have, absent) in self.kb.coverage().items():
            out[topic] = (have, [i for i in absent if i in self.invalid], [i for i in absent if i not in self.invalid])
        return out

    @property
    def ok(self) -> bool:
        return not self.problems and not self.missing


class _Header(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    topic: str
    entries: list[Any] = Field(min_length=1)


class _CatalogueItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topic: str
    q: str = ""


class _CatalogueFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    entries: dict[str, _CatalogueItem] = Field(min_length=1)
    additions: dict[str, _CatalogueItem] = Field(default_factory=dict)


def load_catalogue(path: Path) -> Catalogue:
    """The required ids and their topics (`data/faq/catalogue.yaml`); raises KbError when unreadable."""
    name = path.name
    try:
        doc = load_file(path)
        parsed = _CatalogueFile.model_validate(doc)
    except (OSError, yaml.YAMLError) as exc:
        raise KbError([Problem(name, f"cannot read: {_one_line(exc)}")], "the FAQ catalogue is invalid") from None
    except ValidationError as exc:
        raise KbError(pydantic_problems(exc, name, doc), "the FAQ catalogue is invalid") from None
    problems = []
    if parsed.version != schema.SUPPORTED_VERSION:
        problems.append(Problem(name, f"version {parsed.version} is not supported (expected {schema.SUPPORTED_VERSION})"))
    for section, items in (("entries", parsed.entries), ("additions", parsed.additions)):
        for key, item in items.items():
            if item.topic not in ENTRY_TOPICS or not key.startswith(item.topic + "."):
                problems.append(Problem(name, f"topic {item.topic!r} is not a topic or does not match the id",
                                        line_of(doc, (section, key)), key))
            if section == "additions" and key in parsed.entries:
                problems.append(Problem(name, "already listed under entries", line_of(doc, (section, key)), key))
    if problems:
        raise KbError(problems, "the FAQ catalogue is invalid")
    every = {**parsed.entries, **parsed.additions}
    return Catalogue({k: v.topic for k, v in every.items()}, {k: v.q for k, v in every.items()},
                     frozenset(parsed.additions))


def entry_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.name not in NOT_ENTRY_FILES)


def check(folder: Path, catalogue: Catalogue | None = None) -> KbReport:
    """Validate every entry file in `folder` against the schema, each other and the catalogue."""
    if catalogue is None:
        catalogue = load_catalogue(folder / CATALOGUE_FILE)
    problems: list[Problem] = []
    raw: list[tuple[str, LineDict, str, str]] = []   # (file, raw entry, label, topic) of every readable entry
    files = entry_files(folder)
    if not files:
        problems.append(Problem(folder.name or str(folder), "no knowledge-base files (*.yaml) found"))
    for path in files:
        raw.extend(_read_file(path, problems))

    known_ids = {r.get("id") for _, r, _, _ in raw if isinstance(r.get("id"), str)}
    first_seen: dict[str, str] = {}
    text_seen: dict[str, str] = {}
    entries: dict[str, FaqEntry] = {}
    invalid: set[str] = set()
    for file, item, label, topic in raw:
        line = item.line if isinstance(item, LineDict) else None
        try:
            model = schema.EntryModel.model_validate(item)
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, file, item, label))
            model = None
            invalid.add(label)
        entry_id = item.get("id") if isinstance(item.get("id"), str) else None
        if entry_id is not None:
            where = f"{file}:{line}" if line else file
            if entry_id in first_seen:
                problems.append(Problem(file, f"id is already used in {first_seen[entry_id]}", line, entry_id, "id"))
                continue
            first_seen[entry_id] = where
            if not entry_id.startswith(topic + "."):
                problems.append(Problem(file, f"id must start with the file's topic {topic!r}", line, entry_id, "id"))
            elif entry_id not in catalogue.topics:
                problems.append(Problem(file, "id is not in the catalogue (data/faq/catalogue.yaml) — a typo?",
                                        line, entry_id, "id"))
        if model is None:
            continue
        problems.extend(_cross_checks(file, item, model, known_ids | set(catalogue.topics), text_seen))
        entry = _to_entry(model, topic, file)
        if len(rendered := render_answer(entry)) > schema.RENDERED_MAX:
            problems.append(Problem(file, f"the rendered answer with its basis line is {len(rendered)} characters, "
                                          f"at most {schema.RENDERED_MAX}", line_of(item, ("answer",)), model.id, "answer"))
            invalid.add(model.id)
            continue
        entries[model.id] = entry
    return KbReport(KnowledgeBase(entries, catalogue), problems, invalid)


def load_kb(folder: Path, *, require_complete: bool = False) -> KnowledgeBase:
    """The validated knowledge base; KbError listing every problem when any entry is invalid.

    Catalogue ids without an entry are logged (and are an error with `require_complete`): a gap
    makes the bot answer "not sure" for one question, which must not stop ticket intake for all.
    """
    report = check(folder)
    if report.problems:
        raise KbError(report.problems)
    if report.missing:
        if require_complete:
            gaps = [Problem(CATALOGUE_FILE, f"no entry for {m}") for m in report.missing]
            raise KbError(gaps, "the knowledge base is incomplete")
        log.warning("knowledge base: %d catalogue entries missing: %s", len(report.missing), ", ".join(report.missing))
    return report.kb


# --- one file ------------------------------------------------------------------------------

def _read_file(path: Path, problems: list[Problem]) -> list[tuple[str, LineDict, str, str]]:
    name = path.name
    try:
        doc = load_file(path)
    except OSError as exc:
        problems.append(Problem(name, f"cannot read: {exc}"))
        return []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(name, f"not valid YAML: {_one_line(exc)}", mark.line + 1 if mark else None))
        return []
    if not isinstance(doc, dict):
        problems.append(Problem(name, "expected a mapping with version, topic and entries"))
        return []
    try:
        header = _Header.model_validate(doc)
    except ValidationError as exc:
        problems.extend(pydantic_problems(exc, name, doc))
        return []
    bad_header = False
    if header.version != schema.SUPPORTED_VERSION:
        problems.append(Problem(name, f"version {header.version} is not supported (expected {schema.SUPPORTED_VERSION})",
                                line_of(doc, ("version",)), field="version"))
        bad_header = True
    if header.topic not in ENTRY_TOPICS:
        problems.append(Problem(name, f"unknown topic {header.topic!r} (known: {', '.join(ENTRY_TOPICS)})",
                                line_of(doc, ("topic",)), field="topic"))
        bad_header = True
    if bad_header:
        return []
    out = []
    for index, item in enumerate(doc["entries"]):
        label = _label(item, index)
        if not isinstance(item, dict):
            problems.append(Problem(name, "an entry must be a mapping of fields", line_of(doc, ("entries", index)), label))
            continue
        out.append((name, item, label, header.topic))
    return out


def _cross_checks(file: str, item: LineDict, model: schema.EntryModel, known_ids: set[Any],
                  text_seen: dict[str, str]) -> list[Problem]:
    """Rules that need the other entries: related ids exist, no sentence is shared by two entries.

    A related id that is in the catalogue but not written yet is part of the coverage gap (the
    dialogue skips it, see `KnowledgeBase.related`), not a second error.
    """
    found = []
    for i, rel in enumerate(model.related):
        if rel not in known_ids:
            found.append(Problem(file, f"related id {rel!r} does not exist", line_of(item, ("related", i)), model.id, "related"))
    texts = [("question", model.question, ("question",))] + [
        ("paraphrases", p, ("paraphrases", i)) for i, p in enumerate(model.paraphrases)]
    for field_name, text, loc in texts:
        key = _squash(text)
        owner = text_seen.setdefault(key, model.id)
        if owner != model.id:
            found.append(Problem(file, f"{text!r} is also a question/paraphrase of {owner}: one sentence, one entry",
                                 line_of(item, loc), model.id, field_name))
    return found


def _to_entry(model: schema.EntryModel, topic: str, file: str) -> FaqEntry:
    return FaqEntry(
        id=model.id,
        topic=topic,
        title=model.title,
        question=model.question,
        paraphrases=tuple(model.paraphrases),
        answer=model.answer,
        basis=tuple(Citation(c.law, c.article, c.note) for c in model.basis),
        related=tuple(model.related),
        next_step=NextStep(model.next_step.action, model.next_step.text, tuple(model.next_step.hotlines)),
        source_file=file,
    )


# --- messages ------------------------------------------------------------------------------

_PUNCT = re.compile(r"[\s，。？！、,.?!~～…：:；;“”\"'（）()]+")


def _squash(text: str) -> str:
    return _PUNCT.sub("", text).lower()


def _label(item: Any, index: int) -> str:
    if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"].strip():
        return item["id"]
    return f"entry #{index + 1}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def pydantic_problems(exc: ValidationError, file: str, doc: Any, label: str = "") -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        field_path = ".".join(str(p) if not isinstance(p, int) else f"[{p + 1}]" for p in loc).replace(".[", "[")
        out.append(Problem(file, _message(err), line_of(doc, loc), label, field_path))
    return out


def _message(err: dict[str, Any]) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (a typo?)"
    if kind == "string_too_long":
        return f"too long: {len(value)} characters, at most {ctx.get('max_length')}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} items, has {len(value) if hasattr(value, '__len__') else 0}"
    if kind == "too_long":
        return f"at most {ctx.get('max_length')} items, has {len(value) if hasattr(value, '__len__') else '?'}"
    if kind == "literal_error":
        return f"{value!r} is not one of {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        return f"{value!r} has the wrong form (expected pattern {ctx.get('pattern')})"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return str(err["msg"])
