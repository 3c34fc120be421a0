"""Excel's own functions, as sales sheets use them.

Owns the aggregate, logical, rounding and criteria functions (SUM, IF,
ROUND, COUNTIF…). Each function takes evaluated arguments —
plain values, or a Block for a range — and returns a value or an Excel error,
with Excel's rules for blanks, text in ranges and error propagation.
"""
from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from cellrules.errors import ExcelError
from cellrules.recalc.values.blocks import Block, joined, logicals, matched_numbers, matching, numbers, pairs
from cellrules.recalc.values.scalars import checked, err, num, text, truth
from cellrules.recalc.values.signature import call, excel


@excel(rest="numbers")
def SUM(*args: list[float]) -> Any:
    """Excel's SUM(number1, …): in ranges only numbers count; typed values are converted."""
    return checked(math.fsum(joined(args)))


@excel("areas", "areas")
def PERCENTOF(subset: Any, whole: Any) -> Any:
    """Excel's PERCENTOF(data_subset, data_all): SUM(data_subset)/SUM(data_all), as Microsoft defines it
    (GROUPBY's share of a total); #DIV/0! when the whole sums to 0."""
    part, total = call(SUM, (subset,)), call(SUM, (whole,))
    for value in (part, total):
        if isinstance(value, ExcelError):
            return value
    return err("#DIV/0!", "PERCENTOF of a set that sums to 0") if total == 0 else checked(part / total)


@excel(rest="numbers")
def AVERAGE(*args: list[float]) -> Any:
    """Excel's AVERAGE(number1, …): the mean of the numbers (#DIV/0! without any)."""
    nums = joined(args)
    return err("#DIV/0!", "AVERAGE of no numbers") if not nums else checked(math.fsum(nums) / len(nums))


@excel(rest="numbers")
def MIN(*args: list[float]) -> Any:
    """Excel's MIN(number1, …): the smallest number (0 without any)."""
    return min(joined(args), default=0.0)


@excel(rest="numbers")
def MAX(*args: list[float]) -> Any:
    """Excel's MAX(number1, …): the largest number (0 without any)."""
    return max(joined(args), default=0.0)


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


@excel("areas", "value")
def LARGE(block: Any, k: Any) -> Any:
    """Excel's LARGE(range, k): the k-th largest number."""
    return _kth(block, k, True)


@excel("areas", "value")
def SMALL(block: Any, k: Any) -> Any:
    """Excel's SMALL(range, k): the k-th smallest number."""
    return _kth(block, k, False)


@excel(rest="areas")
def COUNT(*args: Any) -> Any:
    """Excel's COUNT(value1, …): how many numbers."""
    n = 0
    for arg in args:
        cells = arg.flat() if isinstance(arg, Block) else [arg]
        n += sum(1 for v in cells if isinstance(v, (int, float)) and not isinstance(v, bool)
                 or not isinstance(arg, Block) and not isinstance(num(v), ExcelError) and v is not None)
    return float(n)


@excel(rest="areas")
def COUNTA(*args: Any) -> Any:
    """Excel's COUNTA(value1, …): how many values that are not empty."""
    return float(sum(1 for arg in args for v in (arg.flat() if isinstance(arg, Block) else [arg]) if v is not None))


# -- logic -------------------------------------------------------------------
@excel("any", "any", "any")
def IF(cond: Any, then: Any = True, other: Any = False) -> Any:
    """Excel's IF(condition, [then], [else])."""
    test = truth(cond)
    if isinstance(test, ExcelError):
        return test
    return then if test else other


@excel(rest="any")
def IFS(*args: Any) -> Any:
    """Excel's IFS(condition1, value1, …): the value of the first true condition (#N/A when none is)."""
    for i in range(0, len(args) - 1, 2):
        test = truth(args[i])
        if isinstance(test, ExcelError):
            return test
        if test:
            return args[i + 1]
    return err("#N/A", "no IFS condition was true")


@excel("any", "any")
def IFERROR(value: Any, fallback: Any) -> Any:
    """Excel's IFERROR(value, fallback): ``fallback`` when ``value`` is an error."""
    return fallback if isinstance(value, ExcelError) else value


@excel("any", "any")
def IFNA(value: Any, fallback: Any) -> Any:
    """Excel's IFNA(value, fallback): ``fallback`` when ``value`` is #N/A."""
    return fallback if isinstance(value, ExcelError) and value.code == "#N/A" else value


