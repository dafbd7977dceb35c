"""`gongyou kb check` and `gongyou ask`, run through the real CLI entry point."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "kb"
SETTINGS = Path(__file__).parent.parent / "data" / "faq" / "retrieval.yaml"


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """The fixture entries with the real retrieval settings beside them."""
    folder = tmp_path / "faq"
    shutil.copytree(FIXTURE, folder)
    shutil.copy(SETTINGS, folder / "retrieval.yaml")
    return folder


def test_kb_check_passes_on_a_complete_kb(kb_dir: Path, capsys):
    assert main(["kb", "check", "--dir", str(kb_dir)]) == 0
    out = capsys.readouterr().out
    assert "wage   2/2  ok" in out and "hours  2/2  ok" in out
    assert "OK" in out


def test_kb_check_lists_problems_and_gaps(kb_dir: Path, capsys):
    folder = kb_dir
    wage = folder / "wage.yaml"
    wage.write_text(wage.read_text(encoding="utf-8").replace("action: inspection", "action: lawyer"), encoding="utf-8")
    catalogue = folder / "catalogue.yaml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8") + "  hours.night_shift: {topic: hours, q: 夜班}\n",
                         encoding="utf-8")
    assert main(["kb", "check", "--dir", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "wage.yaml:" in out and "wage.deduction: next_step.action: 'lawyer' is not one of" in out
    assert "hours  2/3  missing: hours.night_shift" in out
    assert "wage   1/2  invalid: wage.deduction" in out
    assert "FAILED: 1 problem(s), 1 catalogue entry missing" in out


def test_kb_check_reports_bad_retrieval_settings(kb_dir: Path, capsys):
    folder = kb_dir
    settings = folder / "retrieval.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("sure_acts: [ask]", "sure_acts: [asks]"),
                        encoding="utf-8")
    assert main(["kb", "check", "--dir", str(folder)]) == 1
    assert "retrieval.yaml: sure_acts: unknown act 'asks'" in capsys.readouterr().out


def test_kb_check_needs_retrieval_settings(capsys):
    assert main(["kb", "check", "--dir", str(FIXTURE)]) == 1
    assert "retrieval.yaml: cannot read" in capsys.readouterr().out


def test_kb_without_action_shows_usage(capsys):
    assert main(["kb"]) == 2


@pytest.fixture(scope="module")
def classifier_ready():
    pytest.importorskip("intents.classifier", reason="the classifier (issue 2) has not landed")


def test_ask_answers_with_basis_and_next_step(classifier_ready, data_path: Path, capsys):
    assert main(["ask", "工伤认定要去哪里申请"]) == 0
    out = capsys.readouterr().out
    assert "依据：" in out and "《工伤保险条例》" in out
    assert "下一步：" in out


def test_ask_off_topic_gets_no_entry(classifier_ready, capsys):
    assert main(["ask", "明天去哪里吃火锅好"]) == 0
    out = capsys.readouterr().out
    assert "依据：" not in out


def test_ask_explain_shows_scores(classifier_ready, capsys):
    assert main(["ask", "--explain", "加班费怎么算"]) == 0
    out = capsys.readouterr().out
    assert "act=" in out and "threshold=" in out
