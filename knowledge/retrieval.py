"""Find the knowledge-base entries a message asks about: pure and synchronous after load.

Each entry is indexed by its title, question and paraphrases, as the same tokens the classifier
sees (its normaliser and segmenter), with synonyms folded to one canonical word. A message is
scored in two stages so the cost grows with the words it shares with the knowledge base, not
with the number of entries:

1. candidates: an inverted index (word → entries) sums the IDF of the shared words; the best
   `candidates` entries go on;
2. fine score, each in 0..1: `coverage` (share of the message's weighted words the entry knows),
   `sentence` (weighted Dice overlap with its best single sentence) and `fuzzy` (rapidfuzz
   similarity to that best sentence, catching near-miss words), mixed by weights from data; the
   classified topic then adds `topic_boost` of the remaining distance to 1 (a boost, not a filter).

`sure` needs the top score ≥ threshold, a margin over the next entry, an entry that knows most
of the message's words (`min_coverage`), a message that says more than one word (`min_words`:
"工伤" names a subject, not a question), and an act that asks something; below it the caller
offers the hits as suggestions. Off-topic acts get no hits. A story that asks last can still be
sure through its question clause alone (`question_clause`), if that clause passes the same rules,
agrees with the whole message, and the whole message scores at least `focus_whole_floor`.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from knowledge.base import KnowledgeBase
from knowledge.config import RetrievalConfig, load_config
from knowledge.loader import RETRIEVAL_FILE, load_kb
from knowledge.types import FaqEntry, Hit, Retrieval

Tokenize = Callable[[str], Sequence[str]]
Normalise = Callable[[str], str]

# Tokens whose words `_words` remembers (a bound on memory against floods of made-up words).
TOKEN_MEMO_SIZE = 50_000

# A word found in more than this many entries (and this share of them) picks no candidates.
COMMON_MIN_ENTRIES = 200
COMMON_SHARE = 0.1

_PUNCT = re.compile(r"^[\W_]*$")
_CLAUSE_SPLIT = re.compile(r"[，,。.！!？?；;~～…\s]+")
_NUMBER = re.compile(r"^[\d.,%一二三四五六七八九十百千万两几多]+[块元钱万千百k]*$")   # 4300, 两万八, 一千块


def plain_normalise(text: str) -> str:
    """Used only when no classifier normaliser is given (knowledge base on its own, e.g. tests)."""
    return unicodedata.normalize("NFKC", text).lower().strip()


def jieba_tokens() -> Tokenize:
    """A private jieba tokenizer, for when no classifier segmenter is given."""
    import jieba

    tokenizer = jieba.Tokenizer()
    return tokenizer.lcut


@dataclass(frozen=True, slots=True)
class _Sentence:
    terms: frozenset[str]
    weight: float       # sum of the IDF of its terms
    text: str           # its whole words joined, for rapidfuzz


@dataclass(frozen=True, slots=True)
class Scored:
    """One entry's score with its parts (for calibration and `gongyou ask --explain`)."""

    entry: FaqEntry
    score: float
    coverage: float
    sentence: float
    fuzzy: float
    boosted: bool


