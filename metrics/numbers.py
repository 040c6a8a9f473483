"""Reading numbers out of model responses.

The released rule is a plain regex: unsigned decimals or integers, not preceded by `^`. It drops signs
(`-0.5` reads as 0.5), reads `10^3` as 10, and whether the first or the last match counts depends on the task.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

OFFICIAL_NUMBER_PATTERN = re.compile(r"(?<!\^)\d+\.\d+|(?<!\^)\d+")


def official_numbers(text: str) -> list[float]:
    """Every number the released regex finds in `text`, in order, as floats (never negative)."""
    return [float(match) for match in OFFICIAL_NUMBER_PATTERN.findall(text)]


def official_first_number(text: str) -> float | None:
    """The first number the released regex finds, or None when there is none."""
    match = OFFICIAL_NUMBER_PATTERN.search(text)
    return float(match.group()) if match else None


def official_last_number(text: str) -> float | None:
    """The last number the released regex finds, or None when there is none."""
    matches = OFFICIAL_NUMBER_PATTERN.findall(text)
    return float(matches[-1]) if matches else None


# ---- strict reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measurement:
    """A length stated in a text: `value` in meters, the (start, end) of its text, and how it was read
    (`number`, `range midpoint`, `plus-minus`, `compound units`, `number words`)."""

    value: float
    start: int
    end: int
    rule: str
    has_unit: bool = True  # False for a bare number (read as meters)
    unit: float | None = None  # meters per unit as written (0.3048 for feet, 0.01 for cm); None when bare

    @property
    def imperial(self) -> bool:
        """True for a length written in feet or inches."""
        return self.unit in (0.3048, 0.0254)


_UNITS = (
    # (pattern, meters per unit); the first that matches wins, so longer spellings come first
    (r"millimet(?:er|re)s?|mm|\u6beb\u7c73", 1e-3),
    (r"centimet(?:er|re)s?|cms?|\u5398\u7c73|\u516c\u5206", 0.01),
    (r"kilomet(?:er|re)s?|km|\u5343\u7c73|\u516c\u91cc", 1000.0),
    (r"met(?:er|re)s?|m|\u516c\u5c3a|\u7c73", 1.0),
    # `'` and `"` are feet and inches only right after the digits and never after an opening quote
    (r"feet|foot|ft|(?<=\d)(?:'|\u2032)(?![A-Za-z])", 0.3048),
    (r"inch(?:es)?|in(?=\s?$|\s?[.,;:()])|(?<=\d)(?:\"|\u2033|'')", 0.0254),
)
_UNIT_GROUPS = [f"(?P<u{i}>{pattern})" for i, (pattern, _) in enumerate(_UNITS)]
_UNIT = r"(?:\s?(?:" + "|".join(_UNIT_GROUPS) + r")(?![A-Za-z]))?"
_FACTOR_BY_GROUP = {f"u{i}": factor for i, (_, factor) in enumerate(_UNITS)}
# A number: optional sign (not after a digit, so `1-2` is a range), digits with optional thousands groups,
# decimals with `.` or `,`, or a leading-dot decimal (`.8`); exponent; unit. The lookbehind is ASCII-only, so
# a number glued to CJK text (`约为2.5米`) is read, while `camera2` and `3.5.1` are not.
_NUMBER = r"(?P<sign>[-+]?)(?P<digits>\d+(?:,\d{3}(?!\d))*(?:[.,]\d+)?|\.\d+)(?:[eE](?P<exp>[-+]?\d{1,3}))?"
# `7 and a half feet`: a half after the digits adds 0.5 (a literal, so it never backtracks)
_HALF = (
    r"(?P<half>\sand\sa\shalf(?=\s?(?:" + "|".join(pattern for pattern, _ in _UNITS[:-2]) + r"|feet|foot|ft|inch)))?"
)
_MEASUREMENT = re.compile(r"(?<![A-Za-z0-9_.^/])" + _NUMBER + _HALF + _UNIT)
_MEASUREMENT_NO_UNIT = re.compile(_NUMBER)
# What makes a number a label or an ordinal, not a length: a suffix (`2nd`, `3D`, `4x`, `80%`), a label word
# before it (`image 3`, `Frame-4`, `第2`), or a coordinate list around it.
_AFTER_LABEL = re.compile(
    r"(?:st|nd|rd|th|d|x|\u00d7|%|\u00b0|\u5f20|\u4e2a|\u5e45|\u9879)(?![a-z])|[A-Za-z]", re.IGNORECASE
)
_BEFORE_LABEL = re.compile(
    r"(?:image|img|view|camera|cam|frame|picture|photo|figure|fig|point|object|step|option|choice|item|row|id|"
    r"#|no|number|box|line|level|\u7b2c|\u56fe|\u56fe\u7247|\u56fe\u50cf|\u89c6\u56fe|\u76f8\u673a)[\s\-#:.]?$",
    re.IGNORECASE,
)
_RANGE_JOIN = re.compile(r"\s?(?:-|\u2013|\u2014|~|to|and|\u81f3|\u5230)\s?", re.IGNORECASE)
_EQUALS_AFTER = re.compile(r"\s?[=\u2248]")
_OPERATOR_BEFORE = re.compile(r"[+*/\u00d7]\s?$")
_PLUS_MINUS = re.compile(r"\s?(?:\u00b1|\+/-|\+-)\s?")
_WORD_VALUES = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_FRACTION_WORDS = {"half": 0.5, "quarter": 0.25, "third": 1 / 3}
_WORD = "|".join(sorted(_WORD_VALUES, key=len, reverse=True))
_WORD_NUMBER = re.compile(
    rf"\b(?:(?P<whole>{_WORD})(?:[\s-](?P<ones>{_WORD}))?(?:\spoint\s(?P<point>{_WORD}))?"
    rf"(?:\s?and\s(?:a\s|one\s)?(?P<frac>half|quarter|third))?|(?:a\s|one\s)?(?P<alone>half|quarter|third))"
    r"(?:\s(?:of\s)?(?:a\s)?(?P<unit>millimet(?:er|re)s?|centimet(?:er|re)s?|met(?:er|re)s?|feet|foot|inch(?:es)?))?"
    r"(?:\s(?:and\s)?a\s(?P<after>half))?\b",
    re.IGNORECASE,
)
_METER_AND_A_HALF = re.compile(r"\b(?:a|one)\smet(?:er|re)\sand\sa\shalf\b", re.IGNORECASE)
_WORD_UNITS = {"mi": 1e-3, "ce": 0.01, "me": 1.0, "fe": 0.3048, "fo": 0.3048, "in": 0.0254}


def _to_float(digits: str, exponent: str | None) -> float:
    """`1,500.5` -> 1500.5, `1,500` -> 1500, `1,5` -> 1.5: a comma before exactly three final digits (or
    before a `.` decimal part) groups thousands; another final comma is a decimal comma."""
    if "," in digits:
        head, _, tail = digits.rpartition(",")
        if "." in digits or len(tail) == 3:
            digits = digits.replace(",", "")
        else:
            digits = head.replace(",", "") + "." + tail
    return float(f"{digits}e{exponent}" if exponent else digits)  # 1e999 -> inf, dropped by the caller


def _unit_of(match: re.Match) -> float | None:
    return _FACTOR_BY_GROUP.get(match.lastgroup or "")  # the unit group, when one matched, is the last to close


def _is_quoted(text: str, match: re.Match) -> bool:
    """`"3.1"`: a quote mark after a number opened before it is a quote, not inches or feet."""
    at = match.start()
    opened = at > 0 and text[at - 1] in "\"'" and not (at > 1 and text[at - 2].isdigit())  # not the `'` of 5'6"
    return opened and _unit_of(match) in (0.3048, 0.0254)


def _is_label(text: str, match: re.Match) -> bool:
    if _unit_of(match) is None and _AFTER_LABEL.match(text, match.end()):
        return True
    return bool(_BEFORE_LABEL.search(text, max(0, match.start() - 10), match.start()))


def measurements(text: str) -> list[Measurement]:
    """Every length stated in `text`, in order, in meters with signs kept.

    Read: decimals (`2.7`, `.8`, `1,5`, `1,500`), exponents, units (mm, cm, m, km, feet, inches, `'` and `"`,
    米 / 厘米 / 毫米) converted to meters (a bare number is meters); ranges (`1.5-2 m`, `1.5 to 2 m`,
    `between 1 and 2`) as their midpoint; `7 and a half feet` as 7.5 feet; `1.5 ± 0.2 m` as 1.5; compound lengths (`4 meters 20 centimeters`,
    `5'6"`, `3 ft 2 in`) as their sum. Not read: ordinals and labels (`2nd`, `image 3`, `Frame-4`, `camera2`,
    `3D`), percentages, exponents after `^`. Number words (`two and a half meters`, `half a meter`,
    `one point five`) are read only when `text` holds no digit. Non-finite values are dropped.
    """
    found: list[Measurement] = []
    matches = [m for m in _MEASUREMENT.finditer(text) if not _is_label(text, m)]
    matches = [_unquoted(text, m) if _is_quoted(text, m) else m for m in matches]
    i = 0
    while i < len(matches):
        match = matches[i]
        value = _value(match)
        factor = _unit_of(match)
        start, end, rule = match.start(), match.end(), "number"
        written = factor
        following = matches[i + 1] if i + 1 < len(matches) else None
        if following is not None:
            between = text[end : following.start()]
            next_factor = _unit_of(following)
            if _PLUS_MINUS.fullmatch(between):
                # `1.5 ± 0.2 m`: the centre, in the unit written after the spread when the centre has none
                factor = factor if factor is not None else next_factor
                end, rule, i = following.end(), "plus-minus", i + 1
            elif (
                _RANGE_JOIN.fullmatch(between)
                and following["sign"] == ""
                and (factor is None or next_factor in (None, factor))
                and not _EQUALS_AFTER.match(text, following.end())
                and not _OPERATOR_BEFORE.search(text, max(0, start - 3), start)
            ):  # `2.5 - 0.3 = 2.2` and `2.3 + 0.9 ≈ 3.2` are arithmetic
                second = _value(following)
                factor = next_factor if next_factor is not None else factor
                if between.strip().lower() != "and" or text[max(0, start - 8) : start].lower().endswith("between "):
                    value, end, rule, i = (value + second) / 2, following.end(), "range midpoint", i + 1
            elif (
                factor == 0.3048
                and next_factor is None
                and between.strip() == ""
                and following["sign"] == ""
                and following["digits"].isdigit()
                and int(following["digits"]) < 12
            ):
                value = value * factor + _value(following) * 0.0254  # `5 ft 6`: feet, then inches
                factor, end, rule, i = 1.0, following.end(), "compound units", i + 1
            elif (
                text[end - 1 : end] == "\u7c73"
                and next_factor is None
                and between == ""
                and following["sign"] == ""
                and len(following["digits"]) == 1
            ):
                value = value + int(following["digits"]) / 10  # `1米2`: one meter and two tenths, 1.2 m
                factor, end, rule, i = 1.0, following.end(), "compound units", i + 1
            elif (
                factor is not None
                and next_factor is not None
                and next_factor < factor
                and between.strip().lower() in ("", "and", ",")
            ):
                value = value * factor + _value(following) * next_factor  # `4 m 20 cm`, `5'6"`
                factor, end, rule, i = 1.0, following.end(), "compound units", i + 1
        written = written if rule == "compound units" else factor  # `5'6"` is written in feet
        found.append(
            Measurement(value * (1.0 if factor is None else factor), start, end, rule, factor is not None, written)
        )
        i += 1
    if not found and not any(c.isdigit() for c in text):
        meter_and_half = _METER_AND_A_HALF.search(text)
        if meter_and_half:
            return [Measurement(1.5, meter_and_half.start(), meter_and_half.end(), "number words")]
        found = [m for m in (_word_measurement(w) for w in _WORD_NUMBER.finditer(text)) if m is not None]
        found = _joined(text, found) + [m for m in map(_cjk_measurement, _CJK_NUMBER.finditer(text)) if m]
    return [m for m in found if math.isfinite(m.value)]


def _unquoted(text: str, match: re.Match) -> re.Match:
    """The same number read again without its closing quote mark taken as a unit."""
    again = _MEASUREMENT_NO_UNIT.match(text, match.start())
    assert again is not None  # the digits matched with a unit, so they match without one
    return again


def _value(match: re.Match) -> float:
    sign = -1.0 if match["sign"] == "-" else 1.0
    half = 0.5 if match.re is _MEASUREMENT and match["half"] else 0.0
    return sign * (_to_float(match["digits"], match["exp"]) + half)


def _word_measurement(match: re.Match) -> Measurement | None:
    if match["alone"]:
        value = _FRACTION_WORDS[match["alone"].lower()]
    elif match["whole"]:
        value = float(_WORD_VALUES[match["whole"].lower()])
        if match["ones"]:
            value += _WORD_VALUES[match["ones"].lower()]
        if match["point"]:
            value += _WORD_VALUES[match["point"].lower()] / 10
        if match["frac"]:
            value += _FRACTION_WORDS[match["frac"].lower()]
    else:
        return None
    if match["after"]:
        value += 0.5
    unit = match["unit"]
    if unit is None and not match["alone"] and not match["frac"] and not match["point"]:
        # A bare small number word (`two chairs`) is a count, not a length; it needs a unit to be one.
        return None
    factor = 1.0 if unit is None else _WORD_UNITS[unit.lower()[:2]]
    return Measurement(
        value * factor, match.start(), match.end(), "number words", unit=None if unit is None else factor
    )


def _joined(text: str, found: list[Measurement]) -> list[Measurement]:
    """Adjacent word lengths in falling units add up: `one meter and sixty centimeters` is 1.6 m."""
    out: list[Measurement] = []
    for m in found:
        if out and text[out[-1].end : m.start].strip().lower() in ("", "and", ",") and m.value < out[-1].value:
            out[-1] = Measurement(out[-1].value + m.value, out[-1].start, m.end, "number words")
        else:
            out.append(m)
    return out


# Chinese numerals with a unit: `三米`, `三点二米`, `两米`, `八十厘米`.
_CJK_DIGITS = {c: i for i, c in enumerate("\u96f6\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d")}
_CJK_DIGITS.update({"\u3007": 0, "\u4e24": 2})
_CJK_NUMBER = re.compile(
    "(?<![\u96f6\u3007\u4e00\u4e8c\u4e24\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d\u5341\u70b9])"
    "(?P<whole>[\u96f6\u3007\u4e00\u4e8c\u4e24\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d\u5341]+)"
    "(?:\u70b9(?P<frac>[\u96f6\u3007\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d]+))?"
    "(?P<unit>\u6beb\u7c73|\u5398\u7c73|\u516c\u5206|\u7c73)"
    # `一米二` is 1.2 m: a digit after 米 counts tenths
    "(?P<tenths>[\u4e00\u4e8c\u4e24\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d](?![\u5398\u6beb\u7c73\u5341]))?"
)
_CJK_UNITS = {"\u6beb\u7c73": 1e-3, "\u5398\u7c73": 0.01, "\u516c\u5206": 0.01, "\u7c73": 1.0}


def _cjk_measurement(match: re.Match) -> Measurement | None:
    whole = match["whole"]
    if "\u5341" in whole:  # 十 = 10, 二十 = 20, 十五 = 15, 二十五 = 25
        tens, _, ones = whole.partition("\u5341")
        if len(tens) > 1 or len(ones) > 1:
            return None
        value = float(_CJK_DIGITS[tens] * 10 if tens else 10) + (_CJK_DIGITS[ones] if ones else 0)
    elif len(whole) == 1:
        value = float(_CJK_DIGITS[whole])
    else:
        return None
    if match["frac"]:
        value += float("0." + "".join(str(_CJK_DIGITS[c]) for c in match["frac"]))
    if match["tenths"] and match["unit"] == "\u7c73":
        value += _CJK_DIGITS[match["tenths"]] / 10
    return Measurement(value * _CJK_UNITS[match["unit"]], match.start(), match.end(), "number words")


def strict_numbers(text: str) -> list[float]:
    """The values of `measurements(text)`, in meters."""
    return [m.value for m in measurements(text)]
