"""Excel's statistical functions.

Owns the descriptive statistics (MEDIAN, MODE, STDEV, VAR and their .S/.P
forms, the …A forms that count text and logicals, PERCENTILE, QUARTILE,
RANK), the least-squares line (SLOPE, INTERCEPT, FORECAST, TREND, LINEST,
CORREL, RSQ) and the conditional extremes (MAXIFS, MINIFS). Ranges skip
blanks, text and logicals as Excel documents; too few numbers give #DIV/0!.
"""
from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.excel.numerals import paired
from cellrules.recalc.values.blocks import Block, joined, numbers
from cellrules.recalc.values.scalars import err, num
from cellrules.recalc.values.signature import excel


def _nums(args: tuple[Any, ...]) -> list[float] | ExcelError:
    return numbers(args)


@excel(rest="numbers")
def MEDIAN(*args: list[float]) -> Any:
    """Excel's MEDIAN(number1, …)."""
    xs = joined(args)
    if not xs:
        return err("#NUM!", "MEDIAN of no numbers")
    xs = sorted(xs)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def _modes(args: tuple[list[float], ...]) -> list[float] | ExcelError:
    """The most frequent numbers, each once, in the order they first appear (#N/A when none repeats)."""
    xs = joined(args)
    counts = Counter(xs)
    best = max(counts.values(), default=0)
    if best < 2:
        return err("#N/A", "no number occurs twice")
    return list(dict.fromkeys(x for x in xs if counts[x] == best))


@excel(rest="numbers")
def MODE(*args: list[float]) -> Any:
    """Excel's MODE(number1, …): the most frequent number (the first of equals; #N/A when none repeats)."""
    modes = _modes(args)
    return modes if isinstance(modes, ExcelError) else modes[0]


MODE_SNGL = MODE


@excel(rest="numbers")
def MODE_MULT(*args: list[float]) -> Any:
    """Excel's MODE.MULT(number1, …): a column of the most frequent numbers, each once, in the order they first
    appear (#N/A when no number repeats)."""
    modes = _modes(args)
    return modes if isinstance(modes, ExcelError) else Block(np.array([[x] for x in modes], dtype=object))


def _spread(args: tuple[Any, ...], sample: bool, all_values: bool = False) -> float | ExcelError:
    xs = _values_a(args) if all_values else _nums(args)
    if isinstance(xs, ExcelError):
        return xs
    n = len(xs)
    if n < (2 if sample else 1):
        return err("#DIV/0!", "too few numbers")
    mean = math.fsum(xs) / n
    return math.fsum((x - mean) ** 2 for x in xs) / (n - 1 if sample else n)


@excel(rest="areas")
def VAR(*args: Any) -> Any:
    """Excel's VAR(number1, …): the sample variance."""
    return _spread(args, True)


@excel(rest="areas")
def VARP(*args: Any) -> Any:
    """Excel's VARP(number1, …): the population variance."""
    return _spread(args, False)


@excel(rest="areas")
def STDEV(*args: Any) -> Any:
    """Excel's STDEV(number1, …): the sample standard deviation."""
    v = _spread(args, True)
    return v if isinstance(v, ExcelError) else math.sqrt(v)


@excel(rest="areas")
def STDEVP(*args: Any) -> Any:
    """Excel's STDEVP(number1, …): the population standard deviation."""
    v = _spread(args, False)
    return v if isinstance(v, ExcelError) else math.sqrt(v)


VAR_S, VAR_P, STDEV_S, STDEV_P = VAR, VARP, STDEV, STDEVP


def _values_a(args: tuple[Any, ...]) -> list[float] | ExcelError:
    """Values for the …A functions: in ranges text counts 0 and TRUE 1; typed values as numbers."""
    return numbers(args, text_as_zero=True)


@excel(rest="areas")
def AVERAGEA(*args: Any) -> Any:
    """Excel's AVERAGEA(value1, …): the mean, text counting as 0 and TRUE as 1."""
    xs = _values_a(args)
    if isinstance(xs, ExcelError):
        return xs
    return err("#DIV/0!", "AVERAGEA of no values") if not xs else math.fsum(xs) / len(xs)


@excel(rest="areas")
def MAXA(*args: Any) -> Any:
    """Excel's MAXA(value1, …): the largest, text counting as 0 and TRUE as 1."""
    xs = _values_a(args)
    return xs if isinstance(xs, ExcelError) else (max(xs) if xs else 0.0)


@excel(rest="areas")
def MINA(*args: Any) -> Any:
    """Excel's MINA(value1, …): the smallest, text counting as 0 and TRUE as 1."""
    xs = _values_a(args)
    return xs if isinstance(xs, ExcelError) else (min(xs) if xs else 0.0)


@excel(rest="areas")
def STDEVA(*args: Any) -> Any:
    """Excel's STDEVA(value1, …): the sample standard deviation, text as 0 and TRUE as 1."""
    v = _spread(args, True, True)
    return v if isinstance(v, ExcelError) else math.sqrt(v)


@excel(rest="areas")
def VARA(*args: Any) -> Any:
    """Excel's VARA(value1, …): the sample variance, text as 0 and TRUE as 1."""
    return _spread(args, True, True)


@excel("cells")
def COUNTBLANK(block: Any) -> Any:
    """Excel's COUNTBLANK(range): how many cells are empty (or hold "")."""
    cells = block.flat() if isinstance(block, Block) else [block]
    beyond = block.full[0] * block.full[1] - block.values.size if isinstance(block, Block) else 0  # whole columns
    return float(sum(1 for v in cells if v is None or v == "") + beyond)


