"""The closed grammar of a decision table's input cells (see :mod:`.unary` for the grammar itself).

Owns :func:`parse` (a cell's text, or a YAML value, → a :class:`~cellrules.dmn.unary.Test`), :func:`literal`
(an output cell) and :func:`split` (top-level commas); every error is a :class:`UnaryError` saying what is
wrong, never an exception of Python's. Nothing is evaluated: numbers beyond a double are refused.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
from typing import Any

from cellrules.dmn.unary import ANY, TYPES, Test, UnaryError, Value, kind_of

_NUMBER = re.compile(r"^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_DATE = re.compile(r'^date\(\s*"(\d{4})-(\d{2})-(\d{2})"\s*\)$')
_ESCAPE = re.compile(r"\\(.)")
_COMPARE = re.compile(r"^(<=|>=|!=|<|>|=)\s*(.+)$", re.S)
_N = r"-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?"  # no trailing dot: [1...5] is 1 and .5, as .. splits it
_NUMBER_RANGE = re.compile(rf"([\[(\]])[ \t]*({_N})[ \t]*\.\.[ \t]*({_N})[ \t]*([\])\[])")  # [1..5): no backtracking
_QUOTED = re.compile(r'"([^"\\]*)"')
_QUOTED_LIST = re.compile(r'"[^"\\]*"(?:\s*,\s*"[^"\\]*")*')  # "a", "b": no escapes, each quote closed


def parse(cell: Any, typ: str) -> Test:
    """A cell of a rule (text in the grammar above, or a YAML number, boolean or date) as a test on an
    input of type ``typ``; :class:`UnaryError` says what is wrong."""
    if typ == "number" and isinstance(cell, str):
        numbers = _NUMBER_RANGE.fullmatch(cell.strip())
        if numbers:  # the commonest cell of all, read at once: what _positive makes of it
            return _between(numbers.group(0), *numbers.groups())
    if typ not in TYPES:
        raise UnaryError(f"unknown input type '{typ}'; one of {', '.join(TYPES)}")
    if cell is None:
        return ANY
    if not isinstance(cell, str):
        return Test("compare", "=", _typed(_native(cell), typ, str(cell)))
    text = cell.strip()
    if text in ("-", ""):
        return ANY
    if text.startswith("not(") and text.endswith(")"):
        return Test("not", parts=_positives(text[4:-1], typ))
    parts = _positives(text, typ)
    return parts[0] if len(parts) == 1 else Test("oneof", parts=parts)


def literal(cell: Any, typ: str) -> Value:
    """An output cell: one literal of type ``typ`` (a bare word for text)."""
    if cell is None:
        return None
    if not isinstance(cell, str):
        return _typed(_native(cell), typ, str(cell))
    text = cell.strip()
    if typ == "text" and not (len(text) >= 2 and text[0] == text[-1] == '"') and text != "null":
        return text  # an output's text as written: it is a value, never a test
    return _typed(_literal(text, typ), typ, cell)


def _native(cell: Any) -> Value:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, (bool, dt.date, str)):
        return cell
    if isinstance(cell, (int, float)):
        return _finite(float(cell), str(cell))
    raise UnaryError(f"a cell must be a value or a test, not a {type(cell).__name__}")


def _finite(number: float, text: str) -> float:
    """A number a cell can hold: within a double's range, as an Excel cell's number is."""
    if not math.isfinite(number):
        shown = text if len(text) <= 20 else f"{text[:12]}… ({len(text):,} characters)"
        raise UnaryError(f"{shown} is beyond the largest number a cell holds (about 1.8e308)")
    return number


def split(text: str) -> list[str]:
    """Top-level comma-separated parts (commas inside quotes, brackets or parentheses stay)."""
    if "," not in text and '"' not in text:
        return [text.strip()]
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and ch in "([":
            depth += 1
        elif not quoted and ch in ")]" and depth > 0:
            depth -= 1
        elif not quoted and ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if quoted:
        raise UnaryError(f"an opening quote has no closing quote in {text!r}")
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _positives(text: str, typ: str) -> tuple[Test, ...]:
    words = text.strip()
    if typ == "text" and words[:1] == '"' and _QUOTED_LIST.fullmatch(words):
        return tuple(_equal(v) for v in _QUOTED.findall(words))  # a list of words: what _positive gives each
    parts = split(text)
    if any(not p for p in parts):
        raise UnaryError(f"an empty test in {text!r} (two commas, or one at an end)")
    return tuple(_positive(p, typ) for p in parts)


def _between(text: str, opening: str, low: str, high: str, closing: str) -> Test:
    lo, hi = float(low), float(high)
    if not math.isfinite(lo + hi):
        _finite(lo, low), _finite(hi, high)
    if lo > hi:
        raise UnaryError(f"the range {text} is empty or has a blank end")
    return Test("between", "", lo, hi, _CLOSED[opening, closing])


_CLOSED = {(o, c): (o == "[", c == "]") for o in "[(]" for c in "])["}


def _interval(text: str) -> tuple[str, str, str, str] | None:
    """``[low..high)`` as (opening, low, high, closing), read without backtracking (a regular expression took
    seconds on a bracket followed by thousands of spaces); None when the text is no interval."""
    if len(text) < 4 or text[0] not in "[(]" or text[-1] not in "])[" or ".." not in text:
        return None
    low, _, high = text[1:-1].partition("..")
    low, high = low.strip(), high.strip()
    return (text[0], low, high, text[-1]) if low and high else None


def _positive(text: str, typ: str) -> Test:
    interval = _interval(text)
    if interval and typ in ("number", "date"):
        opening, low, high, closing = interval
        lo, hi = _typed(_literal(low, typ), typ, low), _typed(_literal(high, typ), typ, high)
        if lo is None or hi is None or lo > hi:  # type: ignore[operator]
            raise UnaryError(f"the range {text} is empty or has a blank end")  # as _between says it
        return Test("between", value=lo, high=hi, closed=(opening == "[", closing == "]"))
    compare = _COMPARE.match(text)
    if compare and not (typ == "text" and not compare.group(2).lstrip().startswith('"') and compare.group(1) == "="):
        op, rest = compare.groups()
        value = _typed(_literal(rest.strip(), typ), typ, rest)
        if op in ("<", "<=", ">", ">=") and typ not in ("number", "date"):
            raise UnaryError(f"'{text}': only numbers and dates have an order, and this input is {typ}")
        return Test("compare", op, value)
    return Test("compare", "=", _typed(_literal(text, typ), typ, text))


@functools.lru_cache(maxsize=1 << 16)
def _equal(word: str) -> Test:
    """``"word"`` in a text column (one shared test per word: a long list repeats its words across rules)."""
    return Test("compare", "=", word)


def _literal(text: str, typ: str) -> Value:
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        inner = text[1:-1]
        return _ESCAPE.sub(r"\1", inner) if "\\" in inner else inner
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if _NUMBER.match(text):
        return _finite(float(text), text)
    day = _DATE.match(text)
    if day:
        try:
            return dt.date(int(day.group(1)), int(day.group(2)), int(day.group(3)))
        except ValueError:
            raise UnaryError(f"{text} is not a date") from None
    if typ == "text" and text and not any(ch in text for ch in '"<>=[]()'):
        return text  # a bare word, for people who write East rather than "East"
    raise UnaryError(f"'{text}' is not a value: write text in quotes (\"East\"), numbers as 1200.5, dates as "
                     'date("2026-01-31"), or true / false')


def _typed(value: Value, typ: str, shown: str) -> Value:
    found = kind_of(value)
    if found not in ("null", typ):
        if typ == "text" and found in ("number", "boolean", "date") and not shown.strip().startswith(("<", ">", "=")):
            return shown.strip()  # 2026 or true in a text column: the text as written
        raise UnaryError(f"'{shown.strip()}' is {_article(found)} {found}, but this column holds {typ} values")
    return value


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"

