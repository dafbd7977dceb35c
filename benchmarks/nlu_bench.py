"""Speed and memory of the keyword classifier (targets: cold start < 1.5 s, p99 < 1 ms, RSS < 120 MB).

Prints cold start (import + jieba dictionary + lexicons), p50/p99 latency of `classify` per
message over the dev set repeated, messages per second on one core, and peak RSS. Run it as a
fresh process so the cold start is real:

    .venv/bin/python benchmarks/nlu_bench.py [--rounds 20] [--data ../shared/eval/dev.jsonl]

Without the dev set it uses a few built-in messages. jieba caches its dictionary in the temp
folder; the very first run on a machine also builds that cache and is slower.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()
STARTED_CPU = time.process_time()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEV = REPO.parent / "shared" / "eval" / "dev.jsonl"
FALLBACK = [
    "你好", "谢谢", "转人工", "站长拖了我两个月工资 怎么办", "送餐路上摔了 算工伤吗", "我要投诉 欠我4300块",
    "平台把我封号了 里面还有两千多没提现", "干了半年没签合同 能要二倍工资吗", "现在三十多个人堵在门口要工资",
    "房东不退押金", "明天下雨吗", "職業傷害保障怎麼報案",
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=20, help="how many times the message set is classified")
    ap.add_argument("--data", type=Path, default=DEV)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})       # one core

    sys.path.insert(0, str(REPO))
    t0, c0 = time.perf_counter(), time.process_time()
    from intents.classifier import Classifier

    clf = Classifier.load(REPO / "data")
    cold, cold_cpu = time.perf_counter() - t0, time.process_time() - c0

    if args.data.exists():
        texts = [json.loads(line)["text"] for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
        source = str(args.data)
    else:
        texts, source = FALLBACK, "built-in messages"
    for text in texts:                     # warm-up: first calls fill caches (regex, jieba HMM)
        clf.classify(text)
    wall: list[float] = []
    cpu: list[float] = []
    per_message: list[list[float]] = [[] for _ in texts]
    run_started = time.perf_counter()
    for _ in range(args.rounds):
        for i, text in enumerate(texts):
            a, b = time.perf_counter(), time.process_time()
            clf.classify(text)
            cpu.append(time.process_time() - b)
            wall.append(time.perf_counter() - a)
            per_message[i].append(wall[-1])
    elapsed = time.perf_counter() - run_started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # Linux: KiB
    typical = sorted(statistics.median(times) for times in per_message)   # each message's own median

    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"messages          {len(texts)} from {source}, {args.rounds} rounds ({len(wall)} calls); load average {load:.1f}")
    print(f"cold start        {cold:.3f} s wall, {cold_cpu:.3f} s CPU (import + jieba dictionary + lexicons)")
    print(f"latency p50       {pct(wall, 0.50):.3f} ms wall   {pct(cpu, 0.50):.3f} ms CPU")
    print(f"latency p99       {pct(wall, 0.99):.3f} ms wall   {pct(cpu, 0.99):.3f} ms CPU   "
          f"(p99 over messages of each one's median: {pct(typical, 0.99):.3f} ms; max call {max(wall) * 1000:.2f} ms)")
    print(f"throughput        {len(wall) / elapsed:.0f} messages/s on one core (wall), {len(cpu) / sum(cpu):.0f} per CPU-second")
    print(f"peak RSS          {rss_mb:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
