"""Checks for what a worker types into the intake form. Pure functions, no I/O.

Each check returns the cleaned value, or `None` when the answer should be asked again with a
hint. Amounts and head counts come from the intents entity extractor (the same one that reads the
first message), so "四千三" and "1.5万" mean the same everywhere.
"""

from __future__ import annotations

import re
import unicodedata

from intents.numbers import parse_number

SUMMARY_MIN, SUMMARY_MAX = 4, 500
EMPLOYER_MAX = 60
PLACE_MAX = 40
PLATFORM_MAX = 30
AMOUNT_MAX = 100_000_000.0     # a typo guard, not a legal limit
HEADCOUNT_MAX = 100_000

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}\d{7,8}")
_PHONE_NOISE = re.compile(r"[\s\-－—()（）]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t\u3000]+")
_FILLERS = re.compile(r"^(?:大概|大约|差不多|估计|一共|总共|总计|约|有)+|(?:左右|上下|吧|啊|的样子)+$")


def clean_text(text: str) -> str:
    """Drop control and direction characters and collapse runs of spaces; the wording stays as typed."""
    text = _CONTROL.sub("", text or "")
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def free_text(text: str, *, min_len: int = 1, max_len: int) -> str | None:
    value = clean_text(text)
    if len(value) < min_len or len(value) > max_len:
        return None
    return value


def phone(text: str) -> str | None:
    """A mainland mobile (11 digits, 1[3-9]…) or a landline with area code; `None` otherwise."""
    digits = _PHONE_NOISE.sub("", _narrow(text))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if _MOBILE.fullmatch(digits):
        return digits
    if _LANDLINE.fullmatch(digits):
        area = 3 if digits[1] in "12" else 4          # 010, 02x: 3 digits; others 4
        return f"{digits[:area]}-{digits[area:]}"
    return None


def amount(entities: dict[str, list], text: str) -> float | None:
    """The first money amount the entity extractor found in the answer (yuan), if plausible."""
    for value in entities.get("money", []) or []:
        number = _as_number(value)
        if number is not None and 0 < number <= AMOUNT_MAX:
            return number
    # A bare number typed as the answer to "how much?" ("4300", "大概八百") is an amount even without 元.
    number = _bare_number(text, "元块钱")
    return number if number is not None and 0 < number <= AMOUNT_MAX else None


def headcount(entities: dict[str, list], text: str) -> int | None:
    for value in entities.get("headcount", []) or []:
        number = _as_number(value)
        if number is not None and 1 <= number <= HEADCOUNT_MAX:
            return int(number)
    number = _bare_number(text, "人个位名多号")
    if number is not None and number == int(number) and 1 <= number <= HEADCOUNT_MAX:
        return int(number)
    return None


def place(text: str) -> tuple[str, str] | None:
    """Split "福建省厦门市思明区" into (city, district); a bare "厦门" is a city with no district."""
    value = free_text(text, min_len=2, max_len=PLACE_MAX)
    if value is None or not re.search(r"[\u4e00-\u9fffA-Za-z]", value):
        return None
    value = value.replace(" ", "")
    match = re.match(r"^(.*?(?:市|州|盟|地区))(.*)$", value)
    if match and match.group(1):
        return match.group(1), match.group(2)
    match = re.match(r"^(.{2,}?)(\S{1,8}?(?:区|县|旗))$", value)
    if match:
        return match.group(1), match.group(2)
    return value, ""


def _bare_number(text: str, units: str) -> float | None:
    """The whole answer read as one number, allowing fillers (大概八百, 4300元左右, 十五个)."""
    plain = _narrow(text).replace(",", "").replace(" ", "")
    plain = _FILLERS.sub("", plain).rstrip(units)
    if not plain:
        return None
    parsed = parse_number(plain)
    return float(parsed[0]) if parsed is not None else None


def _narrow(text: str) -> str:
    """Full-width digits and signs to ASCII (１３８ → 138), for numbers only."""
    return clean_text(unicodedata.normalize("NFKC", text or ""))


def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict):
        for key in ("value", "amount", "yuan", "count", "n"):
            if key in value:
                return _as_number(value[key])
        return None
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
