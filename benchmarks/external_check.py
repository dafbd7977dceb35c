"""How the classifier does on real public questions nobody on the team wrote.

Reads `../shared/eval/external/` (evaluation only; skipped when absent) and prints:
- the share of `labor.jsonl` that gets a labour topic and an act other than `other` (target ≥ 0.85),
- the share of `other.jsonl` that gets act `other` (target ≥ 0.70).

    .venv/bin/python benchmarks/external_check.py [--show N] [--dir PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DIR = REPO.parent / "shared" / "eval" / "external"


def _texts(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--show", type=int, default=0, help="print up to N misses of each file")
    args = ap.parse_args()
    labor_file, other_file = args.dir / "labor.jsonl", args.dir / "other.jsonl"
    if not labor_file.exists() or not other_file.exists():
        print(f"external_check: {args.dir} not found, skipped")
        return 0

    sys.path.insert(0, str(REPO))
    from intents.classifier import Classifier

    clf = Classifier.load(REPO / "data")
    labor = [(t, clf.classify(t)) for t in _texts(labor_file)]
    other = [(t, clf.classify(t)) for t in _texts(other_file)]
    labor_ok = [r.act != "other" and r.topic != "none" for _, r in labor]
    other_ok = [r.act == "other" for _, r in other]
    print(f"labor.jsonl  {sum(labor_ok) / len(labor):.3f} get a labour topic and a non-other act ({sum(labor_ok)}/{len(labor)})")
    print(f"other.jsonl  {sum(other_ok) / len(other):.3f} get act other ({sum(other_ok)}/{len(other)})")
    if args.show:
        for name, rows, ok in (("labor", labor, labor_ok), ("other", other, other_ok)):
            misses = [(t, r) for (t, r), good in zip(rows, ok, strict=True) if not good][: args.show]
            for t, r in misses:
                print(f"- [{name}] {r.act}/{r.topic} {t}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