def _percentile(xs: list[float], k: float, exclusive: bool) -> Any:
    xs = sorted(xs)
    n = len(xs)
    if not xs:
        return err("#NUM!", "no numbers")
    if exclusive:
        h = k * (n + 1) - 1
        if h < 0 or h > n - 1:
            return err("#NUM!", "k is outside the range PERCENTILE.EXC allows")
    else:
        if not 0 <= k <= 1:
            return err("#NUM!", "k is outside 0..1")
        h = k * (n - 1)
    low = int(math.floor(h))
    high = min(low + 1, n - 1)
    return xs[low] + (h - low) * (xs[high] - xs[low])


@excel("numbers", "number")
def PERCENTILE(xs: list[float], k: float) -> Any:
    """Excel's PERCENTILE(range, k): the k-th percentile, interpolated (k in [0, 1])."""
    return _percentile(xs, k, False)


PERCENTILE_INC = PERCENTILE


@excel("numbers", "number")
def PERCENTILE_EXC(xs: list[float], k: float) -> Any:
    """Excel's PERCENTILE.EXC(range, k): the k-th percentile, k strictly between 0 and 1."""
    return _percentile(xs, k, True)


@excel("numbers", "number")
def QUARTILE(block: list[float], quart: float) -> Any:
    """Excel's QUARTILE(range, quart): the quartile 0 to 4."""
    if not 0 <= int(quart) <= 4:
        return err("#NUM!", "QUARTILE needs 0..4")
    return PERCENTILE(block, int(quart) / 4)


QUARTILE_INC = QUARTILE


@excel("numbers", "number")
def QUARTILE_EXC(block: list[float], quart: float) -> Any:
    """Excel's QUARTILE.EXC(range, quart): the quartile 1 to 3, exclusive method."""
    if not 1 <= int(quart) <= 3:
        return err("#NUM!", "QUARTILE.EXC needs 1..3")
    return PERCENTILE_EXC(block, int(quart) / 4)


@excel("number", "numbers", "number")
def RANK(v: float, xs: list[float], o: float = 0.0) -> Any:
    """Excel's RANK(number, range, [order]): the rank (ties share the better rank; 0 = descending)."""
    if v not in xs:
        return err("#N/A", "the number is not in the range")
    return float(1 + sum(1 for y in xs if (y < v if o else y > v)))


RANK_EQ = RANK


@excel("number", "numbers", "number")
def RANK_AVG(x: float, xs: list[float], order: float = 0.0) -> Any:
    """Excel's RANK.AVG(number, range, [order]): the rank, ties sharing their average rank."""
    first = RANK(x, xs, order)
    if isinstance(first, ExcelError):
        return first
    ties = sum(1 for y in xs if y == x)
    return first + (ties - 1) / 2


# -- least squares ---------------------------------------------------------------
def _paired(ys: Any, xs: Any) -> tuple[np.ndarray, np.ndarray] | ExcelError:
    got = paired(ys, xs)
    if isinstance(got, ExcelError):
        return got
    if not got[0]:
        return err("#DIV/0!", "no pairs of numbers")
    return np.array(got[0]), np.array(got[1])


def _line(ys: Any, xs: Any) -> tuple[float, float] | ExcelError:
    p = _paired(ys, xs)
    if isinstance(p, ExcelError):
        return p
    y, x = p
    dx = x - x.mean()
    sxx = float((dx * dx).sum())
    if sxx == 0:
        return err("#DIV/0!", "the x values do not vary")
    slope = float((dx * (y - y.mean())).sum()) / sxx
    return slope, float(y.mean()) - slope * float(x.mean())


@excel("range", "range")
def SLOPE(ys: Any, xs: Any) -> Any:
    """Excel's SLOPE(known_ys, known_xs): the slope of the least-squares line."""
    line = _line(ys, xs)
    return line if isinstance(line, ExcelError) else line[0]


@excel("range", "range")
def INTERCEPT(ys: Any, xs: Any) -> Any:
    """Excel's INTERCEPT(known_ys, known_xs): where the least-squares line meets the y axis."""
    line = _line(ys, xs)
    return line if isinstance(line, ExcelError) else line[1]


@excel("number", "range", "range")
def FORECAST(v: float, ys: Any, xs: Any) -> Any:
    """Excel's FORECAST(x, known_ys, known_xs): the least-squares line's value at x."""
    line = _line(ys, xs)
    return line if isinstance(line, ExcelError) else line[1] + line[0] * v


FORECAST_LINEAR = FORECAST


@excel("range", "range")
def CORREL(a: Any, b: Any) -> Any:
    """Excel's CORREL(array1, array2): the correlation coefficient."""
    p = _paired(a, b)
    if isinstance(p, ExcelError):
        return p
    y, x = p
    dy, dx = y - y.mean(), x - x.mean()
    den = math.sqrt(float((dx * dx).sum()) * float((dy * dy).sum()))
    return err("#DIV/0!", "a range does not vary") if den == 0 else float((dx * dy).sum()) / den


PEARSON = CORREL


@excel("range", "range")
def RSQ(a: Any, b: Any) -> Any:
    """Excel's RSQ(known_ys, known_xs): the square of the correlation coefficient."""
    r = CORREL(a, b)
    return r if isinstance(r, ExcelError) else r * r
