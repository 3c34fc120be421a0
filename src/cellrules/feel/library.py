"""FEEL's built-in functions, part two: lists and numbers.

Owns the list functions (``count``, ``sum``, ``sort``, ``index of``,
``list replace`` …) and the number functions (``decimal``, ``floor``,
``round half up``, ``modulo``, ``sqrt`` …). Dates, contexts, ranges and
properties are in :mod:`properties`.
"""
from __future__ import annotations

import functools
import statistics
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, \
    ROUND_UP, Decimal
from typing import Any

from cellrules.feel.builtins import builtin, invoke
from cellrules.feel.temporal import DaysTime, YearsMonths
from cellrules.feel.values import NUMBERS, Function, compare, equal


def _items(args: tuple[Any, ...]) -> list[Any] | None:
    """The list a variadic function works on: ``f([1, 2])`` or ``f(1, 2)``."""
    if len(args) == 1 and isinstance(args[0], list):
        return args[0]
    return list(args) if args else None


def _numbers(args: tuple[Any, ...]) -> list[Decimal] | None:
    items = _items(args)
    if items is None or not all(isinstance(v, Decimal) for v in items):
        return None
    return items


# -- lists --------------------------------------------------------------------------
@builtin("list contains", ("list", "element"))
def _list_contains(items: Any, element: Any) -> Any:
    return any(equal(v, element) is True for v in items) if isinstance(items, list) else None


@builtin("count", ("list",), variadic=True)
def _count(*args: Any) -> Any:
    items = _items(args)
    return None if items is None else Decimal(len(items))


def _extreme(args: tuple[Any, ...], op: str) -> Any:
    items = _items(args)
    if not items:
        return None
    best = items[0]
    for v in items[1:]:
        found = compare(op, v, best)
        if found is None:
            return None
        if found:
            best = v
    return best


@builtin("min", ("list",), variadic=True)
def _min(*args: Any) -> Any:
    return _extreme(args, "<")


@builtin("max", ("list",), variadic=True)
def _max(*args: Any) -> Any:
    return _extreme(args, ">")


@builtin("sum", ("list",), variadic=True)
def _sum(*args: Any) -> Any:
    items = _numbers(args)
    if not items:
        return None
    return functools.reduce(NUMBERS.add, items, Decimal(0))


@builtin("mean", ("list",), variadic=True)
def _mean(*args: Any) -> Any:
    items = _numbers(args)
    return NUMBERS.divide(_sum(items), Decimal(len(items))) if items else None


@builtin("product", ("list",), variadic=True)
def _product(*args: Any) -> Any:
    items = _numbers(args)
    return functools.reduce(NUMBERS.multiply, items, Decimal(1)) if items else None


@builtin("median", ("list",), variadic=True)
def _median(*args: Any) -> Any:
    items = _numbers(args)
    return statistics.median(items) if items else None


@builtin("stddev", ("list",), variadic=True)
def _stddev(*args: Any) -> Any:
    items = _numbers(args)
    return NUMBERS.sqrt(statistics.variance(items)) if items and len(items) > 1 else None


@builtin("mode", ("list",), variadic=True)
def _mode(*args: Any) -> Any:
    items = _numbers(args)
    if items is None:
        return None
    counts: dict[Decimal, int] = {}
    for v in items:
        counts[v] = counts.get(v, 0) + 1
    top = max(counts.values(), default=0)
    return sorted(v for v, c in counts.items() if c == top)


@builtin("all", ("list",), variadic=True)
def _all(*args: Any) -> Any:
    items = _items(args)
    if items is None or not all(isinstance(v, bool) or v is None for v in items):
        return None
    return False if False in items else (None if None in items else True)


@builtin("any", ("list",), variadic=True)
def _any(*args: Any) -> Any:
    items = _items(args)
    if items is None or not all(isinstance(v, bool) or v is None for v in items):
        return None
    return True if True in items else (None if None in items else False)


@builtin("sublist", ("list", "start position", "length?"))
def _sublist(items: Any, start: Any, length: Any = None) -> Any:
    if not isinstance(items, list) or not isinstance(start, Decimal) or start == 0:
        return None
    begin = int(start) - 1 if start > 0 else len(items) + int(start)
    if begin < 0 or begin >= len(items):
        return None
    return items[begin:] if length is None else items[begin:begin + int(length)]


@builtin("append", ("list", "item"), variadic=True)
def _append(items: Any, *more: Any) -> Any:
    return items + list(more) if isinstance(items, list) else None


@builtin("concatenate", ("list",), variadic=True)
def _concatenate(*lists: Any) -> Any:
    if not all(isinstance(v, list) for v in lists):
        return None
    return [v for items in lists for v in items]


@builtin("insert before", ("list", "position", "newItem"))
def _insert(items: Any, position: Any, item: Any) -> Any:
    if not isinstance(items, list) or not isinstance(position, Decimal) or position == 0 \
            or abs(position) > len(items):
        return None
    k = int(position) - 1 if position > 0 else len(items) + int(position)
    return items[:k] + [item] + items[k:]


