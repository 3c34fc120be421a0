"""Excel's math and trigonometry functions.

Owns the scalar maths (powers, logs, trigonometry, integer parts, Excel's
rounding to multiples), the range maths (PRODUCT, SUMPRODUCT, SUMSQ,
matrices) and the random numbers. Each takes evaluated arguments
and returns a number or an Excel error with Excel's documented rules:
domain errors are #NUM!, a zero divisor #DIV/0!, text that is not a number
#VALUE!.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.values.blocks import Block, joined, numbers
from cellrules.recalc.values.scalars import arith, checked, err, num
from cellrules.recalc.values.signature import excel


def _unary(fn: Callable[[float], float], domain: Callable[[float], bool] = lambda x: True,
           why: str = "outside the function's domain") -> Callable[[Any], Any]:
    @excel("number")
    def apply(a: float) -> Any:
        if not domain(a):
            return err("#NUM!", f"{a:g} is {why}")
        try:
            return checked(fn(a))
        except (OverflowError, ValueError):
            return err("#NUM!", "the result is out of range")
    return apply


SIN, COS, TAN = _unary(math.sin), _unary(math.cos), _unary(math.tan)
ASIN = _unary(math.asin, lambda x: -1 <= x <= 1, "outside -1..1")
ACOS = _unary(math.acos, lambda x: -1 <= x <= 1, "outside -1..1")
ATAN = _unary(math.atan)
SINH, COSH, TANH = _unary(math.sinh), _unary(math.cosh), _unary(math.tanh)
ASINH = _unary(math.asinh)
ACOSH = _unary(math.acosh, lambda x: x >= 1, "below 1")
ATANH = _unary(math.atanh, lambda x: -1 < x < 1, "outside -1..1 (exclusive)")
RADIANS, DEGREES = _unary(math.radians), _unary(math.degrees)
SQRT = _unary(math.sqrt, lambda x: x >= 0, "negative")
EXP = _unary(math.exp)
LN = _unary(math.log, lambda x: x > 0, "not positive")
LOG10 = _unary(math.log10, lambda x: x > 0, "not positive")


@excel()
def PI() -> Any:
    """Excel's PI()."""
    return math.pi


@excel("number", toolpak=True)
def SQRTPI(a: float) -> Any:
    """Excel's SQRTPI(number): the square root of number × π."""
    return err("#NUM!", "negative") if a < 0 else math.sqrt(a * math.pi)


@excel("number", "number")
def ATAN2(a: float, b: float) -> Any:
    """Excel's ATAN2(x, y): the angle of the point (x, y), x first as Excel has it."""
    if a == 0 and b == 0:
        return err("#DIV/0!", "ATAN2(0, 0)")
    return math.atan2(b, a)


@excel("number", "number")
def LOG(a: float, b: float = 10.0) -> Any:
    """Excel's LOG(number, [base]): the logarithm, base 10 by default."""
    if a <= 0 or b <= 0:
        return err("#NUM!", "LOG of a number or base that is not positive")
    if b == 1:
        return err("#DIV/0!", "LOG base 1")
    return math.log(a) / math.log(b)


@excel("value", "value")
def POWER(x: Any, y: Any) -> Any:
    """Excel's POWER(number, power)."""
    return arith("^", x, y)


@excel("number", "number")
def MOD(a: float, b: float) -> Any:
    """Excel's MOD(number, divisor): the remainder, with the divisor's sign."""
    if b == 0:
        return err("#DIV/0!", "MOD by zero")
    return a - b * math.floor(a / b)


@excel("number", "number", toolpak=True)
def QUOTIENT(x: float, d: float) -> Any:
    """Excel's QUOTIENT(numerator, denominator): the integer part of a division."""
    if d == 0:
        return err("#DIV/0!", "QUOTIENT by zero")
    return float(math.trunc(x / d))


@excel("number")
def INT(a: float) -> Any:
    """Excel's INT(number): rounded down to an integer."""
    return float(math.floor(a))


@excel("number", "number")
def TRUNC(x: float, digits: float = 0.0) -> Any:
    """Excel's TRUNC(number, [digits]): truncated towards zero."""
    factor = 10.0 ** int(digits)
    return math.trunc(x * factor) / factor


