"""Entity table tests: the intake form is pre-filled from these."""

from __future__ import annotations

from typing import Any

import pytest

from intents.classifier import Classifier
from intents.numbers import parse_number


@pytest.fixture(scope="module")
def clf(data_path) -> Classifier:
    return Classifier.load(data_path)


def ents(clf: Classifier, text: str) -> dict[str, Any]:
    return clf.classify(text).entities


@pytest.mark.parametrize(
    ("text", "value", "approx"),
    [
        ("4300", 4300, False), ("1.5万", 15000, False), ("3k", 3000, False), ("2w", 20000, False),
        ("四千三", 4300, False), ("两万八", 28000, False), ("一万二千", 12000, False), ("三百五", 350, False),
        ("三百零五", 305, False), ("二十八", 28, False), ("十几", 10, True), ("几百", 100, True), ("半", 0.5, False),
        ("一千七八", 1700, True),
    ],
)
def test_parse_number(text: str, value: float, approx: bool) -> None:
    assert parse_number(text) == (value, approx)


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("老板欠我4300元工资", [4300]),
        ("说好月薪四千三 结果只给了三千", [4300, 3000]),
        ("一个月才3k", [3000]),
        ("押金1.5万到现在没退", [15000]),
        ("工头还欠我两万八", [28000]),
        ("每单扣5毛", [0.5]),
        ("总共欠了9800", [9800]),
        ("¥2600还没到账", [2600]),
        ("干了5天", []),                       # a duration, not money
        ("我们有12个人", []),                  # a head count, not money
        ("打12351问问", []),                   # a hotline, not money
        ("罚了1200块", [1200]),                # "120" inside an amount is not a hotline
    ],
)
def test_money(clf: Classifier, text: str, amounts: list[float]) -> None:
    assert [m["value"] for m in ents(clf, text).get("money", [])] == amounts


@pytest.mark.parametrize(
    ("text", "value", "approx"),
    [
        ("我们十几个人都没拿到钱", 10, True),
        ("站里20多名骑手一起停跑了", 20, True),
        ("车队8个司机都被扣了", 8, False),
        ("几百号人围在门口", 100, True),
        ("四十多个工友", 40, True),
    ],
)
def test_headcount(clf: Classifier, text: str, value: int, approx: bool) -> None:
    found = ents(clf, text)["headcount"][0]
    assert (found["value"], found["approx"]) == (value, approx)


def test_platforms_are_canonical_and_in_order(clf: Classifier) -> None:
    assert ents(clf, "先在饿了吗跑 后来去了美团众包 也开过货拉拉")["platform"] == ["饿了么", "美团", "货拉拉"]
    assert ents(clf, "开T3的")["platform"] == ["T3出行"]


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("我在京东物流的分拨点上班", "京东物流"),
        ("被派到顺丰分拣中心", "顺丰分拣中心"),
        ("我是鑫达劳务派遣公司招的", "鑫达劳务派遣公司"),
    ],
)
def test_company(clf: Classifier, text: str, company: str) -> None:
    assert company in ents(clf, text)["company"]


def test_generic_workplaces_are_not_companies(clf: Classifier) -> None:
    texts = ("我在一家物业公司当保安", "这家公司不给钱", "想告公司", "保险公司一直拖着", "结果保安公司老板跑了", "附近的驿站")
    for text in texts:
        assert "company" not in ents(clf, text), text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3月4日入职的", "--03-04"),
        ("2026年3月4日摔的", "2026-03-04"),
        ("2025-11-02签的合同", "2025-11-02"),
        ("三月五号开始没发", "--03-05"),
        ("从去年11月开始", "--11"),
        ("上个月20号离职", "---20"),
    ],
)
def test_dates(clf: Classifier, text: str, value: str) -> None:
    assert [d["value"] for d in ents(clf, text)["date"]] == [value]


@pytest.mark.parametrize(
    ("text", "days"),
    [("干了半年", 182), ("干了两年零七个月", 940), ("等了三个月", 90), ("干了40天", 40), ("一年半", 548), ("两个礼拜", 14)],
)
def test_durations(clf: Classifier, text: str, days: int) -> None:
    assert [d["days"] for d in ents(clf, text)["duration"]] == [days]


def test_a_month_name_is_not_a_duration(clf: Classifier) -> None:
    assert "duration" not in ents(clf, "10月到12月都没发")


def test_a_rate_is_not_a_duration(clf: Classifier) -> None:
    assert "duration" not in ents(clf, "医疗互助一年交多少钱")
    assert "duration" not in ents(clf, "让我第二天不用来了")
    assert [d["days"] for d in ents(clf, "跑了一天 累死了")["duration"]] == [1]


@pytest.mark.parametrize(
    ("text", "phones"),
    [
        ("我电话13812345678", ["13812345678"]),
        ("打我手机 138 1234 5678", ["13812345678"]),
        ("+86 13912345678", ["13912345678"]),
        ("座机0755-12345678", ["0755-12345678"]),
        ("打过12351了", []),
        ("客服400-123-4567不接", []),
        ("工单号20240315001", []),
    ],
)
def test_phones(clf: Classifier, text: str, phones: list[str]) -> None:
    assert ents(clf, text).get("phone", []) == phones


def test_places(clf: Classifier) -> None:
    assert ents(clf, "在深圳宝安跑单 老家河南的")["place"] == ["深圳", "宝安", "河南"]


def test_empty_kinds_are_omitted(clf: Classifier) -> None:
    assert ents(clf, "你好") == {}
