"""Normalisation table tests: what riders type → the one form the lexicons are written in."""

from __future__ import annotations

import pytest

from intents.classifier import Classifier
from intents.normalise import normalise


@pytest.fixture(scope="module")
def clf(data_path) -> Classifier:
    return Classifier.load(data_path)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # full width → half width, upper → lower
        ("ＡＢＣ１２３", "abc123"),
        ("工资３０００元", "工资3000元"),
        # traditional → simplified
        ("老闆拖欠薪資兩個月", "老板拖欠薪资两个月"),
        ("職業傷害保障", "职业伤害保障"),
        ("勞動合同還沒簽", "劳动合同还没签"),
        # characters simplified Chinese also uses stay as they are
        ("著作权", "著作权"),
        # typos and homophones of pinyin input
        ("公资没发", "工资没发"),
        ("算功伤吗", "算工伤吗"),
        ("社宝断了", "社保断了"),
        ("申请仲才", "申请仲裁"),
        # pinyin typed instead of characters
        ("gongzi 没发", "工资 没发"),
        ("扣了bao xian费", "扣了保险费"),
        ("she bao", "社保"),
        # colloquial and dialect forms
        ("咋办", "怎么办"),
        ("啥时候发", "什么时候发"),
        ("俺的工钱", "我的工钱"),
        ("有冇人", "有没有人"),
        ("系咪要赔", "是不是要赔"),
        # emoji: meaningful ones become words, the rest go
        ("谢谢🙏", "谢谢 谢谢"),
        ("😭😭", ""),
        ("工资😡没发", "工资没发"),
        # repeated characters and punctuation noise
        ("喂喂喂喂喂", "喂喂"),
        ("工资没发！！！！", "工资没发"),
        ("真的吗？？？", "真的吗?"),
        ("欠了，，，三个月。。。", "欠了,三个月"),
        # digits are never shortened
        ("1000元", "1000元"),
        # control characters and odd whitespace
        ("工资\x00没\x07发", "工资没发"),
        ("工资\n\t没发", "工资 没发"),
        ("  多个   空格  ", "多个 空格"),
        ("", ""),
    ],
)
def test_normalise_table(clf: Classifier, raw: str, expected: str) -> None:
    assert clf.normaliser.normalise(raw) == expected


def test_module_function_uses_the_same_tables(clf: Classifier) -> None:
    assert normalise("職業傷害保障 咋办") == clf.normaliser.normalise("職業傷害保障 咋办") == "职业伤害保障 怎么办"


def test_segmenter_keeps_our_terms_whole(clf: Classifier) -> None:
    tokens = clf.segmenter.tokens(clf.normaliser.normalise("职业伤害保障怎么报案，众包骑手被封号了"))
    for term in ("职业伤害保障", "众包", "封号"):
        assert term in tokens
    assert "," not in tokens and " " not in tokens


def test_segmenter_is_not_the_global_jieba(clf: Classifier) -> None:
    import jieba

    assert clf.segmenter._tk is not jieba.dt
    assert clf.segmenter._tk.FREQ.get("职伤保障", 0) > 0
    # our user dictionary must not leak into the process-wide tokenizer
    jieba.dt.initialize()
    assert jieba.dt.FREQ.get("职伤保障", 0) == 0
