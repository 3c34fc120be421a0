"""Excel's numerals, reciprocal trigonometry, bit operations and the smaller statistics.

Owns ROMAN/ARABIC, BASE/DECIMAL, ISO.CEILING, COT/CSC/SEC and their hyperbolic and inverse forms,
COMBINA/MULTINOMIAL/SERIESSUM, the BIT* functions, the paired sums (SUMX2MY2, SUMX2PY2, SUMXMY2), and the
dispersion statistics built on a list of numbers (AVEDEV, DEVSQ, COVARIANCE, SKEW, KURT, HARMEAN, TRIMMEAN,
PERCENTRANK, STDEVPA/VARPA, STEYX, PROB, FREQUENCY). Each follows Microsoft's page for it.
"""
from __future__ import annotations

import bisect
import math
from typing import Any, Callable

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.values.blocks import Block, numbers
from cellrules.recalc.values.scalars import checked, err
from cellrules.recalc.values.signature import excel

_CHARS = "MDCLXVI"
_VALUES = (1000, 500, 100, 50, 10, 5, 1)


def _roman(n: int, form: int) -> str:
    """Roman numerals of ``n`` in Excel's ``form`` (0 classic … 4 simplified): a subtraction may reach
    ``form`` letters further than the classic one (499 is CDXCIX classic, LDVLIV form 1 … ID form 4)."""
    out, last = [], len(_VALUES) - 1
    for i in range(0, last // 2 + 1):
        index = 2 * i
        digit = n // _VALUES[index]
        if digit % 5 == 4:
            index2 = index - 1 if digit == 4 else index - 2
            steps = 0
            while steps < form and index < last:
                steps += 1
                if _VALUES[index2] - _VALUES[index + 1] <= n:
                    index += 1
                else:
                    steps = form
            out.append(_CHARS[index] + _CHARS[index2])
            n += _VALUES[index] - _VALUES[index2]
        else:
            if digit > 4:
                out.append(_CHARS[index - 1])
            out.append(_CHARS[index] * (digit % 5))
            n %= _VALUES[index]
    return "".join(out)


@excel("number", "value")
def ROMAN(n: float, form: Any = 0.0) -> Any:
    """Excel's ROMAN(number, [form]): an arabic number 0-3999 as roman numerals (form 0 classic … 4 simplified,
    TRUE 0, FALSE 4)."""
    if isinstance(form, bool):
        f = 0 if form else 4
    elif form is None:
        f = 0
    elif isinstance(form, (int, float)):
        f = math.trunc(form)
    else:
        return err("#VALUE!", "form must be a number or TRUE/FALSE")
    value = math.trunc(n)
    if not 0 <= value <= 3999 or not 0 <= f <= 4:
        return err("#VALUE!", "ROMAN takes 0..3999 and a form 0..4")
    return _roman(value, f)


_LETTERS = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


@excel("text")
def ARABIC(t: str) -> Any:
    """Excel's ARABIC(text): a roman numeral as a number (a leading minus kept; blank 0)."""
    s = t.strip().upper()
    sign = -1.0 if s.startswith("-") else 1.0
    s = s.lstrip("-")
    if len(s) > 255 or any(ch not in _LETTERS for ch in s):
        return err("#VALUE!", f"'{t}' is not a roman numeral")
    total = 0
    for i, ch in enumerate(s):
        v = _LETTERS[ch]
        total += -v if i + 1 < len(s) and _LETTERS[s[i + 1]] > v else v
    return sign * total


_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@excel("number", "number", "number")
def BASE(n: float, radix: float, min_length: float = 0.0) -> Any:
    """Excel's BASE(number, radix, [min_length]): a number as text in base 2-36."""
    value, r, width = math.trunc(n), math.trunc(radix), math.trunc(min_length)
    if value < 0 or value >= 2 ** 53 or not 2 <= r <= 36 or not 0 <= width <= 255:
        return err("#NUM!", "BASE takes 0 ≤ number < 2^53, radix 2..36 and min_length 0..255")
    out = ""
    while value:
        value, d = divmod(value, r)
        out = _DIGITS[d] + out
    return (out or "0").rjust(width, "0")


@excel("text", "number")
def DECIMAL(t: str, radix: float) -> Any:
    """Excel's DECIMAL(text, radix): text in base 2-36 as a number."""
    r = math.trunc(radix)
    if not 2 <= r <= 36:
        return err("#NUM!", "radix must be 2..36")
    try:
        return float(int(t.strip(), r)) if t.strip() else 0.0
    except ValueError:
        return err("#NUM!", f"'{t}' is not a base-{r} number")


def _recip(fn: Callable[[float], float], name: str, zero_ok: bool = False) -> Callable[[float], Any]:
    @excel("number")
    def recip(x: float) -> Any:
        if abs(x) >= 2 ** 27 and name in ("COT", "CSC", "SEC"):
            return err("#NUM!", f"{name} of a number of 2^27 or more")
        value = fn(x)
        if value == 0 and not zero_ok:
            return err("#DIV/0!", f"{name}({x:g}) divides by zero")
        return checked(1 / value) if value != 0 else 0.0
    return recip


COT = _recip(math.tan, "COT")
CSC = _recip(math.sin, "CSC")
SEC = _recip(math.cos, "SEC")
COTH = _recip(math.tanh, "COTH")
CSCH = _recip(math.sinh, "CSCH")
SECH = _recip(math.cosh, "SECH")


@excel("number")
def ACOT(x: float) -> Any:
    """Excel's ACOT(number): the arccotangent, 0..π."""
    return math.pi / 2 - math.atan(x)


@excel("number")
def ACOTH(x: float) -> Any:
    """Excel's ACOTH(number): the inverse hyperbolic cotangent, |number| > 1."""
    return err("#NUM!", "|number| must exceed 1") if abs(x) <= 1 else 0.5 * math.log((x + 1) / (x - 1))


@excel("number", "number")
def COMBINA(n: float, k: float) -> Any:
    """Excel's COMBINA(number, number_chosen): combinations with repetitions."""
    a, b = math.trunc(n), math.trunc(k)
    if a < 0 or b < 0 or a < b and a == 0 and b > 0:
        return err("#NUM!", "COMBINA needs non-negative numbers")
    return float(math.comb(a + b - 1, b)) if a + b - 1 >= 0 else 1.0


@excel(rest="range")
def MULTINOMIAL(*args: Any) -> Any:
    """Excel's MULTINOMIAL(number1, …): (Σn)! / Πn!."""
    nums = numbers(args)
    if isinstance(nums, ExcelError):
        return nums
    ks = [math.trunc(x) for x in nums]
    if any(k < 0 for k in ks):
        return err("#NUM!", "MULTINOMIAL of a negative number")
    out = math.factorial(sum(ks))
    for k in ks:
        out //= math.factorial(k)
    return checked(float(out))


@excel("number", "number", "number", "range")
def SERIESSUM(x: float, n: float, m: float, coefficients: Any) -> Any:
    """Excel's SERIESSUM(x, n, m, coefficients): Σ aᵢ·x^(n + i·m)."""
    cs = numbers((coefficients,))
    if isinstance(cs, ExcelError):
        return cs
    return checked(math.fsum(a * x ** (n + i * m) for i, a in enumerate(cs)))


def _bits(*values: float) -> list[int] | ExcelError:
    out = []
    for v in values:
        if v < 0 or v != math.trunc(v) or v >= 2 ** 48:
            return err("#NUM!", "BIT functions take whole numbers 0 ≤ n < 2^48")
        out.append(int(v))
    return out


def _bitwise(op: Callable[[int, int], int]) -> Callable[[float, float], Any]:
    @excel("number", "number")
    def bit(a: float, b: float) -> Any:
        got = _bits(a, b)
        return got if isinstance(got, ExcelError) else float(op(*got))
    return bit


BITAND = _bitwise(lambda a, b: a & b)
BITOR = _bitwise(lambda a, b: a | b)
BITXOR = _bitwise(lambda a, b: a ^ b)


def _shift(left: bool) -> Callable[[float, float], Any]:
    @excel("number", "number")
    def shift(a: float, k: float) -> Any:
        got = _bits(a)
        if isinstance(got, ExcelError):
            return got
        amount = math.trunc(k)
        if abs(amount) > 53:
            return err("#NUM!", "shift amount beyond 53")
        amount = amount if left else -amount
        value = got[0] << amount if amount >= 0 else got[0] >> -amount
        return err("#NUM!", "the result is 2^48 or more") if value >= 2 ** 48 else float(value)
    return shift


BITLSHIFT = _shift(True)
BITRSHIFT = _shift(False)


def _paired(a: Any, b: Any) -> tuple[list[float], list[float]] | ExcelError:
    xs = a.flat() if isinstance(a, Block) else [a]
    ys = b.flat() if isinstance(b, Block) else [b]
    if len(xs) != len(ys):
        return err("#N/A", "the arrays differ in size")
    bad = next((v for v in xs + ys if isinstance(v, ExcelError)), None)
    if bad is not None:
        return bad
    pairs = [(float(x), float(y)) for x, y in zip(xs, ys) if _is_num(x) and _is_num(y)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _pair_sum(term: Callable[[float, float], float]) -> Callable[[Any, Any], Any]:
    @excel("array", "array")
    def pair_sum(a: Any, b: Any) -> Any:
        got = _paired(a, b)
        return got if isinstance(got, ExcelError) else checked(math.fsum(map(term, *got)))
    return pair_sum


SUMX2MY2 = _pair_sum(lambda x, y: x * x - y * y)
SUMX2PY2 = _pair_sum(lambda x, y: x * x + y * y)
SUMXMY2 = _pair_sum(lambda x, y: (x - y) ** 2)


def _list(args: tuple[Any, ...], least: int = 1) -> list[float] | ExcelError:
    nums = numbers(args)
    if isinstance(nums, ExcelError):
        return nums
    return nums if len(nums) >= least else err("#DIV/0!" if least <= 2 else "#DIV/0!", "too few numbers")


@excel(rest="range")
def AVEDEV(*args: Any) -> Any:
    """Excel's AVEDEV(number1, …): the mean absolute deviation from the mean."""
    xs = _list(args)
    if isinstance(xs, ExcelError):
        return err("#NUM!", "AVEDEV of no numbers") if xs.code == "#DIV/0!" else xs
    m = math.fsum(xs) / len(xs)
    return math.fsum(abs(x - m) for x in xs) / len(xs)


@excel(rest="range")
def DEVSQ(*args: Any) -> Any:
    """Excel's DEVSQ(number1, …): the sum of squared deviations from the mean."""
    xs = _list(args)
    if isinstance(xs, ExcelError):
        return err("#NUM!", "DEVSQ of no numbers") if xs.code == "#DIV/0!" else xs
    m = math.fsum(xs) / len(xs)
    return math.fsum((x - m) ** 2 for x in xs)


def _covariance(sample: bool) -> Callable[[Any, Any], Any]:
    @excel("range", "range")
    def covariance(a: Any, b: Any) -> Any:
        got = _paired(a, b)
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


@excel(rest="range")
def SKEW(*args: Any) -> Any:
    """Excel's SKEW(number1, …): the sample skewness."""
    xs = _list(args, 3)
    if isinstance(xs, ExcelError):
        return xs
    n, m, s = len(xs), float(np.mean(xs)), float(np.std(xs, ddof=1))
    return err("#DIV/0!", "no spread") if s == 0 else n / ((n - 1) * (n - 2)) * math.fsum(((x - m) / s) ** 3 for x in xs)


@excel(rest="range")
def SKEW_P(*args: Any) -> Any:
    """Excel's SKEW.P(number1, …): the population skewness."""
    xs = _list(args, 1)
    if isinstance(xs, ExcelError):
        return xs
    m, s = float(np.mean(xs)), float(np.std(xs))
    return err("#DIV/0!", "no spread") if s == 0 else math.fsum(((x - m) / s) ** 3 for x in xs) / len(xs)


@excel(rest="range")
def KURT(*args: Any) -> Any:
    """Excel's KURT(number1, …): the sample excess kurtosis."""
    xs = _list(args, 4)
    if isinstance(xs, ExcelError):
        return xs
    n, m, s = len(xs), float(np.mean(xs)), float(np.std(xs, ddof=1))
    if s == 0:
        return err("#DIV/0!", "no spread")
    total = math.fsum(((x - m) / s) ** 4 for x in xs)
    return n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * total - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))


