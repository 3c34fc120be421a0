"""Excel's own functions, as sales sheets use them.

Owns the native function table: each function takes evaluated arguments —
plain values, or :class:`Block` for a range — and returns a value or an Excel
error, with Excel's rules for blanks, text in ranges and error propagation.
Lookups and criteria over a fixed range build an index once per range
(cached on the block), so a column of VLOOKUPs costs one pass over the table.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections import defaultdict
from typing import Any, Callable

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.values import checked, compare, err, num, text, truth

EPOCH = dt.date(1899, 12, 30)


class Block:
    """A range's values (2-D, row-major) and a cache for indexes built on it."""

    __slots__ = ("values", "cache")

    def __init__(self, values: np.ndarray) -> None:
        self.values = values
        self.cache: dict[Any, Any] = {}

    def flat(self) -> list[Any]:
        return self.values.ravel().tolist()

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape  # type: ignore[return-value]


def _first_error(values: list[Any]) -> ExcelError | None:
    return next((v for v in values if isinstance(v, ExcelError)), None)


def _numbers(args: tuple[Any, ...]) -> list[float] | ExcelError:
    """Numbers of SUM-like arguments: in ranges only numbers count; typed values are converted."""
    out: list[float] = []
    for arg in args:
        if isinstance(arg, Block):
            cells = arg.flat()
            bad = _first_error(cells)
            if bad:
                return bad
            out += [float(v) for v in cells if isinstance(v, (int, float)) and not isinstance(v, bool)]
        elif arg is not None:
            x = num(arg)
            if isinstance(x, ExcelError):
                return x
            out.append(x)
    return out


def SUM(*args: Any) -> Any:
    nums = _numbers(args)
    return nums if isinstance(nums, ExcelError) else checked(math.fsum(nums))


def AVERAGE(*args: Any) -> Any:
    nums = _numbers(args)
    if isinstance(nums, ExcelError):
        return nums
    return err("#DIV/0!", "AVERAGE of no numbers") if not nums else checked(math.fsum(nums) / len(nums))


def MIN(*args: Any) -> Any:
    nums = _numbers(args)
    return nums if isinstance(nums, ExcelError) else (min(nums) if nums else 0.0)


def MAX(*args: Any) -> Any:
    nums = _numbers(args)
    return nums if isinstance(nums, ExcelError) else (max(nums) if nums else 0.0)


def _kth(block: Any, k: Any, largest: bool) -> Any:
    nums = _numbers((block,))
    n = num(k)
    if isinstance(nums, ExcelError):
        return nums
    if isinstance(n, ExcelError):
        return n
    if not 1 <= n <= len(nums):
        return err("#NUM!", f"k = {text(n)} is outside 1..{len(nums)}")
    ordered = block.cache.get(("sorted", largest)) if isinstance(block, Block) else None
    if ordered is None:
        ordered = sorted(nums, reverse=largest)
        if isinstance(block, Block):
            block.cache[("sorted", largest)] = ordered
    return ordered[int(math.ceil(n)) - 1]


def LARGE(block: Any, k: Any) -> Any:
    return _kth(block, k, True)


def SMALL(block: Any, k: Any) -> Any:
    return _kth(block, k, False)


def COUNT(*args: Any) -> Any:
    n = 0
    for arg in args:
        cells = arg.flat() if isinstance(arg, Block) else [arg]
        n += sum(1 for v in cells if isinstance(v, (int, float)) and not isinstance(v, bool)
                 or not isinstance(arg, Block) and not isinstance(num(v), ExcelError) and v is not None)
    return float(n)


def COUNTA(*args: Any) -> Any:
    return float(sum(1 for arg in args for v in (arg.flat() if isinstance(arg, Block) else [arg]) if v is not None))


# -- logic -------------------------------------------------------------------
def IF(cond: Any, then: Any = True, other: Any = False) -> Any:
    test = truth(cond)
    if isinstance(test, ExcelError):
        return test
    return then if test else other