@builtin("remove", ("list", "position"))
def _remove(items: Any, position: Any) -> Any:
    if not isinstance(items, list) or not isinstance(position, Decimal) or position == 0 \
            or abs(position) > len(items):
        return None
    k = int(position) - 1 if position > 0 else len(items) + int(position)
    return items[:k] + items[k + 1:]


@builtin("reverse", ("list",))
def _reverse(items: Any) -> Any:
    return list(reversed(items)) if isinstance(items, list) else None


@builtin("index of", ("list", "match"))
def _index_of(items: Any, match: Any) -> Any:
    return [Decimal(i + 1) for i, v in enumerate(items) if equal(v, match) is True] if isinstance(items, list) \
        else None


@builtin("distinct values", ("list",))
def _distinct(items: Any) -> Any:
    if not isinstance(items, list):
        return None
    out: list[Any] = []
    for v in items:
        if not any(equal(v, seen) is True for seen in out):
            out.append(v)
    return out


@builtin("union", ("list",), variadic=True)
def _union(*lists: Any) -> Any:
    joined = _concatenate(*lists)
    return None if joined is None else _distinct(joined)


@builtin("flatten", ("list",))
def _flatten(items: Any) -> Any:
    if not isinstance(items, list):
        return None
    out: list[Any] = []
    for v in items:
        out.extend(_flatten(v) if isinstance(v, list) else [v])
    return out


@builtin("sort", ("list", "precedes?"))
def _sort(items: Any, precedes: Any = None) -> Any:
    if not isinstance(items, list):
        return None
    if isinstance(precedes, Function):
        def order(a: Any, b: Any) -> int:
            return -1 if invoke(precedes, [a, b], None) is True else 1
        return sorted(items, key=functools.cmp_to_key(order))
    if any(compare("<", a, b) is None for a in items for b in items[:1]):
        return None
    return sorted(items, key=functools.cmp_to_key(lambda a, b: -1 if compare("<", a, b) else 1))


@builtin("list replace", ("list", "position", "newItem"), ("list", "match", "newItem"))
def _list_replace(items: Any, position: Any, item: Any) -> Any:
    if items is None:
        return None
    if not isinstance(items, list):
        items = [items]
    if isinstance(position, Function):
        matched = [invoke(position, [v, item], None) for v in items]
        if not all(isinstance(m, bool) for m in matched):
            return None
        return [item if m else v for v, m in zip(items, matched)]
    if not isinstance(position, Decimal) or position == 0 or abs(position) > len(items):
        return None
    k = int(position) - 1 if position > 0 else len(items) + int(position)
    return items[:k] + [item] + items[k + 1:]


# -- numbers --------------------------------------------------------------------------
def _rounded(value: Any, scale: Any, rounding: str) -> Any:
    if not isinstance(value, Decimal) or not isinstance(scale, Decimal) or not -6111 <= scale <= 6176:
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -int(scale):
        return value  # already no finer than the scale: nothing to round
    return value.quantize(Decimal(1).scaleb(-int(scale)), rounding=rounding, context=NUMBERS)


for _name, _mode_ in (("decimal", ROUND_HALF_EVEN), ("round up", ROUND_UP), ("round down", ROUND_DOWN),
                      ("round half up", ROUND_HALF_UP), ("round half down", ROUND_HALF_DOWN)):
    builtin(_name, ("n", "scale"))(functools.partial(lambda v, s, r: _rounded(v, s, r), r=_mode_))


@builtin("floor", ("n", "scale?"))
def _floor(value: Any, scale: Any = Decimal(0)) -> Any:
    return _rounded(value, scale, ROUND_FLOOR)


@builtin("ceiling", ("n", "scale?"))
def _ceiling(value: Any, scale: Any = Decimal(0)) -> Any:
    return _rounded(value, scale, ROUND_CEILING)


@builtin("abs", ("n",))
def _abs(value: Any) -> Any:
    if isinstance(value, Decimal):
        return abs(value)
    if isinstance(value, DaysTime):
        return DaysTime(abs(value.seconds))
    if isinstance(value, YearsMonths):
        return YearsMonths(abs(value.months))
    return None


@builtin("modulo", ("dividend", "divisor"))
def _modulo(a: Any, b: Any) -> Any:
    if not isinstance(a, Decimal) or not isinstance(b, Decimal) or b == 0:
        return None
    return NUMBERS.subtract(a, NUMBERS.multiply(b, NUMBERS.divide(a, b).to_integral_value(ROUND_FLOOR)))


@builtin("sqrt", ("number",))
def _sqrt(value: Any) -> Any:
    return NUMBERS.sqrt(value) if isinstance(value, Decimal) and value >= 0 else None


@builtin("log", ("number",))
def _log(value: Any) -> Any:
    return NUMBERS.ln(value) if isinstance(value, Decimal) and value > 0 else None


@builtin("exp", ("number",))
def _exp(value: Any) -> Any:
    return NUMBERS.exp(value) if isinstance(value, Decimal) else None


@builtin("odd", ("number",))
def _odd(value: Any) -> Any:
    return (value % 2 != 0) if isinstance(value, Decimal) and value == value.to_integral_value() else None


@builtin("even", ("number",))
def _even(value: Any) -> Any:
    return (value % 2 == 0) if isinstance(value, Decimal) and value == value.to_integral_value() else None
