"""`gongyou ask "问题"` — answer from the knowledge base exactly as a worker would see it.

Runs the shared classify + retrieve step; prints the answer with its basis and next step when
the retrieval is sure, "你是不是想问" with up to 3 titles when it is not, and an offer of a
person when nothing fits. `--explain` adds the classification and the candidates' scores.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("question", nargs="+", help="the worker's message")
    parser.add_argument("--explain", action="store_true", help="also print act, topic and candidate scores")


def run(args: argparse.Namespace) -> int:
    from bot.understand import Understanding
    from knowledge.loader import KbError

    try:
        understanding = Understanding.load()
    except KbError as exc:
        print(exc, file=sys.stderr)
        return 1
    text = " ".join(args.question)
    understood = understanding.understand(text)
    print(reply_text(understood))
    if args.explain:
        print("\n---")
        print(explain(understanding, understood))
    return 0


def reply_text(understood) -> str:
    from knowledge.render import OFF_TOPIC, render_reply, render_suggestions

    retrieval = understood.retrieval
    if understood.nlu.act == "other" and not retrieval.hits:
        return OFF_TOPIC
    best = retrieval.best
    if retrieval.sure and best is not None and best.entry is not None:
        return render_reply(best.entry)
    return render_suggestions(retrieval.hits)


def explain(understanding, understood) -> str:
    nlu = understood.nlu
    lines = [f"act={nlu.act} topic={nlu.topic} confidence={nlu.confidence:.2f} uncertain={nlu.uncertain}",
             f"sure={understood.retrieval.sure}"]
    retriever = understanding.retriever
    if retriever is not None:
        cfg = retriever.config
        lines.append(f"threshold={cfg.threshold} margin={cfg.margin} terms={retriever.terms(nlu.normalized)}")
        for s in retriever.score(nlu.normalized, nlu.topic)[:5]:
            lines.append(f"  {s.score:.3f} {s.entry.id:<40} coverage={s.coverage:.2f} sentence={s.sentence:.2f} "
                         f"fuzzy={s.fuzzy:.2f}{' +topic' if s.boosted else ''}")
    return "\n".join(lines)
