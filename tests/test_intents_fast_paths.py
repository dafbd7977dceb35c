"""The fast paths of reading a message give exactly what the plain methods give.

Segmentation (`Segmenter.tokens` against jieba's own `lcut`), cue matching (`CueMatcher.find`
against `find_plain`), the pattern pre-filter (`required_chars`), the normaliser's one-pass
character table, and the retrieval's per-candidate fuzzy and Dice scores are compared with the
reference on the knowledge base's own sentences, the fresh batches, every cue, and seeded random
mixtures of them (nothing from the evaluation sets). Nothing here is timed.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from intents.classifier import Classifier
from intents.matcher import CueMatcher, required_chars
from intents.normalise import _drop_char
from knowledge.retrieval import Retriever

FRESH = Path(__file__).resolve().parent.parent / "benchmarks" / "fresh"
EDGE_CASES = [
    "", " ", ",", "?", "a", "工", "a b\r\nc", "abc123 4.5% x-y", "\t\n", "𠀀𠀁 中文 ÿ", "ＡＢＣ１２３",
    "王小明李大壮张三丰", "喂喂喂喂喂", "工资工资工资工资", "欠欠欠欠薪", "3k 1.5万 两万八 4300元",
    "老闆拖欠薪資兩個月😡😡", "工资\x00没\x07发\n\t了", "gongzi 没发 she bao", "ok 好的 收到",
]


@pytest.fixture(scope="module")
def classifier(data_path: Path) -> Classifier:
    return Classifier.load(data_path)


@pytest.fixture(scope="module")
def retriever(data_path: Path, classifier: Classifier) -> Retriever:
    return Retriever.load(data_path / "faq", tokenize=classifier.segmenter.tokens,
                          normalise=classifier.normaliser.normalise)


@pytest.fixture(scope="module")
def texts(retriever: Retriever, classifier: Classifier) -> list[str]:
    """Raw texts: knowledge-base sentences, fresh batches, cues, random mixtures and edge cases."""
    out = list(EDGE_CASES)
    for entry in retriever.kb:
        out.extend((entry.title, entry.question, *entry.paraphrases))
    for path in sorted(FRESH.glob("*.jsonl")):
        out.extend(json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    cues = [c.cue for m in (classifier._acts, classifier._topics) for items in m._by_first.values() for c in items]
    rng = random.Random(20261123)
    pool = " ".join(out)
    for _ in range(1500):
        start = rng.randrange(len(pool))
        out.append(pool[start:start + rng.randint(1, 160)])                   # arbitrary cuts
        out.append("".join(rng.sample(cues, rng.randint(1, 6))))             # cues run together
        out.append(",".join(rng.choice(out[:400])[:30] for _ in range(3)))   # several sentences
    return out


@pytest.fixture(scope="module")
def normalised(texts: list[str], classifier: Classifier) -> list[str]:
    return [classifier.normaliser.normalise(t) for t in texts]


def test_tokens_are_jiebas_own_segmentation(classifier: Classifier, texts: list[str], normalised: list[str]):
    segmenter = classifier.segmenter
    assert segmenter._fast          # the load-time check accepted the fast path for this jieba
    for text in [*normalised, *texts]:
        assert segmenter.tokens(text) == segmenter.tokens_jieba(text), text
        assert segmenter._cut_accurate(text) == segmenter._tk.lcut(text), text


def test_unknown_words_go_through_the_same_hmm(classifier: Classifier):
    # runs of characters that are no dictionary word: names, dialect, made-up shop names
    segmenter = classifier.segmenter
    for text in ["俺叫王小二", "侬晓得伐", "阿强阿珍阿明", "喺度揾食", "张家屯李家洼刘家堡"]:
        assert segmenter._cut_accurate(text) == segmenter._tk.lcut(text)


def _key(hit) -> tuple:
    return (hit.start, hit.end, hit.label, hit.cue, hit.weight, hit.literal, hit.weak)


def test_cue_matcher_finds_exactly_the_plain_hits(classifier: Classifier, normalised: list[str]):
    for matcher in (classifier._acts, classifier._topics, classifier._question):
        for text in normalised:
            assert sorted(map(_key, matcher.find(text, []))) == sorted(map(_key, matcher.find_plain(text, []))), text


def test_cue_matcher_with_words_and_overlapping_phrases():
    from intents.lexicon import LabelCues

    labels = {
        "a": LabelCues.model_validate({"phrases": {2: ["工资", "二倍工资", "资"], 1: ["工"]}, "words": {1: ["扣"]},
                                       "patterns": {3: ["欠.{0,4}钱", "(^|,)在吗"], -1: ["[0-9]+"]}}),
        "b": LabelCues.model_validate({"phrases": {1: ["倍工", "工资条"]}, "weak": {"phrases": {1: ["钱"]}}}),
    }
    matcher = CueMatcher(labels)
    spans = [("扣", 0, 1), ("了", 1, 2)]
    for text in ["扣了二倍工资条", "工资工资", "欠我300块钱", "在吗,在吗", "资工工资条二倍", ""]:
        assert sorted(map(_key, matcher.find(text, spans))) == sorted(map(_key, matcher.find_plain(text, spans)))


@pytest.mark.parametrize(("pattern", "needed"), [
    ("[abc]x", [{"a", "b", "c"}, {"x"}]),
    ("a?b", [{"b"}]),
    ("(a|bc)", [{"a", "b"}]),
    (r"\d+a", [{"a"}]),
    ("(a|)", []),
    ("(?i)ab", []),
    ("(?i:a)b", [{"b"}]),
    (".{0,3}", []),
    ("a{0,2}", []),
    ("(^|[ ,.])(说|讲)?(有人吗|在吗)+", [{"有", "在"}]),
])
def test_required_chars(pattern: str, needed: list[set[str]]):
    assert sorted(map(sorted, required_chars(re.compile(pattern)))) == sorted(map(sorted, needed))


def test_required_chars_hold_for_every_match_of_every_lexicon_pattern(classifier: Classifier, normalised: list[str]):
    checked = 0
    for matcher in (classifier._acts, classifier._topics, classifier._question):
        for pattern, _ in matcher._patterns:
            needs = required_chars(pattern)
            for text in normalised:
                m = pattern.search(text)
                if m is not None:
                    checked += 1
                    assert all(not s.isdisjoint(m.group(0)) for s in needs), (pattern.pattern, text)
    assert checked > 1000


def _plain_normalise_steps(normaliser, text: str) -> str:
    """The per-character steps as they were written before the one-pass table."""
    s = unicodedata.normalize("NFKC", text).lower()
    s = s.translate(normaliser._t2s)
    for seq, word in normaliser._emoji_seq.items():
        if seq in s:
            s = s.replace(seq, word)
    s = s.translate(normaliser._emoji)
    return "".join(" " if ch in "\n\t\r" else ch for ch in s if not _drop_char(ch))


def test_normaliser_character_table_is_the_steps_one_by_one(classifier: Classifier, texts: list[str]):
    normaliser = classifier.normaliser
    odd = "老闆😡🙏\u200b\x00\x07\n\t\r\ue000\u0301é工資" + "".join(chr(c) for c in range(0x2600, 0x2700))
    for text in [*texts, odd]:
        s = unicodedata.normalize("NFKC", text).lower()
        assert s.translate(normaliser._chars) == _plain_normalise_steps(normaliser, text), text


def test_retrieval_fuzzy_and_dice_parts_match_the_plain_computation(retriever: Retriever, normalised: list[str]):
    for text in normalised[::3]:
        words = retriever._words(text)
        query, query_text = retriever._expand(words)
        known = [t for t in query if t in retriever._idf]
        if not known:
            continue
        picked = retriever._candidates(known, None)
        # fuzzy: one extract over every candidate sentence, best per candidate
        choices, owners = [], []
        for slot, index in enumerate(picked):
            choices.extend(retriever._sentence_texts[index])
            owners.extend([slot] * len(retriever._sentence_texts[index]))
        plain = [0.0] * len(picked)
        for _, similarity, position in process.extract(query_text, choices, scorer=fuzz.ratio, limit=None):
            plain[owners[position]] = max(plain[owners[position]], similarity / 100)
        assert retriever._best_fuzzy(query_text, picked) == plain
        # Dice: walking only the words an entry has gives the same sums as walking all of them
        weights = {t: retriever._idf.get(t, retriever._unknown) for t in query}
        total = sum(weights.values())
        terms = frozenset(known)
        order = {t: i for i, t in enumerate(terms)}
        for index in picked:
            shared = sorted(terms & retriever._entry_terms[index], key=order.__getitem__)
            assert retriever._best_dice(index, shared, weights, total) == retriever._best_dice(index, terms, weights, total)


def test_retrieval_token_memo_gives_the_words_computed_afresh(retriever: Retriever, normalised: list[str]):
    afresh = Retriever(retriever.kb, retriever.config, retriever._tokenize, retriever._normalise)
    afresh._memo_on = False
    for text in normalised:
        assert retriever._words(text) == afresh._words(text), text
    assert retriever._token_memo and not afresh._token_memo
    for text in normalised[:200]:            # and again, now that the memo is full
        assert retriever._words(text) == afresh._words(text)
        assert retriever.score(text) == afresh.score(text)


def test_company_search_finds_what_the_plain_finditer_finds(classifier: Classifier, normalised: list[str]):
    extractor = classifier.entities
    texts = [*normalised, "美团外卖配送站站长", "顺丰速运有限公司和京东物流" * 3, "饿了么加盟站 朴朴前置仓 某某劳务派遣有限公司"]
    for text in texts:
        plain = [(m.span(), m.groups()) for m in extractor._org_re.finditer(text)]
        assert [(m.span(), m.groups()) for m in extractor._org_matches(text)] == plain, text


def test_clause_of_one_position_is_the_clause_bounds_entry(normalised: list[str]):
    from intents.classifier import _clause_bounds, _clause_of

    for text in [*normalised[::5], "a,b", ",", "? ,", "工资 没发,怎么办?"]:
        bounds = _clause_bounds(text)
        assert [_clause_of(text, i) for i in range(len(text))] == bounds, text


def test_phone_and_date_patterns_skipped_without_digits_need_them(classifier: Classifier, normalised: list[str]):
    from intents import entities as ent

    extractor = classifier.entities
    assert extractor._hotlines_are_digits
    needs_digit = [ent._SERVICE, ent._MOBILE, ent._LANDLINE, extractor._hotline_re, ent._DATE_FULL, ent._DATE_YM,
                   ent._DATE_Y, ent._DATE_D]
    texts = [*normalised, "电话13812345678 座机010-12345678 400-123-4567 2024年3月4日 5号 12351"]
    for text in texts:
        for pattern in needs_digit:
            for m in pattern.finditer(text):
                assert ent._DIGIT.search(m.group(0)), (pattern.pattern, text)
        for pattern in (ent._DATE_MD, ent._DATE_M):
            for m in pattern.finditer(text):
                assert "月" in m.group(0)
        no_digits = ent._DIGIT.sub("", text)
        if "月" not in no_digits:
            assert extractor.extract(no_digits).get("date") is None
        assert extractor.extract(no_digits).get("phone") is None
