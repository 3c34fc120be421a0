"""Excel's dynamic-array functions: results that spill.

Owns the random numbers (RAND, RANDBETWEEN, RANDARRAY), SEQUENCE, SORT, SORTBY, UNIQUE, FILTER, XMATCH, TAKE, DROP, HSTACK, VSTACK, TOCOL, TOROW, WRAPROWS,
WRAPCOLS and EXPAND. Each returns a :class:`Block` (a computed array: a dynamic-array formula spills it over
its range, an ordinary formula shows its top-left value), with Excel's errors: #CALC! for an empty result,
#VALUE! for arrays that do not fit.
"""
from __future__ import annotations

import functools
import math
import random
from typing import Any

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.excel.lookups import searched
from cellrules.recalc.values.blocks import Block
from cellrules.recalc.values.scalars import compare, err, truth
from cellrules.recalc.values.signature import excel


def _grid(value: Any) -> np.ndarray:
    if isinstance(value, Block):
        return value.values
    return np.array([[value]], dtype=object)


def _block(grid: np.ndarray) -> Any:
    if grid.size == 0:
        return err("#CALC!", "the result is an empty array")
    return Block(grid.astype(object))


@excel("number", "number", "number", "number")
def SEQUENCE(rows: float, cols: float = 1.0, start: float = 1.0, step: float = 1.0) -> Any:
    """Excel's SEQUENCE(rows, [columns], [start], [step]): a grid of numbers counting up by step, row by row."""
    r, c = math.trunc(rows), math.trunc(cols)
    if r < 1 or c < 1:
        return err("#CALC!", "SEQUENCE of no rows or columns")
    if r * c > 1_048_576 * 16_384:
        return err("#NUM!", "SEQUENCE larger than a sheet")
    return Block((start + step * np.arange(r * c, dtype=float)).reshape(r, c).astype(object))


def _cmp(a: Any, b: Any) -> int:
    if a is None and b is None:
        return 0
    if a is None or b is None:
        return 1 if a is None else -1  # blanks last
    if compare(a, b, "<") is True:
        return -1
    return 1 if compare(a, b, ">") is True else 0


def order_rows(keys: list[list[Any]], orders: list[int]) -> list[int]:
    """The positions of the rows sorted by each key in turn (1 ascending, -1 descending; blanks last), as
    SORT and SORTBY order them (stable)."""
    def by(i: int, j: int) -> int:
        for key, o in zip(keys, orders):
            c = _cmp(key[i], key[j])
            if c:
                return c * o
        return 0
    return sorted(range(len(keys[0])), key=functools.cmp_to_key(by))


@excel("range", "number", "number", "logical")
def SORT(array: Any, index: float = 1.0, order: float = 1.0, by_col: bool = False) -> Any:
    """Excel's SORT(array, [sort_index], [sort_order], [by_col]): the rows (or columns) sorted by one of them."""
    grid = _grid(array)
    g = grid.T if by_col else grid
    k, o = math.trunc(index), math.trunc(order)
    if not 1 <= k <= g.shape[1] or o not in (1, -1):
        return err("#VALUE!", "sort_index outside the array or sort_order not 1 or -1")
    rows = order_rows([g[:, k - 1].tolist()], [o])
    out = g[rows]
    return _block(out.T if by_col else out)


@excel("range", rest=("range", "number"))
def SORTBY(array: Any, *pairs: Any) -> Any:
    """Excel's SORTBY(array, by_array1, [sort_order1], …): rows sorted by other arrays of the same height."""
    grid = _grid(array)
    keys, orders = [], []
    for i in range(0, len(pairs), 2):
        key = _grid(pairs[i]).ravel().tolist()
        o = math.trunc(pairs[i + 1]) if i + 1 < len(pairs) and pairs[i + 1] is not None else 1
        if len(key) != grid.shape[0] or o not in (1, -1):
            return err("#VALUE!", "a by_array differs in size from the array, or an order is not 1 or -1")
        keys.append(key)
        orders.append(o)
    return _block(grid[order_rows(keys, orders)])


def _row_key(row: list[Any]) -> tuple:
    return tuple(v.casefold() if isinstance(v, str) else ("", v) if v is None else v for v in row)


