"""Excel's date and time functions (Microsoft's Date & Time category).

The serial numbers themselves (1900 and 1904 systems, TODAY frozen for a
run, dates and times read from text) are :mod:`cellrules.xlsx.serials`'; here,
the functions on dates and times:
DATE, TIME, YEAR … SECOND, WEEKDAY, WEEKNUM, ISOWEEKNUM, DATEDIF, DATEVALUE,
TIMEVALUE, EDATE, EOMONTH, DAYS, DAYS360, YEARFRAC, NETWORKDAYS, WORKDAY.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
from typing import Any

from cellrules.errors import ExcelError
from cellrules.xlsx import serials
from cellrules.xlsx.serials import DATE1904, LAST_SERIAL, NOW_VAR, TODAY_VAR, date_text, serial, time_of
from cellrules.recalc.values.blocks import Block
from cellrules.recalc.values.scalars import err, num, ok, serial_number
from cellrules.recalc.values.signature import excel



def to_date(v: Any) -> dt.date | ExcelError:
    """A real calendar date for a serial (Excel's day 0 and 1900-02-29 become their neighbours) or ISO text."""
    x = serial_number(v)
    if isinstance(x, ExcelError):
        return x
    parts = serials.parts(x)
    if parts is None:
        return err("#NUM!", "not a date Excel can show")
    y, m, d = parts
    return dt.date(y, m, min(max(d, 1), calendar.monthrange(y, m)[1]))


@excel()
def TODAY() -> Any:
    """Excel's TODAY(): today's date as a serial number (frozen where a run fixes the day)."""
    return serial(TODAY_VAR.get() or dt.date.today())


@excel()
def NOW() -> Any:
    """Excel's NOW(): this moment as a serial number (days, and the time as a fraction of a day)."""
    moment = NOW_VAR.get() or dt.datetime.now()
    day = TODAY_VAR.get() or moment.date()
    return serial(day) + (moment.hour * 3600 + moment.minute * 60 + moment.second) / 86400


@excel("number", "number", "number")
def DATE(y: float, m: float, d: float) -> Any:
    """Excel's DATE(year, month, day): the serial number of a date; months and days outside their range roll over."""
    if not -1e6 < y < 1e6 or not -1e7 < m < 1e7 or not -1e8 < d < 1e8:
        return err("#NUM!", "the date is out of range")
    y = int(y) + (1900 if 0 <= y < 1900 and not DATE1904.get() else 0)
    if DATE1904.get() and 0 <= y < 1900:
        y += 1900
    months = y * 12 + int(m) - 1
    if not 0 < months // 12 < 10000:
        return err("#NUM!", "the date is out of range")
    value = serial(dt.date(months // 12, months % 12 + 1, 1)) + int(d) - 1
    return value if 0 <= value <= LAST_SERIAL else err("#NUM!", "the date is out of range")


def _part(x: float, index: int) -> Any:
    parts = serials.parts(x)
    return err("#NUM!", "not a date Excel can show") if parts is None else float(parts[index])


@excel("date")
def YEAR(v: float) -> Any:
    """Excel's YEAR(date): the year of a date."""
    return _part(v, 0)


@excel("date")
def MONTH(v: float) -> Any:
    """Excel's MONTH(date): the month of a date, 1 to 12."""
    return _part(v, 1)


@excel("date")
def DAY(v: float) -> Any:
    """Excel's DAY(date): the day of the month, 1 to 31."""
    return _part(v, 2)


# -- times -------------------------------------------------------------------------
def _seconds(x: float) -> float | ExcelError:
    if x < 0:
        return err("#NUM!", "a negative time")
    return round((x - math.floor(x)) * 86400, 6)


@excel("date")
def HOUR(v: float) -> Any:
    """Excel's HOUR(time): the hour, 0 to 23."""
    s = _seconds(v)
    return s if isinstance(s, ExcelError) else float(int(round(s)) // 3600 % 24)


@excel("date")
def MINUTE(v: float) -> Any:
    """Excel's MINUTE(time): the minute, 0 to 59."""
    s = _seconds(v)
    return s if isinstance(s, ExcelError) else float(int(round(s)) // 60 % 60)


@excel("date")
def SECOND(v: float) -> Any:
    """Excel's SECOND(time): the second, 0 to 59."""
    s = _seconds(v)
    return s if isinstance(s, ExcelError) else float(int(round(s)) % 60)


@excel("number", "number", "number")
def TIME(h: float, m: float, s: float) -> Any:
    """Excel's TIME(hour, minute, second): a time as a fraction of a day."""
    total = int(h) * 3600 + int(m) * 60 + int(s)
    if total < 0:
        return err("#NUM!", "a negative time")
    return (total % 86400) / 86400


@excel("text")
def TIMEVALUE(t: str) -> Any:
    """Excel's TIMEVALUE(text): the time a text names, as a fraction of a day."""
    got = time_of(t)
    return err("#VALUE!", f"'{t}' is not a time") if got is None else got


@excel("text")
def DATEVALUE(t: str) -> Any:
    """Text as a date serial: ISO (2021-01-31), month/day/year, day-month-year with a month name."""
    got = date_text(t)
    return err("#VALUE!", f"'{t}' is not a date Excel reads") if got is None else got


@excel("date", "date")
def DAYS(a: float, b: float) -> Any:
    """Excel's DAYS(end, start): the days between two dates."""
    return float(math.floor(a) - math.floor(b))


def _add_months(v: float, m: float, end_of_month: bool) -> Any:
    d = to_date(v)
    if isinstance(d, ExcelError):
        return d
    total = d.year * 12 + d.month - 1 + int(m)
    year, month = divmod(total, 12)
    if not 1900 <= year <= 9999:
        return err("#NUM!", "the date is out of range")
    last = calendar.monthrange(year, month + 1)[1]
    if not end_of_month and _day_zero(v):  # Excel's 1900-01-00 moves as day 0: EDATE(0, 1) is 1900-01-31
        return float(serial(dt.date(year, month + 1, 1)) - 1) if total > 1900 * 12 else 0.0
    return serial(dt.date(year, month + 1, last if end_of_month else min(d.day, last)))


def _day_zero(x: float) -> bool:
    return math.floor(x) == 0 and not DATE1904.get()


@excel("date", "number", toolpak=True)
def EDATE(start: float, months: float) -> Any:
    """Excel's EDATE(start, months): the same day ``months`` later (or earlier), clipped to the month's end."""
    return _add_months(start, months, False)


@excel("date", "number", toolpak=True)
def EOMONTH(start: float, months: float) -> Any:
    """Excel's EOMONTH(start, months): the last day of the month ``months`` away."""
    return _add_months(start, months, True)


@excel("date", "number", defaults=True)
def WEEKDAY(x: float, k: float = 1.0) -> Any:
    """Excel's WEEKDAY(date, [type]): the day of the week, numbered as ``type`` says (1: Sunday = 1)."""
    # 0 = Sunday: serial 1 is a Sunday in the 1900 system (Excel's, through its 1900-02-29), serial 0 a Friday in 1904's
    sunday0 = (int(x) + (5 if DATE1904.get() else 6)) % 7
    starts = {1: 0, 2: 1, 3: 1, 11: 1, 12: 2, 13: 3, 14: 4, 15: 5, 16: 6, 17: 0}
    if int(k) not in starts:
        return err("#NUM!", "WEEKDAY's return type is not one Excel knows")
    value = (sunday0 - starts[int(k)]) % 7
    return float(value if int(k) == 3 else value + 1)


@excel("date", "number", toolpak=True, defaults=True)
def WEEKNUM(v: float, k: float = 1.0) -> Any:
    """Excel's WEEKNUM(date, [type]): the week of the year, weeks starting on the day ``type`` says."""
    d = to_date(v)
    if isinstance(d, ExcelError):
        return d
    if int(k) == 21:
        return float(d.isocalendar()[1])
    first = {1: 6, 17: 6, 2: 0, 11: 0, 12: 1, 13: 2, 14: 3, 15: 4, 16: 5}.get(int(k))  # Python weekday of week start
    if first is None:
        return err("#NUM!", "WEEKNUM's return type is not one Excel knows")
    jan1 = dt.date(d.year, 1, 1)
    offset = (jan1.weekday() - first) % 7
    return float((d - jan1).days + offset) // 7 + 1


@excel("date")
def ISOWEEKNUM(v: float) -> Any:
    """Excel's ISOWEEKNUM(date): the ISO 8601 week number."""
    d = to_date(v)
    return d if isinstance(d, ExcelError) else float(d.isocalendar()[1])


@excel("date", "date", "text")
def DATEDIF(start: float, end: float, u: str) -> Any:
    """Excel's DATEDIF(start, end, unit): whole years, months or days between two dates ("Y", "M", "D", "MD", "YM",
    "YD")."""
    got = ok(to_date(start), to_date(end))
    if isinstance(got, ExcelError):
        return got
    a, b = got
    if a > b:
        return err("#NUM!", "DATEDIF's start is after its end")
    u = u.upper()
    months = (b.year - a.year) * 12 + b.month - a.month - (1 if b.day < a.day else 0)
    if u == "D":
        return float((b - a).days)
    if u == "M":
        return float(months)
    if u == "Y":
        return float(months // 12)
    if u == "YM":
        return float(months % 12)
    if u == "MD":
        back = b.replace(day=1) - dt.timedelta(days=1)
        return float(b.day - a.day if b.day >= a.day else back.day - a.day + b.day)
    if u == "YD":
        anniversary = a.replace(year=b.year) if not (a.month == 2 and a.day == 29) else dt.date(b.year, 3, 1)
        if anniversary > b:
            anniversary = anniversary.replace(year=b.year - 1)
        return float((b - anniversary).days)
    return err("#NUM!", f"DATEDIF unit '{u}' is not Y, M, D, MD, YM or YD")


@excel("date", "date", "logical")
def DAYS360(start: float, end: float, european: bool = False) -> Any:
    """Excel's DAYS360(start, end, [european]): days between two dates on a 360-day year."""
    a, b = to_date(start), to_date(end)
    if isinstance(a, ExcelError):
        return a
    if isinstance(b, ExcelError):
        return b
    d1, d2 = a.day, b.day
    if european:
        d1, d2 = min(d1, 30), min(d2, 30)
    else:
        last_feb = a.month == 2 and d1 == calendar.monthrange(a.year, 2)[1]
        if d1 == 31 or last_feb:
            d1 = 30
        if d2 == 31 and d1 >= 30:
            d2 = 30
    return float((b.year - a.year) * 360 + (b.month - a.month) * 30 + d2 - d1)


@excel("date", "date", "number", toolpak=True, defaults=True)
def YEARFRAC(start: float, end: float, basis: float = 0.0) -> Any:
    """Excel's YEARFRAC(start, end, [basis]): the fraction of a year between two dates, by day-count basis 0 to 4."""
    got = ok(to_date(start), to_date(end))
    if isinstance(got, ExcelError):
        return got
    a, b = got
    if a > b:
        a, b = b, a
    k = int(basis)
    if k == 0:
        return DAYS360(serial(a), serial(b)) / 360
    if k == 1:
        if a.year == b.year or (b - dt.date(a.year + 1, a.month, min(a.day, 28))).days <= 0:
            year_days = 366 if calendar.isleap(a.year) and (a.month <= 2) or calendar.isleap(b.year) and \
                (b.month > 2 or b.month == 2 and b.day == 29) else 365
            return (b - a).days / year_days
        years = range(a.year, b.year + 1)
        average = sum(366 if calendar.isleap(y) else 365 for y in years) / len(years)
        return (b - a).days / average
    if k == 2:
        return (b - a).days / 360
    if k == 3:
        return (b - a).days / 365
    if k == 4:
        return DAYS360(serial(a), serial(b), True) / 360
    return err("#NUM!", "YEARFRAC basis is 0..4")


def _holidays(arg: Any) -> set[int] | ExcelError:
    if arg is None:
        return set()
    out = set()
    for v in arg.flat() if isinstance(arg, Block) else [arg]:
        if v is None:
            continue
        x = num(v)
        if isinstance(x, ExcelError):
            return x
        out.add(int(x))
    return out


def _workday(x: int) -> bool:
    return WEEKDAY(float(x), 2.0) <= 5


@excel("number", "number", "range", toolpak=True)
def NETWORKDAYS(a: float, b: float, holidays: Any = None) -> Any:
    """Excel's NETWORKDAYS(start, end, [holidays]): working days (Monday to Friday, not holidays), both ends counted."""
    h = _holidays(holidays)
    if isinstance(h, ExcelError):
        return h
    lo, hi, sign = (int(a), int(b), 1.0) if a <= b else (int(b), int(a), -1.0)
    if hi - lo > 4_000_000:
        return err("#NUM!", "the period is too long")
    return sign * sum(1 for d in range(lo, hi + 1) if d not in h and _workday(d))


@excel("number", "number", "range", toolpak=True)
def WORKDAY(a: float, n: float, holidays: Any = None) -> Any:
    """Excel's WORKDAY(start, days, [holidays]): the working day ``days`` working days away."""
    h = _holidays(holidays)
    if isinstance(h, ExcelError):
        return h
    if abs(n) > 1_000_000:
        return err("#NUM!", "too many working days")
    day, left, step = int(a), int(n), 1 if n >= 0 else -1
    while left:
        day += step
        if day not in h and _workday(day):
            left -= step
    return float(day)
