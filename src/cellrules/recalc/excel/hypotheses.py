"""Excel's hypothesis tests: T.TEST, F.TEST, CHISQ.TEST, Z.TEST (and TTEST, FTEST, CHITEST, ZTEST).

Owns the p-values of Microsoft's pages, computed with SciPy's distributions: the cells of each array that
hold numbers count (a paired t-test takes the positions where both do); an error value in an array is the
answer; too few numbers, a zero variance or a zero expected count is #DIV/0!; an argument outside its
domain (tails not 1 or 2, type not 1-3) is #NUM!; arrays of different sizes where the test pairs them #N/A.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats as sp

from cellrules.errors import ExcelError
from cellrules.recalc.excel.distributions import finite
from cellrules.recalc.values.blocks import Block, first_error
from cellrules.recalc.values.scalars import err
from cellrules.recalc.values.signature import excel


def _cells(value: Any) -> list[Any] | ExcelError:
    cells = value.flat() if isinstance(value, Block) else [value]
    bad = first_error(cells)
    return bad if bad else cells


def _both(first: Any, second: Any) -> tuple[list[Any], list[Any]] | ExcelError:
    """The cells of two arrays, or the first error value in them."""
    x, y = _cells(first), _cells(second)
    for cells in (x, y):
        if isinstance(cells, ExcelError):
            return cells
    assert isinstance(x, list) and isinstance(y, list)
    return x, y


def _numbers(cells: list[Any]) -> list[float]:
    return [float(v) for v in cells if isinstance(v, (int, float)) and not isinstance(v, bool)]


def _variance(xs: list[float]) -> float:
    return float(np.var(xs, ddof=1))


def _t_statistic(a: list[float], b: list[float], kind: int) -> tuple[float, float] | ExcelError:
    """(t, degrees of freedom) of Excel's type 2 (equal variances) or 3 (unequal) t-test."""
    n1, n2 = len(a), len(b)
    if n1 < 2 or n2 < 2:
        return err("#DIV/0!", "T.TEST needs two numbers in each array")
    v1, v2 = _variance(a), _variance(b)
    diff = float(np.mean(a) - np.mean(b))
    if kind == 2:
        pooled = ((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)
        scale = math.sqrt(pooled * (1 / n1 + 1 / n2))
        df = float(n1 + n2 - 2)
    else:
        scale = math.sqrt(v1 / n1 + v2 / n2)
        df = (v1 / n1 + v2 / n2) ** 2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1)) if scale else 0.0
    if scale == 0:
        return err("#DIV/0!", "both arrays have no spread")
    return diff / scale, df


def _paired(x: list[Any], y: list[Any]) -> tuple[float, float] | ExcelError:
    if len(x) != len(y):
        return err("#N/A", "a paired T.TEST needs arrays of one size")
    d = [float(a) - float(b) for a, b in zip(x, y) if isinstance(a, (int, float)) and isinstance(b, (int, float))
         and not isinstance(a, bool) and not isinstance(b, bool)]
    if len(d) < 2:
        return err("#DIV/0!", "a paired T.TEST needs two pairs of numbers")
    sd = math.sqrt(_variance(d))
    if sd == 0:
        return err("#DIV/0!", "the differences have no spread")
    return float(np.mean(d)) / (sd / math.sqrt(len(d))), float(len(d) - 1)


@excel("range", "range", "number", "number")
def T_TEST(array1: Any, array2: Any, tails: float, kind: float) -> Any:
    """Excel's T.TEST(array1, array2, tails, type): the probability of Student's t-test (1 paired, 2 equal
    variances, 3 unequal variances; 1 or 2 tails)."""
    both = _both(array1, array2)
    if isinstance(both, ExcelError):
        return both
    x, y = both
    tails, kind = math.trunc(tails), math.trunc(kind)
    if tails not in (1, 2) or kind not in (1, 2, 3):
        return err("#NUM!", "tails must be 1 or 2 and type 1, 2 or 3")
    got = _paired(x, y) if kind == 1 else _t_statistic(_numbers(x), _numbers(y), kind)
    if isinstance(got, ExcelError):
        return got
    t, df = got
    return finite(tails * sp.t.sf(abs(t), df))


TTEST = T_TEST


@excel("range", "range")
def F_TEST(array1: Any, array2: Any) -> Any:
    """Excel's F.TEST(array1, array2): the two-tailed probability that the variances do not differ."""
    both = _both(array1, array2)
    if isinstance(both, ExcelError):
        return both
    x, y = both
    a, b = _numbers(x), _numbers(y)
    if len(a) < 2 or len(b) < 2:
        return err("#DIV/0!", "F.TEST needs two numbers in each array")
    v1, v2 = _variance(a), _variance(b)
    if v1 == 0 or v2 == 0:
        return err("#DIV/0!", "an array has no spread")
    f = v1 / v2
    tail = sp.f.cdf(f, len(a) - 1, len(b) - 1)
    return finite(2 * min(tail, 1 - tail))


FTEST = F_TEST


@excel("range", "range")
def CHISQ_TEST(actual: Any, expected: Any) -> Any:
    """Excel's CHISQ.TEST(actual_range, expected_range): the probability of the chi-squared statistic, with
    (rows-1)(columns-1) degrees of freedom (rows-1 or columns-1 for a single row or column)."""
    shapes = [v.values.shape if isinstance(v, Block) else (1, 1) for v in (actual, expected)]
    if shapes[0] != shapes[1]:
        return err("#N/A", "the ranges differ in size")
    both = _both(actual, expected)
    if isinstance(both, ExcelError):
        return both
    x, y = both
    rows, cols = shapes[0]
    if rows * cols < 2:
        return err("#N/A", "CHISQ.TEST needs more than one value")
    pairs = [(float(a), float(e)) for a, e in zip(x, y) if all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                              for v in (a, e))]
    if any(e == 0 for _, e in pairs):
        return err("#DIV/0!", "an expected count is 0")
    if any(e < 0 for _, e in pairs):
        return err("#NUM!", "an expected count is negative")
    statistic = math.fsum((a - e) ** 2 / e for a, e in pairs)
    df = (rows - 1) * (cols - 1) if rows > 1 and cols > 1 else rows * cols - 1
    return finite(sp.chi2.sf(statistic, df))


CHITEST = CHISQ_TEST


@excel("range", "number", "number")
def Z_TEST(array: Any, x: float, sigma: float | None = None) -> Any:
    """Excel's Z.TEST(array, x, [sigma]): the one-tailed probability of the z-test (sigma: the array's sample
    standard deviation when left out)."""
    cells = _cells(array)
    if isinstance(cells, ExcelError):
        return cells
    xs = _numbers(cells)
    if not xs:
        return err("#N/A", "Z.TEST of no number")
    spread = sigma if sigma is not None else (math.sqrt(_variance(xs)) if len(xs) > 1 else 0.0)
    if spread == 0:
        return err("#DIV/0!", "a zero standard deviation")
    z = (float(np.mean(xs)) - x) / (spread / math.sqrt(len(xs)))
    return finite(sp.norm.sf(z))


ZTEST = Z_TEST
