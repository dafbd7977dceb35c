"""jieba segmentation with our own user dictionary of gig-work and labour-law terms.

A dedicated `jieba.Tokenizer` (never the global one), so adding our words cannot change how
any other code in the process segments, and the knowledge-base retrieval can reuse it.

`tokens` (jieba's accurate mode with its HMM for unknown words, what the knowledge base is
indexed and searched with) is the largest single cost of answering a message, so it runs
jieba's own algorithm in one function (`_cut_accurate`): the same dictionary, the same
word-graph route with the same sums and tie-breaks, the same HMM (Viterbi) for runs of unknown
characters, only without jieba's layers of generators and per-step list copies. The result is
the same list as `Tokenizer.lcut` (checked at load on sample sentences, with a fall-back to
jieba itself should a jieba version ever differ; the tests compare both on thousands of texts).
"""

from __future__ import annotations

import logging
import re
import sys
from math import log
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
from jieba import finalseg  # noqa: E402  (after the import above)

FILE_NAME = "userdict.yaml"

# Sentences the fast path must segment exactly as jieba does before it is used (load-time check).
_SELF_CHECK = (
    "外卖骑手在送餐途中被车撞了算不算工伤",
    "老板欠我4300元工资两个月了，我要投诉 abc123 4.5% x-y",
    "俺叫王小二 在美团干了三年 饿了么也跑过\r\n站长说不给结",
)

# jieba 0.42's block patterns (accurate mode) and its HMM's.
_RE_HAN = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)")
_RE_SKIP = re.compile("(\r\n|\\s)")
_RE_HMM_HAN = re.compile("([\u4E00-\u9FD5]+)")
_RE_HMM_SKIP = re.compile("([a-zA-Z0-9]+(?:\\.\\d+)?%?)")


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
        self._hmm = _Hmm.from_jieba()
        self._fast = self._hmm is not None and all(
            self._cut_accurate(s) == self._tk.lcut(s) for s in _SELF_CHECK)

    @classmethod
    def load(cls, data_dir: Path) -> Segmenter:
        """`data_dir` is the intents folder (`data/intents/`)."""
        return cls(load_model(data_dir / FILE_NAME, UserDictFile).words)

    def tokens(self, normalized_text: str) -> list[str]:
        """Words of an already normalised text, without spaces and punctuation."""
        words = self._cut_accurate(normalized_text) if self._fast else self._tk.lcut(normalized_text)
        return [w for w in words if w.strip() and w not in ",.?"]

    def tokens_jieba(self, normalized_text: str) -> list[str]:
        """`tokens` through jieba's own `lcut` (the reference the tests compare `tokens` with)."""
        return [w for w in self._tk.lcut(normalized_text) if w.strip() and w not in ",.?"]

    def spans(self, normalized_text: str) -> list[tuple[str, int, int]]:
        """Words with their start and end offsets in the text (dictionary words only: no HMM
        guessing of unknown words, which our word cues never need, at half the cost)."""
        return [(w, a, b) for w, a, b in self._tk.tokenize(normalized_text, HMM=False) if w.strip() and w not in ",.?"]

    # -- jieba's accurate mode with HMM, in one function ---------------------------------------

    def _cut_accurate(self, sentence: str) -> list[str]:
        """`Tokenizer.lcut(sentence)` (cut_all=False, HMM=True), step for step."""
        freq = self._tk.FREQ
        logtotal = log(self._tk.total)
        unknown = log(1) - logtotal             # jieba's `log(FREQ.get(w) or 1)` for a non-word
        out: list[str] = []
        for block in _RE_HAN.split(sentence):
            if not block:
                continue
            if not _RE_HAN.match(block):
                for piece in _RE_SKIP.split(block):
                    if _RE_SKIP.match(piece):
                        out.append(piece)
                    else:
                        out.extend(piece)            # one character at a time
                continue
            n = len(block)
            # the word graph: for each position, the dictionary words starting there, as (end,
            # log probability); a position no word starts at is a one-character word of count 1
            graph: list[list[tuple[int, float]]] = []
            for k in range(n):
                ends = []
                i = k
                frag = block[k]
                while i < n and frag in freq:
                    count = freq[frag]
                    if count:
                        ends.append((i, log(count) - logtotal))
                    i += 1
                    frag = block[k:i + 1]
                graph.append(ends or [(k, unknown)])
            # the most probable route, from the end (Tokenizer.calc: same sums; a tie takes the longer word)
            best_p = [0.0] * (n + 1)
            best_end = [0] * (n + 1)
            for k in range(n - 1, -1, -1):
                ends = graph[k]
                if len(ends) == 1:
                    x, p = ends[0]
                    best_p[k] = p + best_p[x + 1]
                    best_end[k] = x
                    continue
                top_p = top_x = None
                for x, p in ends:
                    p += best_p[x + 1]
                    if top_p is None or p > top_p or (p == top_p and x > top_x):
                        top_p, top_x = p, x
                best_p[k] = top_p               # type: ignore[call-overload]
                best_end[k] = top_x             # type: ignore[call-overload]
            # words along the route; runs of single characters that are no word go to the HMM
            x = 0
            run = ""
            while x < n:
                y = best_end[x] + 1
                if y - x == 1:
                    run += block[x]
                else:
                    if run:
                        self._flush(run, out)
                        run = ""
                    out.append(block[x:y])
                x = y
            if run:
                self._flush(run, out)
        return out

    def _flush(self, run: str, out: list[str]) -> None:
        if len(run) == 1:
            out.append(run)
        elif not self._tk.FREQ.get(run):
            self._hmm.cut(run, out)             # type: ignore[union-attr]
        else:
            out.extend(run)


