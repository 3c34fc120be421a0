"""FEEL's arithmetic: ``+ - * / **`` between numbers, strings, dates, times and durations.

Owns :func:`apply` — numbers with decimal128 precision, text joined by ``+``,
dates and times moved by durations, durations scaled and divided — giving
null wherever FEEL does not define the operation (and for a division by
zero or an overflow), never an exception.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, DivisionByZero, InvalidOperation, Overflow
from typing import Any, Callable

from cellrules.feel import temporal
from cellrules.feel.temporal import DaysTime, YearsMonths
from cellrules.feel.values import NUMBERS


def apply(op: str, left: Any, right: Any) -> Any:
    """``left op right`` (null when either is null or FEEL does not define it)."""
    if left is None or right is None or op not in _ARITHMETIC:
        return None
    try:
        return _ARITHMETIC[op](left, right)
    except (DivisionByZero, InvalidOperation, Overflow, OverflowError, ZeroDivisionError, ValueError, TypeError):
        return None


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return NUMBERS.add(a, b)
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    found = temporal.add(a, b) if _temporal(a) and _temporal(b) else NotImplemented
    return None if found is NotImplemented else found


def _subtract(a: Any, b: Any) -> Any:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return NUMBERS.subtract(a, b)
    if _temporal(a) and _temporal(b) and not (isinstance(a, (DaysTime, YearsMonths))
                                               and not isinstance(b, (DaysTime, YearsMonths))):
        found = temporal.subtract(a, b)
        return None if found is NotImplemented else found
    return None


def _temporal(value: Any) -> bool:
    return isinstance(value, (dt.date, dt.time, DaysTime, YearsMonths))


def _multiply(a: Any, b: Any) -> Any:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return NUMBERS.multiply(a, b)
    if isinstance(a, Decimal) and not isinstance(a, bool):
        a, b = b, a
    if isinstance(b, Decimal) and not isinstance(b, bool):
        if isinstance(a, DaysTime):
            return DaysTime(NUMBERS.multiply(a.seconds, b))
        if isinstance(a, YearsMonths):  # whole months, the fraction dropped (toward zero)
            return YearsMonths(int(NUMBERS.multiply(Decimal(a.months), b)))
    return None


def _divide(a: Any, b: Any) -> Any:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return None if b == 0 else NUMBERS.divide(a, b)
    if isinstance(a, DaysTime) and isinstance(b, DaysTime):
        return None if b.seconds == 0 else NUMBERS.divide(a.seconds, b.seconds)
    if isinstance(a, YearsMonths) and isinstance(b, YearsMonths):
        return None if b.months == 0 else NUMBERS.divide(Decimal(a.months), Decimal(b.months))
    if isinstance(b, Decimal) and b != 0:
        if isinstance(a, DaysTime):
            return DaysTime(NUMBERS.divide(a.seconds, b))
        if isinstance(a, YearsMonths):
            return YearsMonths(int(NUMBERS.divide(Decimal(a.months), b)))
    return None


def _power(a: Any, b: Any) -> Any:
    if not (isinstance(a, Decimal) and isinstance(b, Decimal)):
        return None
    if b == b.to_integral_value():
        return NUMBERS.power(a, int(b)) if not (a == 0 and b < 0) else None
    if a < 0:
        return None
    return NUMBERS.power(a, b)


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {"+": _add, "-": _subtract, "*": _multiply, "/": _divide,
                                                     "**": _power}
