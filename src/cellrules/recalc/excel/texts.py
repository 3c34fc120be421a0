"""Excel's text functions beyond the basic ones in :mod:`datetext`.

Owns joining (CONCATENATE, CONCAT, TEXTJOIN), finding and replacing (FIND,
SEARCH with wildcards, SUBSTITUTE, REPLACE), characters (CHAR, CODE,
UNICHAR, UNICODE, CLEAN), case (PROPER), comparing (EXACT), repeating (REPT)
and reading numbers from text (VALUE, NUMBERVALUE, FIXED, T, N).
"""
from __future__ import annotations

import math
import re
from typing import Any

from cellrules.errors import ExcelError
from cellrules.recalc.values.blocks import Block, wildcard_body
from cellrules.recalc.excel.dates import DATEVALUE, TIMEVALUE
from cellrules.recalc.values.scalars import err, num, text
from cellrules.recalc.values.signature import excel

MAX_TEXT = 32767  # characters in a cell


def _cells(args: tuple[Any, ...]) -> list[Any]:
    out: list[Any] = []
    for arg in args:
        out += arg.flat() if isinstance(arg, Block) else [arg]
    return out


def _join(parts: list[Any], sep: str = "", skip_empty: bool = False) -> Any:
    texts = []
    for v in parts:
        t = text(v)
        if isinstance(t, ExcelError):
            return t
        if skip_empty and t == "":
            continue
        texts.append(t)
    out = sep.join(texts)
    return err("#VALUE!", "the text is longer than 32,767 characters") if len(out) > MAX_TEXT else out


@excel(rest="value")
def CONCATENATE(*args: Any) -> Any:
    """Excel's CONCATENATE(text1, …): the texts joined."""
    return _join([a.values[0, 0] if isinstance(a, Block) and a.values.size else a for a in args])


@excel(rest="range")
def CONCAT(*args: Any) -> Any:
    """Excel's CONCAT(text1, …): the texts joined, ranges cell by cell."""
    return _join(_cells(args))


@excel("text", "logical", rest="range")
def TEXTJOIN(sep: str, skip: bool, *args: Any) -> Any:
    """Excel's TEXTJOIN(delimiter, ignore_empty, text1, …): the texts joined with a delimiter."""
    return _join(_cells(args), sep, skip)


def _find(n: str, h: str, s: float, wildcards: bool) -> Any:
    if s < 1 or s > len(h) + 1:
        return err("#VALUE!", "the start is outside the text")
    begin = int(s) - 1
    if not wildcards:
        pos = h.find(n, begin)
    else:
        pattern = re.compile(wildcard_body(n), re.I | re.S)
        m = pattern.search(h, begin)
        pos = m.start() if m else -1
    return err("#VALUE!", f"'{n}' is not in the text") if pos < 0 else float(pos + 1)


@excel("text", "text", "number", defaults=True)
def FIND(needle: str, hay: str, start: float = 1.0) -> Any:
    """Excel's FIND(find, within, [start]): the position of a text, case-sensitive, no wildcards."""
    return _find(needle, hay, start, False)


@excel("text", "text", "number", defaults=True)
def SEARCH(needle: str, hay: str, start: float = 1.0) -> Any:
    """Excel's SEARCH(find, within, [start]): the position of a text, any case, with ? and * wildcards."""
    return _find(needle, hay, start, True)


@excel("text", "text", "text", "value")
def SUBSTITUTE(t: str, o: str, n: str, which: Any = None) -> Any:
    """Excel's SUBSTITUTE(text, old, new, [instance]): ``old`` replaced by ``new`` (every time, or the one instance)."""
    if o == "":
        return t
    if which is None:
        return t.replace(o, n)
    k = num(which)
    if isinstance(k, ExcelError):
        return k
    if k < 1:
        return err("#VALUE!", "SUBSTITUTE's instance number starts at 1")
    pos = -1
    for _ in range(int(k)):
        pos = t.find(o, pos + 1)
        if pos < 0:
            return t
    return t[:pos] + n + t[pos + len(o):]


@excel("text", "number", "number", "text")
def REPLACE(t: str, s: float, c: float, n: str) -> Any:
    """Excel's REPLACE(text, start, count, new): ``count`` characters from ``start`` replaced."""
    if s < 1 or c < 0:
        return err("#VALUE!", "REPLACE needs start >= 1 and count >= 0")
    begin = int(s) - 1
    return t[:begin] + n + t[begin + int(c):]


