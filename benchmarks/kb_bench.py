"""Knowledge-base figures: latency, cold start, scaling, and the calibration of "sure".

    python benchmarks/kb_bench.py               # latency p50/p99, cold start, 53/500/5000 scaling
    python benchmarks/kb_bench.py --calibrate   # retrieval quality on the dev set, threshold sweep
    python benchmarks/kb_bench.py --external --show 20   # sure answers on public questions

Prints figures; asserts nothing (tests never time anything). The dev set is read for measuring
only — its sentences never go into data or tests.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rapidfuzz import fuzz, process  # noqa: E402

from bot.paths import data_dir  # noqa: E402
from knowledge.base import Catalogue, KnowledgeBase  # noqa: E402
from knowledge.retrieval import Retriever  # noqa: E402
from knowledge.types import Citation, FaqEntry, NextStep  # noqa: E402

DEV = REPO.parent / "shared" / "eval" / "dev.jsonl"
EXTERNAL = REPO.parent / "shared" / "eval" / "external"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def dev_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_understanding():
    """The production classify + retrieve step, or None (with the reason) when the classifier is not there yet."""
    from bot.understand import Understanding

    try:
        return Understanding.load(), ""
    except Exception as exc:  # the classifier or its data still landing: measure the knowledge base alone
        return None, f"classifier not available ({' '.join(str(exc).split())[:160]}); using the gold act/topic instead"


# --- latency ------------------------------------------------------------------------------

def bench_latency(texts: list[str], rounds: int) -> None:
    understanding, why = load_understanding()
    if understanding is None:
        print(f"classify+retrieve: skipped — {why}")
        retriever = Retriever.load(data_dir() / "faq")
        step, label = (lambda t: retriever.retrieve(t, act="ask")), "retrieve only"
    else:
        step, label = understanding.understand, "classify+retrieve"
    for t in texts[:20]:
        step(t)                                 # warm caches
    samples, cpu = [], []
    for _ in range(rounds):
        for t in texts:
            started, started_cpu = time.perf_counter(), time.thread_time()
            step(t)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            samples.append((time.perf_counter() - started) * 1000)
    # Wall time includes waiting for the CPU when the machine is busy; thread CPU time does not.
    print(f"{label}: {len(samples)} calls  wall p50 {percentile(samples, 0.5):.3f} ms  "
          f"p99 {percentile(samples, 0.99):.3f} ms  max {max(samples):.3f} ms  |  "
          f"cpu p50 {percentile(cpu, 0.5):.3f} ms  p99 {percentile(cpu, 0.99):.3f} ms")


def bench_cold_start(runs: int) -> None:
    code = ("import time; t=time.perf_counter(); from bot.understand import Understanding; "
            "u=Understanding.load(); u.understand('工资拖欠怎么办'); print(time.perf_counter()-t)")
    fallback = ("import time; t=time.perf_counter(); from knowledge.retrieval import Retriever; "
                "from bot.paths import data_dir; r=Retriever.load(data_dir()/'faq'); r.retrieve('工资拖欠怎么办'); "
                "print(time.perf_counter()-t)")
    times, cpu, label = [], [], "cold start (new interpreter: imports, classifier + knowledge base, first answer)"
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
        if proc.returncode != 0:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            proc = subprocess.run([sys.executable, "-c", fallback], capture_output=True, text=True, cwd=REPO)
            label = "cold start (knowledge base only — classifier not available)"
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        times.append(float(proc.stdout.strip().splitlines()[-1]))
    print(f"{label}: wall median {statistics.median(times):.2f} s  max {max(times):.2f} s  |  "
          f"cpu median {statistics.median(cpu):.2f} s  (whole process incl. interpreter start)  over {runs} runs")


# --- scaling ------------------------------------------------------------------------------

def synthetic_kb(real: Retriever, size: int, seed: int = 7) -> KnowledgeBase:
    """`size` entries whose sentences are drawn from the real vocabulary with its own word frequencies."""
    rng = random.Random(seed)
    words: list[str] = []
    for entry in real.kb:
        for text in (entry.question, *entry.paraphrases):
            words.extend(real.terms(text))
    real_entries = list(real.kb)
    entries: dict[str, FaqEntry] = {}
    for i in range(size):
        base = real_entries[i % len(real_entries)]
        if i < len(real_entries):
            entry = base
        else:
            sentences = ["".join(rng.choice(words) for _ in range(rng.randint(3, 7))) for _ in range(10)]
            entry = FaqEntry(
                id=f"{base.topic}.synthetic_{i}", topic=base.topic, title=sentences[0][:18], question=sentences[1],
                paraphrases=tuple(sentences[2:]), answer="…", basis=(Citation("某法", "第一条"),),
                related=(base.id,), next_step=NextStep("none", "…"),
            )
        entries[entry.id] = entry
    return KnowledgeBase(entries, Catalogue({i: e.topic for i, e in entries.items()}))


def bench_scaling(texts: list[str], sizes: list[int]) -> None:
    real = Retriever.load(data_dir() / "faq")
    tokenize, normalise = real._tokenize, real._normalise
    print("scaling with the number of entries (retrieve only, per message, CPU time; synthetic entries drawn")
    print("from the real vocabulary; 'linear' = rapidfuzz against every sentence of every entry):")
    print(f"  {'entries':>7}  {'index p50':>10}  {'index p99':>10}  {'linear p50':>11}  {'linear p99':>11}  build")
    for size in sizes:
        kb = synthetic_kb(real, size)
        started = time.perf_counter()
        retriever = Retriever(kb, real.config, tokenize, normalise)
        build = time.perf_counter() - started
        # The baseline a naive bot would do: rapidfuzz against every sentence of every entry.
        all_sentences = [(e.id, s) for e in kb for s in (e.title, e.question, *e.paraphrases)]
        choices = [s for _, s in all_sentences]
        fast, slow = [], []
        for t in texts:
            started = time.thread_time()
            retriever.retrieve(t, act="ask")
            fast.append((time.thread_time() - started) * 1000)
            started = time.thread_time()
            process.extract(normalise(t), choices, scorer=fuzz.token_set_ratio, limit=3)
            slow.append((time.thread_time() - started) * 1000)
        print(f"  {size:>7}  {percentile(fast, .5):>8.3f}ms  {percentile(fast, .99):>8.3f}ms  "
              f"{percentile(slow, .5):>9.3f}ms  {percentile(slow, .99):>9.3f}ms  {build:.2f}s")


# --- calibration --------------------------------------------------------------------------

def calibrate(rows: list[dict], show: int) -> None:
    understanding, why = load_understanding()
    if understanding is None:
        print(why)
        retriever = Retriever.load(data_dir() / "faq")
    else:
        retriever = understanding.retriever
    cfg = retriever.config
    # (gold faq or None, act used, top ids, top score, runner-up score, top coverage, row)
    records = []
    for row in rows:
        if understanding is not None:
            nlu = understanding.classifier.classify(row["text"])
            act, topic, text = nlu.act, nlu.topic, nlu.normalized
        else:
            act, topic, text = row["act"], row["topic"], row["text"]
        scored, words = ([], 0) if act in cfg.no_hits_acts else retriever._score(text, topic)
        ids = [s.entry.id for s in scored[:3] if s.score >= cfg.floor]
        top = scored[0].score if scored else 0.0
        second = scored[1].score if len(scored) > 1 else 0.0
        coverage = scored[0].coverage if scored else 0.0
        records.append((row.get("faq"), act, ids, top, second, coverage, {**row, "_words": words}))

    faq_rows = [r for r in records if r[0]]
    top1 = sum(r[2][:1] == [r[0]] for r in faq_rows) / len(faq_rows)
    top3 = sum(r[0] in r[2] for r in faq_rows) / len(faq_rows)
    print(f"dev set: {len(rows)} messages, {len(faq_rows)} with an entry")
    print(f"FAQ top-1 {top1:.3f}  top-3 {top3:.3f}  "
          f"(current data: threshold {cfg.threshold}, margin {cfg.margin}, min_coverage {cfg.min_coverage})")

    def is_sure(record: tuple, threshold: float, margin: float, min_coverage: float) -> bool:
        _, act, ids, top, second, coverage, row = record
        return (bool(ids) and row["_words"] >= cfg.min_words and act in cfg.sure_acts
                and top >= threshold and top - second >= margin and coverage >= min_coverage)

    def sure_stats(threshold: float, margin: float, min_coverage: float) -> tuple[int, int, int, int]:
        sure_right = sure_wrong = sure_on_null = 0
        for record in records:
            gold, ids = record[0], record[2]
            sure = is_sure(record, threshold, margin, min_coverage)
            if not sure:
                continue
            if gold is None:
                sure_on_null += 1
            elif ids[0] == gold:
                sure_right += 1
            else:
                sure_wrong += 1
        return sure_right, sure_wrong, sure_on_null, len(faq_rows)

    right, wrong, on_null, total = sure_stats(cfg.threshold, cfg.margin, cfg.min_coverage)
    sure_n = right + wrong + on_null
    print(f"sure: {sure_n} answers, precision {right / sure_n if sure_n else 1:.3f} "
          f"({wrong} wrong entry, {on_null} on messages with no entry); "
          f"answered outright {right}/{total} = {right / total:.3f} of the questions")
    if cfg.question_markers:
        print("  (the whole message only; stories answered through their last question clause are measured by "
              "benchmarks/focus_calibrate.py)")
    print("\nsweep: threshold → precision of sure / share of questions answered outright / wrong answers")
    for min_coverage in sorted({0.0, 0.5, cfg.min_coverage}):
        print(f" min_coverage {min_coverage:.2f}")
        for margin in sorted({0.0, 0.05, 0.1, cfg.margin}):
            cells = []
            for threshold in (0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
                r, w, n, t = sure_stats(threshold, margin, min_coverage)
                cells.append(f"{threshold:.2f}:{(r / (r + w + n)) if r + w + n else 1:.3f}/{r / t:.2f}/{w + n}")
            print(f"  margin {margin:.2f}  " + "  ".join(cells))
    if show:
        print("\nmisses (gold not first):")
        for gold, act, ids, top, second, coverage, row in [r for r in faq_rows if r[2][:1] != [r[0]]][:show]:
            print(f"- {row['text']}\n    want {gold}  got {ids}  top {top:.3f} second {second:.3f} "
                  f"coverage {coverage:.2f} act {act}")
        print("\nsure but wrong:")
        for record in records:
            gold, act, ids, top, _, _, row = record
            if is_sure(record, cfg.threshold, cfg.margin, cfg.min_coverage) and ids[0] != gold:
                print(f"- {row['text']}  → {ids[0]} {top:.3f} (want {gold}, act {act})")


def external(show: int) -> None:
    """Questions written by the public (unlabelled for FAQ): how often the bot would answer outright.

    On the non-labour file every sure answer is a confident wrong one; on the labour files the
    sure answers are listed for a person to judge (`--show N`)."""
    understanding, why = load_understanding()
    if understanding is None:
        print(f"external: skipped — {why}")
        return
    for name, key in (("other.jsonl", "text"), ("labor.jsonl", "text"), ("labor_qa.jsonl", "question")):
        path = EXTERNAL / name
        if not path.exists():
            print(f"{name}: not found")
            continue
        texts = [json.loads(line)[key] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        results = [(t, understanding.understand(t)) for t in texts]
        sure = [(t, u) for t, u in results if u.retrieval.sure]
        with_hits = sum(bool(u.retrieval.hits) for _, u in results)
        print(f"{name}: {len(texts)} questions, {with_hits} with suggestions, {len(sure)} answered outright")
        for t, u in sure[:show]:
            print(f"    {u.retrieval.best.score:.2f} {t[:60]} → {u.retrieval.best.id}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calibrate", action="store_true", help="measure retrieval quality on the dev set")
    ap.add_argument("--external", action="store_true", help="sure answers on ../shared/eval/external (public questions)")
    ap.add_argument("--data", type=Path, default=DEV)
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sizes", default="53,500,5000")
    args = ap.parse_args()
    rows = dev_rows(args.data)
    if args.calibrate:
        calibrate(rows, args.show)
        return 0
    if args.external:
        external(args.show)
        return 0
    texts = [r["text"] for r in rows]
    bench_latency(texts, args.rounds)
    bench_cold_start(3)
    bench_scaling(texts, [int(s) for s in args.sizes.split(",")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
