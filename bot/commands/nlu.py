"""`gongyou nlu` — classify messages: the evaluation interface.

    gongyou nlu "站长拖我俩月工资了"          # one text, printed readably
    gongyou nlu --jsonl < in.jsonl > out.jsonl  # one {"text": ...} per line in, one result per line out

The JSONL mode loads once, streams line by line and flushes each result, so it can sit at the
end of a pipe. A line that is not a JSON object with a string "text" gives a line with an
"error" (and the input line number) and the run goes on.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="*", help="the message to classify (omit with --jsonl)")
    parser.add_argument("--jsonl", action="store_true", help='read {"text": ...} lines on stdin, write one JSON line each')


def run(args: argparse.Namespace) -> int:
    from bot.understand import Understanding

    if args.jsonl and args.text:
        print("gongyou nlu: give either a text or --jsonl, not both", file=sys.stderr)
        return 2
    if not args.jsonl and not args.text:
        print('gongyou nlu: give a text (gongyou nlu "一句话") or --jsonl', file=sys.stderr)
        return 2
    understanding = Understanding.load()
    if args.jsonl:
        return stream(understanding, sys.stdin, sys.stdout)
    record = understanding.batch_record(understanding.understand(" ".join(args.text)))
    print(readable(record))
    return 0


def stream(understanding: Any, source: TextIO, sink: TextIO) -> int:
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        sink.write(json.dumps(_one(understanding, line, number), ensure_ascii=False) + "\n")
        sink.flush()
    return 0


def _one(understanding: Any, line: str, number: int) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except ValueError as exc:
        return {"line": number, "error": f"not valid JSON: {exc}"}
    if not isinstance(item, dict):
        return {"line": number, "error": "expected a JSON object with a \"text\" field"}
    text = item.get("text")
    if not isinstance(text, str):
        return {"line": number, "error": "missing \"text\" or it is not a string"}
    try:
        return understanding.batch_record(understanding.understand(text))
    except Exception as exc:       # one bad message must not end a batch run
        return {"line": number, "text": text, "error": f"{type(exc).__name__}: {exc}"}


def readable(record: dict[str, Any]) -> str:
    lines = [
        f"文本    {record['text']}",
        f"act     {record['act']}" + ("（不确定）" if record.get("uncertain") else ""),
        f"topic   {record['topic']}",
        f"置信度  {record['confidence']:.2f}",
    ]
    if record.get("faq"):
        lines.append("faq     " + ", ".join(f"{h['id']} ({h['score']:.2f})" for h in record["faq"]))
    for key, values in (record.get("entities") or {}).items():
        lines.append(f"{key:<10}{json.dumps(values, ensure_ascii=False)}")
    return "\n".join(lines)
