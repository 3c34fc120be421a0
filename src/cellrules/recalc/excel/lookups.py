"""Excel's lookup functions: VLOOKUP, HLOOKUP, XLOOKUP, INDEX, MATCH.

Owns exact and approximate matching over ranges; an exact match over a fixed
range builds its index once (cached on the block), so a column of lookups
costs one pass over the table.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.values.blocks import Block, wildcard
from cellrules.recalc.values.scalars import compare, err, num, ok, text, truth
from cellrules.recalc.values.signature import excel

def _key(v: Any) -> Any:
    if isinstance(v, str):
        return ("s", v.casefold())
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, (int, float)):
        return ("n", float(v))
    return ("x", v)


def _exact_index(block: Block, line: tuple[str, int]) -> dict[Any, int]:
    index = block.cache.get(line)
    if index is None:
        axis, k = line
        cells = (block.values[:, k] if axis == "col" else block.values[k, :]).tolist()
        index = {}
        for i, v in enumerate(cells):
            if v is not None:
                index.setdefault(_key(v), i)
        block.cache[line] = index
    return index


def _approx(cells: list[Any], value: Any, cache: dict | None = None, line: tuple = ()) -> int | None:
    """Excel's approximate match on ascending data: the last position whose value <= value, among the cells of
    the value's own type (text never matches a number, nor a number text; blanks are passed over). ``cache``
    (a block's) keeps those positions per line and type, so a column of lookups searches in log time."""
    kind = _key(value)[0]
    at = cache.get(("typed", *line, kind)) if cache is not None else None
    if at is None:
        at = [i for i, v in enumerate(cells) if v is not None and _key(v)[0] == kind]
        if cache is not None:
            cache[("typed", *line, kind)] = at
    lo, hi, found = 0, len(at) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if compare(cells[at[mid]], value, "<=") is True:
            found, lo = at[mid], mid + 1
        else:
            hi = mid - 1
    return found


def _lookup(value: Any, block: Any, index: Any, approx: Any, axis: str) -> Any:
    if not isinstance(block, Block):
        return err("#VALUE!", "the table must be a range")
    k = num(index)
    if isinstance(k, ExcelError):
        return k
    k = int(k)
    width = block.shape[1] if axis == "col" else block.shape[0]
    if k < 1:
        return err("#VALUE!", "the column number must be at least 1")
    if k > width:
        return err("#REF!", "the column number is beyond the table")
    exact = approx is not None and not (truth(approx) is True)
    if exact:
        pos = _exact_index(block, (axis, 0)).get(_key(value))
    else:
        cells = block.cache.get(("line", axis))
        if cells is None:
            cells = block.cache[("line", axis)] = (block.values[:, 0] if axis == "col" else block.values[0, :]).tolist()
        pos = _approx(cells, value, block.cache, (axis,))
    if pos is None:
        return err("#N/A", f"{text(value)} not found")
    cell = block.values[pos, k - 1] if axis == "col" else block.values[k - 1, pos]
    return 0.0 if cell is None else cell


@excel("value", "range", "value", "value")
def VLOOKUP(value: Any, block: Any, col: Any, approx: Any = True) -> Any:
    """Excel's VLOOKUP(value, table, col, [approximate]): the value in column ``col`` of the row where ``value`` is
    found."""
    return _lookup(value, block, col, approx, "col")


@excel("value", "range", "value", "value")
def HLOOKUP(value: Any, block: Any, row: Any, approx: Any = True) -> Any:
    """Excel's HLOOKUP(value, table, row, [approximate]): the value in row ``row`` of the column where ``value`` is
    found."""
    return _lookup(value, block, row, approx, "row")


def _line(block: Any) -> tuple[list[Any], str] | ExcelError:
    if not isinstance(block, Block):
        return err("#VALUE!", "a lookup range must be a range")
    rows, cols = block.shape
    if rows != 1 and cols != 1:
        return err("#N/A", "a lookup range must be one row or one column")
    return block.flat(), ("col" if cols == 1 else "row")


@excel("value", "range", "number")
def MATCH(value: Any, block: Any, mode: float = 1.0) -> Any:
    """Excel's MATCH(value, range, [type]): the position of ``value`` (exact with 0, else in a sorted range)."""
    line = _line(block)
    if isinstance(line, ExcelError):
        return line
    cells, axis = line
    if mode == 0:
        pos = _exact_index(block, (axis, 0)).get(_key(value))
        if pos is None and isinstance(value, str) and any(ch in value for ch in "*?"):
            pattern = wildcard(value)
            pos = next((i for i, v in enumerate(cells) if isinstance(v, str) and pattern.match(v)), None)
    elif mode > 0:
        pos = _approx(cells, value, block.cache, ("match", axis))
    else:
        # descending data: the smallest value >= lookup is the last one that is >= it
        pos = next((i for i in range(len(cells) - 1, -1, -1)
                    if cells[i] is not None and compare(cells[i], value, ">=") is True), None)
    return err("#N/A", f"{text(value)} not found") if pos is None else float(pos + 1)


@excel("areas", "number", "value", "value")
def INDEX(block: Any, row: float, col: Any = None, area: Any = None) -> Any:
    """Excel's INDEX(array, row_num, [column_num], [area_num]): the value at a position of a range or an array
    (of the area_num-th area of a union such as (A1:B2,D1:E2)); a row_num or column_num of 0 (or left empty)
    gives the whole column or row."""
    if isinstance(block, ExcelError):
        return block
    if not isinstance(block, Block):  # an array a function made (ROW(A1:A3)), or one value
        grid = np.asarray(block, dtype=object)
        block = Block(grid.reshape(-1, 1) if grid.ndim == 1 else grid.reshape(grid.shape or (1, 1)))
    which = num(area) if area is not None else 1.0
    if isinstance(which, ExcelError):
        return which
    areas = block.areas or (block,)
    if not 1 <= which < len(areas) + 1:
        return err("#REF!", f"INDEX's area_num {which:g} names no area (the reference has {len(areas)})")
    block = areas[int(which) - 1]
    got = ok(row, (num(col) if col is not None else 1.0 if block.full[1] == 1 else 0.0))
    if isinstance(got, ExcelError):
        return got
    r, c = int(got[0]), int(got[1])  # fractions are cut, as Excel cuts them
    if r < 0 or c < 0:
        return err("#VALUE!", "INDEX's row and column numbers are 0 or more")
    rows, cols = block.full
    if rows == 1 and col is None:
        r, c = 1, r  # one row: the number given picks its column
    if r > rows or c > cols:
        return err("#REF!", "INDEX is outside the range")
    return _part(block, r, c)


def _part(block: Block, r: int, c: int) -> Any:
    """Row r, column c of a block (1-based; 0: all of them), blanks as 0 when one cell is picked."""
    if r and c:
        inside = r <= block.shape[0] and c <= block.shape[1]
        cell = block.values[r - 1, c - 1] if inside else None
        return 0.0 if cell is None else cell
    values = block.values[:, c - 1:c] if c else block.values[r - 1:r, :] if r else block.values
    origin = None if block.origin is None else (block.origin[0] + max(r - 1, 0), block.origin[1] + max(c - 1, 0))
    return Block(values, origin)


def nearest(cells: list[Any], value: Any, mode: float, order: range,
            test: Callable[[Any], bool] | None = None) -> int | None:
    """XLOOKUP's and XMATCH's search in ``order``: the first cell equal to ``value`` (or passing ``test``, a
    wildcard criterion); failing that, with mode -1 the largest smaller cell, with 1 the smallest larger one."""
    best = None
    for i in order:
        v = cells[i]
        if v is None:
            continue
        if test(v) if test else compare(v, value, "=") is True:
            return i
        if mode == -1 and compare(v, value, "<") is True and (best is None or compare(v, cells[best], ">") is True):
            best = i
        if mode == 1 and compare(v, value, ">") is True and (best is None or compare(v, cells[best], "<") is True):
            best = i
    return best


def _order(n: int, search: float) -> range:
    """The places of a line of ``n`` cells in search order: first to last, or (``search`` below 0) last to first."""
    return range(n) if search >= 0 else range(n - 1, -1, -1)


def searched(cells: list[Any], value: Any, mode: float, search: float) -> int | None | ExcelError:
    """XLOOKUP's and XMATCH's search (:func:`nearest`), first to last or (``search`` -1, -2) last to first;
    a wildcard match (mode 2) reads ``*``, ``?`` and ``~`` in a text; asked of a binary search (±2) it is
    #VALUE!, as Excel answers."""
    if mode == 2 and search in (2, -2):
        return err("#VALUE!", "a wildcard match (match_mode 2) cannot be a binary search (search_mode ±2)")
    order = _order(len(cells), search)
    pattern = wildcard(value) if mode == 2 and isinstance(value, str) else None
    test = (lambda v: isinstance(v, str) and bool(pattern.match(v))) if pattern else None
    return nearest(cells, value, mode, order, test)


@excel("value", "range", "range", "any", "number", "number")
def XLOOKUP(value: Any, lookup: Any, result: Any, missing: Any = None, m: float = 0.0, s: float = 1.0) -> Any:
    """Excel's XLOOKUP(value, lookup, result, [if_missing], [match_mode], [search_mode])."""
    line = _line(lookup)
    if isinstance(line, ExcelError):
        return line
    cells, axis = line
    if not isinstance(result, Block):
        return err("#VALUE!", "the return range must be a range")
    if m not in (-1, 0, 1, 2) or s not in (1, -1, 2, -2):
        return err("#VALUE!", f"XLOOKUP's match_mode is -1, 0, 1 or 2 and its search_mode 1, -1, 2 or -2 "
                   f"(not {m:g}, {s:g})")
    along = 0 if axis == "col" else 1
    if result.full[along] != lookup.full[along]:
        return err("#VALUE!", "XLOOKUP's lookup and return ranges differ in length")
    pos: int | None | ExcelError
    if value is None and m == 0:  # a blank finds a blank cell, as = compares them
        pos = _blank_at(cells, _order(len(cells), s), lookup.full[along])
    elif m == 0 and s >= 0:
        pos = _exact_index(lookup, (axis, 0)).get(_key(value))
    else:
        pos = searched(cells, value, m, s)
    if isinstance(pos, ExcelError):
        return pos
    if pos is None:
        return missing if missing is not None else err("#N/A", f"{text(value)} not found")
    inside = pos < result.values.shape[along]
    out = (result.values[pos, 0] if axis == "col" else result.values[0, pos]) if inside else None
    return 0.0 if out is None else out


def _blank_at(cells: list[Any], order: range, length: int) -> int | None:
    """Where a search in ``order`` first meets a blank cell of a line of ``length`` cells (those past the
    cells read, of a whole column, are blank)."""
    found = next((i for i in order if cells[i] is None), None)
    if length > len(cells) and (found is None or order.step < 0):
        return length - 1 if order.step < 0 else len(cells)
    return found


