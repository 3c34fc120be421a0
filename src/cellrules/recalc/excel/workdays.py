"""Working days with a weekend of one's own: NETWORKDAYS.INTL and WORKDAY.INTL (Microsoft's pages).

Owns the ``weekend`` argument: a number (1 Saturday and Sunday … 7 Friday and Saturday, 11 Sunday only … 17
Saturday only; another number is #NUM!) or seven 0/1 characters from Monday, 1 a day off ("0000011"; other
text, or every day off, is #VALUE!). Holidays and the counting are those of NETWORKDAYS and WORKDAY.
"""
from __future__ import annotations

from typing import Any

from cellrules.errors import ExcelError
from cellrules.recalc.excel.dates import WEEKDAY, _holidays

from cellrules.recalc.values.scalars import err, num, ok
from cellrules.recalc.values.signature import excel

_PAIRS = {1: (5, 6), 2: (6, 0), 3: (0, 1), 4: (1, 2), 5: (2, 3), 6: (3, 4), 7: (4, 5)}  # Monday = 0


def _weekend(code: Any) -> tuple[bool, ...] | ExcelError:
    """The days off, Monday first."""
    if code is None:
        return tuple(d in (5, 6) for d in range(7))
    if isinstance(code, str):
        if len(code) != 7 or set(code) - {"0", "1"} or code == "1111111":
            return err("#VALUE!", "a weekend is seven 0/1 characters from Monday, not every day off")
        return tuple(c == "1" for c in code)
    n = num(code)
    if isinstance(n, ExcelError):
        return n
    k = int(n)
    if k in _PAIRS:
        return tuple(d in _PAIRS[k] for d in range(7))
    if 11 <= k <= 17:
        return tuple(d == (k - 11 + 6) % 7 for d in range(7))
    return err("#NUM!", f"weekend {n:g} is not 1-7 or 11-17")


def _off(day: int, weekend: tuple[bool, ...], holidays: set[int]) -> bool:
    return day in holidays or weekend[int(WEEKDAY(float(day), 2.0)) - 1]


@excel("number", "number", "value", "range")
def NETWORKDAYS_INTL(a: float, b: float, weekend: Any = None, holidays: Any = None) -> Any:
    """Excel's NETWORKDAYS.INTL(start, end, [weekend], [holidays]): working days between two dates, both
    counted, with the weekend given."""
    got = ok(_weekend(weekend), _holidays(holidays))
    if isinstance(got, ExcelError):
        return got
    days_off, h = got
    if min(a, b) < 0:
        return err("#NUM!", "a date before 1900")
    lo, hi, sign = (int(a), int(b), 1.0) if a <= b else (int(b), int(a), -1.0)
    if hi - lo > 4_000_000:
        return err("#NUM!", "the period is too long")
    return sign * sum(1 for d in range(lo, hi + 1) if not _off(d, days_off, h))


@excel("number", "number", "value", "range")
def WORKDAY_INTL(a: float, n: float, weekend: Any = None, holidays: Any = None) -> Any:
    """Excel's WORKDAY.INTL(start, days, [weekend], [holidays]): the working day ``days`` working days away,
    with the weekend given."""
    got = ok(_weekend(weekend), _holidays(holidays))
    if isinstance(got, ExcelError):
        return got
    days_off, h = got
    if a < 0 or abs(n) > 1_000_000:
        return err("#NUM!", "a start before 1900 or too many working days")
    day, left, step = int(a), int(n), 1 if n >= 0 else -1
    while left:
        day += step
        if not _off(day, days_off, h):
            left -= step
    if not 0 <= day <= 2_958_465:
        return err("#NUM!", "the working day falls outside Excel's calendar")
    return float(day)
