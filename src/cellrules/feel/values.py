"""FEEL values: their kinds, equality and order, ranges and functions, and the crossing from and to Python.

Owns what a value is (:func:`kind`), ``=`` and ``<`` with FEEL's null rules
(:func:`equal`, :func:`compare`: values of different kinds are neither equal
nor unequal — null), :class:`Range`, :class:`Function` (built-in or defined
in FEEL), :func:`string` (FEEL's ``string()``), and :func:`from_python` /
:func:`to_python`: numbers become ``Decimal`` on the way in (``0.1`` stays
exactly 0.1) and ``float`` on the way out.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation, ROUND_HALF_EVEN
from typing import Any, Callable

from cellrules.feel import temporal
from cellrules.feel.errors import FeelError
from cellrules.feel.temporal import DaysTime, YearsMonths

__all__ = ["FeelError"]  # re-exported: where callers have always found it
NUMBERS = Context(prec=34, rounding=ROUND_HALF_EVEN, Emax=6144, Emin=-6143)  # FEEL numbers: IEEE 754 decimal128


@dataclass(frozen=True)
class Range:
    """An interval ``[low..high)``; an end of None is open (``< 5`` is the range up to 5)."""

    low: Any
    high: Any
    low_closed: bool = True
    high_closed: bool = True
    point: bool = False  # written as the unary test ``=x``: not equal to ``[x..x]`` (TCK 0068 range_010)

    def contains(self, value: Any) -> bool | None:
        """Whether ``value`` lies inside (None when it cannot be compared with the ends)."""
        checks = []
        if self.low is not None:
            checks.append(compare(">=" if self.low_closed else ">", value, self.low))
        if self.high is not None:
            checks.append(compare("<=" if self.high_closed else "<", value, self.high))
        if None in checks:
            return None
        return all(checks)


@dataclass(eq=False)
class Function:
    """A function value: a built-in (a Python callable taking FEEL values) or one defined in FEEL."""

    name: str
    params: tuple[str, ...]
    call: Callable[..., Any]  # (positional list, named dict) -> value
    variadic: bool = False  # built-ins such as min(1, 2, 3): any number of positional arguments
    optional: int = 0  # how many trailing params may be left out
    meta: dict[str, Any] = field(default_factory=dict)


def is_number(value: Any) -> bool:
    """Whether a value is a FEEL number."""
    return isinstance(value, Decimal)


KINDS = ("null", "number", "string", "boolean", "date", "time", "date and time", "days and time duration",
         "years and months duration", "list", "context", "range", "function")


def kind(value: Any) -> str:
    """The FEEL type name of a value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dt.datetime):
        return "date and time"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.time):
        return "time"
    if isinstance(value, DaysTime):
        return "days and time duration"
    if isinstance(value, YearsMonths):
        return "years and months duration"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "context"
    if isinstance(value, Range):
        return "range"
    if isinstance(value, Function):
        return "function"
    return type(value).__name__


def equal(a: Any, b: Any) -> bool | None:
    """FEEL's ``a = b``: null equals only null; values of different kinds give null."""
    if a is None or b is None:
        return a is None and b is None
    ka, kb = kind(a), kind(b)
    if ka != kb:
        return None
    if ka == "list":
        if len(a) != len(b):
            return False
        return _all_of(equal(x, y) for x, y in zip(a, b))
    if ka == "context":
        if set(a) != set(b):
            return False
        return _all_of(equal(a[k], b[k]) for k in a)
    if ka in ("date and time", "time"):
        if (_aware(a)) != (_aware(b)):
            return False
        return _to_second(temporal.compare_key(a)) == _to_second(temporal.compare_key(b))
    if ka == "function":
        return a is b
    return bool(a == b)


def _to_second(value: dt.datetime) -> dt.datetime:
    """Times are equal to the second (FEEL's value resolution; TCK 0068 time_005, datetime_003_a)."""
    return value.replace(microsecond=0)


def _aware(value: dt.time | dt.datetime) -> bool:
    return value.tzinfo is not None


def _all_of(results: Any) -> bool | None:
    seen_null = False
    for r in results:
        if r is False:
            return False
        if r is None:
            seen_null = True
    return None if seen_null else True


_ORDERED = ("number", "string", "date", "date and time", "time", "days and time duration", "years and months duration")


def compare(op: str, a: Any, b: Any) -> bool | None:
    """``a op b`` for ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` (null where FEEL gives null)."""
    if op in ("=", "!="):
        same = equal(a, b)
        return same if same is None or op == "=" else not same
    ka = kind(a)
    if a is None or b is None or ka != kind(b) or ka not in _ORDERED:
        return None
    if ka in ("date and time", "time"):
        if _aware(a) != _aware(b):
            return None
        a, b = temporal.compare_key(a), temporal.compare_key(b)
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def number_text(value: Decimal) -> str:
    """A number as FEEL writes it: plain decimal, no exponent, no trailing zeros after the point."""
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1)), "f") if abs(value) < Decimal("1e30") else format(value, "f")
    return format(value.normalize(NUMBERS), "f")


def string(value: Any) -> str | None:
    """FEEL's ``string()`` of a value (null for null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return temporal.show_date_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return temporal.show_time(value)
    if isinstance(value, (DaysTime, YearsMonths)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_quoted(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_quoted(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Range):
        return ("[" if value.low_closed else "(") + f"{_quoted(value.low)}..{_quoted(value.high)}" + \
            ("]" if value.high_closed else ")")
    return f"function {getattr(value, 'name', '')}"


def _quoted(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return string(value) or "null"


def decimal(value: float | int | str) -> Decimal | None:
    """A number as a FEEL number (None for NaN, infinities and text that is not a number)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return Decimal(repr(value))
    try:
        found = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return found if found.is_finite() else None


def from_python(value: Any) -> Any:
    """A Python value (a cell's, a test case's) as a FEEL value."""
    if value is None or isinstance(value, (bool, str, Decimal, DaysTime, YearsMonths, Range, Function)):
        return value
    if isinstance(value, (int, float)):
        return decimal(value)
    if isinstance(value, (dt.date, dt.time)):
        return value
    if isinstance(value, (list, tuple)):
        return [from_python(v) for v in value]
    if isinstance(value, dict):
        return {str(k): from_python(v) for k, v in value.items()}
    if hasattr(value, "item"):  # numpy scalars
        return from_python(value.item())
    return value


def to_python(value: Any) -> Any:
    """A FEEL value as plain Python: numbers as float (whole numbers too), durations as their ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [to_python(v) for v in value]
    if isinstance(value, dict):
        return {k: to_python(v) for k, v in value.items()}
    if isinstance(value, (DaysTime, YearsMonths)):
        return str(value)
    return value
