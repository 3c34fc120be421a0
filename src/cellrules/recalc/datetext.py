"""Excel's date, text and information functions.

Owns dates as Excel serial numbers (1900 system), the text functions and the
IS… tests.
"""
from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import re
from contextvars import ContextVar
from typing import Any, Iterator

from cellrules.errors import ExcelError
from cellrules.recalc.values import err, num, text

EPOCH = dt.date(1899, 12, 30)
#: the date TODAY() answers in this context (None: the real date)
_TODAY: ContextVar[dt.date | None] = ContextVar("cellrules_today", default=None)


@contextlib.contextmanager
def today_is(day: dt.date) -> Iterator[None]:
    """Recalculate as if today were ``day`` (reproducible files, e.g. the templates)."""
    token = _TODAY.set(day)
    try:
        yield
    finally:
        _TODAY.reset(token)


def to_date(v: Any) -> dt.date | ExcelError:
    x = num(v)
    if isinstance(x, ExcelError):
        if isinstance(v, str):
            try:
                return dt.date.fromisoformat(v.strip()[:10])
            except ValueError:
                pass
        return x
    if not 0 <= x < 2958466:
        return err("#NUM!", "not a date Excel can show")
    return EPOCH + dt.timedelta(days=int(x))


def serial(d: dt.date) -> float:
    return float((d - EPOCH).days)


def TODAY() -> Any:
    return serial(_TODAY.get() or dt.date.today())


def DATE(year: Any, month: Any, day: Any) -> Any:
    y, m, d = num(year), num(month), num(day)
    for x in (y, m, d):
        if isinstance(x, ExcelError):
            return x
    y = int(y) + (1900 if 0 <= y < 1900 else 0)
    months = y * 12 + int(m) - 1
    try:
        first = dt.date(months // 12, months % 12 + 1, 1)
    except ValueError:
        return err("#NUM!", "the date is out of range")
    return serial(first) + int(d) - 1


def _part(v: Any, attr: str) -> Any:
    d = to_date(v)
    return d if isinstance(d, ExcelError) else float(getattr(d, attr))


def YEAR(v: Any) -> Any:
    return _part(v, "year")


def MONTH(v: Any) -> Any:
    return _part(v, "month")


def DAY(v: Any) -> Any:
    return _part(v, "day")


def DAYS(end: Any, start: Any) -> Any:
    a, b = to_date(end), to_date(start)
    return a if isinstance(a, ExcelError) else b if isinstance(b, ExcelError) else float((a - b).days)


def _add_months(v: Any, months: Any, end_of_month: bool) -> Any:
    d, m = to_date(v), num(months)
    if isinstance(d, ExcelError):
        return d
    if isinstance(m, ExcelError):
        return m
    total = d.year * 12 + d.month - 1 + int(m)
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return serial(dt.date(year, month + 1, last if end_of_month else min(d.day, last)))


def EDATE(start: Any, months: Any) -> Any:
    return _add_months(start, months, False)


def EOMONTH(start: Any, months: Any) -> Any:
    return _add_months(start, months, True)


# -- text ------------------------------------------------------------------------
def _text_and_count(value: Any, count: Any, default: float = 1.0) -> tuple[str, int] | ExcelError:
    t = text(value)
    n = num(count) if count is not None else default
    if isinstance(t, ExcelError):
        return t
    if isinstance(n, ExcelError):
        return n
    if n < 0:
        return err("#VALUE!", "a negative number of characters")
    return t, int(n)


def LEFT(value: Any, count: Any = None) -> Any:
    got = _text_and_count(value, count)
    return got if isinstance(got, ExcelError) else got[0][: got[1]]


def RIGHT(value: Any, count: Any = None) -> Any:
    got = _text_and_count(value, count)
    return got if isinstance(got, ExcelError) else (got[0][-got[1]:] if got[1] else "")


def MID(value: Any, start: Any, count: Any) -> Any:
    s = num(start)
    got = _text_and_count(value, count)
    if isinstance(s, ExcelError):
        return s
    if isinstance(got, ExcelError):
        return got
    if s < 1:
        return err("#VALUE!", "MID starts at position 1")
    return got[0][int(s) - 1: int(s) - 1 + got[1]]


def LEN(value: Any) -> Any:
    t = text(value)
    return t if isinstance(t, ExcelError) else float(len(t))


def UPPER(value: Any) -> Any:
    t = text(value)
    return t if isinstance(t, ExcelError) else t.upper()


def LOWER(value: Any) -> Any:
    t = text(value)
    return t if isinstance(t, ExcelError) else t.lower()


def TRIM(value: Any) -> Any:
    t = text(value)
    return t if isinstance(t, ExcelError) else re.sub(r" +", " ", t).strip(" ")


def TEXT(value: Any, fmt: Any) -> Any:
    from cellrules.recalc.textformat import format_value
    return format_value(value, fmt)


# -- information -----------------------------------------------------------------
def NA() -> Any:
    return err("#N/A", "NA()")


def ISBLANK(value: Any) -> Any:
    return value is None


def ISERROR(value: Any) -> Any:
    return isinstance(value, ExcelError)


def ISNA(value: Any) -> Any:
    return isinstance(value, ExcelError) and value.code == "#N/A"


def ISNUMBER(value: Any) -> Any:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def ISTEXT(value: Any) -> Any:
    return isinstance(value, str)