@excel("range", "logical", "logical")
def UNIQUE(array: Any, by_col: bool = False, exactly_once: bool = False) -> Any:
    """Excel's UNIQUE(array, [by_col], [exactly_once]): the distinct rows (or columns), in first-seen order."""
    grid = _grid(array)
    g = grid.T if by_col else grid
    counts: dict[tuple, int] = {}
    first: dict[tuple, int] = {}
    for i, row in enumerate(g.tolist()):
        key = _row_key(row)
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, i)
    keep = [i for key, i in first.items() if not exactly_once or counts[key] == 1]
    out = g[sorted(keep)]
    return _block(out.T if by_col else out)


@excel("range", "array", "any")
def FILTER(array: Any, include: Any, if_empty: Any = None) -> Any:
    """Excel's FILTER(array, include, [if_empty]): the rows (or columns) whose include value is TRUE."""
    grid, mask = _grid(array), _grid(include)
    flags = []
    for v in mask.ravel().tolist():
        t = truth(v)
        if isinstance(t, ExcelError):
            return t
        flags.append(t)
    if mask.shape[0] == grid.shape[0] and mask.shape[1] == 1:
        out = grid[np.array(flags, dtype=bool)]
    elif mask.shape[1] == grid.shape[1] and mask.shape[0] == 1:
        out = grid[:, np.array(flags, dtype=bool)]
    else:
        return err("#VALUE!", "include must be one column as tall as the array, or one row as wide")
    if out.size == 0:
        return err("#CALC!", "FILTER found nothing") if if_empty is None else if_empty
    return Block(out)


@excel("value", "range", "number", "number")
def XMATCH(value: Any, array: Any, mode: float = 0.0, search: float = 1.0) -> Any:
    """Excel's XMATCH(lookup_value, lookup_array, [match_mode], [search_mode]): the position of a match."""
    cells = _grid(array).ravel().tolist()
    m, s = math.trunc(mode), math.trunc(search)
    if m not in (-1, 0, 1, 2) or s not in (-2, -1, 1, 2):
        return err("#VALUE!", "match_mode must be -1, 0, 1 or 2 and search_mode ±1 or ±2")
    pos = searched(cells, value, m, s)
    if isinstance(pos, ExcelError):
        return pos
    return err("#N/A", "no match") if pos is None else float(pos + 1)


def _count(value: Any, size: int) -> int:
    return size if value is None else math.trunc(value)


@excel("range", "value", "value")
def TAKE(array: Any, rows: Any, cols: Any = None) -> Any:
    """Excel's TAKE(array, rows, [columns]): rows (negative: from the end) and columns kept."""
    grid = _grid(array)
    r, c = _count(rows, grid.shape[0]), _count(cols, grid.shape[1])
    if r == 0 or c == 0:
        return err("#CALC!", "TAKE of no rows or columns")
    out = grid[:r] if r > 0 else grid[r:]
    return _block(out[:, :c] if c > 0 else out[:, c:])


@excel("range", "value", "value")
def DROP(array: Any, rows: Any, cols: Any = None) -> Any:
    """Excel's DROP(array, rows, [columns]): rows (negative: from the end) and columns left out."""
    grid = _grid(array)
    r, c = _count(rows, 0), _count(cols, 0)
    out = grid[r:] if r >= 0 else grid[:r]
    return _block(out[:, c:] if c >= 0 else out[:, :c])


def _stack(arrays: tuple[Any, ...], axis: int) -> Any:
    grids = [_grid(a) for a in arrays]
    size = max(g.shape[1 - axis] for g in grids)
    padded = []
    for g in grids:
        if g.shape[1 - axis] < size:
            shape = (g.shape[0], size - g.shape[1]) if axis == 1 else (size - g.shape[0], g.shape[1])
            filler = np.full(shape if axis == 0 else (size - g.shape[0], g.shape[1]), None, dtype=object)
            filler[:] = ExcelError("#N/A", "outside a smaller array")
            g = np.concatenate([g, filler], axis=1 - axis)
        padded.append(g)
    return _block(np.concatenate(padded, axis=axis))


@excel(rest="range")
def VSTACK(*arrays: Any) -> Any:
    """Excel's VSTACK(array1, …): arrays one under another (narrower ones padded with #N/A)."""
    return _stack(arrays, 0)


@excel(rest="range")
def HSTACK(*arrays: Any) -> Any:
    """Excel's HSTACK(array1, …): arrays side by side (shorter ones padded with #N/A)."""
    return _stack(arrays, 1)


