"""Excel's value semantics for the recalculation engine.

Owns how cell values convert and compare as Excel does: blanks count as 0 or
"", text that reads as a number works in arithmetic, TRUE is 1, numbers sort
before text before logicals, text compares without regard to case, and
numbers print in Excel's General format. Error values pass through.
"""
from __future__ import annotations

import math
import re
from typing import Any, TypeVar, overload

from cellrules.coerce import PLAIN_NUMBER
from cellrules.errors import ExcelError
from cellrules.xlsx.serials import date_text, time_of



def err(code: str, reason: str = "") -> ExcelError:
    """An Excel error value with a reason."""
    return ExcelError(code, reason)


def num(v: Any) -> float | ExcelError:
    """A value in arithmetic: blank 0, TRUE 1, numeric text its number, other text #VALUE!."""
    if isinstance(v, ExcelError):
        return v
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        text = v.strip()
        if PLAIN_NUMBER.match(text):
            return float(text)
        if text.endswith("%") and PLAIN_NUMBER.match(text[:-1].rstrip()):
            return float(text[:-1]) / 100
        shown = number_in_text(v)
        return shown if shown is not None else err("#VALUE!", f"'{v}' is not a number")
    return err("#VALUE!", "an array where one number is needed")


_GROUPED = re.compile(r"^\(?[-+]?\$?\(?[-+]?\d{1,3}(,\d{3})*(\.\d*)?\)?$|^\(?[-+]?\$?[-+]?(\d+\.?\d*|\.\d+)\)?$")


def serial_number(v: Any) -> float | ExcelError:
    """A value as a date serial: a number (as :func:`num` reads it), or text holding a date and/or a time as
    DATEVALUE and TIMEVALUE read it."""
    x = num(v)
    if isinstance(x, ExcelError) and isinstance(v, str):
        day, time = date_text(v), time_of(v)
        if day is not None:
            return day + (time or 0.0)
        if time is not None:
            return time
    return x


def number_in_text(text: str) -> float | None:
    """The number a text shows in a form Excel reads when text meets arithmetic (Microsoft: "text in one of the
    recognized number, date or time formats"): grouped digits and a currency sign ($1,234.50, (12) negative),
    a date (2021-01-31, 1/31/2021, 31-Jan-2021) with or without a time, or a time (9:30, 2:05 PM). Spaces
    around a number are allowed, around a date or a time not (Excel: " 2024-01-10 " is no number)."""
    bare = text.strip()
    if _GROUPED.match(bare) and any(ch.isdigit() for ch in bare):
        negative = bare.startswith("(") and bare.endswith(")")
        digits = bare.strip("()").replace("$", "").replace(",", "")
        try:
            value = float(digits)
        except ValueError:
            return None
        return -value if negative else value
    if bare != text:
        return None
    day = date_text(text)
    clock = time_of(text)
    if day is not None:
        return day + (clock or 0.0)
    if clock is not None and not _TIME_FREE.sub("", text).strip():
        return clock
    return None


_TIME_FREE = re.compile(r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([AaPp][Mm])?")


A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")


@overload
def ok(a: A | ExcelError, b: B | ExcelError, /) -> tuple[A, B] | ExcelError: ...
@overload
def ok(a: A | ExcelError, b: B | ExcelError, c: C | ExcelError, /) -> tuple[A, B, C] | ExcelError: ...
@overload
def ok(a: A | ExcelError, b: B | ExcelError, c: C | ExcelError, d: D | ExcelError, /) -> tuple[A, B, C, D] | ExcelError:
    ...
def ok(*values: Any) -> Any:
    """The arguments as a tuple, or the first error value among them (Excel propagates it)."""
    for value in values:
        if isinstance(value, ExcelError):
            return value
    return values


def checked(x: float) -> float | ExcelError:
    """A result as Excel shows it: #NUM! for NaN or infinity."""
    if math.isnan(x) or math.isinf(x):
        return err("#NUM!", "the result is not a finite number")
    return x


def general(x: float) -> str:
    """A number as Excel's General format shows it (up to 15 significant digits)."""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:.15g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        return f"{mantissa}E{'+' if int(exp) >= 0 else '-'}{abs(int(exp)):02d}"
    return text


def text(v: Any) -> str | ExcelError:
    """A value in text context: numbers as Excel's General format shows them, TRUE/FALSE, blank ""."""
    if isinstance(v, ExcelError):
        return v
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return general(v)
    return str(v)


def truth(v: Any) -> bool | ExcelError:
    """A value as a condition: numbers (0 is FALSE), TRUE/FALSE, "TRUE"/"FALSE" text; other text #VALUE!."""
    if isinstance(v, ExcelError):
        return v
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, str) and v.strip().upper() in ("TRUE", "FALSE"):
        return v.strip().upper() == "TRUE"
    return err("#VALUE!", f"'{v}' is not TRUE or FALSE")


def _rank(v: Any) -> tuple[int, Any]:
    if isinstance(v, bool):
        return 2, v
    if isinstance(v, (int, float)):
        return 0, v
    return 1, str(v).casefold()


def compare(a: Any, b: Any, op: str) -> bool | ExcelError:
    """Excel's comparison: numbers < text < logicals, text without case; blanks as 0 or ""."""
    if isinstance(a, ExcelError):
        return a
    if isinstance(b, ExcelError):
        return b
    if a is None:
        a = "" if isinstance(b, str) else (False if isinstance(b, bool) else 0.0)
    if b is None:
        b = "" if isinstance(a, str) else (False if isinstance(a, bool) else 0.0)
    ka, kb = _rank(a), _rank(b)
    return {"=": ka == kb, "<>": ka != kb, "<": ka < kb, ">": ka > kb, "<=": ka <= kb, ">=": ka >= kb}[op]


def arith(op: str, a: Any, b: Any) -> Any:
    """Excel's arithmetic on two values (``+ - * / ^``), errors propagating, #DIV/0! for a zero divisor."""
    x, y = num(a), num(b)
    if isinstance(x, ExcelError):
        return x
    if isinstance(y, ExcelError):
        return y
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return checked(x * y)
    if op == "/":
        return err("#DIV/0!", "division by zero") if y == 0 else checked(x / y)
    try:  # ^
        if x == 0 and y < 0:
            return err("#DIV/0!", "0 to a negative power")
        result = x ** y
    except (OverflowError, ZeroDivisionError):
        return err("#NUM!", "the power is out of range")
    return err("#NUM!", "the power has no real value") if isinstance(result, complex) else checked(result)


def binary(op: str, a: Any, b: Any) -> Any:
    """Any infix operator on two values: arithmetic, ``&`` (joining text) or comparison."""
    if op in ("+", "-", "*", "/", "^"):
        return arith(op, a, b)
    if op == "&":
        ta, tb = text(a), text(b)
        return ta if isinstance(ta, ExcelError) else tb if isinstance(tb, ExcelError) else ta + tb
    return compare(a, b, op)


def unary(op: str, a: Any) -> Any:
    """A prefix minus or plus, or the postfix ``%``."""
    x = num(a)
    if isinstance(x, ExcelError):
        return x
    return -x if op == "-" else x / 100
