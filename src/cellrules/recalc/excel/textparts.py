"""Excel's newer text functions: parts of a text, regular expressions, values as text.

Owns TEXTBEFORE, TEXTAFTER, TEXTSPLIT, REGEXTEST, REGEXEXTRACT, REGEXREPLACE, VALUETOTEXT, ARRAYTOTEXT,
DOLLAR/USDOLLAR and HYPERLINK (its friendly name, as a cell shows it). Regular expressions run on Python's
``re`` (PCRE2 in Excel: the common syntax is the same), with a time-safe length limit on the pattern.
"""
from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.values.blocks import Block
from cellrules.recalc.values.scalars import err, text
from cellrules.recalc.values.signature import excel


def _delimiters(value: Any) -> list[str] | ExcelError:
    cells = value.flat() if isinstance(value, Block) else [value]
    out = []
    for v in cells:
        t = text(v)
        if isinstance(t, ExcelError):
            return t
        out.append(t)
    return out


def _positions(t: str, delims: list[str], case_blind: bool) -> list[tuple[int, int]]:
    """(start, end) of every delimiter occurrence, left to right, not overlapping."""
    hay = t.casefold() if case_blind else t
    found, i = [], 0
    while i <= len(hay):
        hits = [(hay.find(d.casefold() if case_blind else d, i), d) for d in delims if d != ""]
        hits = [(p, d) for p, d in hits if p >= 0]
        if not hits:
            break
        p, d = min(hits, key=lambda h: (h[0], -len(h[1])))
        found.append((p, p + len(d)))
        i = p + max(len(d), 1)
    return found


def _part(t: str, delimiter: Any, instance: float, mode: float, match_end: bool, missing: Any,
          before: bool) -> Any:
    delims = _delimiters(delimiter)
    if isinstance(delims, ExcelError):
        return delims
    n = math.trunc(instance)
    if n == 0 or abs(n) > max(len(t), 1):
        return err("#VALUE!", "instance_num is 0 or longer than the text")
    if any(d == "" for d in delims):
        return t if (n > 0) != before else ""  # an empty delimiter matches at the start (or the end, n < 0)
    spots = _positions(t, delims, bool(mode))
    if match_end:
        spots = spots + [(len(t), len(t))] if n > 0 else [(0, 0)] + spots
    if abs(n) > len(spots):
        return err("#N/A", "the delimiter is not there") if missing is None else missing
    start, end = spots[n - 1] if n > 0 else spots[n]
    return t[:start] if before else t[end:]


@excel("text", "range", "number", "number", "logical", "any")
def TEXTBEFORE(t: str, delimiter: Any, instance: float = 1.0, mode: float = 0.0, match_end: bool = False,
               missing: Any = None) -> Any:
    """Excel's TEXTBEFORE(text, delimiter, [instance_num], [match_mode], [match_end], [if_not_found])."""
    return _part(t, delimiter, instance, mode, match_end, missing, True)


@excel("text", "range", "number", "number", "logical", "any")
def TEXTAFTER(t: str, delimiter: Any, instance: float = 1.0, mode: float = 0.0, match_end: bool = False,
              missing: Any = None) -> Any:
    """Excel's TEXTAFTER(text, delimiter, [instance_num], [match_mode], [match_end], [if_not_found])."""
    return _part(t, delimiter, instance, mode, match_end, missing, False)


def _split(t: str, delims: list[str], ignore_empty: bool, case_blind: bool) -> list[str]:
    if not delims:
        return [t]
    parts, last = [], 0
    for start, end in _positions(t, delims, case_blind):
        parts.append(t[last:start])
        last = end
    parts.append(t[last:])
    return [p for p in parts if p != ""] if ignore_empty else parts


@excel("text", "range", "range", "logical", "number", "any")
def TEXTSPLIT(t: str, col_delimiter: Any, row_delimiter: Any = None, ignore_empty: bool = False,
              mode: float = 0.0, pad: Any = None) -> Any:
    """Excel's TEXTSPLIT(text, col_delimiter, [row_delimiter], [ignore_empty], [match_mode], [pad_with])."""
    cols = _delimiters(col_delimiter) if col_delimiter is not None else []
    rows = _delimiters(row_delimiter) if row_delimiter is not None else []
    if isinstance(cols, ExcelError):
        return cols
    if isinstance(rows, ExcelError):
        return rows
    lines = [_split(line, cols, ignore_empty, bool(mode)) for line in _split(t, rows, ignore_empty, bool(mode))]
    width = max((len(line) for line in lines), default=1)
    filler = ExcelError("#N/A", "padding") if pad is None else pad
    grid = np.array([line + [filler] * (width - len(line)) for line in lines] or [[""]], dtype=object)
    return Block(grid)


