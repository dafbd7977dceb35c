"""Reply texts as data: every `data/texts/*.yaml` file, validated at load.

File shape::

    version: 1
    texts:
      welcome: |-
        你好，我是工友……
      ticket.created: 已为你登记，编号 {code}。

Keys are unique across files. Placeholders use `{name}`; `render` fails loudly on a missing
value so a typo in a template is found by the tests, not by a worker.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import yaml

SUPPORTED_VERSION = 1


class TextsError(ValueError):
    pass


class Texts:
    def __init__(self, texts: dict[str, str], sources: dict[str, str] | None = None) -> None:
        self._texts = texts
        self.sources = sources or {}

    @classmethod
    def load(cls, folder: Path) -> Texts:
        texts: dict[str, str] = {}
        sources: dict[str, str] = {}
        problems: list[str] = []
        for path in sorted(folder.glob("*.yaml")):
            try:
                doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError) as exc:
                problems.append(f"{path.name}: cannot read: {exc}")
                continue
            if not isinstance(doc, dict) or not isinstance(doc.get("texts"), dict):
                problems.append(f"{path.name}: expected a mapping with a `texts:` mapping")
                continue
            version = doc.get("version", SUPPORTED_VERSION)
            if version != SUPPORTED_VERSION:
                problems.append(f"{path.name}: version {version!r} is not supported (expected {SUPPORTED_VERSION})")
                continue
            for key, value in doc["texts"].items():
                where = f"{path.name}: {key}"
                if not isinstance(value, str) or not value.strip():
                    problems.append(f"{where}: text must be a non-empty string")
                elif key in texts:
                    problems.append(f"{where}: key already defined in {sources[key]}")
                else:
                    try:
                        list(string.Formatter().parse(value))
                    except ValueError as exc:
                        problems.append(f"{where}: bad placeholder: {exc}")
                        continue
                    texts[key] = value
                    sources[key] = path.name
        if problems:
            raise TextsError("reply texts are invalid:\n" + "\n".join(problems))
        return cls(texts, sources)

    def __contains__(self, key: str) -> bool:
        return key in self._texts

    def keys(self) -> list[str]:
        return list(self._texts)

    def placeholders(self, key: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self._texts[key]) if name}

    def require(self, required: dict[str, set[str]], where: str) -> None:
        """Fail at start-up, not in front of a worker: every key a module renders exists and uses
        only the placeholders that module passes (`required` maps key → the names it passes)."""
        problems = []
        for key, given in required.items():
            if key not in self._texts:
                problems.append(f"{key}: missing")
            elif extra := self.placeholders(key) - given:
                problems.append(f"{key}: unknown placeholder(s) {sorted(extra)}; available: {sorted(given)}")
        if problems:
            raise TextsError(f"{where} are incomplete:\n" + "\n".join(problems))

    def render(self, key: str, **values: Any) -> str:
        try:
            template = self._texts[key]
        except KeyError:
            raise TextsError(f"unknown text key {key!r}") from None
        try:
            return template.format(**values)
        except (KeyError, IndexError) as exc:
            raise TextsError(f"text {key!r} ({self.sources.get(key)}) needs a value for {exc}") from None
