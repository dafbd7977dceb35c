"""Keyword classifier: one act and one topic per message, with a confidence and entities.

How a message is read (all weights and floors are data in `data/intents/`):

1. normalise (width, case, traditional → simplified, typos, dialect, emoji, punctuation);
2. topic cues are summed per topic; text inside a contrast ("不是X，是Y") counts little and
   text after it counts more, and a clause that asks something counts a bit more ("the topic
   is what is asked"); `weak` cues (合同, 赔偿, 押金 …) count fully only when something in the
   message says it is about work;
3. act cues are summed per act; urgent wins once it passes its floor; a message about another
   legal domain or with no labour cue at all is `other`; plain asking needs a labour topic;
4. confidence is a softmax over act scores; below the confidence or margin floor the result is
   `uncertain` (the label is still the best one, for the batch output).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from intents.entities import EntityExtractor
from intents.lexicon import (
    ActsFile,
    LabelCues,
    LexiconError,
    Thresholds,
    TopicsFile,
    check_labels,
    load_model,
)
from intents.matcher import CueMatcher, Hit
from intents.normalise import Normaliser
from intents.segment import Segmenter
from intents.types import ACTS, TOPICS, NluResult

MAX_CHARS = 2000            # longer texts are read up to here (no chat message is longer)
DIALOGUE_ACTS = ("greet", "thanks", "status", "human", "cancel")
CONTEXT = "_context"        # words that say the message is about work (骑手, 站长, 上班 …)
OTHER_DOMAIN = "_other"     # other legal domains and small talk (离婚, 房东, 天气 …)
SELF_HARM = "_selfharm"     # act helper: thoughts of ending one's life (always urgent)
HINT = "_hint_"             # `_hint_wage` …: a topic's fallback words, used only in a message about work


@dataclass(frozen=True, slots=True)
class _Contrast:
    pattern: re.Pattern[str]
    before: bool


class Classifier:
    def __init__(self, normaliser: Normaliser, segmenter: Segmenter, acts: ActsFile, topics: TopicsFile,
                 entities: EntityExtractor) -> None:
        self.normaliser = normaliser
        self.segmenter = segmenter
        self.entities = entities
        self.thresholds: Thresholds = acts.thresholds
        self._acts = CueMatcher(acts.acts)
        self._topics = CueMatcher(topics.topics)
        self._question = CueMatcher({"_q": LabelCues.model_validate(topics.question.model_dump())})
        self._needs_tokens = self._acts.needs_tokens or self._topics.needs_tokens or self._question.needs_tokens
        self._contrast = [_Contrast(re.compile(r.pattern), r.scope == "before") for r in topics.contrast]

    @classmethod
    def load(cls, data_dir: Path) -> Classifier:
        """`data_dir` is the repository's `data/` folder; the files live in `data/intents/`."""
        folder = data_dir / "intents"
        acts = load_model(folder / "acts.yaml", ActsFile)
        topics = load_model(folder / "topics.yaml", TopicsFile)
        problems = check_labels("acts.yaml", "acts", acts.acts, ACTS, tuple(a for a in ACTS if a != "other"))
        problems += check_labels("topics.yaml", "topics", topics.topics, TOPICS,
                                 (*(t for t in TOPICS if t != "none"), CONTEXT, OTHER_DOMAIN))
        problems += _check_contrast(topics)
        if problems:
            raise LexiconError(problems)
        return cls(Normaliser.load(folder), Segmenter.load(folder), acts, topics, EntityExtractor.load(folder))

    # -- classification ---------------------------------------------------------------------

    def classify(self, text: str) -> NluResult:
        raw = text if isinstance(text, str) else ""
        norm = self.normaliser.normalise(raw[: MAX_CHARS * 2])[:MAX_CHARS]
        spans = self.segmenter.spans(norm) if norm and self._needs_tokens else []
        th = self.thresholds

        factors = self._factors(norm, spans)
        topic_hits = self._topics.find(norm, spans)
        context = any(h.label == CONTEXT or (not h.weak and h.label in TOPICS and h.weight > 0) for h in topic_hits)
        weak = 1.0 if context else th.weak_factor
        topic_scores = _score(_one_per_span(topic_hits, factors, weak), factors, weak_factor=weak)
        other_domain = topic_scores.pop(OTHER_DOMAIN, 0.0)
        topic_scores.pop(CONTEXT, None)
        labour = {t: s for t, s in topic_scores.items() if t in TOPICS and s > 0}
        best_topic, best_topic_score = max(labour.items(), key=lambda kv: kv[1], default=("none", 0.0))
        if best_topic_score < th.labour_floor and context:
            # gig work + money / harm / rules is never small talk: fall back on the hints
            hint, hint_score = _best_hint(topic_scores)
            if hint_score >= th.labour_floor:
                best_topic, best_topic_score = hint, hint_score
                labour[hint] = hint_score

        act_scores = {a: 0.0 for a in ACTS}
        raw_acts = _score(self._acts.find(norm, spans), None, 1.0)
        for act, score in raw_acts.items():
            if act in act_scores:
                act_scores[act] = max(0.0, score)
        self_harm = max(0.0, raw_acts.get(SELF_HARM, 0.0))
        work_context = any(h.label == CONTEXT for h in topic_hits)
        act = self._decide(act_scores, best_topic_score, other_domain, self_harm, work_context)

        if act == "other":
            topic = "none"
        elif act in DIALOGUE_ACTS:
            topic = best_topic if best_topic_score >= th.named_topic_floor else "none"
        else:
            topic = best_topic if best_topic_score >= th.labour_floor else "none"

        confidence, margin = _softmax_top(act_scores, act, th.temperature, th.residual)
        uncertain = confidence < th.confidence_floor or margin < th.margin_floor
        return NluResult(
            text=raw,
            normalized=norm,
            act=act,
            topic=topic,
            confidence=confidence,
            margin=margin,
            uncertain=uncertain,
            entities=self.entities.extract(norm),
            act_scores={a: round(s, 3) for a, s in act_scores.items() if s > 0},
            topic_scores={t: round(s, 3) for t, s in labour.items()},
            off_topic=round(other_domain + max(0.0, raw_acts.get("other", 0.0)), 3),
        )

    def _decide(self, scores: dict[str, float], labour: float, other_domain: float, self_harm: float,
                work_context: bool) -> str:
        """Apply the priority rules in place on `scores` and return the winning act."""
        th = self.thresholds
        # another domain wins over labour cues it outweighs; on a tie only if nothing says "work"
        other_wins = other_domain > 0 and (other_domain > labour or (other_domain == labour and not work_context))
        about_work = labour >= th.labour_floor and not other_wins
        scores["urgent"] += self_harm
        if self_harm >= th.urgent_floor or (scores["urgent"] >= th.urgent_floor and (about_work or other_domain == 0)):
            scores["urgent"] += 10.0       # danger wins over anything else said in the message
            return "urgent"
        below_floor = scores["urgent"]          # a rival in the confidence, never the answer
        if about_work:
            scores["ask"] += th.ask_base
        else:
            # a question that is not about work is not ours to answer
            scores["other"] += other_domain + max(th.ask_base, 0.8 * scores["ask"])
            scores["ask"] = 0.0
            if other_domain > 0:
                # "我要投诉法院" is a complaint, but not one a labour union can take
                scores["other"] += scores["complain"]
                scores["complain"] = 0.0
        best = max((a for a in ACTS if a != "urgent"), key=lambda a: (scores[a], a == "other"))
        scores["urgent"] = min(below_floor, scores[best])
        if scores[best] <= 0:
            return "other"
        return best

    def _factors(self, norm: str, spans: list[tuple[str, int, int]]) -> list[float]:
        """Per-character weight of the text for topic cues (contrast and question clauses)."""
        th = self.thresholds
        n = len(norm)
        if not n:
            return []
        # later words weigh a little more: "辞职了 社保怎么办" asks about 社保
        factors = [1.0 + th.recency_bonus * i / n for i in range(n)]
        clauses = {_clause_of(norm, min(q.start, n - 1)) for q in self._question.find(norm, spans)}
        for a, b in sorted(clauses):        # the same clause twice changes nothing (max)
            for i in range(a, b):
                factors[i] = max(factors[i], th.question_stress + th.recency_bonus * i / n)
        for rule in self._contrast:
            m = rule.pattern.search(norm)
            if m is None:
                continue
            start = 0 if rule.before else m.start()
            for i in range(start, m.end()):
                factors[i] = th.contrast_discount
            for i in range(m.end(), len(norm)):
                factors[i] = max(factors[i], 1.0) * th.contrast_stress
            break
        return factors


