"""Excel's complex-number functions: COMPLEX and the IM* family.

Owns complex numbers as Excel writes them — text "x+yi" or "x+yj" ("3", "4i", "-i", "1.5E-3-2j"), a
number being a real one — read (:func:`parse`) and written (:func:`show`: 15 significant digits, a part
that is 0 left out, a coefficient of 1 left out, "0" for zero), and the functions of Microsoft's list on
them. All are Analysis ToolPak functions (not lifted over arrays); their arguments are read left to right,
TRUE/FALSE is #VALUE!, a text that is no complex number #NUM!; mixing i and j is #NUM! (#VALUE! in IMSUM
and IMPRODUCT); a division by zero or a logarithm of zero is #NUM!.
"""
from __future__ import annotations

import cmath
import math
import re
from typing import Any, Callable

from cellrules.errors import ExcelError
from cellrules.recalc.values.blocks import Block
from cellrules.recalc.values.scalars import err
from cellrules.recalc.values.signature import excel

_NUMBER = r"(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_COMPLEX = re.compile(rf"^(?P<re>[-+]?{_NUMBER})?(?:(?P<im>[-+]?(?:{_NUMBER})?)(?P<unit>[ij]))?$")


class Complex:
    """A parsed complex number and the suffix it was written with (None for a plain real number)."""

    __slots__ = ("value", "unit")

    def __init__(self, value: complex, unit: str | None) -> None:
        self.value, self.unit = value, unit


def parse(v: Any) -> Complex | ExcelError:
    """A cell's value as a complex number: a number is real, text is read as Excel writes complex numbers."""
    if isinstance(v, ExcelError):
        return v
    if isinstance(v, bool):
        return err("#VALUE!", "a complex number cannot be TRUE/FALSE")
    if v is None:
        return Complex(0j, None)
    if isinstance(v, (int, float)):
        return Complex(complex(float(v), 0.0), None)
    text = str(v)
    m = _COMPLEX.match(text)
    if not text or m is None or (m.group("re") is None and m.group("unit") is None):
        return err("#NUM!", f"'{text}' is not a complex number")
    real = float(m.group("re") or 0.0)
    if m.group("unit") is None:
        return Complex(complex(real, 0.0), None)
    coefficient = m.group("im")
    if m.group("re") is not None and coefficient == "":  # "5i": the number read first is the coefficient
        return Complex(complex(0.0, real), m.group("unit"))
    imag = float(coefficient + "1") if coefficient in ("", "+", "-") else float(coefficient)
    return Complex(complex(real, imag), m.group("unit"))


def _part(x: float) -> str:
    """A part as Excel writes it: 15 significant digits, in fixed notation up to 19 decimals (0.00000000000000001,
    0.0000692442674613868) and below 1E15, else 4.48088972785335E-06."""
    mantissa, power = f"{x:.14e}".split("e")
    digits = mantissa.replace("-", "").replace(".", "").rstrip("0") or "0"
    exponent = int(power)
    decimals = max(len(digits) - 1 - exponent, 0)
    if exponent < 15 and decimals <= 19:
        return f"{x:.{decimals}f}"
    return f"{mantissa.rstrip('0').rstrip('.')}E{power[0]}{abs(exponent):02d}"


def show(z: complex, unit: str = "i") -> Any:
    """A complex number as Excel writes it; #NUM! when a part is not finite."""
    if not (math.isfinite(z.real) and math.isfinite(z.imag)):
        return err("#NUM!", "the result is too large")
    real, imag = float(z.real), float(z.imag)
    if imag == 0:
        return _part(real) if real != 0 else "0"
    coefficient = "" if imag == 1 else "-" if imag == -1 else _part(imag)
    head = _part(real) if real != 0 else ""
    sign = "+" if head and imag > 0 else ""
    return f"{head}{sign}{coefficient}{unit}"


def _units(parsed: list[Complex], code: str = "#NUM!") -> str | ExcelError:
    units = {p.unit for p in parsed if p.unit}
    if len(units) > 1:
        return err(code, "i and j mixed in one calculation")
    return units.pop() if units else "i"


def _one(fn: Callable[[complex], complex], check: Callable[[complex], bool] | None = None) -> Callable[..., Any]:
    @excel("any", toolpak=True)
    def function(inumber: Any) -> Any:
        z = parse(inumber)
        if isinstance(z, ExcelError):
            return z
        if check is not None and not check(z.value):
            return err("#NUM!", "outside the function's domain")
        try:
            return show(fn(z.value), z.unit or "i")
        except (ZeroDivisionError, OverflowError, ValueError):
            return err("#NUM!", "outside the function's domain")
    return function


def _nonzero(z: complex) -> bool:
    return z != 0


