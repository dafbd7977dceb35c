"""The union's additions social_insurance.transfer, injury.heatstroke and process.employer_absent.

Messages written for these tests (not the entries' paraphrases, not from the dev set): each new
entry must be the first hit for questions about it, and the neighbouring entries must still win
their own questions.
"""

from __future__ import annotations

import pytest

from bot.understand import Understanding

NEW = [
    ("医保能跟着我转到新城市吗", "social_insurance.transfer"),
    ("不干了 养老保险能退出来吗", "social_insurance.transfer"),
    ("辞职回老家 社保是不是就作废了", "social_insurance.transfer"),
    ("换个省打工 原来的养老保险要不要办转移", "social_insurance.transfer"),
    ("在厨房后厨干活中暑了 这个能认工伤吗", "injury.heatstroke"),
    ("中暑以后单位不给申请工伤 我自己能申请吗", "injury.heatstroke"),
    ("中暑诊断职业病要去哪个医院", "injury.heatstroke"),
    ("跑单热晕了住了两天院 想问能不能按职业病走", "injury.heatstroke"),
    ("老板电话不接人也找不到 我的仲裁申请咋办", "process.employer_absent"),
    ("公司收到仲裁通知装没看见 仲裁会怎么办", "process.employer_absent"),
    ("仲裁还没裁完 老板要跑路 能先拿一部分钱吗", "process.employer_absent"),
]

NEIGHBOURS = [
    ("没单位了 想自己交养老和医保 去哪办", "social_insurance.flexible_employment"),
    ("公司倒了人被遣散 失业保险金怎么申请", "social_insurance.unemployment_benefit"),
    ("三十八度还让我们在外面装车 能停工吗", "hours.high_temperature"),
    ("搬货时被砸伤了脚 公司说不算工伤", "injury.recognition"),
    ("裁决书都生效了 公司一分钱还没给", "process.lawsuit_after_arbitration"),
    ("工会调解的时候站点不派人来 咋弄", "process.mediation"),
]


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    return Understanding.load()


@pytest.mark.parametrize(("message", "expected"), NEW + NEIGHBOURS)
def test_first_hit(understanding: Understanding, message: str, expected: str):
    hits = understanding.understand(message).retrieval.hits
    assert hits and hits[0].id == expected, [(h.id, round(h.score, 2)) for h in hits]


@pytest.mark.parametrize("entry_id", ["social_insurance.transfer", "injury.heatstroke", "process.employer_absent"])
def test_the_question_itself_is_answered_surely(understanding: Understanding, entry_id: str):
    entry = next(e for e in understanding.retriever.kb if e.id == entry_id)
    result = understanding.understand(entry.question).retrieval
    assert result.sure and result.hits[0].id == entry_id, [(h.id, round(h.score, 2)) for h in result.hits]
