"""DMN's simple unary tests: what a decision table's input cell means.

Owns :class:`Test` (what a cell's text becomes: :mod:`.grammar` reads it) and what a test means,
with FEEL's three-valued logic for blank (null) inputs: ``< 18`` is neither
true nor false for a blank age, ``not("High")`` is true for a blank risk.
The grammar :mod:`.grammar` reads, and nothing beyond it (rule files are data, never code)::

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
import functools
import math
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


MAX_ENGINE_TESTS = 8  # comparisons one cell may make as an engine condition (more: a flag computed per call)


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
            members = self.members
            if members is not None and v is not None and v is not MISMATCH and not isinstance(v, list):
                return v in members  # a list of values: looked up, not compared one by one
            found = [p.test(v) for p in self.parts]
            return True if True in found else (None if None in found else False)
        if self.kind == "not":
            members = self.members
            if members is not None and v is not None and v is not MISMATCH and not isinstance(v, list):
                return v not in members
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

    @functools.cached_property
    def members(self) -> frozenset[Value] | None:
        """A list of values (``"a", "b", …``, every part ``= value``) as a set, else None; a set finds a value as
        ``==`` does (1 = 1.0), so the answer is the same as comparing with each."""
        if len(self.parts) < 4 or any(p.kind != "compare" or p.op != "=" or p.value is None for p in self.parts):
            return None
        try:
            return frozenset(p.value for p in self.parts)
        except TypeError:
            return None

    def size(self) -> int:
        """How many comparisons the test makes (what it costs the engine as a condition)."""
        return sum(p.size() for p in self.parts) if self.parts else (0 if self.kind == "any" else 1)

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
        if self.kind in ("oneof", "not") and self.members is not None:
            hit = np.isin(x, np.array([_number(v) for v in self.members], dtype=float))
            return ~hit if self.kind == "not" else hit
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
