"""Excel's own functions, as sales sheets use them.

Owns the aggregate, logical, rounding and criteria functions (SUM, IF,
ROUND, COUNTIF…). Each function takes evaluated arguments —
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
from cellrules.recalc.blocks import Block, criterion, first_error, logicals, matching, numbers, pairs
from cellrules.recalc.values import checked, compare, err, num, text, truth


def SUM(*args: Any) -> Any:
    nums = numbers(args)
    return nums if isinstance(nums, ExcelError) else checked(math.fsum(nums))


def AVERAGE(*args: Any) -> Any:
    nums = numbers(args)
    if isinstance(nums, ExcelError):
        return nums
    return err("#DIV/0!", "AVERAGE of no numbers") if not nums else checked(math.fsum(nums) / len(nums))


def MIN(*args: Any) -> Any:
    nums = numbers(args)
    return nums if isinstance(nums, ExcelError) else (min(nums) if nums else 0.0)


def MAX(*args: Any) -> Any:
    nums = numbers(args)
    return nums if isinstance(nums, ExcelError) else (max(nums) if nums else 0.0)


def _kth(block: Any, k: Any, largest: bool) -> Any:
    nums = numbers((block,))
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


def AND(*args: Any) -> Any:
    vals = logicals(args)
    return vals if isinstance(vals, ExcelError) else all(vals)


def OR(*args: Any) -> Any:
    vals = logicals(args)
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
    tests = pairs(args)
    return tests if isinstance(tests, ExcelError) else float(len(matching(tests)))


def _sum_at(block: Any, rows: list[int]) -> Any:
    cells = block.flat()
    return math.fsum(float(cells[i]) for i in rows if isinstance(cells[i], (int, float)) and not isinstance(cells[i], bool))


def SUMIF(block: Any, crit: Any, sum_block: Any = None) -> Any:
    return SUMIFS(sum_block if sum_block is not None else block, block, crit)


def SUMIFS(sum_block: Any, *args: Any) -> Any:
    tests = pairs(args)
    if isinstance(tests, ExcelError):
        return tests
    if not isinstance(sum_block, Block) or sum_block.values.size != len(tests[0][0]):
        return err("#VALUE!", "the sum range must be a range of the criteria ranges' size")
    return _sum_at(sum_block, matching(tests))


def AVERAGEIF(block: Any, crit: Any, avg_block: Any = None) -> Any:
    return AVERAGEIFS(avg_block if avg_block is not None else block, block, crit)


def AVERAGEIFS(avg_block: Any, *args: Any) -> Any:
    tests = pairs(args)
    if isinstance(tests, ExcelError):
        return tests
    cells = avg_block.flat()
    nums = [float(cells[i]) for i in matching(tests) if isinstance(cells[i], (int, float)) and not isinstance(cells[i], bool)]
    return err("#DIV/0!", "no cell meets the criteria") if not nums else math.fsum(nums) / len(nums)
