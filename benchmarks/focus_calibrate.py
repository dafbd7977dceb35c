"""How the question-clause rule changes the bot's outright answers, per labelled set.

A worker's story with its question at the end dilutes every entry's score; the rule in
`knowledge/retrieval.py` (`question_markers` in data/faq/retrieval.yaml) scores that last question
clause alone and answers outright when it passes every rule and agrees with the whole message.
This prints, for each set and each `focus_whole_floor`, the sure answers that are right / given
(rows labelled with an entry count as right when the answer is that entry; a sure answer on a row
labelled with no entry is wrong), so the floor can be chosen on labelled data.

    .venv/bin/python benchmarks/focus_calibrate.py                       # dev + every fresh batch
    .venv/bin/python benchmarks/focus_calibrate.py --show 0.43 FILE...   # list what the rule adds
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.understand import Understanding  # noqa: E402

FLOORS = (None, 0.0, 0.40, 0.43, 0.45, 0.50)   # None = the rule off


def default_sets() -> list[Path]:
    dev = ROOT.parent / "shared" / "eval" / "dev.jsonl"
    fresh = sorted((ROOT / "benchmarks" / "fresh").glob("*.jsonl"))
    return ([dev] if dev.exists() else []) + fresh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--show", type=float, default=None, help="list the answers the rule adds at this floor")
    args = parser.parse_args()
    understanding = Understanding.load()
    retriever = understanding.retriever
    base = retriever.config
    markers = base.question_markers
    if not markers:
        sys.exit("data/faq/retrieval.yaml has no question_markers: nothing to calibrate")
    configs = {f: replace(base, question_markers=() if f is None else markers, focus_whole_floor=f or 0.0)
               for f in FLOORS}
    totals = {f: [0, 0] for f in FLOORS}
    print("set".ljust(28) + "".join(("off" if f is None else f"floor {f:.2f}").rjust(13) for f in FLOORS))
    for path in args.files or default_sets():
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        cells = []
        for floor, config in configs.items():
            retriever.config = config
            right = given = 0
            for row in rows:
                result = understanding.understand(row["text"]).retrieval
                if result.sure and result.best is not None:
                    given += 1
                    right += result.best.id == row.get("faq")
                    if args.show is not None and floor == args.show:
                        retriever.config = configs[None]
                        if not understanding.understand(row["text"]).retrieval.sure:
                            mark = "right" if result.best.id == row.get("faq") else "WRONG"
                            print(f"  {mark} {path.name}: {row['text'][:60]} → {result.best.id} (label {row.get('faq')})")
                        retriever.config = config
            totals[floor][0] += right
            totals[floor][1] += given
            cells.append(f"{right}/{given}".rjust(13))
        print(path.name.ljust(28) + "".join(cells))
    print("all".ljust(28) + "".join(f"{r}/{g}".rjust(13) for r, g in totals.values()))
    retriever.config = base


if __name__ == "__main__":
    main()
