"""DMN's simple unary tests: the closed grammar of a decision table's input cells.

Owns :func:`parse` (a cell's text → a :class:`Test`) and what a test means,
with FEEL's three-valued logic for blank (null) inputs: ``< 18`` is neither
true nor false for a blank age, ``not("High")`` is true for a blank risk.
The grammar, and nothing beyond it (rule files are data, never code)::

    cell     := "-" | "not(" positives ")" | positives
    positives:= positive ("," positive)*
    positive := ("<" | "<=" | ">" | ">=" | "=" | "!=") literal
              | ("[" | "(" | "]") literal ".." literal ("]" | ")" | "[")
              | literal
    literal  := number | "text" | true | false | date("2026-01-31") | null

A text input also takes a bare word (``East`` for ``"East"``). Each test
answers for one value (:meth:`Test.test`), for a numpy column
(:meth:`Test.mask`) and as a durable-rules condition (:meth:`Test.condition`);
tests compare values of one type: number, text, boolean or date.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from cellrules.events import text_key

TYPES = ("number", "text", "boolean", "date")
NULL_TEXT = "\ue000"  # a blank text or boolean input as the engine sees it: equal to no literal


class _Mismatch:
    """An input of another type than its column's (a text where numbers are compared): FEEL compares it with
    nothing — every test gives null — but it is not null (``!= null`` holds)."""

    def __repr__(self) -> str:
        return "MISMATCH"


MISMATCH = _Mismatch()
Value = Union[float, str, bool, dt.date, None]
_FLIP = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "="}
_ENGINE = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}
_NUMBER = re.compile(r"^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_DATE = re.compile(r'^date\(\s*"(\d{4})-(\d{2})-(\d{2})"\s*\)$')
_COMPARE = re.compile(r"^(<=|>=|!=|<|>|=)\s*(.+)$", re.S)


class UnaryError(ValueError):
    """A cell outside the grammar, or of the wrong type for its input."""


def kind_of(value: Value) -> str:
    """The type of a literal: number, text, boolean, date (or null)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dt.date):
        return "date"
    return "text"


def engine_value(value: Value) -> float | int | str:
    """A literal as the engine compares it: numbers as they are, dates as day numbers, text and booleans as
    prefixed text."""
    if isinstance(value, bool):
        return text_key("true" if value else "false")
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, (int, float)):
        return value
    return text_key(str(value))


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "=":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    return bool(left >= right)


@dataclass(frozen=True)
class Test:
    """One positive test, or a combination: ``kind`` is any | compare | between | oneof | not."""

    kind: str
    op: str = ""
    value: Value = None
    high: Value = None
    closed: tuple[bool, bool] = (True, True)
    parts: tuple["Test", ...] = ()

    # -- one value (FEEL three-valued: True, False or None) -------------------
    def test(self, v: Value) -> bool | None:
        """Whether the test holds for ``v`` (None: neither, as FEEL has it for blank inputs)."""
        if self.kind == "any":
            return True
        if self.kind == "oneof":
            found = [p.test(v) for p in self.parts]
            return True if True in found else (None if None in found else False)
        if self.kind == "not":
            inner = Test("oneof", parts=self.parts).test(v)
            return None if inner is None else not inner
        if v is MISMATCH:
            return (self.op == "!=") if self.kind == "compare" and self.value is None and \
                self.op in ("=", "!=") else None
        if v is None or self.value is None:
            if self.kind == "compare" and self.op in ("=", "!="):
                same = v is None and self.value is None
                return same if self.op == "=" else not same
            return None
        if self.kind == "compare":
            return _compare(self.op, v, self.value)
        low_ok = v >= self.value if self.closed[0] else v > self.value  # type: ignore[operator]
        high_ok = v <= self.high if self.closed[1] else v < self.high  # type: ignore[operator]
        return bool(low_ok and high_ok)

    def on_null(self) -> bool | None:
        """What the test gives for a blank input."""
        return self.test(None)

    # -- a column ------------------------------------------------------------
    def mask(self, values: np.ndarray, null: np.ndarray) -> np.ndarray:
        """Where the test holds, for a float column (dates as day numbers; blanks NaN, flagged in ``null``)."""
        with np.errstate(invalid="ignore"):
            found = self._mask(values)
        return np.where(null, self.on_null() is True, found) if null.any() else found

    def _mask(self, x: np.ndarray) -> np.ndarray:
        if self.kind == "any":
            return np.ones(x.shape, dtype=bool)
        if self.kind in ("oneof", "not"):
            hit = np.zeros(x.shape, dtype=bool)
            for p in self.parts:
                hit |= p._mask(x)
            return ~hit if self.kind == "not" else hit
        if self.value is None:  # = null / != null: a value in the column is never null
            return np.full(x.shape, self.kind == "compare" and self.op == "!=")
        v = _number(self.value)
        if self.kind == "compare":
            return _np_compare(self.op, x, v)
        low = x >= v if self.closed[0] else x > v
        high = x <= _number(self.high) if self.closed[1] else x < _number(self.high)
        return low & high

    # -- durable-rules ---------------------------------------------------------
    def condition(self, field: str, numeric: bool) -> dict[str, Any] | None:
        """The engine condition on ``field`` (None: no condition). A numeric field is left out of the fact
        when blank, with ``<field>n`` set to 1; a text or boolean field is :data:`NULL_TEXT` then."""
        if self.kind == "any":
            return None
        cond = self._positive(field, numeric) if self.kind != "not" else self._negated(field, numeric)
        if numeric and self.on_null() is True:
            cond = {"$or": [cond, {field + "n": 1}]}
        return cond

    def _positive(self, field: str, numeric: bool) -> dict[str, Any]:
        if self.kind == "oneof":
            conds = [p._positive(field, numeric) for p in self.parts]
            return conds[0] if len(conds) == 1 else {"$or": conds}
        if self.kind == "compare" and self.value is None:
            return _null_condition(field, numeric, self.op == "=")
        if self.kind == "compare":
            value = engine_value(self.value)
            return {field: value} if self.op == "=" else {_ENGINE[self.op]: {field: value}}
        low = {("$gte" if self.closed[0] else "$gt"): {field: engine_value(self.value)}}
        high = {("$lte" if self.closed[1] else "$lt"): {field: engine_value(self.high)}}
        return {"$and": [low, high]}

    def _negated(self, field: str, numeric: bool) -> dict[str, Any]:
        conds = [p._negation(field, numeric) for p in self.parts]
        return conds[0] if len(conds) == 1 else {"$and": conds}

    def _negation(self, field: str, numeric: bool) -> dict[str, Any]:
        if self.kind == "oneof":
            return self._negated(field, numeric)
        if self.kind == "compare":
            return Test("compare", _FLIP[self.op], self.value)._positive(field, numeric)
        below = Test("compare", "<" if self.closed[0] else "<=", self.value)._positive(field, numeric)
        above = Test("compare", ">" if self.closed[1] else ">=", self.high)._positive(field, numeric)
        return {"$or": [below, above]}

    # -- text ------------------------------------------------------------------
    def text(self) -> str:
        """The test in DMN's notation (what a DMN modeller shows)."""
        if self.kind == "any":
            return "-"
        if self.kind == "oneof":
            return ", ".join(p.text() for p in self.parts)
        if self.kind == "not":
            return "not(" + ", ".join(p.text() for p in self.parts) + ")"
        if self.kind == "compare":
            literal = show(self.value)
            return literal if self.op == "=" else f"{self.op} {literal}"
        return f"{'[' if self.closed[0] else '('}{show(self.value)}..{show(self.high)}{']' if self.closed[1] else ')'}"

    def literals(self) -> list[Value]:
        """Every literal the test names."""
        if self.kind in ("oneof", "not"):
            return [v for p in self.parts for v in p.literals()]
        if self.kind == "compare":
            return [self.value]
        if self.kind == "between":
            return [self.value, self.high]
        return []


