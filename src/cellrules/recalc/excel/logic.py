"""Excel's choosing, logical and information functions beyond IF/AND/OR.

Owns SWITCH, XOR, CHOOSE, TRUE(), FALSE(), the old LOOKUP (vector and array
forms), the shape of a range (ROWS, COLUMNS, CHOOSECOLS, CHOOSEROWS),
ADDRESS, and the information tests ISLOGICAL, ISNONTEXT, ISERR, ISEVEN…,
TYPE and ERROR.TYPE.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.excel.lookups import _approx
from cellrules.recalc.values.blocks import Block, logicals
from cellrules.xlsx.addresses import address
from cellrules.recalc.values.scalars import compare, err, num, ok, truth
from cellrules.recalc.values.signature import excel

ERROR_NUMBERS = {"#NULL!": 1, "#DIV/0!": 2, "#VALUE!": 3, "#REF!": 4, "#NAME?": 5, "#NUM!": 6, "#N/A": 7,
                 "#GETTING_DATA": 8, "#SPILL!": 9, "#CALC!": 14}


@excel("any", rest="any")
def SWITCH(value: Any, *cases: Any) -> Any:
    """Excel's SWITCH(value, match1, result1, …, [default]): the result of the first match."""
    if isinstance(value, ExcelError):
        return value
    for i in range(0, len(cases) - 1, 2):
        if isinstance(cases[i], ExcelError):
            return cases[i]
        if compare(value, cases[i], "=") is True:
            return cases[i + 1]
    return cases[-1] if len(cases) % 2 else err("#N/A", "no SWITCH case matched")


@excel(rest="range")
def XOR(*args: Any) -> Any:
    """Excel's XOR(logical1, …): TRUE when an odd number of the arguments are TRUE."""
    values = logicals(args)  # the same reading of arguments as AND and OR
    return values if isinstance(values, ExcelError) else sum(values) % 2 == 1


@excel()
def TRUE() -> Any:
    """Excel's TRUE()."""
    return True


@excel()
def FALSE() -> Any:
    """Excel's FALSE()."""
    return False


@excel("number", rest="cells")
def CHOOSE(k: float, *options: Any) -> Any:
    """Excel's CHOOSE(index, value1, …): the value at ``index`` (a reference stays a reference)."""
    if not 1 <= int(k) <= len(options):
        return err("#VALUE!", f"CHOOSE index {k:g} is outside 1..{len(options)}")
    return options[int(k) - 1]


@excel("value", "array", "array")
def LOOKUP(value: Any, lookup: Any, result: Any = None) -> Any:
    """Approximate match in ascending data; with no result vector, the array form reads the last row or
    column of a block (the longer side is searched)."""
    grid = lookup.values if isinstance(lookup, Block) else np.array([[lookup]], dtype=object)
    if result is None:
        rows, cols = grid.shape
        keys = grid[0, :].tolist() if cols > rows else grid[:, 0].tolist()
        answers = grid[-1, :].tolist() if cols > rows else grid[:, -1].tolist()
    else:
        keys = grid.ravel().tolist()
        answers = result.flat() if isinstance(result, Block) else [result]
    pos = _approx(keys, value)
    if pos is None:
        return err("#N/A", "LOOKUP found no value at or below the one sought")
    if pos >= len(answers):
        return err("#N/A", "the result vector is shorter than the lookup vector")
    answer = answers[pos]
    return 0.0 if answer is None else answer


@excel("range")
def ROWS(block: Any) -> Any:
    """Excel's ROWS(range): the number of rows."""
    return float(block.full[0]) if isinstance(block, Block) else 1.0


@excel("range")
def COLUMNS(block: Any) -> Any:
    """Excel's COLUMNS(range): the number of columns."""
    return float(block.full[1]) if isinstance(block, Block) else 1.0