def IFS(*args: Any) -> Any:
    for i in range(0, len(args) - 1, 2):
        test = truth(args[i])
        if isinstance(test, ExcelError):
            return test
        if test:
            return args[i + 1]
    return err("#N/A", "no IFS condition was true")


def IFERROR(value: Any, fallback: Any) -> Any:
    return fallback if isinstance(value, ExcelError) else value


def IFNA(value: Any, fallback: Any) -> Any:
    return fallback if isinstance(value, ExcelError) and value.code == "#N/A" else value


def _logicals(args: tuple[Any, ...]) -> list[bool] | ExcelError:
    out = []
    for arg in args:
        cells = [v for v in arg.flat() if isinstance(v, (bool, int, float))] if isinstance(arg, Block) else [arg]
        for v in cells:
            t = truth(v)
            if isinstance(t, ExcelError):
                return t
            out.append(t)
    return out


def AND(*args: Any) -> Any:
    vals = _logicals(args)
    return vals if isinstance(vals, ExcelError) else all(vals)


def OR(*args: Any) -> Any:
    vals = _logicals(args)
    return vals if isinstance(vals, ExcelError) else any(vals)


def NOT(value: Any) -> Any:
    t = truth(value)
    return t if isinstance(t, ExcelError) else not t


# -- numbers -----------------------------------------------------------------
def _round(x: Any, digits: Any, mode: str) -> Any:
    a, d = num(x), num(digits)
    if isinstance(a, ExcelError):
        return a
    if isinstance(d, ExcelError):
        return d
    factor = 10.0 ** int(d)
    scaled = abs(a) * factor
    scaled = float(f"{scaled:.10g}") if mode != "down" else scaled  # absorb binary noise (2.675 -> 267.5)
    if mode == "half":
        scaled = math.floor(scaled + 0.5)
    elif mode == "up":
        scaled = math.ceil(float(f"{scaled:.12g}"))
    else:
        scaled = math.floor(float(f"{scaled:.12g}"))
    return math.copysign(scaled / factor, a) if scaled else 0.0


def ROUND(x: Any, digits: Any = 0.0) -> Any:
    return _round(x, digits, "half")


def ROUNDUP(x: Any, digits: Any = 0.0) -> Any:
    return _round(x, digits, "up")


def ROUNDDOWN(x: Any, digits: Any = 0.0) -> Any:
    return _round(x, digits, "down")


def ABS(x: Any) -> Any:
    a = num(x)
    return a if isinstance(a, ExcelError) else abs(a)


# -- criteria ------------------------------------------------------------------
_CRIT = re.compile(r"^(<=|>=|<>|<|>|=)?(.*)$", re.S)


def criterion(spec: Any) -> Callable[[Any], bool]:
    """A COUNTIF/SUMIF criterion: 10, ">=10", "<>x", "East", "Ea*", "?ast"."""
    if not isinstance(spec, str):
        return lambda v: compare(v, spec, "=") is True if v is not None else False
    op, operand = _CRIT.match(spec).groups()
    op = op or "="
    value: Any = operand
    x = num(operand) if operand.strip() else None
    if x is not None and not isinstance(x, ExcelError):
        value = x
    if isinstance(value, str) and op in ("=", "<>") and any(ch in value for ch in "*?"):
        pattern = re.compile("^" + re.escape(value).replace(r"\*", ".*").replace(r"\?", ".") + "$", re.I | re.S)
        hit = lambda v: isinstance(v, str) and bool(pattern.match(v))  # noqa: E731
        return hit if op == "=" else (lambda v: not hit(v))
    if value == "" and op == "=":
        return lambda v: v is None or v == ""
    if isinstance(value, float):
        return lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and compare(v, value, op) is True
    return lambda v: (isinstance(v, str) or v is None and op == "<>") and compare(v, value, op) is True


