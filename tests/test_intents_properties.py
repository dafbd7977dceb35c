"""Any text at all gives a valid result and never an exception."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intents.classifier import Classifier
from intents.types import ACTS, TOPICS, NluResult

_CLF: Classifier | None = None


def clf(path) -> Classifier:
    global _CLF
    if _CLF is None:
        _CLF = Classifier.load(path)
    return _CLF


def check(result: NluResult, text: str) -> None:
    assert result.text == text
    assert result.act in ACTS and result.topic in TOPICS
    assert 0.0 <= result.confidence <= 1.0 and 0.0 <= result.margin <= 1.0
    assert isinstance(result.uncertain, bool)
    assert all(result.entities.values())                 # empty kinds are omitted
    json.dumps(result.entities, ensure_ascii=False)       # JSON-ready


cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
emoji = st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF)
controls = st.characters(min_codepoint=0, max_codepoint=0x1F)
mixed = st.one_of(cjk, emoji, controls, st.characters(), st.sampled_from(list("0123456789万千元块个人月日号年,.?!？！，。 \n\t")))
domain_words = st.sampled_from(["工资", "欠", "工伤", "不是", "是", "投诉", "取消", "你好", "谢谢", "4300", "三千四", "十几个人",
                                "13812345678", "12351", "深圳", "美团", "不想活了", "离婚", "?", " ", "😭", "職業傷害"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(mixed, max_size=200))
def test_any_text(data_path, text: str) -> None:
    check(clf(data_path).classify(text), text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(domain_words, max_size=30).map("".join))
def test_any_mix_of_our_own_words(data_path, text: str) -> None:
    check(clf(data_path).classify(text), text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\x00\x01\x02\x1b[31m",
        "😀😭🙏👍🏻‍",
        "工" * 100_000,
        ("欠我4300元工资 " * 10_000)[:100_000],
        "English only, no Chinese at all?",
        "日本語とעברית和中文mixed 123",
        "\u200b\u200d\ufeff",
        "\ud800",                          # a lone surrogate (invalid UTF-16) must not crash either
        "9" * 5000,
        "三" * 5000 + "万",
    ],
)
def test_edge_texts(data_path, text: str) -> None:
    check(clf(data_path).classify(text), text)


def test_non_string_input_is_treated_as_empty(data_path) -> None:
    result = clf(data_path).classify(None)  # type: ignore[arg-type]
    assert result.act == "other" and result.text == ""
