"""jieba segmentation with our own user dictionary of gig-work and labour-law terms.

A dedicated `jieba.Tokenizer` (never the global one), so adding our words cannot change how
any other code in the process segments, and the knowledge-base retrieval can reuse it.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from intents.lexicon import UserDictFile, load_model


def _import_jieba():
    """Import jieba without `pkg_resources`, which it only uses to find its own files and which
    costs ~0.2 s of start-up; jieba then opens them by path. Nothing else is affected."""
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba
        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


jieba = _import_jieba()

FILE_NAME = "userdict.yaml"


class Segmenter:
    def __init__(self, words: list[str]) -> None:
        logging.getLogger("jieba").setLevel(logging.WARNING)
        jieba.setLogLevel(logging.WARNING)
        self._tk = jieba.Tokenizer()
        self._tk.initialize()          # loads jieba's own dictionary now, not on the first message
        for line in words:
            parts = line.split()
            freq = int(parts[1]) if len(parts) > 1 else None
            tag = parts[2] if len(parts) > 2 else None
            self._tk.add_word(parts[0], freq, tag)

    @classmethod
    def load(cls, data_dir: Path) -> Segmenter:
        """`data_dir` is the intents folder (`data/intents/`)."""
        return cls(load_model(data_dir / FILE_NAME, UserDictFile).words)

    def tokens(self, normalized_text: str) -> list[str]:
        """Words of an already normalised text, without spaces and punctuation."""
        return [w for w in self._tk.lcut(normalized_text) if w.strip() and w not in ",.?"]

    def spans(self, normalized_text: str) -> list[tuple[str, int, int]]:
        """Words with their start and end offsets in the text (dictionary words only: no HMM
        guessing of unknown words, which our word cues never need, at half the cost)."""
        return [(w, a, b) for w, a, b in self._tk.tokenize(normalized_text, HMM=False) if w.strip() and w not in ",.?"]