def _null_condition(field: str, numeric: bool, is_null: bool) -> dict[str, Any]:
    """``= null`` / ``!= null`` as an engine condition: a blank numeric input is a flag ``<field>n``; a blank
    text input is :data:`NULL_TEXT`; a value of another type is absent (not null)."""
    if numeric:
        return {field + "n": 1} if is_null else {"$nex": {field + "n": 1}}
    if is_null:
        return {field: NULL_TEXT}
    return {"$or": [{"$neq": {field: NULL_TEXT}}, {"$nex": {field: 1}}]}


def _number(value: Value) -> float:
    if isinstance(value, dt.date):
        return float(value.toordinal())
    return float(value)  # type: ignore[arg-type]


def _np_compare(op: str, x: np.ndarray, v: float) -> np.ndarray:
    if op == "=":
        return x == v
    if op == "!=":
        return x != v
    if op == "<":
        return x < v
    if op == "<=":
        return x <= v
    if op == ">":
        return x > v
    return x >= v


def show(value: Value) -> str:
    """A literal in FEEL notation."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return f'date("{value.isoformat()}")'
    if isinstance(value, (int, float)):
        return str(int(value)) if math.isfinite(value) and float(value).is_integer() else repr(float(value))
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


ANY = Test("any")


# -- parsing -----------------------------------------------------------------
def parse(cell: Any, typ: str) -> Test:
    """A cell of a rule (text in the grammar above, or a YAML number, boolean or date) as a test on an
    input of type ``typ``; :class:`UnaryError` says what is wrong."""
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
        return float(cell)
    raise UnaryError(f"a cell must be a value or a test, not a {type(cell).__name__}")


def split(text: str) -> list[str]:
    """Top-level comma-separated parts (commas inside quotes, brackets or parentheses stay)."""
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
    parts = split(text)
    if any(not p for p in parts):
        raise UnaryError(f"an empty test in {text!r} (two commas, or one at an end)")
    return tuple(_positive(p, typ) for p in parts)


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
            raise UnaryError(f"the range {text} is empty or has a blank end")
        return Test("between", value=lo, high=hi, closed=(opening == "[", closing == "]"))
    compare = _COMPARE.match(text)
    if compare and not (typ == "text" and not compare.group(2).lstrip().startswith('"') and compare.group(1) == "="):
        op, rest = compare.groups()
        value = _typed(_literal(rest.strip(), typ), typ, rest)
        if op in ("<", "<=", ">", ">=") and typ not in ("number", "date"):
            raise UnaryError(f"'{text}': only numbers and dates have an order, and this input is {typ}")
        return Test("compare", op, value)
    return Test("compare", "=", _typed(_literal(text, typ), typ, text))


def _literal(text: str, typ: str) -> Value:
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return re.sub(r'\\(.)', r"\1", text[1:-1])
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if _NUMBER.match(text):
        return float(text)
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

