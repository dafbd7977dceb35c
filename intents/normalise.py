"""Text normalisation before matching: one canonical form for what riders type on a phone.

Order matters: width and case first (NFKC, lower), then traditional → simplified, emoji that
carry meaning become words and the rest go, pinyin and typos/homophones/dialect forms become
the standard words, runs of one character shrink, and punctuation becomes a few separators.
The knowledge-base retrieval calls the same `normalise`, so both sides see the same text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from intents.lexicon import LexiconError, NormaliseFile, load_model

FILE_NAME = "normalise.yaml"

# Clause separators become ",", sentence ends ".", questions "?".
_PUNCT_MAP = {
    "，": ",", "、": ",", "；": ",", ";": ",", "：": ",", ":": ",", "~": ",", "～": ",",
    "。": ".", "！": ".", "!": ".", "…": ".", "｡": ".",
    "？": "?", "¿": "?",
    "（": " ", "）": " ", "(": " ", ")": " ", "【": " ", "】": " ", "[": " ", "]": " ",
    "「": " ", "」": " ", "『": " ", "』": " ", "《": " ", "》": " ", "<": " ", ">": " ",
    "“": " ", "”": " ", "‘": " ", "’": " ", '"': " ", "'": " ", "`": " ", "·": " ",
    "|": " ", "\\": " ", "/": "/", "*": " ", "#": " ", "^": " ", "_": " ", "=": " ",
}
_RUN = re.compile(r"([^\d a-z])\1{2,}")                      # 3+ of one character (not digits/latin)
_PUNCT_RUN = re.compile(r"\s*([,.?])[\s,.?]*")
_SPACES = re.compile(r"\s+")
_LATIN = re.compile("[a-z]")


def _drop_char(ch: str) -> bool:
    """Emoji, symbols, control and private-use characters carry no words for us."""
    cat = unicodedata.category(ch)
    if cat in ("So", "Sk", "Cs", "Co", "Cn", "Cf", "Me", "Mn"):
        return True
    return cat == "Cc" and ch not in "\n\t\r"


class Normaliser:
    def __init__(self, data: NormaliseFile, source: str = FILE_NAME) -> None:
        table: dict[int, str] = {}
        problems: list[str] = []
        for i, pair in enumerate(data.traditional_to_simplified.split()):
            if len(pair) != 2 or pair[0] == pair[1]:
                problems.append(f"{source}: traditional_to_simplified[{i}] {pair!r}: "
                                "expected two different characters (traditional then simplified)")
                continue
            old = table.get(ord(pair[0]))
            if old is not None and old != pair[1]:
                problems.append(f"{source}: traditional_to_simplified[{i}] {pair!r}: {pair[0]} already maps to {old}")
            table[ord(pair[0])] = pair[1]
        for ch in list(data.emoji):
            if not ch:
                problems.append(f"{source}: emoji: empty key")
        if problems:
            raise LexiconError(problems)
        self._t2s = table
        self._emoji = {ord(k): f" {v} " for k, v in data.emoji.items() if len(k) == 1}
        self._emoji_seq = {k: f" {v} " for k, v in data.emoji.items() if len(k) > 1}
        self._pinyin = self._compile_pinyin(data.pinyin)
        replacements: dict[str, str] = {}
        for table_ in data.replacements.values():
            replacements.update(table_)
        self._replacements = replacements
        keys = sorted(replacements, key=len, reverse=True)
        self._replace_re = re.compile("|".join(map(re.escape, keys))) if keys else None
        self._punct = str.maketrans(_PUNCT_MAP)
        # Per-character steps as translation tables filled on first sight of each character:
        # emoji to words, then dropping symbols (line breaks become spaces); with traditional →
        # simplified first when no multi-character emoji has to be replaced in between.
        self._emoji_clean = _CharTable(lambda ch: _clean(ch.translate(self._emoji)))
        self._chars = _CharTable(lambda ch: _clean(ch.translate(self._t2s).translate(self._emoji)))

    @staticmethod
    def _compile_pinyin(table: dict[str, str]) -> list[tuple[re.Pattern[str], str]]:
        compiled = []
        for key in sorted(table, key=len, reverse=True):
            body = r"\s?".join(map(re.escape, key.split()))
            compiled.append((re.compile(rf"(?<![a-z]){body}(?![a-z])"), table[key]))
        return compiled

    @classmethod
    def load(cls, data_dir: Path) -> Normaliser:
        """`data_dir` is the intents folder (`data/intents/`)."""
        return cls(load_model(data_dir / FILE_NAME, NormaliseFile))

    def normalise(self, text: str) -> str:
        if not text:
            return ""
        s = unicodedata.normalize("NFKC", text).lower()
        if self._emoji_seq:
            s = s.translate(self._t2s)
            for seq, word in self._emoji_seq.items():
                if seq in s:
                    s = s.replace(seq, word)
            s = s.translate(self._emoji_clean)
        else:
            s = s.translate(self._chars)        # the three steps above and below in one pass
        if _LATIN.search(s):                    # any("a" <= ch <= "z" for ch in s), in C
            for pattern, word in self._pinyin:
                s = pattern.sub(word, s)
        if self._replace_re is not None:
            s = self._replace_re.sub(lambda m: self._replacements[m.group(0)], s)
        s = _RUN.sub(r"\1\1", s)
        s = s.translate(self._punct)
        s = _PUNCT_RUN.sub(_keep_question, s)
        s = _SPACES.sub(" ", s).strip(" ,.")
        return s


def _clean(text: str) -> str:
    """Symbols, emoji and control characters dropped, line breaks and tabs made spaces."""
    return "".join(" " if ch in "\n\t\r" else ch for ch in text if not _drop_char(ch))


class _CharTable(dict):  # type: ignore[type-arg]
    """A `str.translate` table computed per character on first use (`rule(ch)` gives its
    replacement), so the characters a message has cost one dictionary look-up each."""

    MAX = 20000             # characters remembered; beyond this they are computed every time

    def __init__(self, rule) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self._rule = rule

    def __missing__(self, code: int) -> str:
        value = self._rule(chr(code))
        if len(self) < self.MAX:
            self[code] = value
        return value


def _keep_question(match: re.Match[str]) -> str:
    run = match.group(0)
    return "?" if "?" in run else match.group(1)


@lru_cache(maxsize=1)
def _default() -> Normaliser:
    return Normaliser.load(Path(__file__).resolve().parent.parent / "data" / "intents")


def normalise(text: str) -> str:
    """Normalise with the repository's own tables (callers with a classifier use `classifier.normaliser`)."""
    return _default().normalise(text)

