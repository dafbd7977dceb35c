"""What each follow-up action writes to the outbox: recipient, kind, meta and wording."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest

from bot.dialogue.buttons import fits
from bot.scheduler import plan as P
from bot.scheduler.digest import DigestReport
from bot.scheduler.messages import FollowUpMessages
from bot.texts import Texts, TextsError
from bot.tickets.api import Intake, Ticket

NOW = datetime(2026, 10, 7, 4, 30, tzinfo=UTC)


def ticket(priority: str = "normal", user_id: str = "9001") -> Ticket:
    return Ticket(id=12, code="GY-20260922-0003", channel="telegram", user_id=user_id, kind="mediation",
                  state="mediating", priority=priority, topic="injury", intake=Intake(), assignee="telegram:202",
                  created_at=NOW, updated_at=NOW)


@pytest.fixture(scope="module")
def messages(data_path) -> FollowUpMessages:
    return FollowUpMessages(Texts.load(data_path / "texts"))


def action(rule: str, **data) -> P.Action:
    return P.Action(NOW, rule, 12, f"k:{rule}", 2, data)


def test_urgent_realert_is_an_alert_that_mentions_admins_and_shows_the_claim_button(messages):
    [out] = messages.for_action(ticket("urgent"), action(P.URGENT_UNCLAIMED, minutes=20))
    assert (out.channel, out.recipient, out.kind, out.ticket_id) == ("staff", "", "alert", 12)
    assert out.meta["urgent"] is True and out.meta["rule"] == P.URGENT_UNCLAIMED and out.meta["n"] == 2
    assert "20 分钟没人接单" in out.text and "GY-20260922-0003" in out.text and "工伤" in out.text


def test_staff_reminders_name_the_rule_hours_and_assignee(messages):
    [unclaimed] = messages.for_action(ticket("high"), action(P.UNCLAIMED, hours=4.0))
    assert unclaimed.kind == "alert" and unclaimed.meta["urgent"] is False
    assert "4 个工作小时" in unclaimed.text and "优先" in unclaimed.text
    [stale] = messages.for_action(ticket(), action(P.STALE, days=6.0, assignee="赵哥"))
    assert stale.kind == "reminder" and stale.meta["assignee"] == "telegram:202"
    assert stale.text.startswith("⏰ 赵哥：") and "6 个工作日" in stale.text


def test_mediation_limit_tells_staff_and_tells_the_worker_their_rights_plainly(messages):
    staff, worker = messages.for_action(ticket(), action(P.MEDIATION_LIMIT, days=15))
    assert staff.channel == "staff" and "第十四条" in staff.text and "转交" in staff.text
    assert (worker.channel, worker.recipient, worker.kind) == ("telegram", "9001", "reminder")
    for words in ("第十四条", "劳动仲裁", "一年", "知道或者应当知道", "第二十七条", "12351"):
        assert words in worker.text
    # A worker who erased their data gets nothing; staff still do.
    assert [m.channel for m in messages.for_action(ticket(user_id=""), action(P.MEDIATION_LIMIT, days=15))] == ["staff"]


def test_survey_buttons_fit_and_carry_the_ticket(messages):
    [out] = messages.for_action(ticket(), action(P.SURVEY))
    assert out.kind == "survey" and out.recipient == "9001"
    labels = [b["label"] for row in out.buttons for b in row]
    assert labels == ["1 分", "2 分", "3 分", "4 分", "5 分", "不用了"]
    assert all(fits(b["data"]) and b["data"].startswith("sv:12:") for row in out.buttons for b in row)
    [nudge] = messages.for_action(ticket(), action(P.WAITING_NUDGE))
    assert nudge.recipient == "9001" and "GY-20260922-0003" in nudge.text


def test_digest_lists_codes_and_cuts_long_lists(messages):
    report = DigestReport(day=datetime(2026, 10, 8).date(), created=2, resolved=1, recovered=1234.5, open=14,
                          unclaimed=["GY-1"], overdue=[f"GY-{i}" for i in range(12)], urgent=[])
    out = messages.digest(report)
    assert out.dedupe_key == "digest:2026-10-08" and out.ticket_id is None and out.kind == "digest"
    lines = out.text.splitlines()
    assert lines[0] == "📋 每日工单简报 · 2026-10-08"
    assert "待接单：1 件（GY-1）" in lines
    assert "已超时：12 件（GY-0、GY-1、GY-2、GY-3、GY-4、GY-5、GY-6、GY-7、GY-8、GY-9 等 12 件）" in lines
    assert "紧急未办结：0 件" in lines and "昨天办结：1 件，追回金额 1234.50 元" in lines


def test_a_missing_or_wrong_text_stops_the_start(tmp_path, data_path):
    shutil.copytree(data_path / "texts", tmp_path / "texts")
    path = tmp_path / "texts" / "scheduler.yaml"
    body = path.read_text(encoding="utf-8")
    path.write_text(body.replace("sched.worker.survey:", "sched.worker.survey_typo:"), encoding="utf-8")
    with pytest.raises(TextsError, match=r"sched\.worker\.survey: missing"):
        FollowUpMessages(Texts.load(tmp_path / "texts"))
    path.write_text(body.replace("已经 {minutes} 分钟", "已经 {minute} 分钟"), encoding="utf-8")
    with pytest.raises(TextsError, match=r"unknown placeholder\(s\) \['minute'\]"):
        FollowUpMessages(Texts.load(tmp_path / "texts"))