def _best_hint(topic_scores: dict[str, float]) -> tuple[str, float]:
    hints = [(t[len(HINT):], s) for t, s in topic_scores.items() if t.startswith(HINT) and t[len(HINT):] in TOPICS]
    return max(hints, key=lambda kv: kv[1], default=("none", 0.0))


def _clause_of(text: str, i: int) -> tuple[int, int]:
    """`_clause_bounds(text)[i]`, without building the list for every character."""
    start = max(text.rfind(sep, 0, i) for sep in ",.? ") + 1
    if text[i] in ",.? ":
        return start, i
    ends = [e for e in (text.find(sep, i) for sep in ",.? ") if e != -1]
    return start, min(ends, default=len(text))


def _clause_bounds(text: str) -> list[tuple[int, int]]:
    """For each character, the (start, end) of the clause it is in (clauses end at , . ? and spaces)."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in ",.? ":
            bounds.extend([(start, i)] * (i - start + 1))
            start = i + 1
    bounds.extend([(start, len(text))] * (len(text) - start))
    return bounds


def _score(hits: list[Hit], factors: list[float] | None, weak_factor: float) -> dict[str, float]:
    """Sum per label; each cue counts once (its best place), weak cues scaled by `weak_factor`."""
    best: dict[tuple[str, str], float] = {}
    for h in hits:
        value = h.weight
        if factors is not None and h.start < len(factors):
            value *= factors[h.start] if h.weight > 0 else 1.0
        if h.weak:
            value *= weak_factor
        key = (h.label, h.cue)
        if key not in best or abs(value) > abs(best[key]):
            best[key] = value
    scores: dict[str, float] = {}
    for (label, _), value in best.items():
        scores[label] = scores.get(label, 0.0) + value
    return scores


def _one_per_span(hits: list[Hit], factors: list[float] | None, weak_factor: float) -> list[Hit]:
    """Weak cues of one label that overlap count once (the strongest): "一分钱没给" is one vague
    complaint about pay, not three, however many weak lists describe it. Strong cues (phrases and
    patterns) still add up, also with a weak one: they are deliberate evidence."""
    def value(h: Hit) -> float:
        v = h.weight * (factors[h.start] if factors is not None and h.start < len(factors) else 1.0)
        return v * (weak_factor if h.weak else 1.0)

    kept: list[Hit] = [h for h in hits if not (h.weak and h.weight > 0)]
    taken: dict[str, list[tuple[int, int]]] = {}
    for h in sorted((h for h in hits if h.weak and h.weight > 0), key=value, reverse=True):
        spans = taken.setdefault(h.label, [])
        if any(h.start < b and a < h.end for a, b in spans):
            continue
        spans.append((h.start, h.end))
        kept.append(h)
    return kept


def _softmax_top(scores: dict[str, float], chosen: str, temperature: float, residual: float) -> tuple[float, float]:
    """Share of the chosen act among the acts with evidence plus a "none of these" option.

    Acts without any cue are left out (they are not rivals); the residual option keeps a lone
    weak cue from looking certain.
    """
    values = [s / temperature for a, s in scores.items() if s > 0 and a != chosen]
    chosen_value = scores[chosen] / temperature
    values += [residual / temperature]
    top = max([chosen_value, *values])
    exps = [math.exp(v - top) for v in values]
    p_chosen = math.exp(chosen_value - top)
    total = p_chosen + sum(exps)
    p_chosen /= total
    p_other = max(exps) / total
    return round(p_chosen, 4), round(max(0.0, p_chosen - p_other), 4)


def _check_contrast(topics: TopicsFile) -> list[str]:
    problems = []
    for i, rule in enumerate(topics.contrast):
        try:
            re.compile(rule.pattern)
        except re.error as exc:
            problems.append(f"topics.yaml: contrast[{i}] {rule.pattern!r}: not a valid regular expression: {exc}")
    return problems
