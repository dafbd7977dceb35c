"""Retrieval on the fixture KB, with messages written for these tests (not from the dev set)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from knowledge.config import RetrievalConfig, load_config
from knowledge.loader import load_kb
from knowledge.retrieval import Retriever

FIXTURE = Path(__file__).parent / "fixtures" / "kb"


@pytest.fixture(scope="module")
def config(data_path: Path) -> RetrievalConfig:
    return load_config(data_path / "faq" / "retrieval.yaml")


@pytest.fixture(scope="module")
def retriever(config: RetrievalConfig) -> Retriever:
    return Retriever(load_kb(FIXTURE), config)


@pytest.mark.parametrize(("message", "expected"), [
    ("老板拖了我两个月的工钱还不给", "wage.arrears_steps"),
    ("干了活薪水一直拖着不发", "wage.arrears_steps"),
    ("站长随便扣我的工资合法不", "wage.deduction"),
    ("这个月莫名其妙少发了钱", "wage.deduction"),
    ("星期天加班老板给几倍工资", "hours.overtime_pay"),
    ("加班到半夜也不给加班工资", "hours.overtime_pay"),
    ("大热天在外面送单有高温补贴吗", "hours.high_temperature"),
    ("天这么热有没有防暑降温的补贴", "hours.high_temperature"),
])
def test_paraphrases_find_their_entry(retriever: Retriever, message: str, expected: str):
    result = retriever.retrieve(message, act="ask")
    assert result.best is not None and result.best.id == expected, [(h.id, h.score) for h in result.hits]


def test_the_question_itself_is_answered_surely(retriever: Retriever):
    for entry in retriever.kb:
        result = retriever.retrieve(entry.question, topic=entry.topic, act="ask")
        assert result.sure and result.best is not None and result.best.id == entry.id


def test_hits_are_ranked_scored_and_limited(retriever: Retriever):
    result = retriever.retrieve("加班工资怎么算 高温补贴怎么发", act="ask", k=2)
    assert 1 <= len(result.hits) <= 2
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert all(h.entry is not None and h.entry.id == h.id for h in result.hits)


def test_off_topic_act_gets_no_entry(retriever: Retriever):
    assert retriever.retrieve("加班费怎么算", act="other").hits == []


def test_only_asking_acts_can_be_sure(retriever: Retriever):
    complaint = retriever.retrieve("加班费怎么算", topic="hours", act="complain")
    assert complaint.hits and complaint.best.id == "hours.overtime_pay"
    assert not complaint.sure
    assert retriever.retrieve("加班费怎么算", topic="hours", act="ask").sure


def test_unrelated_message_is_never_sure(retriever: Retriever):
    for message in ("明天会不会下雨", "你好", "哈哈哈", "", "   ", "123456"):
        result = retriever.retrieve(message, act="ask")
        assert not result.sure, (message, result.hits)


def test_two_questions_at_once_are_not_answered_as_one(retriever: Retriever):
    # Both entries match about equally: the margin rule keeps the bot from picking one.
    result = retriever.retrieve("加班费和高温补贴", act="ask")
    assert {h.id for h in result.hits[:2]} == {"hours.overtime_pay", "hours.high_temperature"}
    assert not result.sure


def test_topic_boost_breaks_a_tie(retriever: Retriever):
    message = "钱被扣了还一直拖着"
    as_wage = retriever.score(message, topic="wage")
    as_hours = retriever.score(message, topic="hours")
    plain = {s.entry.id: s.score for s in retriever.score(message)}
    boosted = {s.entry.id: s.score for s in as_wage}
    assert all(boosted[i] > plain[i] for i in boosted if i.startswith("wage."))
    assert all(s.boosted == s.entry.id.startswith("hours.") for s in as_hours)


def test_topic_boost_is_not_a_filter(retriever: Retriever):
    # The classifier says "wage", but the message plainly asks about overtime pay.
    result = retriever.retrieve("周末加班的加班费怎么算", topic="wage", act="ask")
    assert result.best is not None and result.best.id == "hours.overtime_pay"


def test_synonyms_fold_worker_words(retriever: Retriever):
    assert "工资" in retriever.terms("薪水")
    assert retriever.terms("欠薪") == ["拖欠", "工资"]
    assert "的" not in retriever.terms("我的工资")


def test_thresholds_come_from_data(config: RetrievalConfig):
    strict = Retriever(load_kb(FIXTURE), replace(config, threshold=0.99))
    assert not strict.retrieve("加班工资有没有", act="ask").sure
    lenient = Retriever(load_kb(FIXTURE), replace(config, threshold=0.01, margin=0.0))
    assert lenient.retrieve("加班工资有没有", act="ask").sure


def test_floor_drops_weak_suggestions(config: RetrievalConfig):
    high_floor = Retriever(load_kb(FIXTURE), replace(config, floor=0.95))
    assert high_floor.retrieve("站点扣钱", act="ask").hits == []


def test_retrieval_is_pure(retriever: Retriever):
    first = retriever.retrieve("工资被扣了", act="ask")
    second = retriever.retrieve("工资被扣了", act="ask")
    assert first == second


def test_candidates_limit_the_fine_scoring(config: RetrievalConfig):
    narrow = Retriever(load_kb(FIXTURE), replace(config, candidates=3))
    assert len(narrow.score("工资 加班 高温 扣钱")) <= 3


def test_one_word_names_a_subject_not_a_question(retriever: Retriever):
    result = retriever.retrieve("加班费", topic="hours", act="ask")
    assert result.best is not None and result.best.id == "hours.overtime_pay"
    assert not result.sure
    assert retriever.retrieve("加班费怎么算", topic="hours", act="ask").sure


def test_topic_picks_candidates_when_words_are_common(config: RetrievalConfig):
    # "工资" is in entries of both topics; with room for one candidate the topic decides which.
    narrow = Retriever(load_kb(FIXTURE), replace(config, candidates=1))
    assert narrow.score("工资", topic="hours")[0].entry.topic == "hours"
    assert narrow.score("工资", topic="wage")[0].entry.topic == "wage"


def test_amounts_do_not_count(retriever: Retriever):
    assert retriever.terms("站长欠我4300块") == ["站长", "拖欠"]
    assert retriever.terms("站长欠我两万八") == ["站长", "拖欠"]


# --- a story with its question at the end ------------------------------------------------------

MARKERS = ("吗", "怎么", "几倍", "多少")


@pytest.fixture(scope="module")
def focusing(config: RetrievalConfig) -> Retriever:
    return Retriever(load_kb(FIXTURE), replace(config, question_markers=MARKERS, focus_min_chars=4, focus_whole_floor=0.0))


def test_the_question_clause_is_the_last_clause_that_asks(focusing: Retriever):
    assert focusing.question_clause("上个月连着干了四个星期天，站长说月底一起算，星期天加班给几倍工资") == "星期天加班给几倍工资"
    assert focusing.question_clause("加班费怎么算") is None                  # one clause: nothing to focus on
    assert focusing.question_clause("站长说月底一起算，我知道了") is None        # no clause asks
    assert focusing.question_clause("干了一个月，站长说扣钱，吗") is None        # too short to stand alone


@pytest.fixture(scope="module")
def plain(config: RetrievalConfig) -> Retriever:
    return Retriever(load_kb(FIXTURE), replace(config, question_markers=()))


def test_without_markers_nothing_is_focused(plain: Retriever):
    assert plain.question_clause("上个月连着干了四个星期天，星期天加班给几倍工资") is None


STORY = "上个月连着干了四个星期天 老乡介绍来的 站长说月底一起算 结果一分没多 星期天加班给几倍工资"


def test_a_story_is_answered_when_its_question_passes_alone_and_agrees(plain: Retriever, focusing: Retriever):
    unfocused = plain.retrieve(STORY, act="ask")
    focused = focusing.retrieve(STORY, act="ask")
    assert unfocused.best is not None and unfocused.best.id == "hours.overtime_pay" and not unfocused.sure  # diluted
    assert focused.sure and focused.best is not None and focused.best.id == "hours.overtime_pay"
    assert [h.id for h in focused.hits] == [h.id for h in unfocused.hits]                     # ranking unchanged


def test_the_question_alone_must_agree_with_the_whole_message(focusing: Retriever):
    # the story is about the heat, the last clause alone about overtime: not sure
    story = "这几天大热天在外面送单 防暑降温的东西一样没发 高温补贴也没有 星期天加班给几倍"
    result = focusing.retrieve(story, act="ask")
    assert result.best is not None and result.best.id == "hours.high_temperature"
    assert not result.sure


def test_the_whole_message_floor_keeps_a_weak_story_unsure(config: RetrievalConfig):
    strict = Retriever(load_kb(FIXTURE), replace(config, question_markers=MARKERS, focus_whole_floor=0.99))
    assert not strict.retrieve(STORY, act="ask").sure


def test_a_focused_story_still_needs_an_asking_act(focusing: Retriever):
    assert not focusing.retrieve(STORY, act="complain").sure