@excel(rest="range")
def HARMEAN(*args: Any) -> Any:
    """Excel's HARMEAN(number1, …): the harmonic mean of positive numbers."""
    xs = _list(args)
    if isinstance(xs, ExcelError):
        return err("#NUM!", "HARMEAN of no numbers") if xs.code == "#DIV/0!" else xs
    return err("#NUM!", "HARMEAN of a number ≤ 0") if any(x <= 0 for x in xs) else len(xs) / math.fsum(1 / x for x in xs)


@excel("range", "number")
def TRIMMEAN(block: Any, percent: float) -> Any:
    """Excel's TRIMMEAN(array, percent): the mean without the given share of the extremes (rounded down to pairs)."""
    xs = _list((block,))
    if isinstance(xs, ExcelError):
        return err("#NUM!", "TRIMMEAN of no numbers") if xs.code == "#DIV/0!" else xs
    if not 0 <= percent < 1:
        return err("#NUM!", "percent must be in 0..1")
    cut = math.floor(len(xs) * percent / 2)
    kept = sorted(xs)[cut:len(xs) - cut]
    return math.fsum(kept) / len(kept)


def _percentrank(block: Any, x: float, digits: float, exclusive: bool) -> Any:
    xs = _list((block,))
    if isinstance(xs, ExcelError):
        return err("#NUM!", "no numbers") if xs.code == "#DIV/0!" else xs
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


@excel(rest="range")
def STDEVPA(*args: Any) -> Any:
    """Excel's STDEVPA(value1, …): the population standard deviation, text 0 and TRUE 1."""
    v = VARPA(*args)
    return v if isinstance(v, ExcelError) else math.sqrt(v)


@excel(rest="range")
def VARPA(*args: Any) -> Any:
    """Excel's VARPA(value1, …): the population variance, text 0 and TRUE 1."""
    xs = numbers(args, text_as_zero=True)
    if isinstance(xs, ExcelError):
        return xs
    return err("#DIV/0!", "no values") if not xs else float(np.var(xs))


@excel("range", "range")
def STEYX(known_y: Any, known_x: Any) -> Any:
    """Excel's STEYX(known_y's, known_x's): the standard error of the regression's predicted y."""
    got = _paired(known_y, known_x)
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
    got = _paired(x_range, p_range)
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
