"""Which safety message an urgent message needs: 110 for danger, 120 for injury, 12356 for self-harm.

The classifier decides *that* a message is urgent; this decides *what to say first*. Self-harm
words also make a message urgent on their own, whatever the classifier said: that case must never
be missed. Word lists are deliberately small and literal; a wrong extra line of safety advice costs
little, a missing one costs much.
"""

from __future__ import annotations

import re
import unicodedata

SELF_HARM = (
    "自杀", "轻生", "寻死", "想死", "不想活", "活不下去", "活着没意思", "结束生命", "了结自己", "跳楼", "跳河",
    "割腕", "喝农药", "吃安眠药", "上吊", "一死了之", "死了算了", "烧炭",
)
INJURY = (
    "受伤", "流血", "出血", "骨折", "撞了", "撞倒", "被撞", "车祸", "摔伤", "摔倒", "晕倒", "昏迷", "不省人事",
    "起不来", "中暑", "烫伤", "砸伤", "伤得", "送医院", "救护车",
)
DANGER = (
    "打人", "打我", "被打", "动手", "威胁", "砍", "刀", "扣押", "关起来", "不让走", "不让离开", "限制自由",
    "锁在", "跟踪", "堵门", "围堵", "冲突", "打起来", "要跳", "危险",
)
# A threat to jump from a height (跳楼讨薪: crane, roof, bridge), however it is worded; 跳槽 is a job change.
JUMP = re.compile(r"(?:从|在)[^,，。.?？!！]{0,6}(?:楼|塔吊|吊车|桥|天台|脚手架|架子|高架|窗户|广告牌|烟囱)"
                  r"[^,，。.?？!！]{0,4}跳(?!槽)|(?:要|就|想|扬言|说)跳(?:楼|桥|河|塔吊|下去)")
# Someone is in danger right now. Used only when the classifier is unsure: a confident "ask" about
# a past accident ("被车撞了算工伤吗") stays a question.
ACUTE = re.compile(
    r"流了?很多血|大出血|血流不止|昏迷|不省人事|晕过去|没有?呼吸|没反应了|躺在地上|救命|快来人|"
    r"拿刀|持刀|动刀|在打人|打起来了?|正在打|往死里打|"
    r"不让(?:我们?|他们?|大家)?(?:走|离开|出去)|把门锁|锁在(?:里面|屋里|房间)|关起来|关在|限制人身自由|扣押|"
    r"躺(?:在)?地上.{0,3}(?:起不来|不动|动不了|没反应)|有人(?:晕倒|昏倒|倒下|倒地)|"
    r"(?:氨气|毒气|有毒气体|煤气|燃气|天然气|液化气|硫化氢|一氧化碳|化学品|气罐).{0,4}(?:漏了|泄漏|泄露|漏气|在漏)"
)
GROUP = ("聚集", "堵门", "围堵", "拉横幅", "集体", "一群人", "几十个人", "上百人", "群体", "闹事", "罢工")
GROUP_HEADCOUNT = 10


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").replace(" ", "")


def mentions_self_harm(text: str) -> bool:
    value = _norm(text)
    return any(word in value for word in SELF_HARM) or JUMP.search(value) is not None


def is_acute(text: str) -> bool:
    return mentions_self_harm(text) or ACUTE.search(_norm(text)) is not None


def safety_keys(text: str, *, topic: str = "none", headcount: int | None = None) -> list[str]:
    """Text keys of the safety messages to send, most important first (always at least one)."""
    value = _norm(text)
    keys: list[str] = []
    if mentions_self_harm(value):
        keys.append("urgent.selfharm")
    if topic == "injury" or any(word in value for word in INJURY):
        keys.append("urgent.injury")
    if any(word in value for word in DANGER):
        keys.append("urgent.danger")
    if (headcount or 0) >= GROUP_HEADCOUNT or any(word in value for word in GROUP):
        keys.append("urgent.group")
    if not keys or (keys == ["urgent.group"]):
        keys.insert(0, "urgent.danger")
    return keys