class Retriever:
    def __init__(self, kb: KnowledgeBase, config: RetrievalConfig | None = None,
                 tokenize: Tokenize | None = None, normalise: Normalise | None = None) -> None:
        self.kb = kb
        self.config = config or RetrievalConfig()
        self._tokenize = tokenize or jieba_tokens()
        self._normalise = normalise or plain_normalise
        self._entries: list[FaqEntry] = list(kb)
        self._entry_topics: list[str] = [e.topic for e in self._entries]
        self._sentences: list[list[_Sentence]] = []
        self._sentence_texts: list[list[str]] = []
        self._sentence_weights: list[list[float]] = []
        self._term_sentences: list[dict[str, tuple[int, ...]]] = []
        self._entry_terms: list[frozenset[str]] = []
        self._postings: dict[str, list[int]] = {}
        self._token_memo: dict[str, tuple[str, ...]] = {}
        self._memo_on = False           # only once the vocabulary (which `_token_words` reads) is final
        self._build()
        self._memo_on = True

    @classmethod
    def load(cls, folder: Path, tokenize: Tokenize | None = None, normalise: Normalise | None = None) -> Retriever:
        """Load and validate `folder` (the `data/faq` directory) and index it."""
        return cls(load_kb(folder), load_config(folder / RETRIEVAL_FILE), tokenize, normalise)

    # --- index ------------------------------------------------------------------------------

    def terms(self, text: str) -> list[str]:
        """The canonical words of `text` that carry meaning, in order, without repeats."""
        return self._analyse(text)[0]

    def _analyse(self, text: str) -> tuple[list[str], str]:
        """(terms, whole words joined) of a message or a sentence: see `_words` and `_expand`."""
        return self._expand(self._words(text))

    def _words(self, text: str) -> list[str]:
        """The canonical whole words of `text`, without stopwords, punctuation and amounts."""
        whole: list[str] = []
        memo = self._token_memo
        for token in self._tokenize(self._normalise(text)):
            words = memo.get(token)
            if words is None:
                words = self._token_words(token)
                if self._memo_on and len(memo) < TOKEN_MEMO_SIZE:
                    memo[token] = words
            whole.extend(words)
        return whole

    def _token_words(self, token: str) -> tuple[str, ...]:
        """What one token adds to `_words` (nothing for stopwords, punctuation and amounts). The
        same token always gives the same words once the index is built, so `_words` remembers them."""
        stop = self.config.stopwords
        token = token.strip()
        if not token or token in stop or _PUNCT.match(token):
            return ()
        if _NUMBER.match(token) and self._vocabulary and token not in self._vocabulary:
            return ()               # an amount or a date; numbers the knowledge base uses (12351) count
        return tuple(c for c in self.config.canonical(token) if c not in stop)

    def _expand(self, words: list[str]) -> tuple[list[str], str]:
        """(terms, words joined): terms add the knowledge base's words found at the head or tail of
        a longer word (月工资 → 工资), as a search engine's segmentation does, so that 工伤认定 and
        认定工伤 still meet; the joined text (for rapidfuzz) keeps whole words only."""
        out: dict[str, None] = {}
        for word in words:
            out.setdefault(word, None)
            for part in self._inner_words(word):
                out.setdefault(part, None)
        return list(out), "".join(words)

    def _inner_words(self, word: str) -> list[str]:
        if len(word) < 3 or not self._vocabulary or _NUMBER.match(word):
            return []
        found = []
        for size in range(len(word) - 1, 1, -1):
            for piece in (word[:size], word[-size:]):   # heads and tails only: 今天天气 holds no 天天
                if piece in self._vocabulary and piece not in self.config.stopwords:
                    found.extend(self.config.canonical(piece))
        return found

    def _build(self) -> None:
        # Segment every sentence once; its words are the vocabulary that inner words are looked up in.
        self._vocabulary = frozenset()
        words = [[self._words(text) for text in (e.title, e.question, *e.paraphrases)] for e in self._entries]
        self._vocabulary = frozenset(w for sentences in words for sentence in sentences for w in sentence)
        texts_per_entry = [[self._expand(sentence) for sentence in sentences] for sentences in words]
        df: dict[str, int] = {}
        for index, sentences in enumerate(texts_per_entry):
            for term in set().union(*(terms for terms, _ in sentences)):
                df[term] = df.get(term, 0) + 1
                self._postings.setdefault(term, []).append(index)
        n = max(len(self._entries), 1)
        self._idf = {t: math.log(1 + n / d) for t, d in df.items()}
        self._unknown = self.config.unknown_word_weight * math.log(1 + n)
        self._common_df = max(COMMON_MIN_ENTRIES, int(COMMON_SHARE * n))
        for sentences in texts_per_entry:
            kept = [_Sentence(frozenset(terms), sum(self._idf[t] for t in terms), joined) for terms, joined in sentences if terms]
            self._sentences.append(kept)
            self._sentence_texts.append([s.text for s in kept])
            self._sentence_weights.append([s.weight for s in kept])
            where: dict[str, list[int]] = {}
            for position, sentence in enumerate(kept):
                for term in sentence.terms:
                    where.setdefault(term, []).append(position)
            self._term_sentences.append({t: tuple(p) for t, p in where.items()})
            self._entry_terms.append(frozenset().union(*(s.terms for s in kept)))

    def __len__(self) -> int:
        return len(self._entries)

    # --- query ------------------------------------------------------------------------------

    def retrieve(self, text: str, topic: str | None = None, act: str | None = None, k: int = 3) -> Retrieval:
        """The best `k` entries for `text`, best first, and whether the first is sure enough to answer."""
        cfg = self.config
        if act in cfg.no_hits_acts:
            return Retrieval()
        scored, words = self._score(text, topic)
        if not scored:
            return Retrieval()
        asks = act is None or act in cfg.sure_acts
        sure = asks and self._passes(scored, words)
        if asks and not sure and scored[0].score >= cfg.focus_whole_floor \
                and (clause := self.question_clause(text)) is not None:
            # a story with its question at the end: sure when the question alone passes every
            # rule *and* names the same entry as the whole message (the story only confirms it)
            focused, focused_words = self._score(clause, topic)
            sure = bool(focused) and focused[0].entry.id == scored[0].entry.id and self._passes(focused, focused_words)
        hits = [Hit(s.entry.id, round(s.score, 4), s.entry) for s in scored[:k] if s.score >= cfg.floor]
        return Retrieval(hits, sure and bool(hits))

    def _passes(self, scored: list[Scored], words: int) -> bool:
        """The rules for answering outright (threshold, margin, coverage, words) on one scoring."""
        cfg = self.config
        best = scored[0]
        runner_up = scored[1].score if len(scored) > 1 else 0.0
        return (best.score >= cfg.threshold and best.score - runner_up >= cfg.margin
                and best.coverage >= cfg.min_coverage and words >= cfg.min_words)

    def question_clause(self, text: str) -> str | None:
        """The last clause of a several-clause message that asks something, or None.

        Workers tell the story first and ask last ("跑了三年…站长说…那我能要补偿吗"); the story's
        words dilute every entry's coverage, so a well-ranked answer falls under the threshold."""
        markers = self.config.question_markers
        if not markers:
            return None
        clauses = [c for c in _CLAUSE_SPLIT.split(self._normalise(text)) if c]
        if len(clauses) < 2:
            return None
        asking = [c for c in clauses if any(m in c for m in markers)]
        if not asking or len(asking[-1]) < self.config.focus_min_chars:
            return None
        return asking[-1]

    def score(self, text: str, topic: str | None = None) -> list[Scored]:
        """Every candidate entry with its score parts, best first (no floor, no act rule)."""
        return self._score(text, topic)[0]

    def _score(self, text: str, topic: str | None) -> tuple[list[Scored], int]:
        """(scored candidates, number of meaningful words in the message)."""
        cfg = self.config
        words = self._words(text)
        query, query_text = self._expand(words)
        weights = {t: self._idf.get(t, self._unknown) for t in query}
        total = sum(weights.values())
        if total <= 0:
            return [], 0
        picked = self._candidates([t for t in query if t in self._idf], topic)
        fuzzy = self._best_fuzzy(query_text, picked)
        query_terms = frozenset(t for t in query if t in self._idf)
        in_order = list(query_terms)
        w_coverage, w_sentence, w_fuzzy, topic_boost = cfg.w_coverage, cfg.w_sentence, cfg.w_fuzzy, cfg.topic_boost
        entries, entry_terms, topics = self._entries, self._entry_terms, self._entry_topics
        out = []
        for index, best_fuzzy in zip(picked, fuzzy, strict=True):
            terms = entry_terms[index]
            shared = query_terms & terms
            coverage = sum(weights[t] for t in shared) / total
            # the Dice sums walk the shared words in the message's order, as over all its words
            dice = self._best_dice(index, [t for t in in_order if t in terms], weights, total)
            raw = w_coverage * coverage + w_sentence * dice + w_fuzzy * best_fuzzy
            boosted = topic is not None and topics[index] == topic
            if boosted:
                raw += topic_boost * (1 - raw)
            out.append(Scored(entries[index], min(max(raw, 0.0), 1.0), coverage, dice, best_fuzzy, boosted))
        out.sort(key=lambda s: (-s.score, s.entry.id))
        return out, len(set(words))

    def _candidates(self, known: list[str], topic: str | None) -> list[int]:
        """The entries sharing the most (IDF-weighted) words with the message, via the inverted index.

        Words found in a large share of the entries pick no candidates (they would touch most of
        the index); they still count in every candidate's scores. The topic boost applies here too,
        so that a message with only common words ("工资的事") still reaches its topic's entries.
        """
        telling = [t for t in known if len(self._postings[t]) <= self._common_df] or known
        shared: dict[int, float] = {}
        for term in telling:
            idf = self._idf[term]
            for index in self._postings[term]:
                shared[index] = shared.get(index, 0.0) + idf
        boost = 1 + self.config.topic_boost
        topics = self._entry_topics
        # (boosted weight, -index): unique, so the order is the same as sorting by it
        ranked = [(weight * boost if topics[index] == topic else weight, -index) for index, weight in shared.items()]
        return [-negative for _, negative in heapq.nlargest(self.config.candidates, ranked)]

    def _best_dice(self, index: int, query_terms: Iterable[str], weights: dict[str, float], total: float) -> float:
        """Weighted Dice overlap with the entry's closest sentence, walking only sentences that share a word.

        `query_terms` may be all the message's words or only those the entry has (the same sums)."""
        overlap: dict[int, float] = {}
        where = self._term_sentences[index]
        for term in query_terms:
            positions = where.get(term)
            if positions:
                weight = weights[term]
                for position in positions:
                    overlap[position] = overlap.get(position, 0.0) + weight
        sizes = self._sentence_weights[index]
        best = 0.0
        for position, common in overlap.items():
            value = 2 * common / (total + sizes[position])
            if value > best:
                best = value
        return best

    def _best_fuzzy(self, query_text: str, picked: list[int]) -> list[float]:
        """rapidfuzz similarity (0..1) of the message to each candidate's closest sentence (one
        `extractOne` per candidate: the best score, computed in C, without sorting every sentence)."""
        texts = self._sentence_texts
        best = []
        for index in picked:
            found = process.extractOne(query_text, texts[index], scorer=fuzz.ratio)
            best.append(found[1] / 100 if found is not None else 0.0)
        return best
