"""How messages are read: acts, topics, contrast, priority, other domains, uncertainty.

The sentences here are written for these tests (never copied from the evaluation sets).
"""

from __future__ import annotations

import pytest

from intents.classifier import Classifier
from intents.types import ACTS, TOPICS


@pytest.fixture(scope="module")
def clf(data_path) -> Classifier:
    return Classifier.load(data_path)


@pytest.mark.parametrize(
    ("text", "act", "topic"),
    [
        ("在不在呀", "greet", "none"),
        ("您好 我是跑顺丰的快递员", "greet", "none"),
        ("多谢 我明白了", "thanks", "none"),
        ("好的 先这样 拜拜", "thanks", "none"),
        ("加盟商拖了我们两个月工钱 这种情况怎么办", "ask", "wage"),
        ("送件的时候从电动车上摔下来了 能认定工伤吗", "ask", "injury"),
        ("饿了吗那个骑手意外险要怎么理赔", "ask", "insurance"),
        ("单位从来没给我交过社保 能让他补缴吗", "ask", "social_insurance"),
        ("干了十个月一直没签劳动合同 能要二倍工资吗", "ask", "contract"),
        ("站长让我明天不用来了 能要经济补偿吗", "ask", "dismissal"),
        ("中秋节那天也在跑单 有没有三倍工资", "ask", "hours"),
        ("平台无缘无故把我账号封了 怎么申诉", "ask", "platform"),
        ("我们货车司机可以加入工会吗", "ask", "union"),
        ("劳动仲裁要在多长时间内申请", "ask", "process"),
        ("我要投诉这个加盟站 欠我三个月工资", "complain", "wage"),
        ("请工会帮我调解一下工伤赔偿的事", "complain", "injury"),
        ("我上个月登记的那个事 现在进度怎么样了", "status", "none"),
        ("别让机器人回我了 转人工", "human", "none"),
        ("不办了 取消吧", "cancel", "none"),
        ("明天北京下不下雨", "other", "none"),
        ("借给同学的钱他一直不还 能起诉吗", "other", "none"),
    ],
)
def test_acts_and_topics(clf: Classifier, text: str, act: str, topic: str) -> None:
    r = clf.classify(text)
    assert (r.act, r.topic) == (act, topic), r


def test_contrast_weights_what_comes_after(clf: Classifier) -> None:
    assert clf.classify("不是封号的问题，是站长扣了我工资").topic == "wage"
    assert clf.classify("工资的事不急，主要是想问问工伤怎么认定").topic == "injury"
    # without the contrast the first subject would count just as much
    assert clf.classify("是封号的问题").topic == "platform"


def test_a_negated_injury_is_not_the_topic(clf: Classifier) -> None:
    assert clf.classify("我没受伤 就想问每天扣的保险费保的什么").topic == "insurance"


def test_typos_homophones_and_dialect_are_understood(clf: Classifier) -> None:
    assert (clf.classify("站长欠俺公资 咋整").act, clf.classify("站长欠俺公资 咋整").topic) == ("ask", "wage")
    assert clf.classify("这个算功伤不").topic == "injury"
    assert clf.classify("社宝断交了半年 冇人管").topic == "social_insurance"
    assert clf.classify("老闆拖欠薪資 怎麼辦").topic == "wage"


@pytest.mark.parametrize(
    "text",
    [
        "站长带人把我堵在站点里 说要打我",
        "欠薪欠了一年 我真的不想活了",
        "现在五十多个工人围在项目部门口要工钱 有人要动手了",
    ],
)
def test_danger_wins_over_asking(clf: Classifier, text: str) -> None:
    assert clf.classify(text).act == "urgent"


def test_urgent_topics_follow_the_dispute_behind_them(clf: Classifier) -> None:
    assert clf.classify("欠薪欠了一年 我真的不想活了").topic == "wage"
    assert clf.classify("真的撑不下去了 不想活了").topic == "none"


def test_asking_how_a_group_pursues_a_claim_is_not_urgent(clf: Classifier) -> None:
    r = clf.classify("我们车队十几个司机都被拖了工资 想一起申请仲裁 要走什么程序")
    assert (r.act, r.topic) == ("ask", "process")


def test_other_legal_domains_are_other(clf: Classifier) -> None:
    for text in ("房东扣着押金不退 怎么办", "网购买到假货 商家不给退款", "老公要跟我离婚 房子怎么分"):
        r = clf.classify(text)
        assert (r.act, r.topic) == ("other", "none"), text


def test_uncertain_when_nothing_says_what_is_wanted(clf: Classifier) -> None:
    statement = clf.classify("站长拖了我两个月工资不发")
    assert statement.act == "ask" and statement.topic == "wage"   # the batch still names the best label
    assert statement.uncertain
    clear = clf.classify("站长拖了我两个月工资不发 我该怎么办")
    assert not clear.uncertain and clear.confidence > statement.confidence
    assert 0.0 <= clear.margin <= clear.confidence <= 1.0


def test_result_shape(clf: Classifier) -> None:
    r = clf.classify("美团专送 欠我4300工资 电话13812345678")
    assert r.act in ACTS and r.topic in TOPICS
    assert r.text == "美团专送 欠我4300工资 电话13812345678"
    assert r.normalized == "美团专送 欠我4300工资 电话13812345678"
    assert r.entities["money"][0]["value"] == 4300
    assert r.entities["platform"] == ["美团"]
    assert r.entities["phone"] == ["13812345678"]
    assert r.topic_scores["wage"] > 0
