"""Classification plus retrieval: the one "understand a message" step every caller shares.

Pure after load (no I/O in `understand`). The batch record is the evaluation contract of
`gongyou nlu --jsonl`; the dialogue reads the same `Understood`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.paths import data_dir
from intents.types import NluResult
from knowledge.types import Retrieval

# A sure answer is withheld when the other-domain evidence is at least this share of the best
# labour topic's score ("借钱不还可以申请仲裁吗": a loan, not a labour arbitration). Measured on
# dev, the fresh batches and the external sets: 0.6 withdraws no right answer, 0.5 one.
OFF_TOPIC_SHARE = 0.6


@dataclass(frozen=True, slots=True)
class Understood:
    nlu: NluResult
    retrieval: Retrieval


class Understanding:
    def __init__(self, classifier: Any, retriever: Any | None = None) -> None:
        self.classifier = classifier
        self.retriever = retriever

    @classmethod
    def load(cls, data: Path | None = None) -> Understanding:
        """Classifier and knowledge base from `data/`; raises (naming file, entry, field) on bad data."""
        from intents.classifier import Classifier
        from knowledge.retrieval import Retriever

        root = data or data_dir()
        classifier = Classifier.load(root)
        tokenize, normalise = _text_tools(classifier)
        retriever = Retriever.load(root / "faq", tokenize=tokenize, normalise=normalise)
        return cls(classifier, retriever)

    def understand(self, text: str) -> Understood:
        nlu = self.classifier.classify(text)
        retrieval = Retrieval()
        if self.retriever is not None:
            retrieval = self.retriever.retrieve(nlu.normalized, topic=nlu.topic, act=nlu.act, k=3)
            nlu, retrieval = self._second_look(nlu, retrieval)
        return Understood(nlu, retrieval)

    def _second_look(self, nlu: NluResult, retrieval: Retrieval) -> tuple[NluResult, Retrieval]:
        """Let the classifier and the knowledge base correct each other where one of them is blind.

        - A message with no labour cue at all (act `other`, nothing saying it is about another
          domain or small talk) that the knowledge base matches surely (calibrated score, margin,
          coverage, at least `min_words` meaningful words) is a question: `ask` with the entry's
          topic, marked uncertain (the words were the knowledge base's, not the lexicon's).
        - The reverse guard: a message the classifier sees as mostly about another domain keeps its
          suggestions but never gets a sure answer ("开车撞了别人的车 保险怎么走" is not ours).
        """
        off_topic = getattr(nlu, "off_topic", 0.0)
        if nlu.act == "other" and off_topic <= 0:
            probe = self.retriever.retrieve(nlu.normalized, topic=None, act="ask", k=3)
            best = probe.best
            if probe.sure and best is not None and best.entry is not None:
                nlu = replace(nlu, act="ask", topic=best.entry.topic, uncertain=True)
                return nlu, self.retriever.retrieve(nlu.normalized, topic=nlu.topic, act="ask", k=3)
            return nlu, retrieval
        labour = max(nlu.topic_scores.values(), default=0.0)
        if retrieval.sure and off_topic > 0 and off_topic >= OFF_TOPIC_SHARE * labour:
            return nlu, Retrieval(retrieval.hits, sure=False)
        return nlu, retrieval

    @staticmethod
    def batch_record(u: Understood) -> dict[str, Any]:
        """The `gongyou nlu --jsonl` line (keep stable: the evaluation tools read it)."""
        return {
            "text": u.nlu.text,
            "act": u.nlu.act,
            "topic": u.nlu.topic,
            "confidence": round(u.nlu.confidence, 4),
            "uncertain": u.nlu.uncertain,
            "faq": [{"id": h.id, "score": round(h.score, 4)} for h in u.retrieval.hits[:3]],
            "faq_sure": u.retrieval.sure,
            "entities": u.nlu.entities,
        }


def _text_tools(classifier: Any) -> tuple[Any, Any]:
    """The classifier's segmenter and normaliser, so the knowledge base and the classifier see the
    same words (its user dictionary, its folding of variants); None lets the retriever use plain jieba."""
    segmenter = getattr(classifier, "segmenter", None)
    tokenize = getattr(segmenter, "tokens", None)
    normaliser = getattr(classifier, "normaliser", None)
    if normaliser is not None and not callable(normaliser):
        normaliser = getattr(normaliser, "normalise", None) or getattr(normaliser, "normalize", None)
    return tokenize, normaliser