def _pick(block: Any, picks: tuple[Any, ...], axis: int) -> Any:
    grid = block.values if isinstance(block, Block) else np.array([[block]], dtype=object)
    size = grid.shape[axis]
    chosen = []
    flat = [v for p in picks for v in (p.values.ravel() if isinstance(p, Block) else (p,))]
    for p in flat:
        k = num(p)
        if isinstance(k, ExcelError):
            return k
        k = int(k)
        if k == 0 or abs(k) > size:
            return err("#VALUE!", f"{k} is outside the range's {size}")
        chosen.append(k - 1 if k > 0 else size + k)
    return Block(np.take(grid, chosen, axis=axis))


@excel("range", rest="range")
def CHOOSECOLS(block: Any, *cols: Any) -> Any:
    """Excel's CHOOSECOLS(array, col1, …): the columns named (negative numbers count from the end)."""
    return _pick(block, cols, 1)


@excel("range", rest="range")
def CHOOSEROWS(block: Any, *rows: Any) -> Any:
    """Excel's CHOOSEROWS(array, row1, …): the rows named (negative numbers count from the end)."""
    return _pick(block, rows, 0)


@excel("number", "number", "number", "value", "value", defaults=True)
def ADDRESS(r: float, c: float, k: float = 1.0, a1: Any = True, sheet: Any = None) -> Any:
    """Excel's ADDRESS(row, column, [abs], [a1], [sheet]): a cell address as text."""
    if r < 1 or c < 1 or int(k) not in (1, 2, 3, 4):
        return err("#VALUE!", "ADDRESS needs row and column >= 1 and type 1..4")
    r, c, k = int(r), int(c), int(k)
    use_a1 = True if a1 is None else truth(a1)
    if isinstance(use_a1, ExcelError):
        return use_a1
    if use_a1:
        letters = address(1, c)[:-1]
        text = ("$" if k in (1, 3) else "") + letters + ("$" if k in (1, 2) else "") + str(r)
    else:
        text = (f"R{r}" if k in (1, 2) else f"R[{r}]") + (f"C{c}" if k in (1, 3) else f"C[{c}]")
    if sheet is not None and sheet != "":
        name = str(sheet)
        quoted = name if name.replace("_", "").isalnum() else "'" + name.replace("'", "''") + "'"
        text = f"{quoted}!{text}"
    return text


@excel("any")
def ISLOGICAL(value: Any) -> Any:
    """Excel's ISLOGICAL(value): TRUE for TRUE or FALSE."""
    return isinstance(value, bool)


@excel("any")
def ISNONTEXT(value: Any) -> Any:
    """Excel's ISNONTEXT(value): TRUE for anything but text."""
    return not isinstance(value, str) or isinstance(value, ExcelError)


@excel("any")
def ISERR(value: Any) -> Any:
    """Excel's ISERR(value): TRUE for any error value but #N/A."""
    return isinstance(value, ExcelError) and value.code != "#N/A"


@excel("refvalue")
def TYPE(value: Any) -> Any:
    """Excel's TYPE(value): 1 number, 2 text, 4 logical, 16 error, 64 array."""
    if isinstance(value, Block):
        return 64.0
    if isinstance(value, ExcelError):
        return 16.0
    if isinstance(value, bool):
        return 4.0
    if isinstance(value, str):
        return 2.0
    return 1.0


@excel("any")
def ERROR_TYPE(value: Any) -> Any:
    """Excel's ERROR.TYPE(error): the number of an error value (1 #NULL! … 7 #N/A), #N/A for anything else."""
    if isinstance(value, ExcelError):
        return float(ERROR_NUMBERS.get(value.code, 3))
    return err("#N/A", "ERROR.TYPE of a value that is not an error")


@excel("value")
def SINGLE(value: Any) -> Any:
    """Excel's implicit intersection operator ``@`` (saved as ``_xlfn.SINGLE(…)``): one value of a range — the
    cell in the formula's row or column, as any value argument is met."""
    return value