IMCONJUGATE = _one(lambda z: z.conjugate())
IMCOS, IMSIN, IMTAN = _one(cmath.cos), _one(cmath.sin), _one(cmath.tan)
IMCOSH, IMSINH = _one(cmath.cosh), _one(cmath.sinh)
IMSEC, IMCSC, IMCOT = _one(lambda z: 1 / cmath.cos(z)), _one(lambda z: 1 / cmath.sin(z)), _one(lambda z: 1 / cmath.tan(z))
IMSECH, IMCSCH = _one(lambda z: 1 / cmath.cosh(z)), _one(lambda z: 1 / cmath.sinh(z))
IMEXP, IMSQRT = _one(cmath.exp), _one(cmath.sqrt)
IMLN = _one(cmath.log, _nonzero)
IMLOG10 = _one(cmath.log10, _nonzero)
IMLOG2 = _one(lambda z: cmath.log(z) / math.log(2), _nonzero)


def _number_of(fn: Callable[[complex], float], check: Callable[[complex], bool] | None = None) -> Callable[..., Any]:
    @excel("any", toolpak=True)
    def function(inumber: Any) -> Any:
        z = parse(inumber)
        if isinstance(z, ExcelError):
            return z
        if check is not None and not check(z.value):
            return err("#DIV/0!", "the argument of 0 is undefined")
        return float(fn(z.value))
    return function


IMABS = _number_of(abs)
IMREAL = _number_of(lambda z: z.real)
IMAGINARY = _number_of(lambda z: z.imag)
IMARGUMENT = _number_of(cmath.phase, _nonzero)


@excel("number", "number", "value", toolpak=True)
def COMPLEX(real: float, imaginary: float, suffix: Any = None) -> Any:
    """Excel's COMPLEX(real_num, i_num, [suffix]): a complex number as text, with "i" or "j"."""
    unit = "i" if suffix is None or suffix == "" else suffix
    if unit not in ("i", "j"):
        return err("#VALUE!", 'the suffix must be "i" or "j" (lower case)')
    return show(complex(real, imaginary), unit)


def _pair(x: Any, y: Any) -> tuple[complex, complex, str] | ExcelError:
    """Two complex arguments, read left to right, and the suffix they share."""
    a, b = parse(x), parse(y)
    for z in (a, b):
        if isinstance(z, ExcelError):
            return z
    assert isinstance(a, Complex) and isinstance(b, Complex)
    unit = _units([a, b])
    return unit if isinstance(unit, ExcelError) else (a.value, b.value, unit)


@excel("any", "any", toolpak=True)
def IMDIV(inumber1: Any, inumber2: Any) -> Any:
    """Excel's IMDIV(inumber1, inumber2): the quotient of two complex numbers."""
    got = _pair(inumber1, inumber2)
    if isinstance(got, ExcelError):
        return got
    a, b, unit = got
    return err("#NUM!", "division by a complex zero") if b == 0 else show(a / b, unit)


@excel("any", "any", toolpak=True)
def IMSUB(inumber1: Any, inumber2: Any) -> Any:
    """Excel's IMSUB(inumber1, inumber2): the difference of two complex numbers."""
    got = _pair(inumber1, inumber2)
    return got if isinstance(got, ExcelError) else show(got[0] - got[1], got[2])


@excel("any", "number", toolpak=True)
def IMPOWER(inumber: Any, power: float) -> Any:
    """Excel's IMPOWER(inumber, number): a complex number raised to a real power."""
    z = parse(inumber)
    if isinstance(z, ExcelError):
        return z
    if z.value == 0:
        return err("#NUM!", "a power of a complex zero") if power <= 0 else "0"
    r, theta = abs(z.value), cmath.phase(z.value)
    try:
        return show(cmath.rect(r ** power, theta * power), z.unit or "i")
    except OverflowError:
        return err("#NUM!", "the result is too large")


def _many(args: tuple[Any, ...], start: complex, combine: Callable[[complex, complex], complex]) -> Any:
    parsed: list[Complex] = []
    for arg in args:
        values = arg.flat() if isinstance(arg, Block) else [arg]
        for v in values:
            z = parse(v)  # a blank cell is 0
            if isinstance(z, ExcelError):
                return z
            parsed.append(z)
    unit = _units(parsed, "#VALUE!")
    if isinstance(unit, ExcelError):
        return unit
    total = start
    for z in parsed:
        total = combine(total, z.value)
    return show(total, unit)


@excel(rest="cells", toolpak=True)
def IMSUM(*inumbers: Any) -> Any:
    """Excel's IMSUM(inumber1, …): the sum of complex numbers."""
    return _many(inumbers, 0j, lambda a, b: a + b)


@excel(rest="cells", toolpak=True)
def IMPRODUCT(*inumbers: Any) -> Any:
    """Excel's IMPRODUCT(inumber1, …): the product of complex numbers."""
    return _many(inumbers, 1 + 0j, lambda a, b: a * b)