_MAX_PATTERN = 2000


def _regex(pattern: str, case: float) -> re.Pattern | ExcelError:
    if len(pattern) > _MAX_PATTERN:
        return err("#VALUE!", "the pattern is too long")
    try:
        return re.compile(pattern, re.I if math.trunc(case) == 1 else 0)
    except re.error as exc:
        return err("#VALUE!", f"not a regular expression: {exc}")


@excel("text", "text", "number")
def REGEXTEST(t: str, pattern: str, case: float = 0.0) -> Any:
    """Excel's REGEXTEST(text, pattern, [case_sensitivity]): whether the text matches the pattern anywhere."""
    rx = _regex(pattern, case)
    return rx if isinstance(rx, ExcelError) else rx.search(t) is not None


@excel("text", "text", "number", "number")
def REGEXEXTRACT(t: str, pattern: str, mode: float = 0.0, case: float = 0.0) -> Any:
    """Excel's REGEXEXTRACT(text, pattern, [return_mode], [case_sensitivity]): the first match (0), all
    matches (1, a column) or the first match's groups (2, a row)."""
    rx = _regex(pattern, case)
    if isinstance(rx, ExcelError):
        return rx
    m = math.trunc(mode)
    if m == 1:
        found = [x.group(0) for x in rx.finditer(t)]
        return Block(np.array([[v] for v in found], dtype=object)) if found else err("#N/A", "no match")
    first = rx.search(t)
    if first is None:
        return err("#N/A", "no match")
    if m == 2:
        groups = [g if g is not None else "" for g in first.groups()] or [first.group(0)]
        return Block(np.array([groups], dtype=object))
    return first.group(0)


@excel("text", "text", "text", "number", "number")
def REGEXREPLACE(t: str, pattern: str, replacement: str, occurrence: float = 0.0, case: float = 0.0) -> Any:
    """Excel's REGEXREPLACE(text, pattern, replacement, [occurrence], [case_sensitivity]): matches replaced
    (all with occurrence 0, else the n-th; negative counts from the end). $1 names a group."""
    rx = _regex(pattern, case)
    if isinstance(rx, ExcelError):
        return rx
    repl = re.sub(r"\$(\d+)", r"\\g<\1>", replacement.replace("\\", "\\\\"))
    n = math.trunc(occurrence)
    if n == 0:
        return rx.sub(repl, t)
    spots = list(rx.finditer(t))
    if abs(n) > len(spots):
        return t
    m = spots[n - 1] if n > 0 else spots[n]
    return t[:m.start()] + m.expand(repl) + t[m.end():]


def _as_text(v: Any, strict: bool) -> str:
    if isinstance(v, ExcelError):
        return v.code
    if isinstance(v, str):
        return f'"{v}"' if strict else v
    shown = text(v)
    return shown if isinstance(shown, str) else ""


@excel("any", "number")
def VALUETOTEXT(value: Any, fmt: float = 0.0) -> Any:
    """Excel's VALUETOTEXT(value, [format]): a value as text (1, strict: text quoted)."""
    return _as_text(value, math.trunc(fmt) == 1)


@excel("cells", "number")
def ARRAYTOTEXT(array: Any, fmt: float = 0.0) -> Any:
    """Excel's ARRAYTOTEXT(array, [format]): the values listed (0, concise: ", ") or as an array constant
    (1, strict: {…} with "," between columns and ";" between rows)."""
    grid = array.values if isinstance(array, Block) else np.array([[array]], dtype=object)
    strict = math.trunc(fmt) == 1
    if not strict:
        return ", ".join(_as_text(v, False) for v in grid.ravel().tolist())
    return "{" + ";".join(",".join(_as_text(v, True) for v in row) for row in grid.tolist()) + "}"


@excel("number", "number")
def DOLLAR(x: float, decimals: float = 2.0) -> Any:
    """Excel's DOLLAR(number, [decimals]): a number as currency text, $1,234.57 and ($1,234.57) (en-US)."""
    d = math.trunc(decimals)
    factor = 10.0 ** d
    rounded = math.floor(abs(x) * factor + 0.5 + 1e-9) / factor
    shown = f"${rounded:,.{max(d, 0)}f}"
    return f"({shown})" if x < 0 and rounded != 0 else shown


USDOLLAR = DOLLAR


@excel("text", "any")
def HYPERLINK(link: str, name: Any = None) -> Any:
    """Excel's HYPERLINK(link_location, [friendly_name]): what the cell shows (the name, else the link)."""
    return link if name is None else name