def _pairs(args: tuple[Any, ...]) -> list[tuple[list[Any], Callable]] | ExcelError:
    out = []
    for i in range(0, len(args) - 1, 2):
        if not isinstance(args[i], Block):
            return err("#VALUE!", "criteria ranges must be ranges")
        out.append((args[i].flat(), criterion(args[i + 1])))
    if out and any(len(cells) != len(out[0][0]) for cells, _ in out):
        return err("#VALUE!", "criteria ranges differ in size")
    return out


def _matching(pairs: list[tuple[list[Any], Callable]]) -> list[int]:
    n = len(pairs[0][0])
    return [i for i in range(n) if all(test(cells[i]) for cells, test in pairs)]


def COUNTIF(block: Any, crit: Any) -> Any:
    if isinstance(block, Block) and not isinstance(crit, str):
        counts = block.cache.get("countif")
        if counts is None:
            counts = block.cache["countif"] = defaultdict(int)
            for v in block.flat():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    counts[float(v)] += 1
        if isinstance(crit, (int, float)) and not isinstance(crit, bool):
            return float(counts.get(float(crit), 0))
    return COUNTIFS(block, crit)


def COUNTIFS(*args: Any) -> Any:
    pairs = _pairs(args)
    return pairs if isinstance(pairs, ExcelError) else float(len(_matching(pairs)))


def _sum_at(block: Any, rows: list[int]) -> Any:
    cells = block.flat()
    return math.fsum(float(cells[i]) for i in rows if isinstance(cells[i], (int, float)) and not isinstance(cells[i], bool))


def SUMIF(block: Any, crit: Any, sum_block: Any = None) -> Any:
    return SUMIFS(sum_block if sum_block is not None else block, block, crit)


def SUMIFS(sum_block: Any, *args: Any) -> Any:
    pairs = _pairs(args)
    if isinstance(pairs, ExcelError):
        return pairs
    if not isinstance(sum_block, Block) or sum_block.values.size != len(pairs[0][0]):
        return err("#VALUE!", "the sum range must be a range of the criteria ranges' size")
    return _sum_at(sum_block, _matching(pairs))


def AVERAGEIF(block: Any, crit: Any, avg_block: Any = None) -> Any:
    return AVERAGEIFS(avg_block if avg_block is not None else block, block, crit)


def AVERAGEIFS(avg_block: Any, *args: Any) -> Any:
    pairs = _pairs(args)
    if isinstance(pairs, ExcelError):
        return pairs
    cells = avg_block.flat()
    nums = [float(cells[i]) for i in _matching(pairs) if isinstance(cells[i], (int, float)) and not isinstance(cells[i], bool)]
    return err("#DIV/0!", "no cell meets the criteria") if not nums else math.fsum(nums) / len(nums)


# -- lookups -------------------------------------------------------------------
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


def _approx(cells: list[Any], value: Any) -> int | None:
    """Excel's approximate match on ascending data: the last position whose value <= value."""
    lo, hi, found = 0, len(cells) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if cells[mid] is None or compare(cells[mid], value, "<=") is True:
            found, lo = mid, mid + 1
        else:
            hi = mid - 1
    return found


def _lookup(value: Any, block: Any, index: Any, approx: Any, axis: str) -> Any:
    if isinstance(value, ExcelError):
        return value
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
        cells = (block.values[:, 0] if axis == "col" else block.values[0, :]).tolist()
        pos = _approx(cells, value)
    if pos is None:
        return err("#N/A", f"{text(value)} not found")
    cell = block.values[pos, k - 1] if axis == "col" else block.values[k - 1, pos]
    return 0.0 if cell is None else cell


def VLOOKUP(value: Any, block: Any, col: Any, approx: Any = True) -> Any:
    return _lookup(value, block, col, approx, "col")


def HLOOKUP(value: Any, block: Any, row: Any, approx: Any = True) -> Any:
    return _lookup(value, block, row, approx, "row")


