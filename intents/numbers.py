"""Numbers as workers write them: 4300, 1.5万, 3k, 四千三, 两万八, 一万二千, 十几, 二十来.

`parse_number` returns (value, approximate) or None. Colloquial short forms follow the usual
reading: a lone digit after 万/千/百 is one unit below it (两万八 = 28000, 四千三 = 4300).
"""

from __future__ import annotations

import re

DIGITS = {"零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG = {"万": 10_000, "亿": 100_000_000}
CN_CHARS = "".join(DIGITS) + "".join(UNITS) + "".join(BIG) + "几半"
CN_NUMBER = f"[{CN_CHARS}]+"
ARABIC_NUMBER = r"\d+(?:\.\d+)?"
# Arabic digits may carry a Chinese magnitude: 1.5万, 3千, 2w, 3k
NUMBER = rf"(?:{ARABIC_NUMBER}(?:[万千百kw](?![a-z]))?|{CN_NUMBER})"
_ARABIC_WITH_MAGNITUDE = re.compile(rf"({ARABIC_NUMBER})([万千百kw]?)")
_NEXT_DOWN = {10_000: 1000, 1000: 100, 100: 10}


def _parse_section(text: str) -> tuple[float, bool] | None:
    """A number below 10 000 in Chinese numerals (may end in a colloquial lone digit)."""
    total = 0.0
    digit: float | None = None
    approx = False
    last_unit = 0
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch == "几":
            approx = True
            digit = 1 if digit is None else digit
        elif ch in UNITS:
            unit = UNITS[ch]
            total += (1 if digit is None else digit) * unit
            digit = None
            last_unit = unit
        else:
            return None
    two_digits = len(text) >= 3 and text[-1] in DIGITS and text[-2] in DIGITS and text[-2] not in "零〇"
    if two_digits and text[-3] in UNITS and last_unit in _NEXT_DOWN:
        # 一千七八 = "1700 or 1800": the lower end, approximate
        return total + DIGITS[text[-2]] * _NEXT_DOWN[last_unit], True
    if digit is not None and not text.endswith("几"):
        if last_unit and last_unit in _NEXT_DOWN and len(text) >= 2 and text[-2] in UNITS:
            total += digit * _NEXT_DOWN[last_unit]      # 四千三 → 4300
        else:
            total += digit
    return total, approx


def parse_chinese(text: str) -> tuple[float, bool] | None:
    if not text:
        return None
    if text == "半":
        return 0.5, False
    total = 0.0
    approx = False
    rest = text
    for big_char, big in sorted(BIG.items(), key=lambda kv: -kv[1]):
        if big_char in rest:
            head, rest = rest.split(big_char, 1)
            if head:
                part = _parse_section(head)
                if part is None:
                    return None
                total += part[0] * big
                approx = approx or part[1]
            else:
                total += big
            if rest and len(rest) == 1 and rest in DIGITS:
                total += DIGITS[rest] * big / 10   # 两万八 → 28000
                return total, approx
    if rest:
        part = _parse_section(rest)
        if part is None:
            return None
        total += part[0]
        approx = approx or part[1]
    return total, approx


def parse_number(text: str) -> tuple[float, bool] | None:
    """Value of an Arabic or Chinese number, and whether it is approximate (几)."""
    m = _ARABIC_WITH_MAGNITUDE.fullmatch(text)
    if m:
        value = float(m.group(1))
        scale = {"万": 10_000, "w": 10_000, "千": 1000, "k": 1000, "百": 100, "": 1}[m.group(2)]
        return value * scale, False
    if re.fullmatch(CN_NUMBER, text):
        return parse_chinese(text)
    return None