@excel(rest="range")
def AND(*args: Any) -> Any:
    """Excel's AND(logical1, …): TRUE when every argument is."""
    vals = logicals(args)
    return vals if isinstance(vals, ExcelError) else all(vals)


@excel(rest="range")
def OR(*args: Any) -> Any:
    """Excel's OR(logical1, …): TRUE when any argument is."""
    vals = logicals(args)
    return vals if isinstance(vals, ExcelError) else any(vals)


@excel("logical")
def NOT(logical: bool) -> Any:
    """Excel's NOT(logical)."""
    return not logical


# -- numbers -----------------------------------------------------------------
def _round(a: float, d: float, mode: str) -> Any:
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


@excel("number", "number")
def ROUND(x: float, digits: float = 0.0) -> Any:
    """Excel's ROUND(number, digits): halves away from zero, on the decimal value shown."""
    return _round(x, digits, "half")


@excel("number", "number")
def ROUNDUP(x: float, digits: float = 0.0) -> Any:
    """Excel's ROUNDUP(number, digits): away from zero."""
    return _round(x, digits, "up")


@excel("number", "number")
def ROUNDDOWN(x: float, digits: float = 0.0) -> Any:
    """Excel's ROUNDDOWN(number, digits): towards zero."""
    return _round(x, digits, "down")


@excel("number")
def ABS(a: float) -> Any:
    """Excel's ABS(number)."""
    return abs(a)


# -- criteria ------------------------------------------------------------------
@excel("range", "any")
def COUNTIF(block: Any, crit: Any) -> Any:
    """Excel's COUNTIF(range, criterion): how many cells meet the criterion (10, ">=10", "<>x", "Ea*")."""
    if isinstance(block, Block) and not isinstance(crit, str):
        counts = block.cache.get("countif")
        if counts is None:
            counts = block.cache["countif"] = defaultdict(int)
            for v in block.flat():
                if isinstance(v, str):  # text showing a number counts as that number (criterion())
                    v = num(v)
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    counts[float(v)] += 1
        if isinstance(crit, (int, float)) and not isinstance(crit, bool):
            return float(counts.get(float(crit), 0))
    return COUNTIFS(block, crit)


@excel(rest=("range", "any"))
def COUNTIFS(*args: Any) -> Any:
    """Excel's COUNTIFS(range1, criterion1, …): how many positions meet every criterion."""
    tests = pairs(args)
    if isinstance(tests, ExcelError):
        return tests
    count = len(matching(tests))
    rows, cols = args[0].full
    beyond = rows * cols - args[0].values.size  # a whole column's cells past the used ones: blank
    if beyond > 0 and all(test(None) for _, test in tests):
        count += beyond
    return float(count)


def _sum_at(block: Any, rows: list[int]) -> Any:
    xs = matched_numbers(block, rows)
    return xs if isinstance(xs, ExcelError) else math.fsum(xs)


@excel("range", "any", "range")
def SUMIF(block: Any, crit: Any, sum_block: Any = None) -> Any:
    """Excel's SUMIF(range, criterion, [sum_range]): the sum where the criterion is met."""
    return SUMIFS(sum_block if sum_block is not None else block, block, crit)


@excel("range", rest=("range", "any"))
def SUMIFS(sum_block: Any, *args: Any) -> Any:
    """Excel's SUMIFS(sum_range, range1, criterion1, …): the sum where every criterion is met."""
    tests = pairs(args)
    if isinstance(tests, ExcelError):
        return tests
    if not isinstance(sum_block, Block) or sum_block.values.size != len(tests[0][0]):
        return err("#VALUE!", "the sum range must be a range of the criteria ranges' size")
    return _sum_at(sum_block, matching(tests))


@excel("range", "any", "range")
def AVERAGEIF(block: Any, crit: Any, avg_block: Any = None) -> Any:
    """Excel's AVERAGEIF(range, criterion, [average_range]): the mean where the criterion is met."""
    return AVERAGEIFS(avg_block if avg_block is not None else block, block, crit)


@excel("range", rest=("range", "any"))
def AVERAGEIFS(avg_block: Any, *args: Any) -> Any:
    """Excel's AVERAGEIFS(average_range, range1, criterion1, …): the mean where every criterion is met."""
    tests = pairs(args)
    if isinstance(tests, ExcelError):
        return tests
    nums = matched_numbers(avg_block, matching(tests))
    if isinstance(nums, ExcelError):
        return nums
    return err("#DIV/0!", "no cell meets the criteria") if not nums else math.fsum(nums) / len(nums)
