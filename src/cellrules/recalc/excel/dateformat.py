"""Format codes on dates and times (TEXT(x, "yyyy-mm-dd hh:mm"), cached values shown as Excel shows them):
a serial as a moment, and each date or time token of a section (m as month or minute by its neighbours,
AM/PM, elapsed [h], fractions of a second)."""
from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

from cellrules.errors import ExcelError
from cellrules.xlsx import serials
from cellrules.recalc.values.scalars import err
from cellrules.recalc.excel.formatcodes import FormatError, Section, rounded

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class Day(NamedTuple):
    """The calendar day of a serial as Excel shows it: day 0 is 1900-01-00, serial 60 is 1900-02-29, and the
    days of the week run on from those (serial 1, 1900-01-01, is a Sunday)."""

    year: int
    month: int
    day: int
    weekday_index: int  # Monday 0 … Sunday 6

    def weekday(self) -> int:
        """Monday 0 … Sunday 6, as :meth:`datetime.date.weekday`."""
        return self.weekday_index


def _moment(x: float) -> Day | ExcelError:
    found = serials.parts(x) if 0 <= x < 2958466 else None
    if found is None:
        return err("#VALUE!", "not a date Excel can show")
    y, m, d = found
    n = math.floor(x)
    weekday = dt.date(y, m, d).weekday() if serials.DATE1904.get() else (n + 5) % 7
    return Day(y, m, d, weekday)


def datetime_text(section: Section, x: float) -> str:
    """A serial shown by a date or time section of a format code."""
    toks = section.tokens
    frac_places = 0
    for i, (kind, t) in enumerate(toks):
        if kind == "dot" and i + 1 < len(toks) and toks[i + 1] == ("ph", "0"):
            j = i + 1
            while j < len(toks) and toks[j] == ("ph", "0"):
                j += 1
            frac_places = j - i - 1
    seconds = abs(x) * 86400
    seconds = float(rounded(seconds, frac_places)) if frac_places else float(rounded(seconds, 0))
    negative = x < 0
    elapsed = {t.lower()[0] for k, t in toks if k == "elapsed"}
    if negative and not elapsed:
        raise FormatError("a negative date or time")
    moment = _moment(seconds / 86400) if not negative else None
    if isinstance(moment, ExcelError):
        raise FormatError(moment.reason)
    ampm = any(k == "date" and t.lower() in ("am/pm", "a/p") for k, t in toks)
    out: list[str] = []
    for i, (kind, t) in enumerate(toks):
        if kind == "date" and t.lower()[0] in elapsed and t.lower()[0] in "hs" or \
                kind == "date" and "m" in elapsed and t.lower() in ("m", "mm") and _minute_context(i, toks):
            kind = "elapsed"  # beside [h] an h shows the total hours too (and [m], [s] likewise)
        out.append(_date_token(kind, t, i, toks, moment, seconds, ampm, frac_places))
    return ("-" if negative else "") + "".join(out)


def _minute_context(i: int, toks: list[tuple[str, str]]) -> bool:
    before = [t.lower() for k, t in toks[:i] if k in ("date", "elapsed")]
    after = [t.lower() for k, t in toks[i + 1:] if k in ("date", "elapsed")]
    return bool(before and before[-1][0] in "hs" or after and after[0][0] == "s")


def _date_token(kind: str, t: str, i: int, toks: list[tuple[str, str]], moment: Day | None,
                seconds: float, ampm: bool, frac_places: int) -> str:
    low = t.lower()
    whole_seconds = int(seconds)
    if kind == "elapsed":
        total = {"h": whole_seconds // 3600, "m": whole_seconds // 60, "s": whole_seconds}[low[0]]
        return str(total).rjust(len(low), "0")
    if kind == "dot":
        return "." if frac_places and i + 1 < len(toks) and toks[i + 1] == ("ph", "0") else t
    if kind == "ph":
        before = "".join(tt for _, tt in toks[:i])
        dot = before.rfind(".")
        position = len(before) - dot
        if dot >= 0 and frac_places:
            fraction = f"{seconds - whole_seconds:.{frac_places}f}".split(".")[1]
            return fraction[position - 1] if position - 1 < len(fraction) else "0"
        return t
    if kind != "date":
        return {"pct": "%", "comma": ",", "slash": "/", "at": "@"}.get(kind, t)
    h, mi, s = whole_seconds // 3600 % 24, whole_seconds // 60 % 60, whole_seconds % 60
    if moment is None and low[0] not in "hms":
        raise FormatError("a negative date")
    if low in ("am/pm", "a/p"):
        mark = "AM" if h < 12 else "PM"
        return (mark if low == "am/pm" else mark[0]) if t[0].isupper() else (mark.lower() if low == "am/pm" else mark[0].lower())
    if low[0] == "h":
        hour = (h % 12 or 12) if ampm else h
        return str(hour).rjust(len(low[:2]), "0")
    if low[0] == "s":
        return str(s).rjust(len(low[:2]), "0")
    if low[0] == "m" and len(low) <= 2 and _minute_context(i, toks):
        return str(mi).rjust(len(low), "0")
    if low[0] == "m" and moment is not None:
        return {1: str(moment.month), 2: f"{moment.month:02d}", 3: _MONTHS[moment.month - 1][:3],
                4: _MONTHS[moment.month - 1], 5: _MONTHS[moment.month - 1][0]}[min(len(low), 5)]
    if moment is None:
        raise FormatError("a negative date")
    if low[0] == "y" or low == "e":
        return f"{moment.year % 100:02d}" if len(low) <= 2 and low != "e" else str(moment.year)
    if low[0] == "d":
        return {1: str(moment.day), 2: f"{moment.day:02d}", 3: _DAYS[moment.weekday()][:3]}.get(len(low),
                                                                                                _DAYS[moment.weekday()])
    return t


def is_date(section: Section) -> bool:
    """Whether a section formats a date or a time."""
    return any(k in ("date", "elapsed") for k, _ in section.tokens)
