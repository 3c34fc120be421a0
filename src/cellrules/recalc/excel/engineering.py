"""Excel's engineering functions that business sheets meet: number bases and DELTA/GESTEP.

Owns DEC2BIN/OCT/HEX and the conversions between binary, octal, hexadecimal
and decimal, with Excel's ten-digit two's complement for negatives, its
``places`` padding and its limits (#NUM! outside the range a base can hold).
"""
from __future__ import annotations

from typing import Any

from cellrules.errors import ExcelError
from cellrules.recalc.values.scalars import err, num, text
from cellrules.recalc.values.signature import excel

_LIMITS = {2: 512, 8: 536870912, 16: 549755813888}  # 10 digits of two's complement: -limit .. limit-1


def _to_base(value: int, base: int, places: Any) -> Any:
    limit = _LIMITS[base]
    if not -limit <= value < limit:
        return err("#NUM!", f"{value} does not fit in 10 digits of base {base}")
    if value < 0:
        value += base ** 10
        digits = _digits(value, base)
        return digits
    digits = _digits(value, base)
    if places is None:
        return digits
    p = num(places)
    if isinstance(p, ExcelError):
        return p
    if int(p) < len(digits):
        return err("#NUM!", f"{digits} needs more than {int(p)} places")
    return digits.rjust(int(p), "0")


def _digits(value: int, base: int) -> str:
    if value == 0:
        return "0"
    out = ""
    while value:
        value, rem = divmod(value, base)
        out = "0123456789ABCDEF"[rem] + out
    return out


def _from_base(raw: Any, base: int) -> int | ExcelError:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw < 0:
        return err("#NUM!", f"{raw:g} is not a base-{base} number")
    t = text(raw)
    if isinstance(t, ExcelError):
        return t
    t = t.strip()
    if isinstance(raw, float) and raw == int(raw):
        t = str(int(raw))
    if t == "":
        return 0
    if len(t) > 10:
        return err("#NUM!", f"'{t}' has more than 10 digits")
    if any(ch not in "0123456789ABCDEF"[:base] for ch in t.upper()):  # no sign, no space: "-A" is #NUM!
        return err("#NUM!", f"'{t}' is not a base-{base} number")
    value = int(t, base)
    if len(t) == 10 and value >= base ** 10 // 2:
        value -= base ** 10
    return value


def _decimal(raw: Any) -> int | ExcelError:
    x = num(raw)
    return x if isinstance(x, ExcelError) else int(x) if x >= 0 else -int(-x)


def _converter(source: int | None, target: int | None):
    @excel("value", "value", toolpak=True)
    def convert(raw: Any, places: Any = None) -> Any:
        if places is not None and target is not None:  # places is checked first (xlcalculator's Excel book)
            p = num(places)
            if isinstance(p, ExcelError) or not 1 <= int(p) <= 10:
                return p if isinstance(p, ExcelError) else err("#NUM!", "places must be 1 to 10")
        value = _decimal(raw) if source is None else _from_base(raw, source)
        if isinstance(value, ExcelError):
            return value
        if target is None:
            return float(value)
        if source is not None and value < 0 and target != 10 and -value > _LIMITS[target]:
            return err("#NUM!", "the number does not fit the target base")
        return _to_base(value, target, places)
    return convert


DEC2BIN, DEC2OCT, DEC2HEX = _converter(None, 2), _converter(None, 8), _converter(None, 16)
BIN2DEC, BIN2OCT, BIN2HEX = _converter(2, None), _converter(2, 8), _converter(2, 16)
OCT2DEC, OCT2BIN, OCT2HEX = _converter(8, None), _converter(8, 2), _converter(8, 16)
HEX2DEC, HEX2BIN, HEX2OCT = _converter(16, None), _converter(16, 2), _converter(16, 8)


@excel("number", "number", toolpak=True)
def DELTA(a: float, b: float = 0.0) -> Any:
    """Excel's DELTA(a, [b]): 1 when two numbers are equal, else 0."""
    return float(a == b)


@excel("number", "number", toolpak=True)
def GESTEP(a: float, step: float = 0.0) -> Any:
    """Excel's GESTEP(number, [step]): 1 when the number is at least ``step``, else 0."""
    return float(a >= step)
