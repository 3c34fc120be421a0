"""A decision table as finance writes it, validated: its columns, rows and hit policy, and how text is compared
(Excel's way: case and surrounding spaces ignored)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from cellrules import coerce
from cellrules.diagnostics import Location
from cellrules.dmn.unary import MAX_ENGINE_TESTS, Test, Value
from cellrules.model import Example, Header

CHUNK = 30  # rules per ruleset: durable-rules holds at most 64 conditions on one numeric field
MAX_RULES = 2000
MAX_CELL_TESTS = MAX_ENGINE_TESTS  # a cell with more tests is one flag the call computes (the engine's $or is slow)
MAX_FIELDS = 250  # durable-rules reads at most 255 properties of one event or fact
PER_TABLE = 20  # hit-policy findings reported per table, at most (then a count)


@dataclass(frozen=True)
class Column:
    """An input or an output: its name, type, allowed values (None: any), help, default (outputs)."""

    name: str
    type: str
    values: tuple[Value, ...] | None
    help: str
    default: Value
    location: Location


@dataclass(frozen=True)
class Row:
    """One rule: a test per input, a value per output, where it is written."""

    tests: tuple[Test, ...]
    outputs: tuple[Value, ...]
    note: str
    location: Location


@dataclass(frozen=True)
class DecisionTable:
    """A validated decision table."""

    header: Header
    hit_policy: str  # U A P F R O C C+ C< C> C#
    function: str  # its own spreadsheet function's name, or ""
    inputs: tuple[Column, ...]
    outputs: tuple[Column, ...]
    rules: tuple[Row, ...]
    examples: tuple[Example, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        """The rulesets' keys: one per chunk of rules."""
        return tuple(f"r{i}" for i in range(0, max(len(self.rules), 1), CHUNK))

    @functools.cached_property
    def matching(self) -> tuple[tuple[Test, ...], ...]:
        """Each rule's tests as they match: text compared as Excel compares it (case and surrounding spaces
        ignored), so "east" matches a cell written East. (A DMN file's text matches exactly: its own module.)"""
        return tuple(tuple(_folded(t) if c.type == "text" else t for t, c in zip(r.tests, self.inputs))
                     for r in self.rules)

    @functools.cached_property
    def long_cells(self) -> tuple[tuple[int, int], ...]:
        """(rule, input) of each cell with more than :data:`MAX_CELL_TESTS` tests (a list of 800 customer ids,
        not() of 16 ranges): the engine matches a flag the call sets from the test, not the test itself."""
        return tuple((i, k) for i, rule in enumerate(self.rules) for k, t in enumerate(rule.tests)
                     if t.size() > MAX_CELL_TESTS)  # folding text keeps the size: the rules as written

    @property
    def priority(self) -> tuple[dict[Value, int], ...]:
        """Each output's values ranked (first listed = highest priority), for hit policies P and O."""
        return tuple({v: i for i, v in enumerate(o.values or ())} for o in self.outputs)


def fold(value: Any) -> Any:
    """Text as a table matches it: case and surrounding spaces ignored (as Excel's = compares text)."""
    return value.strip().casefold() if isinstance(value, str) else value


def _folded(test: Test) -> Test:
    if test.parts:
        return Test(test.kind, test.op, test.value, test.high, test.closed, tuple(map(_folded, test.parts)))
    if not isinstance(test.value, str) and not isinstance(test.high, str):
        return test  # nothing to fold (a number, a date): the test itself
    if isinstance(test.value, str) and test.high is None:
        return _folded_word(test.kind, test.op, test.value, test.closed)
    return Test(test.kind, test.op, fold(test.value), fold(test.high), test.closed, test.parts)


@functools.lru_cache(maxsize=1 << 16)
def _folded_word(kind: str, op: str, word: str, closed: tuple[bool, bool]) -> Test:
    """A test of one word, folded (shared: a long list repeats its words across rules; keyed by text only, so a
    number never stands for a boolean equal to it)."""
    return Test(kind, op, fold(word), None, closed)


def canonical(table: DecisionTable) -> list[tuple[Test, ...]]:
    """Each rule's tests with text spelled as its column's allowed values spell it (low → Low), so the checks
    see what matching sees and their messages show the table's own words."""
    spelled = [{fold(v): v for v in (c.values or ()) if isinstance(v, str)} for c in table.inputs]

    def canon(test: Test, names: dict[str, Any]) -> Test:
        if test.parts:
            return dataclasses.replace(test, parts=tuple(canon(p, names) for p in test.parts))
        return dataclasses.replace(test, value=names.get(fold(test.value), test.value) if isinstance(
            test.value, str) else test.value)
    return [tuple(canon(t, n) if c.type == "text" else t for t, c, n in zip(r.tests, table.inputs, spelled))
            for r in table.rules]


def allowed(value: Any, column: Column) -> bool:
    """Whether a value is one of the column's allowed values (text as a table matches it)."""
    if column.values is None or value is None:
        return True
    if column.type == "text":
        return fold(value) in _folded_values(column.values)
    return value in column.values


@functools.lru_cache(maxsize=256)
def _folded_values(values: tuple[Value, ...]) -> frozenset[Any]:
    """A text column's allowed values as a table matches them, once per column (not once per cell)."""
    return frozenset(fold(v) for v in values)


def cell_value(value: Value) -> Any:
    """An output value as a cell holds it: a date as Excel's serial number, null as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return float((value - coerce.EXCEL_EPOCH).days)
    return value
