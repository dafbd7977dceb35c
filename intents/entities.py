"""Entities the intake form is pre-filled from, found in the normalised text.

Keys (omitted when empty), all JSON-ready:

- ``money``: [{"text", "value"}] — yuan as float: 4300元, 四千三, 3k, 1.5万, 两万八
- ``headcount``: [{"text", "value", "approx"}] — 十几个人, 20多名骑手, 几百号人
- ``platform``: [str] — canonical names (美团, 饿了么, 滴滴 …) in order of mention
- ``company``: [str] — named employers/sites: 京东物流, 顺丰分拣中心, 朴朴前置仓
- ``date``: [{"text", "value"}] — ISO-ish: "2026-03-04", "--03-04", "--11" (month), "---20" (day)
- ``duration``: [{"text", "days"}] — 干了半年 → 182, 两年零七个月 → 940
- ``phone``: [str] — mainland mobiles and landlines; hotlines (12351, 95xxx, 400…) never count
- ``place``: [str] — cities and districts from the data list
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from intents.lexicon import EntitiesFile, load_model
from intents.numbers import NUMBER, parse_chinese, parse_number

FILE_NAME = "entities.yaml"

_MOBILE = re.compile(r"(?<![\d])(?:\+?86[ -]?)?(1[3-9]\d[ -]?\d{4}[ -]?\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<![\d])(0\d{2,3})[ -]?(\d{7,8})(?!\d)")
_SERVICE = re.compile(r"(?<![\d])(?:400|800)[ -]?\d{3}[ -]?\d{4}(?!\d)")

_CN_SMALL = "[一二三四五六七八九十]{1,3}"
_DATE_FULL = re.compile(r"(?<!\d)(\d{4}) ?[年./-] ?(\d{1,2}) ?[月./-] ?(\d{1,2})[日号]?(?!\d)")
_DATE_YM = re.compile(r"(?<!\d)(\d{4})年(\d{1,2})月(?!\d)")
_DATE_MD = re.compile(rf"(?<![\d个])(\d{{1,2}}|{_CN_SMALL})月(?:份)?(\d{{1,2}}|{_CN_SMALL})[日号](?!码|线|人)")
_DATE_M = re.compile(rf"(?<![\d个几多一两])(\d{{1,2}}|{_CN_SMALL})月(?:份)?(?![\d一二三四五六七八九十个])")
_DATE_D = re.compile(r"(?<![\d几])(\d{1,2})[号日](?!码|线|人|楼|床|\d)")
_DATE_Y = re.compile(r"(?<!\d)(20\d{2}|19\d{2})年(?!\d)")

_DUR_UNIT = r"(?:个多?月|年|周|个?星期|个?礼拜|天)"
_DUR_PART = rf"(?:{NUMBER}|半)多?{_DUR_UNIT}(?:半|多)?"
_DURATION = re.compile(rf"(?<![每第\d]){_DUR_PART}(?:(?:零|又)?{_DUR_PART})*")
_SINGLE = re.compile(r"^一(个)?(年|月|周|星期|礼拜|天)$")        # 一天, 一个月: often a rate, not a span
_SPAN_MARK = re.compile(r"(了|已经|快|都|有|满|近|整整|足足|超过|干|做|跑|等|拖)$")
_DUR_PIECE = re.compile(rf"({NUMBER}|半)多?({_DUR_UNIT})(半)?")
_DAYS = {"年": 365, "月": 30, "周": 7, "星期": 7, "礼拜": 7, "天": 1}

_DIGIT = re.compile(r"\d")

_MONEY_UNIT = re.compile(r"(多|来|余)?(万元|万块|块钱|元|块|圆|rmb|毛钱|毛|角)")
_NUM = re.compile(rf"(?<![\da-z.]){NUMBER}")
_BOUNDARY = set("的在是了给去到被把跟和与家个那这我们他她说让从还对向为找帮欠要叫拿当想告果后就也都")


def _as_int_if_whole(value: float) -> float:
    return float(int(value)) if value == int(value) else round(value, 2)


class EntityExtractor:
    def __init__(self, data: EntitiesFile) -> None:
        self._data = data
        aliases: list[tuple[str, str]] = []
        for canonical, names in data.platforms.items():
            for name in [canonical, *names]:
                aliases.append((name.lower(), canonical))
        aliases.sort(key=lambda a: len(a[0]), reverse=True)
        self._platform_re = re.compile("|".join(re.escape(a) for a, _ in aliases))
        self._platform_of = dict(aliases)
        places = sorted(set(data.cities) | set(data.districts), key=len, reverse=True)
        self._place_re = re.compile("|".join(map(re.escape, places)))
        people = sorted(data.people_nouns, key=len, reverse=True)
        self._headcount_re = re.compile(
            rf"(?<![\d.])(好几|上(?=[百千万]))?({NUMBER})?(多|来|余|几)?(个|名|位|号)?(?:{'|'.join(map(re.escape, people))})"
        )
        suffixes = sorted(data.org_suffixes, key=len, reverse=True)
        suffix = f"({'|'.join(map(re.escape, suffixes))})(?![长点岗着在起住])"
        self._org_re = re.compile(rf"([\u4e00-\u9fffa-z0-9]{{1,12}}?){suffix}")
        self._org_suffix = re.compile(suffix)     # every company name ends in one, 1..12 characters in
        self._generic = set(data.org_generic_prefixes)
        self._weak_suffixes = set(data.org_weak_suffixes)
        self._hotlines = set(data.hotlines)
        self._hotlines_are_digits = all(h.isdigit() for h in data.hotlines)
        hotlines = sorted(data.hotlines, key=len, reverse=True)
        self._hotline_re = re.compile(rf"(?<!\d)(?:{'|'.join(map(re.escape, hotlines))})(?!\d)")
        self._money_ctx = re.compile("|".join(map(re.escape, sorted(data.money_context, key=len, reverse=True))))

    @classmethod
    def load(cls, data_dir: Path) -> EntityExtractor:
        return cls(load_model(data_dir / FILE_NAME, EntitiesFile))

    def extract(self, text: str) -> dict[str, list[Any]]:
        taken = bytearray(len(text))
        out: dict[str, list[Any]] = {}
        self._phones(text, taken, out)
        self._dates(text, taken, out)
        self._durations(text, taken, out)
        self._headcounts(text, taken, out)
        self._money(text, taken, out)
        self._platforms(text, out)
        self._companies(text, out)
        self._places(text, out)
        return {k: v for k, v in out.items() if v}

    # -- each kind ------------------------------------------------------------------------

    @staticmethod
    def _free(taken: bytearray, a: int, b: int) -> bool:
        return not any(taken[a:b])

    @staticmethod
    def _take(taken: bytearray, a: int, b: int) -> None:
        taken[a:b] = b"\x01" * (b - a)

    def _phones(self, text: str, taken: bytearray, out: dict[str, list[Any]]) -> None:
        if self._hotlines_are_digits and _DIGIT.search(text) is None:
            out["phone"] = []           # every pattern below needs a digit
            return
        for m in _SERVICE.finditer(text):
            self._take(taken, m.start(), m.end())
        phones: list[str] = []
        for m in _MOBILE.finditer(text):
            if self._free(taken, m.start(), m.end()):
                phones.append(re.sub(r"[ -]", "", m.group(1)))
                self._take(taken, m.start(), m.end())
        for m in _LANDLINE.finditer(text):
            number = m.group(1) + m.group(2)
            if self._free(taken, m.start(), m.end()) and number not in self._hotlines:
                phones.append(f"{m.group(1)}-{m.group(2)}")
                self._take(taken, m.start(), m.end())
        for m in self._hotline_re.finditer(text):
            self._take(taken, m.start(), m.end())
        # long digit runs (ticket numbers, ids) are never amounts or dates
        for m in re.finditer(r"\d{8,}[\da-z]*", text):
            self._take(taken, m.start(), m.end())
        out["phone"] = list(dict.fromkeys(phones))

    def _dates(self, text: str, taken: bytearray, out: dict[str, list[Any]]) -> None:
        dates: list[tuple[int, dict[str, str]]] = []

        def small(s: str) -> int | None:
            if s.isdigit():
                return int(s)
            parsed = parse_chinese(s)
            return int(parsed[0]) if parsed and not parsed[1] else None

        def add(m: re.Match[str], value: str) -> None:
            dates.append((m.start(), {"text": m.group(0), "value": value}))
            self._take(taken, m.start(), m.end())

        digits, month = _DIGIT.search(text) is not None, "月" in text
        if not digits and not month:
            out["date"] = []            # each pattern below needs a digit or 月
            return
        for m in _DATE_FULL.finditer(text) if digits else ():
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if self._free(taken, m.start(), m.end()) and 1 <= mo <= 12 and 1 <= d <= 31:
                add(m, f"{y:04d}-{mo:02d}-{d:02d}")
        for m in _DATE_YM.finditer(text) if digits else ():
            y, mo = int(m.group(1)), int(m.group(2))
            if self._free(taken, m.start(), m.end()) and 1 <= mo <= 12:
                add(m, f"{y:04d}-{mo:02d}")
        for m in _DATE_MD.finditer(text) if month else ():
            mo, d = small(m.group(1)), small(m.group(2))
            if mo and d and self._free(taken, m.start(), m.end()) and 1 <= mo <= 12 and 1 <= d <= 31:
                add(m, f"--{mo:02d}-{d:02d}")
        for m in _DATE_Y.finditer(text) if digits else ():
            if self._free(taken, m.start(), m.end()):
                add(m, m.group(1))
        for m in _DATE_M.finditer(text) if month else ():
            mo = small(m.group(1))
            if mo and self._free(taken, m.start(), m.end()) and 1 <= mo <= 12:
                add(m, f"--{mo:02d}")
        for m in _DATE_D.finditer(text) if digits else ():
            d = int(m.group(1))
            if self._free(taken, m.start(), m.end()) and 1 <= d <= 31:
                add(m, f"---{d:02d}")
        out["date"] = [d for _, d in sorted(dates, key=lambda x: x[0])]

    def _durations(self, text: str, taken: bytearray, out: dict[str, list[Any]]) -> None:
        found: list[dict[str, Any]] = []
        for m in _DURATION.finditer(text):
            if not self._free(taken, m.start(), m.end()):
                continue
            if _SINGLE.match(m.group(0)) and not _SPAN_MARK.search(text[max(0, m.start() - 2):m.start()]):
                continue
            days = 0.0
            for piece in _DUR_PIECE.finditer(m.group(0)):
                parsed = (0.5, False) if piece.group(1) == "半" else parse_number(piece.group(1))
                if parsed is None:
                    break
                unit = piece.group(2).replace("个", "").replace("多", "")
                per = _DAYS[unit]
                days += parsed[0] * per + (0.5 * per if piece.group(3) else 0)
            else:
                if days > 0:
                    found.append({"text": m.group(0), "days": round(days)})
                    self._take(taken, m.start(), m.end())
        out["duration"] = found

    def _headcounts(self, text: str, taken: bytearray, out: dict[str, list[Any]]) -> None:
        found: list[dict[str, Any]] = []
        for m in self._headcount_re.finditer(text):
            lead, num, more, _measure = m.group(1), m.group(2), m.group(3), m.group(4)
            if not lead and not num:
                continue
            if not self._free(taken, m.start(), m.end()):
                continue
            approx = bool(more) or bool(lead)
            if num:
                parsed = parse_number(num)
                if parsed is None:
                    continue
                value, fuzzy = parsed
                approx = approx or fuzzy
                if lead == "上":          # 上百人
                    approx = True
            elif lead == "好几":
                value = 3.0
            else:
                continue
            if value < 2:
                continue
            found.append({"text": m.group(0), "value": int(value), "approx": approx})
            self._take(taken, m.start(), m.end())
        out["headcount"] = found

    def _money(self, text: str, taken: bytearray, out: dict[str, list[Any]]) -> None:
        found: list[dict[str, Any]] = []
        for m in _NUM.finditer(text):
            a, b = m.span()
            if not self._free(taken, a, b) or m.group(0) in ("半", "几"):
                continue
            parsed = parse_number(m.group(0))
            if parsed is None or parsed[0] <= 0:
                continue
            value = parsed[0]
            unit = _MONEY_UNIT.match(text, b)
            currency = a > 0 and text[a - 1] in "¥$"
            if unit:
                if unit.group(2) in ("毛钱", "毛", "角"):
                    value /= 10
                end = unit.end()
            elif currency or self._bare_amount(text, a, b, value, m.group(0)):
                end = b + (1 if b < len(text) and text[b] in "多余" else 0)
            else:
                continue
            found.append({"text": text[a - 1 if currency else a:end], "value": _as_int_if_whole(value)})
            self._take(taken, a, end)
        out["money"] = found

    def _bare_amount(self, text: str, a: int, b: int, value: float, raw: str) -> bool:
        """A number without a unit is money only in a money context, and never a count or time."""
        after = text[b:b + 2]
        if after[:1] and after[:1] in "个名位号人天年月日周次单岁级倍%度点分小楼路公米斤":
            return False
        if after.startswith(("多个", "多名", "多天", "多年")):
            return False
        if value < 10:
            return False
        if not raw.isdigit() and value >= 1000 and not raw.startswith("几"):
            return True                       # 三千四, 两万八: Chinese thousands are amounts here
        before = text[max(0, a - 6):a]
        return bool(self._money_ctx.search(before)) or bool(self._money_ctx.match(text, b))

    def _platforms(self, text: str, out: dict[str, list[Any]]) -> None:
        names = [self._platform_of[m.group(0)] for m in self._platform_re.finditer(text)]
        out["platform"] = list(dict.fromkeys(names))

    def _org_matches(self, text: str) -> Iterator[re.Match[str]]:
        """The matches of `self._org_re.finditer(text)`, found faster: a name ends in a suffix that
        starts 1 to 12 characters after the name does, and the pattern looks neither behind nor
        at the start of the text, so each search can begin 12 characters before the next suffix."""
        pos = 0
        while True:
            suffix = self._org_suffix.search(text, pos + 1)
            if suffix is None:
                return
            m = self._org_re.search(text, max(pos, suffix.start() - 12))
            if m is None:
                return
            yield m
            pos = m.end()

    def _companies(self, text: str, out: dict[str, list[Any]]) -> None:
        names: list[str] = []
        for m in self._org_matches(text):
            full = m.group(1)
            cut = max((i for i, ch in enumerate(full) if ch in _BOUNDARY), default=-1)
            head = full[cut + 1:]
            for alias in self._platform_of:
                at = full.find(alias)
                if at != -1 and at + len(alias) > cut + 1:
                    head = full[at:]              # 饿了么加盟站, 投诉美团xx站: start at the platform name
            if len(head) < 2 or head in self._generic or any(head.startswith(g) for g in self._generic):
                continue
            if m.group(2) in self._weak_suffixes and not any(a in head for a in self._platform_of):
                continue                              # 站, 网点, 仓库 name a company only with a platform in front
            names.append(head + m.group(2))
        out["company"] = list(dict.fromkeys(names))

    def _places(self, text: str, out: dict[str, list[Any]]) -> None:
        out["place"] = list(dict.fromkeys(m.group(0) for m in self._place_re.finditer(text)))

