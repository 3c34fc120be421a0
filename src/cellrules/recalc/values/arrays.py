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

Which arguments take a range as it is is each function's declaration
(:mod:`cellrules.recalc.values.signature`), not a table here.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.values.blocks import Block

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
            got = fn(*[_at(a, i, j) if on else a for a, on in zip(args, lifted)])
            out[i, j] = _at(got, i, j) if isinstance(got, Block) else got  # CHOOSE({1,2}, A1:B1, C1:D1) picks per place
    return Block(out)


def spread(value: Any, area: tuple[int, int, int, int]) -> dict[tuple[int, int], Any]:
    """The value of every cell of an array formula's range: a single value fills it, a row or column is
    repeated, cells beyond a smaller array are #N/A."""
    r1, c1, r2, c2 = area
    if not isinstance(value, Block):
        return {(r, c): value for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    return {(r, c): _one(_at(value, r - r1, c - c1)) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}


def _one(value: Any) -> Any:
    """A cell holds one value: an array met where a cell's value goes gives its top-left value."""
    while isinstance(value, Block):
        value = value.values[0, 0] if value.values.size else None
    return value