def _flatten(array: Any, ignore: float, by_col: bool) -> list[Any] | ExcelError:
    grid = _grid(array)
    cells = (grid.T if by_col else grid).ravel().tolist()
    k = math.trunc(ignore)
    if k not in (0, 1, 2, 3):
        return err("#VALUE!", "ignore must be 0..3")
    return [v for v in cells if not (k in (1, 3) and v is None) and not (k in (2, 3) and isinstance(v, ExcelError))]


@excel("range", "number", "logical")
def TOCOL(array: Any, ignore: float = 0.0, by_col: bool = False) -> Any:
    """Excel's TOCOL(array, [ignore], [scan_by_column]): the array as one column."""
    cells = _flatten(array, ignore, by_col)
    return cells if isinstance(cells, ExcelError) else _block(np.array(cells, dtype=object).reshape(-1, 1))


@excel("range", "number", "logical")
def TOROW(array: Any, ignore: float = 0.0, by_col: bool = False) -> Any:
    """Excel's TOROW(array, [ignore], [scan_by_column]): the array as one row."""
    cells = _flatten(array, ignore, by_col)
    return cells if isinstance(cells, ExcelError) else _block(np.array(cells, dtype=object).reshape(1, -1))


def _wrap(vector: Any, count: float, pad: Any, by_rows: bool) -> Any:
    grid = _grid(vector)
    if grid.shape[0] != 1 and grid.shape[1] != 1:
        return err("#VALUE!", "the vector must be one row or one column")
    k = math.trunc(count)
    if k < 1:
        return err("#NUM!", "wrap_count must be at least 1")
    cells = grid.ravel().tolist()
    lines = math.ceil(len(cells) / k)
    filler = ExcelError("#N/A", "past the vector's end") if pad is None else pad
    cells += [filler] * (lines * k - len(cells))
    out = np.array(cells, dtype=object).reshape(lines, k)
    return _block(out if by_rows else out.T)


@excel("range", "number", "any")
def WRAPROWS(vector: Any, count: float, pad: Any = None) -> Any:
    """Excel's WRAPROWS(vector, wrap_count, [pad_with]): a vector wrapped into rows."""
    return _wrap(vector, count, pad, True)


@excel("range", "number", "any")
def WRAPCOLS(vector: Any, count: float, pad: Any = None) -> Any:
    """Excel's WRAPCOLS(vector, wrap_count, [pad_with]): a vector wrapped into columns."""
    return _wrap(vector, count, pad, False)


@excel("range", "value", "value", "any")
def EXPAND(array: Any, rows: Any, cols: Any = None, pad: Any = None) -> Any:
    """Excel's EXPAND(array, rows, [columns], [pad_with]): the array grown to a size, padded."""
    grid = _grid(array)
    r, c = _count(rows, grid.shape[0]), _count(cols, grid.shape[1])
    if r < grid.shape[0] or c < grid.shape[1]:
        return err("#VALUE!", "EXPAND cannot shrink an array")
    out = np.empty((r, c), dtype=object)
    out[:] = ExcelError("#N/A", "padding") if pad is None else pad
    out[:grid.shape[0], :grid.shape[1]] = grid
    return Block(out)


@excel()
def RAND() -> Any:
    """Excel's RAND(): a random number in [0, 1)."""
    return random.random()


@excel("number", "number", toolpak=True)
def RANDBETWEEN(low: float, high: float) -> Any:
    """Excel's RANDBETWEEN(low, high): a random integer in [low, high]."""
    a, b = math.ceil(low), math.floor(high)
    return err("#NUM!", "RANDBETWEEN bottom is above top") if a > b else float(random.randint(a, b))


@excel("number", "number", "number", "number", "logical")
def RANDARRAY(rows: float = 1.0, cols: float = 1.0, low: float = 0.0, high: float = 1.0,
              whole: bool = False) -> Any:
    """Excel's RANDARRAY([rows], [columns], [min], [max], [integer]): an array of random numbers."""
    r, c = math.trunc(rows), math.trunc(cols)
    if r < 1 or c < 1 or low > high:
        return err("#VALUE!", "RANDARRAY needs rows and columns ≥ 1 and min ≤ max")
    cells = [float(random.randint(math.ceil(low), math.floor(high))) if whole else random.uniform(low, high)
             for _ in range(r * c)]
    return Block(np.array(cells, dtype=object).reshape(r, c))