@excel("number")
def SIGN(a: float) -> Any:
    """Excel's SIGN(number): -1, 0 or 1."""
    return float((a > 0) - (a < 0))


def _steps(q: float, up: bool) -> float:
    """Whole multiples in a quotient, up or down, the quotient taken to Excel's 15 significant digits first:
    FLOOR(0.3, 0.1) is 3 steps, CEILING.MATH(1, 0.0999999999999996) 10, CEILING.MATH(3.1, 0.0999999999999996) 32."""
    shown = float(f"{q:.15g}")
    if shown == round(shown):
        return shown
    return float(math.ceil(q) if up else math.floor(q))


def _multiple(a: float, b: float, up: bool, name: str) -> Any:
    """CEILING / FLOOR: to a multiple of b, up (towards +inf for b > 0, away from zero for a negative number
    and b) or down; a positive number with a negative multiple is #NUM!."""
    if b == 0:
        return 0.0 if up or a == 0 else err("#DIV/0!", f"{name} to a multiple of 0")
    if a > 0 and b < 0:
        return err("#NUM!", f"{name} of a positive number to a negative multiple")
    return _steps(a / b, up) * b


@excel("number", "number")
def CEILING(x: float, m: float = 1.0) -> Any:
    """Excel's CEILING(number, significance): rounded up, away from zero, to a multiple."""
    return _multiple(x, m, True, "CEILING")


@excel("number", "number")
def FLOOR(x: float, m: float = 1.0) -> Any:
    """Excel's FLOOR(number, significance): rounded down, towards zero, to a multiple."""
    return _multiple(x, m, False, "FLOOR")


def _math_round(a: float, b: float, away: bool, up: bool) -> float:
    """To a multiple of |b| (0 when b is 0 — a blank significance too); ``away``: negative numbers round away
    from zero (CEILING.MATH) or towards it (FLOOR.MATH) instead."""
    b = abs(b)
    if b == 0:
        return 0.0
    return _steps(a / b, up != (a < 0 and away)) * b


@excel("number", "number", "number")
def CEILING_MATH(x: float, m: float = 1.0, mode: float = 0.0) -> Any:
    """Excel's CEILING.MATH(number, [significance], [mode]): rounded up to a multiple."""
    return _math_round(x, m, mode != 0, True)


@excel("number", "number", "number")
def FLOOR_MATH(x: float, m: float = 1.0, mode: float = 0.0) -> Any:
    """Excel's FLOOR.MATH(number, [significance], [mode]): rounded down to a multiple."""
    return _math_round(x, m, mode != 0, False)


@excel("number", "number")
def CEILING_PRECISE(x: float, m: float = 1.0) -> Any:
    """Excel's CEILING.PRECISE(number, [significance]): rounded up to a multiple, whatever the signs."""
    return _math_round(x, m, False, True)


ISO_CEILING = CEILING_PRECISE  # Microsoft: "ISO.CEILING … same as CEILING.PRECISE"


@excel("number", "number")
def FLOOR_PRECISE(x: float, m: float = 1.0) -> Any:
    """Excel's FLOOR.PRECISE(number, [significance]): rounded down to a multiple, whatever the signs."""
    return _math_round(x, m, False, False)


@excel("number", "number", toolpak=True)
def MROUND(a: float, b: float) -> Any:
    """Excel's MROUND(number, multiple): rounded to the nearest multiple."""
    if b == 0:
        return 0.0
    if a * b < 0:
        return err("#NUM!", "MROUND: the number and the multiple have different signs")
    q = a / b
    return math.floor(abs(q) + 0.5 + 1e-12) * math.copysign(1, q) * b


@excel("number")
def EVEN(a: float) -> Any:
    """Excel's EVEN(number): rounded away from zero to an even integer."""
    n = math.ceil(abs(a) / 2) * 2
    return math.copysign(n, a) if a else 0.0


@excel("number")
def ODD(a: float) -> Any:
    """Excel's ODD(number): rounded away from zero to an odd integer."""
    n = math.ceil(abs(a))
    n = n if n % 2 == 1 else n + 1
    return math.copysign(n, a) if a >= 0 else -float(n)


