"""Excel's date serial numbers and the workbook's date system.

Owns the serials: the 1900 system, with Excel's fictitious 1900-02-29 (serial 60) and day 0, and the 1904
system a workbook may choose (:func:`date_system`); what TODAY() and NOW() answer (:func:`today_is`
freezes them); and reading a date or a time written as text (:func:`date_text`, :func:`time_of`), which
both a cell of type ``d`` in the file and Excel's DATEVALUE/TIMEVALUE need.
"""
from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import re
from contextvars import ContextVar
from typing import Iterator

from cellrules.coerce import EXCEL_EPOCH

EPOCHDATE1904 = dt.date(1904, 1, 1)
LAST_SERIAL = 2958465  # 9999-12-31
TODAY_VAR: ContextVar[dt.date | None] = ContextVar("cellrules_today", default=None)
NOW_VAR: ContextVar[dt.datetime | None] = ContextVar("cellrules_now", default=None)
DATE1904: ContextVar[bool] = ContextVar("cellrules_date1904", default=False)


@contextlib.contextmanager
def today_is(day: dt.date) -> Iterator[None]:
    """Recalculate as if today were ``day`` (reproducible files, e.g. the templates)."""
    token = TODAY_VAR.set(day)
    try:
        yield
    finally:
        TODAY_VAR.reset(token)


@contextlib.contextmanager
def date_system(date1904: bool) -> Iterator[None]:
    """Serial numbers of the 1904 system (a workbook's ``<workbookPr date1904="1"/>``) in this context."""
    token = DATE1904.set(date1904)
    try:
        yield
    finally:
        DATE1904.reset(token)


def serial(d: dt.date) -> float:
    """A date as an Excel serial number (1900 date system, or 1904 where the workbook uses it)."""
    if DATE1904.get():
        return float((d - EPOCHDATE1904).days)
    days = (d - EXCEL_EPOCH).days
    return float(days if days >= 61 else days - 1)  # before 1900-03-01 Excel counts the missing 1900-02-29


def parts(x: float) -> tuple[int, int, int] | None:
    """(year, month, day) of a serial, with Excel's day 0 and 1900-02-29."""
    if not 0 <= x <= LAST_SERIAL:
        return None  # not a date Excel can show
    n = int(x)
    if DATE1904.get():
        d = EPOCHDATE1904 + dt.timedelta(days=n)
        return d.year, d.month, d.day
    if n == 0:
        return 1900, 1, 0
    if n == 60:
        return 1900, 2, 29
    d = EXCEL_EPOCH + dt.timedelta(days=n if n > 60 else n + 1)
    return d.year, d.month, d.day


_TIME = re.compile(r"(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?\s*([AaPp][Mm])?")


def time_of(t: str) -> float | None:
    """The time a text holds (``9:30``, ``2:05:07 PM``) as a fraction of a day; None where it holds none."""
    m = _TIME.search(t)
    if not m:
        return None
    h, mi, s = int(m.group(1)), int(m.group(2)), float(m.group(3) or 0)
    if m.group(4):
        if h > 12:
            return None
        h = h % 12 + (12 if m.group(4).upper() == "PM" else 0)
    if mi > 59 or s >= 60 or h > 23 and not m.group(4):
        return None
    return (h * 3600 + mi * 60 + s) / 86400


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})


def date_text(t: str) -> float | None:
    """Text as a date serial: ISO (2021-01-31), month/day/year, day-month-year with a month name (a time in
    it is left out); None where it is not a date Excel reads."""
    s = _TIME.sub("", t.strip()).strip()
    for pattern, order in ((r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", "ymd"), (r"(\d{1,2})/(\d{1,2})/(\d{2,4})", "mdy"),
                           (r"(\d{1,2})[- ]([A-Za-z]+)[- ,]*(\d{2,4})", "dMy"), (r"([A-Za-z]+)[- ](\d{1,2}),?[- ](\d{2,4})", "Mdy")):
        m = re.fullmatch(pattern, s)
        if not m:
            continue
        parts = dict(zip(order, m.groups()))
        month = parts.get("m") or _MONTHS.get(parts.get("M", "").lower())
        if not month:
            continue
        year = int(parts["y"])
        year += (2000 if year < 30 else 1900) if len(parts["y"]) <= 2 else 0
        try:
            found = serial(dt.date(year, int(month), int(parts["d"])))
        except ValueError:
            break
        return found if 1 <= found <= LAST_SERIAL else None  # 7/5/1800 is no date Excel reads (#VALUE!)
    return None
