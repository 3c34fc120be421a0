"""Numeric fast paths of the columnar evaluator.

Owns the cases where a whole column can be computed by numpy instead of row
by row: arithmetic and comparison between columns (or a column and a
constant) that hold only numbers, and IF over a column of TRUE/FALSE.
Anything else — text, blanks, error values, division by zero — returns None
and the row-by-row path (Excel's full rules) is used.
"""
from __future__ import annotations

from typing import Any

import numpy as np

_ARITH = {"+": np.add, "-": np.subtract, "*": np.multiply}
_COMPARE = {"=": np.equal, "<>": np.not_equal, "<": np.less, ">": np.greater, "<=": np.less_equal,
            ">=": np.greater_equal}


def numbers(value: Any) -> np.ndarray | float | None:
    """A column of plain numbers as float64, a number as float; anything else None."""
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            return None
        items = value.tolist()
        if items and all(type(v) is float for v in items):
            return np.asarray(items, dtype=float)
        return None
    if type(value) in (float, int):
        return float(value)
    return None


def binary(op: str, left: Any, right: Any) -> np.ndarray | None:
    if op not in _ARITH and op not in _COMPARE and op != "/":
        return None
    a, b = numbers(left), numbers(right)
    if a is None or b is None or not (isinstance(a, np.ndarray) or isinstance(b, np.ndarray)):
        return None
    if op == "/":
        if np.any(np.asarray(b) == 0):
            return None
        result = np.divide(a, b)
    elif op in _ARITH:
        result = _ARITH[op](a, b)
    else:
        return _COMPARE[op](a, b).astype(object)
    if not np.all(np.isfinite(result)):
        return None
    return np.asarray(result, dtype=float).astype(object)


def if_column(cond: Any, then: Any, other: Any) -> np.ndarray | None:
    if not isinstance(cond, np.ndarray) or cond.ndim != 1:
        return None
    items = cond.tolist()
    if not all(type(v) is bool for v in items):
        return None
    mask = np.asarray(items, dtype=bool)
    out = np.empty(len(items), dtype=object)
    out[:] = other if not isinstance(other, np.ndarray) else other
    chosen = then if isinstance(then, np.ndarray) else np.full(len(items), then, dtype=object)
    out[mask] = chosen[mask]
    return out