def _line(block: Any) -> tuple[list[Any], str] | ExcelError:
    if not isinstance(block, Block):
        return err("#VALUE!", "a lookup range must be a range")
    rows, cols = block.shape
    if rows != 1 and cols != 1:
        return err("#N/A", "a lookup range must be one row or one column")
    return block.flat(), ("col" if cols == 1 else "row")


def MATCH(value: Any, block: Any, kind: Any = 1.0) -> Any:
    if isinstance(value, ExcelError):
        return value
    line = _line(block)
    if isinstance(line, ExcelError):
        return line
    cells, axis = line
    mode = num(kind)
    if isinstance(mode, ExcelError):
        return mode
    if mode == 0:
        pos = _exact_index(block, (axis, 0)).get(_key(value))
        if pos is None and isinstance(value, str) and any(ch in value for ch in "*?"):
            test = criterion(value)
            pos = next((i for i, v in enumerate(cells) if test(v)), None)
    elif mode > 0:
        pos = _approx(cells, value)
    else:
        # descending data: the smallest value >= lookup is the last one that is >= it
        pos = next((i for i in range(len(cells) - 1, -1, -1)
                    if cells[i] is not None and compare(cells[i], value, ">=") is True), None)
    return err("#N/A", f"{text(value)} not found") if pos is None else float(pos + 1)


def INDEX(block: Any, row: Any, col: Any = None) -> Any:
    if not isinstance(block, Block):
        return err("#VALUE!", "INDEX needs a range")
    r, c = num(row), (num(col) if col is not None else 1.0)
    for x in (r, c):
        if isinstance(x, ExcelError):
            return x
    rows, cols = block.shape
    if rows == 1 and col is None:
        r, c = 1.0, r
    if not (1 <= r <= rows and 1 <= c <= cols):
        return err("#REF!", "INDEX is outside the range")
    cell = block.values[int(r) - 1, int(c) - 1]
    return 0.0 if cell is None else cell


def XLOOKUP(value: Any, lookup: Any, result: Any, missing: Any = None, mode: Any = 0.0, search: Any = 1.0) -> Any:
    if isinstance(value, ExcelError):
        return value
    line = _line(lookup)
    if isinstance(line, ExcelError):
        return line
    cells, axis = line
    if not isinstance(result, Block):
        return err("#VALUE!", "the return range must be a range")
    m, s = num(mode), num(search)
    order = range(len(cells)) if s >= 0 else range(len(cells) - 1, -1, -1)
    pos = None
    if m == 0 and s >= 0:
        pos = _exact_index(lookup, (axis, 0)).get(_key(value))
    else:
        best = None
        for i in order:
            v = cells[i]
            if v is None:
                continue
            if compare(v, value, "=") is True:
                pos = i
                break
            if m == -1 and compare(v, value, "<") is True and (best is None or compare(v, cells[best], ">") is True):
                best = i
            if m == 1 and compare(v, value, ">") is True and (best is None or compare(v, cells[best], "<") is True):
                best = i
        pos = pos if pos is not None else best
    if pos is None:
        return missing if missing is not None else err("#N/A", f"{text(value)} not found")
    out = result.values[pos, 0] if axis == "col" else result.values[0, pos]
    return 0.0 if out is None else out


# -- dates -----------------------------------------------------------------------
def to_date(v: Any) -> dt.date | ExcelError:
    x = num(v)
    if isinstance(x, ExcelError):
        if isinstance(v, str):
            try:
                return dt.date.fromisoformat(v.strip()[:10])
            except ValueError:
                pass
        return x
    if not 0 <= x < 2958466:
        return err("#NUM!", "not a date Excel can show")
    return EPOCH + dt.timedelta(days=int(x))


def serial(d: dt.date) -> float:
    return float((d - EPOCH).days)


def TODAY() -> Any:
    return serial(dt.date.today())


