"""Array semantics: which arguments take ranges, implicit intersection, and element-wise lifting.

Owns Excel's two ways of meeting a range where one value is expected:

- in an ordinary formula, **implicit intersection**: a one-column range
  gives its cell in the formula's row, a one-row range its cell in the
  formula's column (``=A:A&"/"&B:B`` reads its own row); a computed array
  gives its top-left value; anything else is #VALUE!;
- in an array formula (``{=…}``, or a dynamic-array formula Excel saved as
  one), **lifting**: the operator or function is applied element by element
  and the result is an array (``{=SUM(IF(A1:A9>5, B1:B9))}``), with Excel's
  broadcasting (a single row or column is repeated; outside a shorter array
  the element is #N/A).

:data:`RANGE_ARGS` says, per function, which argument positions accept a
range as it is (aggregates, lookups, criteria ranges …); every other
argument expects one value.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.values.blocks import Block

ALL = frozenset({-1})  # every position
_EVEN = "even"  # positions 0, 2, 4, … (criteria ranges of COUNTIFS)
_SUMIFS = "sumifs"  # position 0 and the odd positions after it… (sum range, then range/criterion pairs)

RANGE_ARGS: dict[str, Any] = {name: ALL for name in (
    "SUM", "AVERAGE", "MIN", "MAX", "COUNT", "COUNTA", "AND", "OR", "XOR", "PRODUCT", "SUMSQ", "SUMPRODUCT",
    "MMULT", "MDETERM", "MINVERSE", "TRANSPOSE", "MEDIAN", "MODE", "MODE.SNGL", "STDEV", "STDEVP", "STDEV.S",
    "STDEV.P", "VAR", "VARP", "VAR.S", "VAR.P", "AVERAGEA", "MAXA", "MINA", "STDEVA", "VARA", "GEOMEAN", "GCD",
    "LCM", "CONCAT", "TEXTJOIN", "ROWS", "COLUMNS", "CHOOSECOLS", "CHOOSEROWS", "COUNTBLANK", "SLOPE",
    "INTERCEPT", "CORREL", "PEARSON", "RSQ", "LINEST", "TREND", "GROWTH", "IRR", "XNPV", "XIRR", "N", "T",
    "TYPE", "ISREF", "SUBTOTAL", "AGGREGATE", "INDEX", "XLOOKUP", "LOOKUP", "MAXIFS", "MINIFS")}
RANGE_ARGS.update({
    "VLOOKUP": {1}, "HLOOKUP": {1}, "MATCH": {1}, "RANK": {1}, "RANK.EQ": {1}, "RANK.AVG": {1},
    "COUNTIF": {0}, "SUMIF": {0, 2}, "AVERAGEIF": {0, 2}, "COUNTIFS": _EVEN, "SUMIFS": _SUMIFS,
    "AVERAGEIFS": _SUMIFS, "LARGE": {0}, "SMALL": {0}, "PERCENTILE": {0}, "PERCENTILE.INC": {0},
    "PERCENTILE.EXC": {0}, "QUARTILE": {0}, "QUARTILE.INC": {0}, "QUARTILE.EXC": {0}, "FORECAST": {1, 2},
    "FORECAST.LINEAR": {1, 2}, "NETWORKDAYS": {2}, "WORKDAY": {2}, "NPV": "rest", "CHOOSE": "rest"})


#: functions whose parameters are arrays: their arguments are evaluated with array semantics even in an
#: ordinary formula (=SUMPRODUCT((A1:A9="x")*B1:B9) needs no Ctrl+Shift+Enter)
ARRAY_TYPED = {"SUMPRODUCT", "MMULT", "MDETERM", "MINVERSE", "TRANSPOSE", "LINEST", "TREND", "GROWTH", "LOOKUP"}
#: functions that look at an error rather than pass it on
KEEPS_ERRORS = {"IFERROR", "IFNA", "ISERROR", "ISERR", "ISNA", "ISBLANK", "ISNUMBER", "ISTEXT", "ISLOGICAL",
                "ISNONTEXT", "ERROR.TYPE", "TYPE", "COUNT", "COUNTA", "COUNTBLANK", "AGGREGATE", "CHOOSE", "IF",
                "IFS", "SWITCH"}


def takes_range(name: str, position: int) -> bool:
    """Whether argument ``position`` of Excel function ``name`` takes a range as it is (no lifting over arrays)."""
    spec = RANGE_ARGS.get(name)
    if spec is None:
        return False
    if spec is ALL:
        return True
    if spec == _EVEN:
        return position % 2 == 0
    if spec == _SUMIFS:
        return position == 0 or position % 2 == 1
    if spec == "rest":
        return position >= 1
    return position in spec


def intersect(value: Any, row: int, col: int) -> Any:
    """The one value an ordinary formula in (row, col) reads from ``value``."""
    if not isinstance(value, Block):
        return value
    grid = value.values
    if grid.size == 0:
        return None
    if value.origin is None or grid.shape == (1, 1):
        return grid[0, 0]
    r1, c1 = value.origin
    rows, cols = grid.shape
    if cols == 1 and r1 <= row < r1 + rows:
        return grid[row - r1, 0]
    if rows == 1 and c1 <= col < c1 + cols:
        return grid[0, col - c1]
    return ExcelError("#VALUE!", "the range does not meet the formula's row or column")


def _shape(values: list[Any]) -> tuple[int, int]:
    rows = max((v.values.shape[0] for v in values if isinstance(v, Block)), default=1)
    cols = max((v.values.shape[1] for v in values if isinstance(v, Block)), default=1)
    return rows, cols  # the used part: lifting over whole columns stops where their cells stop


def _at(value: Any, i: int, j: int) -> Any:
    if not isinstance(value, Block):
        return value
    grid = value.values
    rows, cols = value.full
    r = 0 if rows == 1 else i
    c = 0 if cols == 1 else j
    if r >= rows or c >= cols:
        return ExcelError("#N/A", "outside the smaller array")
    return grid[r, c] if r < grid.shape[0] and c < grid.shape[1] else None  # past the used cells: blank


def lift(fn: Callable[..., Any], args: list[Any], lifted: list[bool]) -> Any:
    """``fn`` applied element by element over the arguments marked in ``lifted`` that are arrays."""
    arrays = [a for a, on in zip(args, lifted) if on and isinstance(a, Block)]
    if not arrays:
        return fn(*args)
    rows, cols = _shape(arrays)
    out = np.empty((rows, cols), dtype=object)
    for i in range(rows):
        for j in range(cols):
            out[i, j] = fn(*[_at(a, i, j) if on else a for a, on in zip(args, lifted)])
    return Block(out)


def spread(value: Any, area: tuple[int, int, int, int]) -> dict[tuple[int, int], Any]:
    """The value of every cell of an array formula's range: a single value fills it, a row or column is
    repeated, cells beyond a smaller array are #N/A."""
    r1, c1, r2, c2 = area
    if not isinstance(value, Block):
        return {(r, c): value for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    return {(r, c): _at(value, r - r1, c - c1) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