class _Hmm:
    """jieba.finalseg (the HMM for unknown words): the same probabilities, sums and tie-breaks."""

    def __init__(self, start: dict, trans: dict, emit: dict, min_float: float) -> None:  # type: ignore[type-arg]
        self._start = tuple(start[s] for s in "BMES")
        self._emit = tuple(emit[s] for s in "BMES")
        self._min = min_float
        t = {(a, b): trans[a].get(b, min_float) for a in "BMES" for b in "BMES"}
        self._trans = (t["E", "B"], t["S", "B"], t["M", "M"], t["B", "M"],
                       t["S", "S"], t["E", "S"], t["B", "E"], t["M", "E"])

    @classmethod
    def from_jieba(cls) -> _Hmm | None:
        try:
            return cls(finalseg.start_P, finalseg.trans_P, finalseg.emit_P, finalseg.MIN_FLOAT)
        except (AttributeError, KeyError, TypeError):      # another jieba: use its own cut
            return None

    def states(self, obs: str) -> list[str]:
        """The best B/M/E/S state of each character (finalseg.viterbi's path)."""
        low = self._min
        e_b, e_m, e_e, e_s = self._emit
        t_eb, t_sb, t_mm, t_bm, t_ss, t_es, t_be, t_me = self._trans
        ch = obs[0]
        s_b, s_m, s_e, s_s = self._start
        v_b = s_b + e_b.get(ch, low)
        v_m = s_m + e_m.get(ch, low)
        v_e = s_e + e_e.get(ch, low)
        v_s = s_s + e_s.get(ch, low)
        back = []
        for ch in obs[1:]:
            # each state from its two possible predecessors; a tie takes the later letter, as
            # finalseg's max over (probability, state) does
            em = e_b.get(ch, low)
            a, b = v_e + t_eb + em, v_s + t_sb + em
            n_b, p_b = (b, 3) if b >= a else (a, 2)
            em = e_m.get(ch, low)
            a, b = v_m + t_mm + em, v_b + t_bm + em
            n_m, p_m = (a, 1) if a >= b else (b, 0)
            em = e_s.get(ch, low)
            a, b = v_s + t_ss + em, v_e + t_es + em
            n_s, p_s = (a, 3) if a >= b else (b, 2)
            em = e_e.get(ch, low)
            a, b = v_b + t_be + em, v_m + t_me + em
            n_e, p_e = (b, 1) if b >= a else (a, 0)
            v_b, v_m, v_e, v_s = n_b, n_m, n_e, n_s
            back.append((p_b, p_m, p_e, p_s))
        state = 3 if v_s >= v_e else 2                     # indexes into "BMES"
        path = [state]
        for pointers in reversed(back):
            state = pointers[state]
            path.append(state)
        path.reverse()
        return ["BMES"[s] for s in path]

    def cut(self, text: str, out: list[str]) -> None:
        """finalseg.cut(text), appended to `out`."""
        force_split = finalseg.Force_Split_Words
        for block in _RE_HMM_HAN.split(text):
            if _RE_HMM_HAN.match(block):
                begin = nexti = 0
                words = []
                for i, state in enumerate(self.states(block)):
                    if state == "B":
                        begin = i
                    elif state == "E":
                        words.append(block[begin:i + 1])
                        nexti = i + 1
                    elif state == "S":
                        words.append(block[i])
                        nexti = i + 1
                if nexti < len(block):
                    words.append(block[nexti:])
                for word in words:
                    if word in force_split:
                        out.extend(word)
                    else:
                        out.append(word)
            else:
                out.extend(x for x in _RE_HMM_SKIP.split(block) if x)
