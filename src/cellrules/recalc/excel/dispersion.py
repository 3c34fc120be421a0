"""Excel's dispersion and shape statistics, and the conditional extremes.

Owns the statistics built on a list of numbers (AVEDEV, DEVSQ, COVARIANCE, SKEW, KURT, HARMEAN, TRIMMEAN,
PERCENTRANK, STDEVPA/VARPA, STEYX, PROB, FREQUENCY, GEOMEAN) and MAXIFS/MINIFS. Each follows Microsoft's page
for it.
"""
from __future__ import annotations

import bisect
import math
from typing import Any, Callable

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.excel.numerals import paired
from cellrules.recalc.values.blocks import Block, joined, matched_numbers, matching, numbers, pairs
from cellrules.recalc.values.scalars import checked, err
from cellrules.recalc.values.signature import excel


def _list(args: tuple[Any, ...], least: int = 1, short: str = "#DIV/0!", why: str = "too few numbers") \
        -> list[float] | ExcelError:
    """The numbers of the arguments, or the error: theirs, or ``short`` when fewer than ``least``."""
    nums = numbers(args)
    if isinstance(nums, ExcelError):
        return nums
    return nums if len(nums) >= least else err(short, why)


def _enough(lists: tuple[list[float], ...], least: int = 1) -> list[float] | None:
    """The numbers of ``numbers`` arguments joined, or None when fewer than ``least``."""
    xs = joined(lists)
    return xs if len(xs) >= least else None


@excel(rest="numbers")
def AVEDEV(*args: list[float]) -> Any:
    """Excel's AVEDEV(number1, …): the mean absolute deviation from the mean."""
    xs = _enough(args)
    if xs is None:
        return err("#NUM!", "AVEDEV of no numbers")
    m = math.fsum(xs) / len(xs)
    return math.fsum(abs(x - m) for x in xs) / len(xs)


@excel(rest="numbers")
def DEVSQ(*args: list[float]) -> Any:
    """Excel's DEVSQ(number1, …): the sum of squared deviations from the mean."""
    xs = _enough(args)
    if xs is None:
        return err("#NUM!", "DEVSQ of no numbers")
    m = math.fsum(xs) / len(xs)
    return math.fsum((x - m) ** 2 for x in xs)


def _covariance(sample: bool) -> Callable[[Any, Any], Any]:
    @excel("range", "range")
    def covariance(a: Any, b: Any) -> Any:
        got = paired(a, b)
        if isinstance(got, ExcelError):
            return got
        xs, ys = got
        if len(xs) < (2 if sample else 1):
            return err("#DIV/0!", "too few pairs of numbers")
        mx, my = math.fsum(xs) / len(xs), math.fsum(ys) / len(ys)
        return math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys)) / (len(xs) - (1 if sample else 0))
    return covariance


COVARIANCE_P = _covariance(False)
COVARIANCE_S = _covariance(True)
COVAR = COVARIANCE_P


@excel(rest="numbers")
def SKEW(*args: list[float]) -> Any:
    """Excel's SKEW(number1, …): the sample skewness."""
    xs = _enough(args, 3)
    if xs is None:
        return err("#DIV/0!", "too few numbers")
    n, m, s = len(xs), float(np.mean(xs)), float(np.std(xs, ddof=1))
    return err("#DIV/0!", "no spread") if s == 0 else n / ((n - 1) * (n - 2)) * math.fsum(((x - m) / s) ** 3 for x in xs)


@excel(rest="numbers")
def SKEW_P(*args: list[float]) -> Any:
    """Excel's SKEW.P(number1, …): the population skewness."""
    xs = _enough(args, 1)
    if xs is None:
        return err("#DIV/0!", "too few numbers")
    m, s = float(np.mean(xs)), float(np.std(xs))
    return err("#DIV/0!", "no spread") if s == 0 else math.fsum(((x - m) / s) ** 3 for x in xs) / len(xs)


@excel(rest="numbers")
def KURT(*args: list[float]) -> Any:
    """Excel's KURT(number1, …): the sample excess kurtosis."""
    xs = _enough(args, 4)
    if xs is None:
        return err("#DIV/0!", "too few numbers")
    n, m, s = len(xs), float(np.mean(xs)), float(np.std(xs, ddof=1))
    if s == 0:
        return err("#DIV/0!", "no spread")
    total = math.fsum(((x - m) / s) ** 4 for x in xs)
    return n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * total - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))


@excel(rest="numbers")
def HARMEAN(*args: list[float]) -> Any:
    """Excel's HARMEAN(number1, …): the harmonic mean of positive numbers."""
    xs = _enough(args)
    if xs is None:
        return err("#NUM!", "HARMEAN of no numbers")
    return err("#NUM!", "HARMEAN of a number ≤ 0") if any(x <= 0 for x in xs) else len(xs) / math.fsum(1 / x for x in xs)


@excel("range", "number")
def TRIMMEAN(block: Any, percent: float) -> Any:
    """Excel's TRIMMEAN(array, percent): the mean without the given share of the extremes (rounded down to pairs)."""
    xs = _list((block,), short="#NUM!", why="TRIMMEAN of no numbers")
    if isinstance(xs, ExcelError):
        return xs
    if not 0 <= percent < 1:
        return err("#NUM!", "percent must be in 0..1")
    cut = math.floor(len(xs) * percent / 2)
    kept = sorted(xs)[cut:len(xs) - cut]
    return math.fsum(kept) / len(kept)


