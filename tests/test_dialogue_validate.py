"""The intake's answer checks, the short-answer word lists and the safety texts: pure tables."""

import pytest

from bot.dialogue import validate, words
from bot.dialogue.safety import mentions_self_harm, safety_keys
from bot.dialogue.state import ConversationState


@pytest.mark.parametrize(("text", "expected"), [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 13812345678", "13812345678"),
    ("8613812345678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),          # full-width digits from a phone keyboard
    ("0592-1234567", "0592-1234567"),
    ("(010)12345678", "010-12345678"),
    ("02112345678", "021-12345678"),
    ("12812345678", None),                           # 12x is not a mobile prefix
    ("1381234567", None),                            # 10 digits
    ("138123456789", None),                          # 12 digits
    ("12345", None),
    ("12351", None),                                 # the union hotline is not the worker's number
    ("我的电话是13812345678", None),                  # answer with the number alone
    ("", None),
])
def test_phone(text, expected):
    assert validate.phone(text) == expected


@pytest.mark.parametrize(("entities", "text", "expected"), [
    ({"money": [{"text": "4300元", "value": 4300.0}]}, "4300元", 4300.0),
    ({"money": [{"text": "四千三", "value": 4300}]}, "四千三", 4300.0),
    ({}, "4300", 4300.0),
    ({}, "4,300", 4300.0),
    ({}, "1.5万", 15000.0),
    ({}, "四千三", 4300.0),
    ({}, "大概八百", 800.0),
    ({}, "3500元左右", 3500.0),
    ({}, "0", None),
    ({}, "很多", None),
    ({}, "不记得了", None),
    ({"money": [{"text": "-5元", "value": -5}]}, "-5元", None),
    ({}, "999999999999", None),                      # a typo guard
])
def test_amount(entities, text, expected):
    assert validate.amount(entities, text) == expected


@pytest.mark.parametrize(("entities", "text", "expected"), [
    ({"headcount": [{"text": "12个人", "value": 12, "approx": False}]}, "12个人", 12),
    ({}, "15", 15),
    ({}, "十五个", 15),
    ({}, "二十人", 20),
    ({}, "0", None),
    ({}, "好多人", None),
    ({}, "1.5", None),
])
def test_headcount(entities, text, expected):
    assert validate.headcount(entities, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("厦门市思明区", ("厦门市", "思明区")),
    ("福建省厦门市湖里区", ("福建省厦门市", "湖里区")),
    ("成都武侯区", ("成都", "武侯区")),
    ("长沙", ("长沙", "")),
    ("延边朝鲜族自治州延吉市", ("延边朝鲜族自治州", "延吉市")),
    ("123", None),
    ("x", None),
    ("很远很远的地方" * 10, None),
])
def test_place(text, expected):
    assert validate.place(text) == expected


def test_free_text_keeps_the_wording_and_drops_control_characters():
    assert validate.free_text("站长说没钱，\x1b[31m拖了\u202e两个月", max_len=100) == "站长说没钱，[31m拖了两个月"
    assert validate.free_text("  a  \n\n  b ", max_len=10) == "a\nb"
    assert validate.free_text("嗯", min_len=4, max_len=10) is None
    assert validate.free_text("字" * 11, max_len=10) is None


@pytest.mark.parametrize(("check", "text", "expected"), [
    (words.is_cancel, "取消", True),
    (words.is_cancel, "算了，不办了。", True),
    (words.is_cancel, "  不办了！", True),
    (words.is_cancel, "老板说这事不办了", False),
    (words.is_yes, "对的。", True),
    (words.is_yes, "好的", True),
    (words.is_yes, "OK", True),
    (words.is_yes, "对方不给钱", False),
    (words.is_no, "不对", True),
    (words.is_no, "改一下", True),
    (words.is_skip, "跳过", True),
    (words.is_skip, "没有", True),
    (words.is_done, "发完了", True),
    (words.is_done, "好了", True),
    (words.is_skip, "没有签合同，老板也不给工资", False),
])
def test_short_answers(check, text, expected):
    assert check(text) is expected


@pytest.mark.parametrize(("text", "topic", "headcount", "first", "also"), [
    ("我不想活了", "none", None, "urgent.selfharm", []),
    ("欠薪半年，活不下去了，想跳楼", "wage", None, "urgent.selfharm", []),
    ("同事被车撞了在流血", "injury", None, "urgent.injury", []),
    ("站长在打人", "wage", None, "urgent.danger", []),
    ("三十多人堵门要工资", "wage", 30, "urgent.danger", ["urgent.group"]),
    ("快来人", "none", None, "urgent.danger", []),   # nothing specific: 110 is always given
])
def test_safety_texts(text, topic, headcount, first, also):
    keys = safety_keys(text, topic=topic, headcount=headcount)
    assert keys[0] == first
    for key in also:
        assert key in keys


def test_self_harm_words_are_found_whatever_the_classifier_says():
    assert mentions_self_harm("我真的不想活了")
    assert mentions_self_harm("想 自杀")
    assert not mentions_self_harm("老板说不给钱就走人")


@pytest.mark.parametrize("text", ["老乡说再不结账就从塔吊上往下跳 人已经上去了", "有个工友站在脚手架顶上说要跳",
                                  "他说今天拿不到钱就跳桥"])
def test_a_threat_to_jump_from_a_height_is_self_harm(text):
    assert mentions_self_harm(text)


@pytest.mark.parametrize("text", ["干得不开心想跳槽 工资能结清吗", "从车上跳下来扭了脚算工伤吗"])
def test_job_changes_and_past_falls_are_not_self_harm(text):
    assert not mentions_self_harm(text)


def test_state_round_trip_and_bad_rows():
    state = ConversationState(flow="intake", step="phone", draft={"summary": "拖欠工资", "amount": 4300.0},
                              done=["topic"], consent={"text_version": "x#1", "agreed_at": "2026-11-23T01:00:00+00:00"})
    again = ConversationState.from_json(state.to_json())
    assert again == state
    assert ConversationState.from_json("{not json") == ConversationState()
    assert ConversationState.from_json("[1, 2]") == ConversationState()
    assert ConversationState.from_json('{"v": 9, "flow": "intake", "unknown_field": 1}').flow == "intake"