@excel("text", "number")
def REPT(t: str, n: float) -> Any:
    """Excel's REPT(text, times): the text repeated."""
    if n < 0 or len(t) * int(n) > MAX_TEXT:
        return err("#VALUE!", "REPT's result would be negative or too long")
    return t * int(n)


@excel("text")
def PROPER(t: str) -> Any:
    """Excel's PROPER(text): each word capitalised."""
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0)[0].upper() + m.group(0)[1:].lower(),
                  t.lower()) if t else t


@excel("text", "text")
def EXACT(x: str, y: str) -> Any:
    """Excel's EXACT(text1, text2): TRUE when the texts are identical, case included."""
    return x == y


@excel("number")
def CHAR(n: float) -> Any:
    """Excel's CHAR(number): the character of a code 1 to 255."""
    if not 1 <= n <= 255:
        return err("#VALUE!", "CHAR takes 1..255")
    return bytes([int(n)]).decode("cp1252", errors="replace")


@excel("text")
def CODE(t: str) -> Any:
    """Excel's CODE(text): the code of the first character."""
    if t == "":
        return err("#VALUE!", "CODE of empty text")
    try:
        return float(t[0].encode("cp1252")[0])
    except UnicodeEncodeError:
        return 63.0  # Excel shows "?" for a character outside the code page


@excel("number")
def UNICHAR(n: float) -> Any:
    """Excel's UNICHAR(number): the Unicode character of a code point."""
    return err("#VALUE!", "not a character code") if not 1 <= n <= 0x10FFFF else chr(int(n))


@excel("text")
def UNICODE(t: str) -> Any:
    """Excel's UNICODE(text): the code point of the first character."""
    return err("#VALUE!", "UNICODE of empty text") if t == "" else float(ord(t[0]))


@excel("text")
def CLEAN(t: str) -> Any:
    """Excel's CLEAN(text): non-printing characters (codes 0 to 31) removed."""
    return "".join(ch for ch in t if ord(ch) >= 32)


@excel("refvalue")
def T(value: Any) -> Any:
    """Excel's T(value): the value when it is text, else ""."""
    v = value.values[0, 0] if isinstance(value, Block) and value.values.size else value
    if isinstance(v, ExcelError):
        return v
    return v if isinstance(v, str) else ""


@excel("refvalue")
def N(value: Any) -> Any:
    """Excel's N(value): numbers as they are, TRUE as 1, anything else 0."""
    v = value.values[0, 0] if isinstance(value, Block) and value.values.size else value
    if isinstance(v, ExcelError):
        return v
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    return float(v) if isinstance(v, (int, float)) else 0.0


@excel("value")
def VALUE(value: Any) -> Any:
    """Excel's VALUE(text): the number a text shows (dates, times, percentages and grouped digits included)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if value is None:
        return 0.0  # a blank cell (the text "" is #VALUE!)
    t = text(value)
    if isinstance(t, ExcelError):
        return t
    cleaned = t.strip().replace(",", "").replace("$", "")
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned = "-" + cleaned[1:-1]
    x = num(cleaned)
    if not isinstance(x, ExcelError):
        return x
    for reader in (DATEVALUE, TIMEVALUE):
        got = reader(t)
        if not isinstance(got, ExcelError):
            return got
    return err("#VALUE!", f"'{t}' is not a number")


@excel("text", "text", "text", defaults=True)
def NUMBERVALUE(t: str, d: str = ".", g: str = ",") -> Any:
    """Excel's NUMBERVALUE(text, [decimal], [group]): a number read with the separators given."""
    cleaned = re.sub(r"\s", "", t).replace(g[:1] or ",", "").replace(d[:1] or ".", ".")
    return num(cleaned) if cleaned else 0.0


@excel("number", "number", "value", defaults=True)
def FIXED(x: float, p: float = 2.0, no_commas: Any = None) -> Any:
    """Excel's FIXED(number, [decimals], [no_commas]): a number rounded and shown as text."""
    digits = int(p)
    factor = 10.0 ** digits
    rounded = math.floor(abs(x) * factor + 0.5) / factor * (1 if x >= 0 else -1)
    shown = max(digits, 0)
    plain = bool(no_commas) and not isinstance(no_commas, ExcelError)
    return f"{rounded:.{shown}f}" if plain else f"{rounded:,.{shown}f}"


FINDB, SEARCHB, REPLACEB = FIND, SEARCH, REPLACE  # byte forms, as in a language without double-byte characters