def _percentrank(block: Any, x: float, digits: float, exclusive: bool) -> Any:
    xs = _list((block,), short="#NUM!", why="no numbers")
    if isinstance(xs, ExcelError):
        return xs
    d = math.trunc(digits)
    if d < 1:
        return err("#NUM!", "significance must be at least 1")
    xs.sort()
    n = len(xs)
    if x < xs[0] or x > xs[-1]:
        return err("#N/A", f"{x:g} is outside the data")
    i = bisect.bisect_left(xs, x)
    if xs[i] == x:
        rank = (i + 1) / (n + 1) if exclusive else (i / (n - 1) if n > 1 else 1.0)
    else:  # between xs[i-1] and xs[i]: interpolate
        lo = (i / (n + 1)) if exclusive else (i - 1) / (n - 1)
        hi = ((i + 1) / (n + 1)) if exclusive else i / (n - 1)
        rank = lo + (hi - lo) * (x - xs[i - 1]) / (xs[i] - xs[i - 1])
    return math.floor(rank * 10 ** d + 1e-9) / 10 ** d


@excel("range", "number", "number")
def PERCENTRANK_INC(block: Any, x: float, digits: float = 3.0) -> Any:
    """Excel's PERCENTRANK.INC(array, x, [significance]): x's rank as a share 0..1 (inclusive)."""
    return _percentrank(block, x, digits, False)


PERCENTRANK = PERCENTRANK_INC


@excel("range", "number", "number")
def PERCENTRANK_EXC(block: Any, x: float, digits: float = 3.0) -> Any:
    """Excel's PERCENTRANK.EXC(array, x, [significance]): x's rank as a share 0..1 (exclusive)."""
    return _percentrank(block, x, digits, True)


@excel(rest="areas")
def STDEVPA(*args: Any) -> Any:
    """Excel's STDEVPA(value1, …): the population standard deviation, text 0 and TRUE 1."""
    v = VARPA(*args)
    return v if isinstance(v, ExcelError) else math.sqrt(v)


@excel(rest="areas")
def VARPA(*args: Any) -> Any:
    """Excel's VARPA(value1, …): the population variance, text 0 and TRUE 1."""
    xs = numbers(args, text_as_zero=True)
    if isinstance(xs, ExcelError):
        return xs
    return err("#DIV/0!", "no values") if not xs else float(np.var(xs))


@excel("range", "range")
def STEYX(known_y: Any, known_x: Any) -> Any:
    """Excel's STEYX(known_y's, known_x's): the standard error of the regression's predicted y."""
    got = paired(known_y, known_x)
    if isinstance(got, ExcelError):
        return got
    ys, xs = got
    n = len(xs)
    if n < 3:
        return err("#DIV/0!", "STEYX needs three pairs")
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys))
    syy = math.fsum((y - my) ** 2 for y in ys)
    if sxx == 0:
        return err("#DIV/0!", "the x values do not vary")
    return math.sqrt(max(syy - sxy * sxy / sxx, 0.0) / (n - 2))


@excel("range", "range", "number", "number")
def PROB(x_range: Any, p_range: Any, lower: float, upper: float | None = None) -> Any:
    """Excel's PROB(x_range, prob_range, lower_limit, [upper_limit]): the probability of values in the limits."""
    got = paired(x_range, p_range)
    if isinstance(got, ExcelError):
        return got
    xs, ps = got
    if any(p <= 0 or p > 1 for p in ps) or abs(math.fsum(ps) - 1) > 1e-9:
        return err("#NUM!", "the probabilities must be in (0, 1] and sum to 1")
    hi = lower if upper is None else upper
    return math.fsum(p for x, p in zip(xs, ps) if lower <= x <= hi)


@excel("range", "range")
def FREQUENCY(data: Any, bins: Any) -> Any:
    """Excel's FREQUENCY(data_array, bins_array): a column of counts per bin, and one for values above the last."""
    xs = numbers((data,))
    edges = numbers((bins,))
    if isinstance(xs, ExcelError):
        return xs
    if isinstance(edges, ExcelError):
        return edges
    order = sorted(range(len(edges)), key=lambda i: edges[i])
    counts = [0.0] * (len(edges) + 1)
    ordered = [edges[i] for i in order]
    for x in xs:
        k = bisect.bisect_left(ordered, x)
        counts[order[k] if k < len(order) else len(edges)] += 1
    return Block(np.array([[c] for c in counts], dtype=object))


# -- conditional extremes ----------------------------------------------------------
def _extreme_ifs(target: Any, args: tuple[Any, ...], pick: Any) -> Any:
    tests = pairs(args)
    if isinstance(tests, ExcelError):
        return tests
    if not isinstance(target, Block) or target.values.size != len(tests[0][0]):
        return err("#VALUE!", "the range must be the criteria ranges' size")
    xs = matched_numbers(target, matching(tests))
    if isinstance(xs, ExcelError):
        return xs
    return pick(xs) if xs else 0.0


@excel("range", rest=("range", "any"))
def MAXIFS(target: Any, *args: Any) -> Any:
    """Excel's MAXIFS(max_range, range1, criterion1, …): the largest where every criterion is met."""
    return _extreme_ifs(target, args, max)


@excel("range", rest=("range", "any"))
def MINIFS(target: Any, *args: Any) -> Any:
    """Excel's MINIFS(min_range, range1, criterion1, …): the smallest where every criterion is met."""
    return _extreme_ifs(target, args, min)


@excel(rest="numbers")
def GEOMEAN(*args: list[float]) -> Any:
    """Excel's GEOMEAN(number1, …): the geometric mean of positive numbers."""
    xs = _enough(args)
    if xs is None or any(x <= 0 for x in xs):
        return err("#NUM!", "GEOMEAN needs positive numbers")
    return checked(math.exp(math.fsum(math.log(x) for x in xs) / len(xs)))
