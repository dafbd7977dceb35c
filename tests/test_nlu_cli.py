"""`gongyou nlu`: the batch interface the product is measured through."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.commands.nlu import stream
from bot.understand import Understanding
from intents.classifier import Classifier

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def understanding(data_path: Path) -> Understanding:
    return Understanding(Classifier.load(data_path), None)


def run_stream(understanding: Understanding, text: str) -> list[dict]:
    out = io.StringIO()
    assert stream(understanding, io.StringIO(text), out) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_line_per_input_with_the_contract_fields(understanding: Understanding) -> None:
    lines = [{"text": "站长欠我三千四工资 怎么办"}, {"text": "你好"}, {"text": ""}]
    rows = run_stream(understanding, "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    assert len(rows) == 3
    for row in rows:
        assert {"text", "act", "topic", "confidence", "faq", "entities"} <= row.keys()
    assert rows[0]["act"] == "ask" and rows[0]["topic"] == "wage"
    assert rows[0]["entities"]["money"] == [{"text": "三千四", "value": 3400.0}]
    assert rows[1]["act"] == "greet"
    assert rows[2]["text"] == ""


def test_bad_lines_give_an_error_line_and_the_run_goes_on(understanding: Understanding) -> None:
    source = "\n".join([
        '{"text": "工资没发"',                # not valid JSON
        '["text", "工资"]',                  # not an object
        '{"message": "工资没发"}',            # no "text"
        '{"text": 42}',                      # text not a string
        '"just a string"',
        '{"text": "谢谢"}',
    ]) + "\n"
    rows = run_stream(understanding, source)
    assert len(rows) == 6
    assert [("error" in r) for r in rows] == [True, True, True, True, True, False]
    assert rows[0]["line"] == 1 and "not valid JSON" in rows[0]["error"]
    assert rows[5]["act"] == "thanks"


def test_blank_lines_are_skipped(understanding: Understanding) -> None:
    assert len(run_stream(understanding, '\n\n{"text": "在吗"}\n\n')) == 1


def test_readable_single_text(capsys) -> None:
    assert main(["nlu", "站长欠我4300工资"]) == 0
    out = capsys.readouterr().out
    assert "act" in out and "wage" in out and "4300" in out


def test_usage_errors(capsys) -> None:
    assert main(["nlu"]) == 2
    assert main(["nlu", "--jsonl", "一句话"]) == 2


def test_the_real_command_streams_and_flushes(tmp_path: Path) -> None:
    """End to end through the installed entry point, as the evaluation runs it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "nlu", "--jsonl"], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )
    assert proc.stdin and proc.stdout
    proc.stdin.write(json.dumps({"text": "转人工"}, ensure_ascii=False) + "\n")
    proc.stdin.flush()
    first = json.loads(proc.stdout.readline())          # answered before stdin is closed: flushed per line
    assert first["act"] == "human"
    proc.stdin.write("not json\n")
    proc.stdin.close()
    second = json.loads(proc.stdout.readline())
    assert "error" in second
    assert proc.wait(timeout=60) == 0