@excel("number", toolpak=True)
def ISEVEN(a: float) -> Any:
    """Excel's ISEVEN(number): TRUE for an even number (its integer part)."""
    return math.trunc(a) % 2 == 0


@excel("number", toolpak=True)
def ISODD(a: float) -> Any:
    """Excel's ISODD(number): TRUE for an odd number (its integer part)."""
    return math.trunc(a) % 2 == 1


@excel("number")
def FACT(a: float) -> Any:
    """Excel's FACT(number): the factorial of its integer part."""
    if a < 0:
        return err("#NUM!", "FACT of a negative number")
    if a > 170:
        return err("#NUM!", "FACT is too large")
    return float(math.factorial(int(a)))


def _choose_k(n: float, k: float, count: Callable[[int, int], int], name: str) -> Any:
    a, b = int(n), int(k)
    if a < 0 or b < 0 or b > a:
        return err("#NUM!", f"{name} needs 0 <= k <= n")
    return float(count(a, b))


@excel("number", "number")
def COMBIN(n: float, k: float) -> Any:
    """Excel's COMBIN(n, k): the number of combinations."""
    return _choose_k(n, k, math.comb, "COMBIN")


@excel("number", "number")
def PERMUT(n: float, k: float) -> Any:
    """Excel's PERMUT(n, k): the number of permutations."""
    return _choose_k(n, k, math.perm, "PERMUT")


def _integers(args: tuple[Any, ...], combine: Callable[..., int], name: str) -> Any:
    """GCD / LCM as Excel answers IronCalc's book: every cell's value counts, text read as a number ("8",
    "2024-01-10"), blank cells left out; a logical or text that is no number is #VALUE!, and so is nothing
    to combine; an omitted argument #N/A; a negative number, or one past 2^53, #NUM!."""
    nums: list[float] = []
    for arg in args:
        if arg is None:
            return err("#N/A", f"{name} with an argument left out")
        for v in arg.flat() if isinstance(arg, Block) else [arg]:
            if v is None:
                continue
            x = err("#VALUE!", f"{name} takes numbers") if isinstance(v, bool) else num(v)
            if isinstance(x, ExcelError):
                return x
            nums.append(x)
    if not nums:
        return err("#VALUE!", f"{name} of no number")
    if any(x < 0 or x >= 2 ** 53 for x in nums):
        return err("#NUM!", f"{name} of a negative number or one past 2^53")
    result = combine(*[int(x) for x in nums])
    return float(result) if result < 2 ** 53 else err("#NUM!", f"{name} past 2^53")


@excel(rest="range", toolpak=True)
def GCD(*args: Any) -> Any:
    """Excel's GCD(number1, …): the greatest common divisor."""
    return _integers(args, math.gcd, "GCD")


@excel(rest="range", toolpak=True)
def LCM(*args: Any) -> Any:
    """Excel's LCM(number1, …): the least common multiple."""
    return _integers(args, math.lcm, "LCM")


@excel(rest="areas")
def PRODUCT(*args: Any) -> Any:
    """Excel's PRODUCT(number1, …): the product (in ranges only numbers count)."""
    nums = numbers(args)
    if isinstance(nums, ExcelError):
        return nums
    return checked(math.prod(nums)) if nums else 0.0


@excel(rest="numbers")
def SUMSQ(*args: list[float]) -> Any:
    """Excel's SUMSQ(number1, …): the sum of squares."""
    return checked(math.fsum(x * x for x in joined(args)))


def grid(arg: Any) -> np.ndarray:
    """A range as its 2-D array of values, a single value as a 1×1 array."""
    return arg.values if isinstance(arg, Block) else np.array([[arg]], dtype=object)


@excel(rest="array")
def SUMPRODUCT(*args: Any) -> Any:
    """The sum of the products; text and blanks in the arrays count as 0, errors pass through."""
    grids = [grid(a) for a in args]
    if any(g.shape != grids[0].shape for g in grids):
        return err("#VALUE!", "SUMPRODUCT arrays differ in size")
    total = 0.0
    for cells in zip(*[g.ravel().tolist() for g in grids]):
        bad = next((v for v in cells if isinstance(v, ExcelError)), None)
        if bad is not None:
            return bad
        product = 1.0
        for v in cells:
            product *= float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0
        total += product
    return checked(total)
