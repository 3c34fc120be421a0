"""FEEL's built-in functions, part three: dates, contexts and ranges; what a value has and is.

Owns the calendar functions (``day of week``, ``today`` …), the context
functions (``get value``, ``context put``, ``context merge`` …), DMN 1.5's
``range()``, :func:`member` (``x.name``: a context's entry, a date's
``year``, a duration's ``days``, a range's ``start``) and
:func:`instance_of`.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
from decimal import Decimal
from typing import Any

from cellrules.feel import temporal
from cellrules.feel.ast import TypeRef
from cellrules.feel.builtins import FUNCTIONS, builtin, invoke
from cellrules.feel.temporal import DaysTime
from cellrules.feel.values import Function, Range, compare, decimal, kind

# -- calendar -------------------------------------------------------------------------------
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


@builtin("day of year", ("date",))
def _day_of_year(day: Any) -> Any:
    return Decimal(day.timetuple().tm_yday) if isinstance(day, dt.date) else None


@builtin("day of week", ("date",))
def _day_of_week(day: Any) -> Any:
    return _DAYS[day.weekday()] if isinstance(day, dt.date) else None


@builtin("month of year", ("date",))
def _month_of_year(day: Any) -> Any:
    return _MONTHS[day.month - 1] if isinstance(day, dt.date) else None


@builtin("week of year", ("date",))
def _week_of_year(day: Any) -> Any:
    return Decimal(day.isocalendar()[1]) if isinstance(day, dt.date) else None


@builtin("today")
def _today() -> Any:
    return dt.date.today()


@builtin("now")
def _now() -> Any:
    return dt.datetime.now(dt.timezone.utc)


# -- contexts -------------------------------------------------------------------------------
@builtin("get value", ("m", "key"))
def _get_value(context: Any, key: Any) -> Any:
    return context.get(key) if isinstance(context, dict) and isinstance(key, str) else None


@builtin("get entries", ("m",))
def _get_entries(context: Any) -> Any:
    return [{"key": k, "value": v} for k, v in context.items()] if isinstance(context, dict) else None


@builtin("context", ("entries",))
def _context(entries: Any) -> Any:
    if not isinstance(entries, list):
        entries = [entries]
    out: dict[str, Any] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) or "value" not in entry \
                or entry["key"] in out:
            return None
        out[entry["key"]] = entry["value"]
    return out


def _context_put(context: Any, key: Any, value: Any) -> Any:
    if not isinstance(context, dict):
        return None
    keys = key if isinstance(key, list) else [key]
    if not keys or not all(isinstance(k, str) for k in keys):
        return None
    if len(keys) == 1:
        return {**context, keys[0]: value}
    inner = context.get(keys[0])
    if not isinstance(inner, dict):
        return None
    nested = _context_put(inner, keys[1:], value)
    return None if nested is None else {**context, keys[0]: nested}


def _context_put_call(args: list[Any], named: dict[str, Any] | None) -> Any:
    """``context put``: a key (text) or keys (a list, a path into nested contexts); by name, ``key`` must be
    text and ``keys`` a list."""
    if named is not None:
        given = {" ".join(k.split()): v for k, v in named.items()}
        if set(given) not in ({"context", "key", "value"}, {"context", "keys", "value"}):
            return None
        if "key" in given and not isinstance(given["key"], str) or "keys" in given and \
                not isinstance(given["keys"], list):
            return None
        args = [given["context"], given.get("key", given.get("keys")), given["value"]]
    return _context_put(*args) if len(args) == 3 else None


FUNCTIONS["context put"] = Function("context put", ("context", "key", "value"), _context_put_call)


@builtin("context merge", ("contexts",))
def _context_merge(contexts: Any) -> Any:
    if isinstance(contexts, dict):
        contexts = [contexts]
    if not isinstance(contexts, list) or not all(isinstance(c, dict) for c in contexts):
        return None
    out: dict[str, Any] = {}
    for c in contexts:
        out.update(c)
    return out


# -- properties and types ----------------------------------------------------------------------
def member(value: Any, name: str) -> Any:
    """``value.name``: a context's entry, each list item's entry, or a temporal value's or range's property."""
    if isinstance(value, dict):
        return value.get(name)
    if isinstance(value, list):
        return [member(v, name) for v in value]
    getter = _PROPERTIES.get((kind(value), name))
    return getter(value) if getter else None


def _clock(value: DaysTime) -> dict[str, Decimal]:
    """A days-and-time duration's days, hours, minutes and seconds, each carrying its sign."""
    sign, total = (-1 if value.seconds < 0 else 1), abs(value.seconds)
    return {"days": Decimal(sign * int(total // 86400)), "hours": Decimal(sign * int(total % 86400 // 3600)),
            "minutes": Decimal(sign * int(total % 3600 // 60)), "seconds": sign * (total % 60)}


def _seconds(value: Any) -> Decimal:
    return Decimal(value.second) + Decimal(value.microsecond) / Decimal(1_000_000)


_PROPERTIES: dict[tuple[str, str], Any] = {
    **{(k, p): (lambda v, p=p: Decimal(getattr(v, p))) for k in ("date", "date and time")
       for p in ("year", "month", "day")},
    **{(k, "weekday"): (lambda v: Decimal(v.isoweekday())) for k in ("date", "date and time")},
    **{(k, p): (lambda v, p=p: Decimal(getattr(v, p))) for k in ("time", "date and time") for p in ("hour", "minute")},
    **{(k, "second"): _seconds for k in ("time", "date and time")},
    **{(k, "time offset"): temporal.time_offset for k in ("time", "date and time")},
    **{(k, "timezone"): temporal.timezone for k in ("time", "date and time")},
    **{("days and time duration", p): functools.partial(lambda v, p: _clock(v)[p], p=p)
       for p in ("days", "hours", "minutes", "seconds")},
    ("years and months duration", "years"): lambda v: Decimal(int(v.months / 12)),
    ("years and months duration", "months"): lambda v: Decimal(int(math.copysign(abs(v.months) % 12, v.months))),
    ("range", "start"): lambda v: v.low, ("range", "end"): lambda v: v.high,
    ("range", "start included"): lambda v: v.low_closed, ("range", "end included"): lambda v: v.high_closed,
}

_TYPES = {"number", "string", "boolean", "date", "time", "date and time", "days and time duration",
          "years and months duration", "list", "context", "range", "function"}


def instance_of(value: Any, type_ref: TypeRef, named: Any = None) -> bool:
    """FEEL's ``value instance of type`` for built-in types, ``list<…>``, ``context<…>``, ``range<…>`` and
    (through ``named(value, name)``) a model's item definitions."""
    name = type_ref.name
    if named is not None and name not in _TYPES | {"Any", "Null", "dayTimeDuration", "yearMonthDuration"}:
        return bool(named(value, name))
    if name == "Any":
        return value is not None
    if name == "Null":
        return value is None
    found = kind(value)
    if name == "list" and type_ref.args:
        return isinstance(value, list) and all(v is None or instance_of(v, type_ref.args[0], named)
                                               for v in value)
    if name == "context" and type_ref.keys:
        return isinstance(value, dict) and all(k in value and (value[k] is None or instance_of(value[k], t, named))
                                               for k, t in zip(type_ref.keys, type_ref.args))
    if name == "range" and type_ref.args:
        return isinstance(value, Range) and all(v is None or instance_of(v, type_ref.args[0], named)
                                                for v in (value.low, value.high))
    if name == "dayTimeDuration":
        name = "days and time duration"
    if name == "yearMonthDuration":
        name = "years and months duration"
    return found == name if name in _TYPES else False


def number_or_none(value: Any) -> Decimal | None:
    """A Python number as a FEEL number (None when it is not one)."""
    return decimal(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@builtin("range", ("from",))
def _range(text: Any) -> Any:
    """DMN 1.5's ``range("[1..10)")``: a range literal whose ends are literal values."""
    from cellrules.feel.parser import FeelSyntaxError, parse_expression
    from cellrules.feel.ast import Call, Interval, Literal, Name, Negate
    if not isinstance(text, str):
        return None
    try:
        node = parse_expression(text)
    except FeelSyntaxError:
        return None

    def end(part: Any) -> Any:
        if part is None:
            return None
        if isinstance(part, Literal):
            return part.value
        if isinstance(part, Negate) and isinstance(part.operand, Literal) and isinstance(part.operand.value, Decimal):
            return -part.operand.value
        if isinstance(part, Call) and isinstance(part.function, Name) and part.function.name in FUNCTIONS and \
                len(part.args) == 1 and isinstance(part.args[0], Literal) and isinstance(part.args[0].value, str):
            return invoke(FUNCTIONS[part.function.name], [part.args[0].value], None)
        raise ValueError("a range literal's ends must be values")
    if not isinstance(node, Interval):
        return None
    low, high = end(node.low), end(node.high)
    if low is None and high is None or low is not None and high is not None and kind(low) != kind(high):
        return None
    if low is not None and high is not None and compare(">", low, high) is not False:
        return None  # a range runs upwards
    return Range(low, high, node.low_closed, node.high_closed)
