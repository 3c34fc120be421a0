"""Numeric fast paths of the columnar evaluator.

Owns the cases where a whole column can be computed by numpy instead of row
by row: arithmetic and comparison between columns (or a column and a
constant) that hold only numbers, and IF over a column of TRUE/FALSE.
Anything else — text, blanks, error values, division by zero — returns None
and the row-by-row path (Excel's full rules) is used.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from cellrules.recalc.formula.parser import Binary, Lit, Node, Ref, Unary

_ARITH = {"+": np.add, "-": np.subtract, "*": np.multiply}
_COMPARE = {"=": np.equal, "<>": np.not_equal, "<": np.less, ">": np.greater, "<=": np.less_equal,
            ">=": np.greater_equal}


def numbers(value: Any) -> np.ndarray | float | None:
    """A column of plain numbers as float64, a number as float; anything else None."""
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            return None
        items = value.tolist()
        if items and set(map(type, items)) == {float}:
            return np.asarray(items, dtype=float)
        return None
    if type(value) in (float, int):
        return float(value)
    return None


def binary(op: str, left: Any, right: Any) -> np.ndarray | None:
    """An arithmetic or comparison operator on whole float columns, or None where Excel's cell rules must apply."""
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
    """IF over whole columns when the condition is a boolean column, or None."""
    if not isinstance(cond, np.ndarray) or cond.ndim != 1:
        return None
    items = cond.tolist()
    if set(map(type, items)) != {bool}:
        return None
    mask = np.asarray(items, dtype=bool)
    out = np.empty(len(items), dtype=object)
    out[:] = other if not isinstance(other, np.ndarray) else other
    chosen = then if isinstance(then, np.ndarray) else np.full(len(items), then, dtype=object)
    out[mask] = chosen[mask]
    return out


#: functions of single numbers computed column-wise when every argument is a cell reference or a number
CELLWISE: dict[str, np.ufunc] = {"MIN": np.minimum, "MAX": np.maximum, "SUM": np.add}


def cellwise(name: str, nodes: Sequence[Node], evaluate: Callable[[Node], Any]) -> np.ndarray | None:
    """MIN/MAX/SUM of single cells and numbers (MIN(F2, 100000)) for a whole column, when every cell read
    holds a number; None otherwise (blanks, text, ranges, other sheets: Excel's full rules apply)."""
    if not nodes or not all(_cell_arithmetic(n) for n in nodes):
        return None
    values = [numbers(evaluate(n)) for n in nodes]
    known = [v for v in values if v is not None]
    if len(known) < len(values) or not any(isinstance(v, np.ndarray) for v in known):
        return None
    result = CELLWISE[name].reduce(np.stack(np.broadcast_arrays(*known)), axis=0)
    return np.asarray(result, dtype=float).astype(object) if np.all(np.isfinite(result)) else None


def _cell_arithmetic(node: Node) -> bool:
    """Cells of this sheet and numbers combined by operators only: evaluating it twice costs time, nothing else."""
    if isinstance(node, Ref):
        return not node.sheet
    if isinstance(node, Lit):
        return type(node.value) in (float, int)
    if isinstance(node, Binary):
        return node.op in _ARITH and _cell_arithmetic(node.left) and _cell_arithmetic(node.right)
    if isinstance(node, Unary):
        return node.op == "-" and _cell_arithmetic(node.arg)
    return False


def by_text(fn: Callable[..., Any], op: str, args: tuple[Any, ...]) -> np.ndarray | None:
    """An operator between one column of text (and blanks) and constants, worked out once per distinct text
    (G2="new" down 100,000 rows is two comparisons); None for any other shape."""
    columns = [i for i, a in enumerate(args) if isinstance(a, np.ndarray)]
    if len(columns) != 1 or args[columns[0]].ndim != 1:
        return None
    at = columns[0]
    items = args[at].tolist()
    if len(items) < 64 or not set(map(type, items)) <= {str, type(None)}:
        return None
    answers: dict[str | None, Any] = {}
    for v in set(items):
        answers[v] = fn(op, *[v if i == at else a for i, a in enumerate(args)])
    out = np.empty(len(items), dtype=object)
    out[:] = [answers[v] for v in items]
    return out
