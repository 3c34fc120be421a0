"""Excel's own functions, as sales sheets use them.

Owns :class:`Block` (a range's values), the aggregate, logical, rounding and
criteria functions, and the table of every native function (with
:mod:`lookups`, :mod:`dates`, :mod:`texts`, :mod:`mathtrig`… ). Each function takes evaluated arguments —
plain values, or a Block for a range — and returns a value or an Excel error,
with Excel's rules for blanks, text in ranges and error propagation.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import Any, Callable

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.values import checked, compare, err, num, text, truth


class Block:
    """A range's values (2-D, row-major), a cache for indexes built on it, and where it was read from
    (``origin``: (first row, first column) of a reference; None for a computed array)."""

    __slots__ = ("values", "cache", "origin", "full")

    def __init__(self, values: np.ndarray, origin: tuple[int, int] | None = None,
                 full: tuple[int, int] | None = None) -> None:
        self.values = values
        self.cache: dict[Any, Any] = {}
        self.origin = origin
        self.full = full or values.shape  # the reference's size: whole columns/rows are read only where used

    def flat(self) -> list[Any]:
        return self.values.ravel().tolist()

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape


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
    if d > 15:  # more places than a double holds: the number as it is
        return a
    if d < -308:
        return 0.0
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
    found = _CRIT.match(spec)
    assert found is not None  # the pattern matches any text
    op, operand = found.groups()
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


def _table() -> dict[str, Callable[..., Any]]:
    """Every Excel function of this module and of the function modules beside it, by name (a Python
    ``STDEV_S`` is Excel's ``STDEV.S``)."""
    from cellrules.recalc import dates, datetext, engineering, financial, logic, lookups, mathtrig, stats, texts
    table = {}
    for module in (globals(), vars(lookups), vars(datetext), vars(dates), vars(texts), vars(mathtrig), vars(stats),
                   vars(financial), vars(engineering), vars(logic)):
        table.update({name.replace("_", "."): obj for name, obj in module.items()
                      if name.isupper() and not name.startswith("_") and callable(obj) and not isinstance(obj, type)})
    return table


FUNCTIONS: dict[str, Callable[..., Any]] = {}  # filled on first use: see functions()


def functions() -> dict[str, Callable[..., Any]]:
    if not FUNCTIONS:
        FUNCTIONS.update(_table())
    return FUNCTIONS

