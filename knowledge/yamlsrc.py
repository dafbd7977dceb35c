"""Read a YAML file the way an editor needs: duplicate keys are errors and every value keeps its line.

PyYAML silently keeps the last of two equal keys, which hides a pasted-twice entry. This loader
refuses them, and returns mappings as `LineDict` (a dict that remembers the line of each key) and
sequences as `LineList` (a list that remembers the line of each item), so validation messages can
say `wage.yaml:42`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class LineDict(dict):
    """A mapping from YAML with `line` (its first line) and `key_lines` (1-based line of each key)."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list):
    """A sequence from YAML with `line` and `item_lines` (1-based line of each item)."""

    line: int = 0
    item_lines: list[int]


class DuplicateKeyError(yaml.MarkedYAMLError):
    pass


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml's parser when built with it: 3x faster


class _Loader(_Base):  # type: ignore[misc, valid-type]
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:  # type: ignore[override]
        self.flatten_mapping(node)
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in result:
                raise DuplicateKeyError(
                    "while reading a mapping", node.start_mark,
                    f"key {key!r} appears twice (first on line {result.key_lines[key]})", key_node.start_mark,
                )
            result[key] = self.construct_object(value_node, deep=deep)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:  # type: ignore[override]
        result = LineList(self.construct_object(child, deep=deep) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    return loader.construct_mapping(node, deep=True)


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    return loader.construct_sequence(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def load_text(text: str) -> Any:
    """Parse YAML text; raises `yaml.YAMLError` (incl. `DuplicateKeyError`) with a line mark."""
    return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: no arbitrary objects


def load_file(path: Path) -> Any:
    return load_text(path.read_text(encoding="utf-8"))


def line_of(doc: Any, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest value along `loc` (keys and indexes), or None when unknown."""
    line: int | None = getattr(doc, "line", None)
    node = doc
    for step in loc:
        if isinstance(node, LineDict) and step in node:
            line = node.key_lines.get(step, line)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and 0 <= step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
    return line


def plain(value: Any) -> Any:
    """Strip the line bookkeeping (plain dicts and lists) for callers that compare or dump."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
