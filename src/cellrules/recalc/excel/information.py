"""Excel's basic text and information functions.

Owns LEFT, RIGHT, MID, LEN, UPPER, LOWER, TRIM, TEXT (through
:mod:`textformat`) and the IS… tests; dates live in :mod:`dates`, the other
text functions in :mod:`texts`.
"""
from __future__ import annotations

import re
from typing import Any

from cellrules.errors import ExcelError
from cellrules.recalc.excel.textformat import format_value
from cellrules.recalc.values.scalars import err, num, text
from cellrules.recalc.values.signature import excel

# -- text ------------------------------------------------------------------------
_NEGATIVE = "a negative number of characters"  # (a blank count is 0: LEFT("ciao", A1) with A1 empty is "")


@excel("text", "number")
def LEFT(t: str, n: float = 1.0) -> Any:
    """Excel's LEFT(text, [count]): the first characters of a text."""
    return err("#VALUE!", _NEGATIVE) if n < 0 else t[: int(n)]


@excel("text", "number")
def RIGHT(t: str, n: float = 1.0) -> Any:
    """Excel's RIGHT(text, [count]): the last characters of a text."""
    return err("#VALUE!", _NEGATIVE) if n < 0 else (t[-int(n):] if int(n) else "")


@excel("text", "number", "number")
def MID(t: str, s: float, n: float) -> Any:
    """Excel's MID(text, start, count): characters from position ``start``."""
    if n < 0:
        return err("#VALUE!", _NEGATIVE)
    if s < 1:
        return err("#VALUE!", "MID starts at position 1")
    return t[int(s) - 1: int(s) - 1 + int(n)]


@excel("text")
def LEN(t: str) -> Any:
    """Excel's LEN(text): the number of characters."""
    return float(len(t))


@excel("text")
def UPPER(t: str) -> Any:
    """Excel's UPPER(text): the text in capitals."""
    return t.upper()


@excel("text")
def LOWER(t: str) -> Any:
    """Excel's LOWER(text): the text in small letters."""
    return t.lower()


@excel("text")
def TRIM(t: str) -> Any:
    """Excel's TRIM(text): spaces at the ends removed and runs of spaces made one."""
    return re.sub(r" +", " ", t).strip(" ")


@excel("value", "value")
def TEXT(value: Any, fmt: Any) -> Any:
    """Excel's TEXT(value, format): a value shown with a number format (see :mod:`textformat`)."""
    return format_value(value, fmt)


# -- information -----------------------------------------------------------------
@excel()
def NA() -> Any:
    """Excel's NA(): the error value #N/A."""
    return err("#N/A", "NA()")


@excel("any")
def ISBLANK(value: Any) -> Any:
    """Excel's ISBLANK(value): TRUE for an empty cell."""
    return value is None


@excel("any")
def ISERROR(value: Any) -> Any:
    """Excel's ISERROR(value): TRUE for any error value."""
    return isinstance(value, ExcelError)


@excel("any")
def ISNA(value: Any) -> Any:
    """Excel's ISNA(value): TRUE for #N/A."""
    return isinstance(value, ExcelError) and value.code == "#N/A"


@excel("any")
def ISNUMBER(value: Any) -> Any:
    """Excel's ISNUMBER(value): TRUE for a number."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@excel("any")
def ISTEXT(value: Any) -> Any:
    """Excel's ISTEXT(value): TRUE for text."""
    return isinstance(value, str) and not isinstance(value, ExcelError)




# The byte-counting forms: Microsoft's pages — they count 2 bytes per double-byte character only when a DBCS
# language is Excel's default editing language, otherwise each character as 1; cellrules computes as Excel does
# in the other languages.
LEFTB, RIGHTB, MIDB, LENB = LEFT, RIGHT, MID, LEN
