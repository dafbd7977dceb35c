"""jieba segmentation with our own user dictionary of gig-work and labour-law terms.

A dedicated `jieba.Tokenizer` (never the global one), so adding our words cannot change how
any other code in the process segments, and the knowledge-base retrieval can reuse it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import jieba

from intents.lexicon import UserDictFile, load_model

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
        """Words with their start and end offsets in the text."""
        return [(w, a, b) for w, a, b in self._tk.tokenize(normalized_text) if w.strip() and w not in ",.?"]
