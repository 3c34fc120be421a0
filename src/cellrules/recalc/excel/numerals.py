"""Excel's numerals, reciprocal trigonometry, bit operations and the smaller statistics.

Owns ROMAN/ARABIC, BASE/DECIMAL, ISO.CEILING, COT/CSC/SEC and their hyperbolic and inverse forms,
COMBINA/MULTINOMIAL/SERIESSUM, the BIT* functions, the paired sums (SUMX2MY2, SUMX2PY2, SUMXMY2), and the
pairing of two arrays' numbers they share with :mod:`dispersion`. Each follows Microsoft's page for it.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from cellrules.errors import ExcelError
from cellrules.recalc.values.blocks import Block, numbers
from cellrules.recalc.values.scalars import checked, err, num
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
    elif isinstance(form, str) and not isinstance(x := num(form), ExcelError):
        f = math.trunc(x)  # text holding a number: "2" is form 2
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
def PERMUTATIONA(n: float, k: float) -> Any:
    """Excel's PERMUTATIONA(number, number_chosen): permutations with repetitions, number^number_chosen."""
    a, b = math.trunc(n), math.trunc(k)
    if a < 0 or b < 0:
        return err("#NUM!", "PERMUTATIONA needs non-negative numbers")
    return checked(float(a) ** b)


@excel("number", toolpak=True)
def FACTDOUBLE(n: float) -> Any:
    """Excel's FACTDOUBLE(number): the double factorial n!! (n·(n-2)·(n-4)…)."""
    k = math.trunc(n)
    if k < -1:
        return err("#NUM!", "FACTDOUBLE of a negative number")
    out = 1.0
    for i in range(k, 1, -2):
        out *= i
        if math.isinf(out):
            return err("#NUM!", "FACTDOUBLE too large")
    return out


@excel("number", "number")
def COMBINA(n: float, k: float) -> Any:
    """Excel's COMBINA(number, number_chosen): combinations with repetitions."""
    a, b = math.trunc(n), math.trunc(k)
    if a < 0 or b < 0 or a < b and a == 0 and b > 0:
        return err("#NUM!", "COMBINA needs non-negative numbers")
    return float(math.comb(a + b - 1, b)) if a + b - 1 >= 0 else 1.0


@excel(rest="range", toolpak=True)
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


@excel("number", "number", "number", "range", toolpak=True)
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


def paired(a: Any, b: Any) -> tuple[list[float], list[float]] | ExcelError:
    """The numbers of two same-sized arrays at the positions where both hold one (an error value is the answer)."""
    xs = a.flat() if isinstance(a, Block) else [a]
    ys = b.flat() if isinstance(b, Block) else [b]
    if len(xs) != len(ys):
        return err("#N/A", "the two ranges differ in size")
    bad = next((v for v in xs + ys if isinstance(v, ExcelError)), None)
    if bad is not None:
        return bad
    pairs = [(float(x), float(y)) for x, y in zip(xs, ys) if is_number(x) and is_number(y)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def is_number(v: Any) -> bool:
    """Whether a cell holds a number (not TRUE/FALSE)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _pair_sum(term: Callable[[float, float], float]) -> Callable[[Any, Any], Any]:
    @excel("array", "array")
    def pair_sum(a: Any, b: Any) -> Any:
        got = paired(a, b)
        return got if isinstance(got, ExcelError) else checked(math.fsum(map(term, *got)))
    return pair_sum


SUMX2MY2 = _pair_sum(lambda x, y: x * x - y * y)
SUMX2PY2 = _pair_sum(lambda x, y: x * x + y * y)
SUMXMY2 = _pair_sum(lambda x, y: (x - y) ** 2)
