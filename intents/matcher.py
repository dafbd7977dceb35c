"""Finds the cues of a set of labels in one normalised message.

Phrases are looked up through an index on their first two characters (one-character phrases on
that character), words on jieba tokens and patterns with `re`. A literal cue that lies inside a
longer literal cue found at the same place is dropped ("工资" inside "二倍工资", "保险" inside
"意外险" …), so the longest, most specific wording decides. Each cue counts once per message,
however often it is repeated.

Speed (this runs three times per message): because a shorter phrase starting where a longer one
starts is always dropped, only the longest phrase at each position is collected; and a pattern
is searched only when the text holds at least one character of a set every match must contain
(worked out from the pattern when it is compiled; patterns where no such set is found are always
searched). Both give exactly the hits of the plain method (`find_plain`, kept for the tests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intents.lexicon import CueGroup, LabelCues

# the regular-expression parser (`sre_parse` before 3.11)
try:
    import re._parser as _sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - older Pythons
    import sre_parse as _sre_parse  # type: ignore[no-redef]


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
        # Phrases of two or more characters by their first two, longest first; one-character ones apart.
        self._by_pair: dict[str, list[_Cue]] = {}
        self._single: dict[str, list[_Cue]] = {}
        for items in self._by_first.values():
            for c in items:
                if len(c.cue) == 1:
                    self._single.setdefault(c.cue, []).append(c)
                else:
                    self._by_pair.setdefault(c.cue[:2], []).append(c)
        # For each pattern, character sets each of which a match must use (none: always searched).
        self._searched = [(pattern, c, tuple(required_chars(pattern))) for pattern, c in self._patterns]

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
        by_pair, single, firsts = self._by_pair, self._single, self._by_first
        for i, ch in enumerate(text):
            if ch not in firsts:
                continue
            longest = 0
            for c in by_pair.get(text[i:i + 2], ()):
                size = len(c.cue)
                if size < longest:
                    break
                if text.startswith(c.cue, i):
                    hits.append(Hit(c.label, c.cue, i, i + size, c.weight, True, c.weak))
                    longest = size
            if not longest:
                for c in single.get(ch, ()):
                    hits.append(Hit(c.label, c.cue, i, i + 1, c.weight, True, c.weak))
        for word, a, b in spans:
            for c in self._words.get(word, ()):
                hits.append(Hit(c.label, c.cue, a, b, c.weight, True, c.weak))
        chars = set(text)
        for pattern, c, needs in self._searched:
            for needed in needs:
                if needed.isdisjoint(chars):
                    break                   # a character every match needs is not in the text
            else:
                m = pattern.search(text)
                if m is not None:
                    hits.append(Hit(c.label, c.cue, m.start(), m.end(), c.weight, False, c.weak))
        return _drop_contained(hits)

    def find_plain(self, text: str, spans: list[tuple[str, int, int]]) -> list[Hit]:
        """The reference method: every occurrence of every phrase, every pattern searched. `find`
        returns the same hits (tests compare them); this one is only slower."""
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


def required_chars(pattern: re.Pattern[str]) -> list[frozenset[str]]:
    """Sets of characters such that every match of `pattern` holds at least one character of
    each, smallest first; empty when none can be worked out (the pattern is then always
    searched). Conservative: anything not understood (classes, categories, case-insensitive
    flags, look-arounds, back-references …) requires nothing."""
    if pattern.flags & re.IGNORECASE:
        return []
    try:
        parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:                   # a parser that differs: just search the pattern
        return []
    return sorted(set(_required_in(list(parsed))), key=len)


def _required_in(items: list) -> list[frozenset[str]]:  # type: ignore[type-arg]
    """Character sets each of which a match of the sequence `items` must use at least once."""
    out: list[frozenset[str]] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(frozenset(chr(arg)))
        elif name == "IN":
            if arg and all(str(o) == "LITERAL" for o, _ in arg):
                out.append(frozenset(chr(v) for _, v in arg))
        elif name == "SUBPATTERN":
            if not arg[1] & re.IGNORECASE:           # (?i:…) matches other cases
                out.extend(_required_in(list(arg[-1])))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, item = arg
            if low >= 1:
                out.extend(_required_in(list(item)))
        elif name == "BRANCH":
            union: set[str] = set()
            for branch in arg[1]:
                sets = _required_in(list(branch))
                if not sets:
                    union = set()
                    break
                union |= min(sets, key=len)
            else:
                if union:
                    out.append(frozenset(union))
        # anything else (anchors, look-arounds, ANY, categories, groups referenced …) requires nothing
    return out


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
