"""What a worker reads: the rendered answer, basis line, next step and suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import schema
from knowledge.loader import check, load_kb
from knowledge.render import (
    NOTHING,
    basis_line,
    law_name,
    render_answer,
    render_next_step,
    render_reply,
    render_suggestions,
)
from knowledge.types import Citation, Hit

FIXTURE = Path(__file__).parent / "fixtures" / "kb"


@pytest.mark.parametrize(("law", "shown"), [
    ("中华人民共和国劳动合同法", "《劳动合同法》"),
    ("工资支付暂行规定", "《工资支付暂行规定》"),
    ("《关于维护新就业形态劳动者劳动保障权益的指导意见》", "《关于维护新就业形态劳动者劳动保障权益的指导意见》"),
    ("中华人民共和国", "《中华人民共和国》"),
])
def test_law_names(law: str, shown: str):
    assert law_name(law) == shown


def test_basis_line_groups_articles_of_one_law():
    line = basis_line((
        Citation("中华人民共和国劳动合同法", "第三十条"),
        Citation("中华人民共和国劳动合同法", "第八十五条", "逾期加付赔偿金"),
        Citation("劳动保障监察条例", "第九条"),
    ))
    assert line == "依据：《劳动合同法》第三十条、第八十五条（逾期加付赔偿金）；《劳动保障监察条例》第九条"


def test_reply_has_answer_basis_and_next_step():
    entry = load_kb(FIXTURE).get("hours.high_temperature")
    reply = render_reply(entry)
    assert reply.startswith(entry.answer)
    assert "依据：《防暑降温措施管理办法》第十七条" in reply
    assert reply.endswith("下一步：不清楚本地标准可以打电话问。（电话：12333、12351）")
    assert render_answer(entry) in reply


def test_next_step_without_hotlines():
    entry = load_kb(FIXTURE).get("hours.overtime_pay")
    assert render_next_step(entry) == "把加班记录截图保存好，有需要再来找我。"


def test_suggestions_offer_at_most_three_titles():
    entries = list(load_kb(FIXTURE))
    text = render_suggestions([Hit(e.id, 0.4, e) for e in entries])
    assert "你是不是想问" in text
    assert [line[:2] for line in text.splitlines() if line[:1].isdigit()] == ["1.", "2.", "3."]
    assert all(e.title in text for e in entries[:3])
    assert entries[3].title not in text


def test_no_suggestions_offers_a_person():
    assert render_suggestions([]) == NOTHING
    assert "工作人员" in NOTHING


def test_every_real_answer_fits_the_limit(data_path: Path):
    report = check(data_path / "faq")
    assert len(report.kb) > 0
    for entry in report.kb:
        rendered = render_answer(entry)
        assert len(entry.answer) <= schema.ANSWER_MAX, entry.id
        assert len(rendered) <= schema.RENDERED_MAX, (entry.id, len(rendered))
