"""Finds the cues of a set of labels in one normalised message.

Phrases are looked up through an index on their first character, words on jieba tokens and
patterns with `re`. A literal cue that lies inside a longer literal cue found at the same
place is dropped ("工资" inside "二倍工资", "保险" inside "意外险" …), so the longest, most
specific wording decides. Each cue counts once per message, however often it is repeated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intents.lexicon import CueGroup, LabelCues


@dataclass(frozen=True, slots=True)
class Hit:
    label: str
    cue: str
    start: int
    end: int
    weight: float
    literal: bool     # phrase or word (patterns never hide other cues)
    weak: bool        # from a `weak:` group: needs work context to count fully


@dataclass(frozen=True, slots=True)
class _Cue:
    label: str
    cue: str
    weight: float
    weak: bool


class CueMatcher:
    def __init__(self, labels: dict[str, LabelCues]) -> None:
        self._by_first: dict[str, list[_Cue]] = {}
        self._words: dict[str, list[_Cue]] = {}
        self._patterns: list[tuple[re.Pattern[str], _Cue]] = []
        for label, cues in labels.items():
            self._add(label, cues, weak=False)
            if cues.weak is not None:
                self._add(label, cues.weak, weak=True)
        for items in self._by_first.values():
            items.sort(key=lambda c: len(c.cue), reverse=True)

    @property
    def needs_tokens(self) -> bool:
        """Whether any cue is a whole-word cue (only then must the text be segmented)."""
        return bool(self._words)

    def _add(self, label: str, group: CueGroup, weak: bool) -> None:
        for weight, items in group.phrases.items():
            for cue in items:
                self._by_first.setdefault(cue[0], []).append(_Cue(label, cue, weight, weak))
        for weight, items in group.words.items():
            for cue in items:
                self._words.setdefault(cue, []).append(_Cue(label, cue, weight, weak))
        for weight, items in group.patterns.items():
            for cue in items:
                self._patterns.append((re.compile(cue), _Cue(label, cue, weight, weak)))

    def find(self, text: str, spans: list[tuple[str, int, int]]) -> list[Hit]:
        hits: list[Hit] = []
        for ch in set(text):
            for c in self._by_first.get(ch, ()):
                start = text.find(c.cue)
                while start != -1:
                    hits.append(Hit(c.label, c.cue, start, start + len(c.cue), c.weight, True, c.weak))
                    start = text.find(c.cue, start + 1)
        for word, a, b in spans:
            for c in self._words.get(word, ()):
                hits.append(Hit(c.label, c.cue, a, b, c.weight, True, c.weak))
        for pattern, c in self._patterns:
            m = pattern.search(text)
            if m is not None:
                hits.append(Hit(c.label, c.cue, m.start(), m.end(), c.weight, False, c.weak))
        return _drop_contained(hits)


def _drop_contained(hits: list[Hit]) -> list[Hit]:
    literal = {(h.start, h.end) for h in hits if h.literal}
    if len(hits) < 2 or not literal:
        return hits
    spans = sorted(literal, key=lambda s: s[0] - s[1])          # longest first
    kept = []
    for h in hits:
        size = h.end - h.start
        inside = False
        for a, b in spans:
            if b - a <= size:
                break
            if a <= h.start and h.end <= b:
                inside = True
                break
        if not inside:
            kept.append(h)
    return kept
