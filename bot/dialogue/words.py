"""Short answers a worker types instead of pressing a button ("对", "跳过", "不办了").

These are closed word lists, not labour vocabulary, so they live here rather than in the intents
lexicons. Matching is on the whole message after dropping punctuation and polite particles, so
"对的。" matches but "对方不给钱" does not.
"""

from __future__ import annotations

import re
import unicodedata

_NOISE = re.compile(r"[\s,.!?~。，！？、…·～\-—'\"“”‘’()（）【】\[\]]+")
_PARTICLES = re.compile(r"[啊呀吧呢哦噢嘛啦了的滴哈]+$")

CANCEL = frozenset({
    "取消", "不办了", "不办", "不弄了", "不填了", "不想办了", "不想填了", "算了", "算了不办了", "退出",
    "重新开始", "不要了", "撤销", "cancel", "quit", "exit",
})
YES = frozenset({
    "对", "是", "是的", "对对", "对啊", "没错", "嗯", "嗯嗯", "好", "好的", "行", "可以", "同意", "确认", "确定",
    "没问题", "ok", "okay", "yes", "y", "对头", "正确", "提交", "确认提交", "需要",
})
NO = frozenset({"不对", "不是", "错了", "改", "改一下", "要改", "不正确", "no", "n", "不", "否"})
SKIP = frozenset({
    "跳过", "没有", "无", "不涉及", "不用", "不想留", "不留", "不方便", "不知道", "不清楚", "没", "skip", "略过",
    "暂时没有", "没有材料", "没证据", "没有证据",
})
DONE = frozenset({"发完了", "发完", "完了", "好了", "就这些", "没了", "没有了", "done", "完成"})


def forms(text: str) -> tuple[str, str]:
    """The message lower-cased and width-normalised without punctuation, and that without a trailing particle."""
    value = _NOISE.sub("", unicodedata.normalize("NFKC", text or "").lower())
    return value, (_PARTICLES.sub("", value) or value)


def _matches(text: str, words: frozenset[str]) -> bool:
    if len(text) > 20:
        return False
    return any(form in words for form in forms(text))


def is_cancel(text: str) -> bool:
    return _matches(text, CANCEL)


def is_yes(text: str) -> bool:
    return _matches(text, YES)


def is_no(text: str) -> bool:
    return _matches(text, NO)


def is_skip(text: str) -> bool:
    return _matches(text, SKIP)


def is_done(text: str) -> bool:
    return _matches(text, DONE)