def DATE(year: Any, month: Any, day: Any) -> Any:
    y, m, d = num(year), num(month), num(day)
    for x in (y, m, d):
        if isinstance(x, ExcelError):
            return x
    y = int(y) + (1900 if 0 <= y < 1900 else 0)
    months = y * 12 + int(m) - 1
    try:
        first = dt.date(months // 12, months % 12 + 1, 1)
    except ValueError:
        return err("#NUM!", "the date is out of range")
    return serial(first) + int(d) - 1


def _part(v: Any, attr: str) -> Any:
    d = to_date(v)
    return d if isinstance(d, ExcelError) else float(getattr(d, attr))


def YEAR(v: Any) -> Any:
    return _part(v, "year")


def MONTH(v: Any) -> Any:
    return _part(v, "month")


def DAY(v: Any) -> Any:
    return _part(v, "day")


def DAYS(end: Any, start: Any) -> Any:
    a, b = to_date(end), to_date(start)
    return a if isinstance(a, ExcelError) else b if isinstance(b, ExcelError) else float((a - b).days)


def _add_months(v: Any, months: Any, end_of_month: bool) -> Any:
    d, m = to_date(v), num(months)
    if isinstance(d, ExcelError):
        return d
    if isinstance(m, ExcelError):
        return m
    total = d.year * 12 + d.month - 1 + int(m)
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return serial(dt.date(year, month + 1, last if end_of_month else min(d.day, last)))


def EDATE(start: Any, months: Any) -> Any:
    return _add_months(start, months, False)


def EOMONTH(start: Any, months: Any) -> Any:
    return _add_months(start, months, True)


# -- text ------------------------------------------------------------------------
def _text_and_count(value: Any, count: Any, default: float = 1.0) -> tuple[str, int] | ExcelError:
    t = text(value)
    n = num(count) if count is not None else default
    if isinstance(t, ExcelError):
        return t
    if isinstance(n, ExcelError):
        return n
    if n < 0:
        return err("#VALUE!", "a negative number of characters")
    return t, int(n)


def LEFT(value: Any, count: Any = None) -> Any:
    got = _text_and_count(value, count)
    return got if isinstance(got, ExcelError) else got[0][: got[1]]


def RIGHT(value: Any, count: Any = None) -> Any:
    got = _text_and_count(value, count)
    return got if isinstance(got, ExcelError) else (got[0][-got[1]:] if got[1] else "")


def MID(value: Any, start: Any, count: Any) -> Any:
    s = num(start)
    got = _text_and_count(value, count)
    if isinstance(s, ExcelError):
        return s
    if isinstance(got, ExcelError):
        return got
    if s < 1:
        return err("#VALUE!", "MID starts at position 1")
    return got[0][int(s) - 1: int(s) - 1 + got[1]]


def LEN(value: Any) -> Any:
    t = text(value)
    return t if isinstance(t, ExcelError) else float(len(t))


def UPPER(value: Any) -> Any:
    t = text(value)
    return t if isinstance(t, ExcelError) else t.upper()


def LOWER(value: Any) -> Any:
    t = text(value)
    return t if isinstance(t, ExcelError) else t.lower()


def TRIM(value: Any) -> Any:
    t = text(value)
    return t if isinstance(t, ExcelError) else re.sub(r" +", " ", t).strip(" ")


def TEXT(value: Any, fmt: Any) -> Any:
    from cellrules.recalc.textformat import format_value
    return format_value(value, fmt)


# -- information -----------------------------------------------------------------
def NA() -> Any:
    return err("#N/A", "NA()")


def ISBLANK(value: Any) -> Any:
    return value is None


def ISERROR(value: Any) -> Any:
    return isinstance(value, ExcelError)


def ISNA(value: Any) -> Any:
    return isinstance(value, ExcelError) and value.code == "#N/A"


def ISNUMBER(value: Any) -> Any:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def ISTEXT(value: Any) -> Any:
    return isinstance(value, str)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    name: obj for name, obj in dict(globals()).items()
    if name.isupper() and callable(obj) and not isinstance(obj, type)
}
