"""Ranges as functions see them, and the helpers the function modules share.

Owns :class:`Block` (a range's values), how SUM-like functions read their
arguments (numbers and logicals: in ranges only numbers count, typed values
are converted), and COUNTIF-style criteria. It sits below every function
module (:mod:`natives`, :mod:`lookups`, :mod:`stats`…), which import it and
never each other for these.
"""
from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

from cellrules.errors import CODES, ExcelError
from cellrules.recalc.values.scalars import compare, err, num, truth


class Block:
    """A range's values (2-D, row-major), a cache for indexes built on it, and where it was read from
    (``origin``: (first row, first column) of a reference; None for a computed array)."""

    __slots__ = ("values", "cache", "origin", "full", "areas")

    def __init__(self, values: np.ndarray, origin: tuple[int, int] | None = None,
                 full: tuple[int, int] | None = None) -> None:
        self.values = values
        self.cache: dict[Any, Any] = {}
        self.origin = origin
        self.full = full or values.shape  # the reference's size: whole columns/rows are read only where used
        self.areas: tuple["Block", ...] | None = None  # a union's ranges ((A1,B2:C3)); its values: their cells

    def flat(self) -> list[Any]:
        """The values, row by row, as one list."""
        return self.values.ravel().tolist()

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the values read."""
        return self.values.shape


def first_error(values: list[Any]) -> ExcelError | None:
    """The first error value among ``values``, or None."""
    return next((v for v in values if isinstance(v, ExcelError)), None)


def joined(lists: tuple[list[float], ...]) -> list[float]:
    """The numbers of several ``numbers`` arguments (see :mod:`signature`) in one list, in order."""
    return [x for part in lists for x in part]


def numbers(args: tuple[Any, ...], text_as_zero: bool = False) -> list[float] | ExcelError:
    """Numbers of SUM-like arguments: in ranges only numbers count (with ``text_as_zero``, the …A functions'
    rule: text counts 0 and TRUE 1); typed values are converted; the first error value wins."""
    out: list[float] = []
    for arg in args:
        if isinstance(arg, Block):
            cells = arg.flat()
            bad = first_error(cells)
            if bad:
                return bad
            if text_as_zero:
                out += [float(v) if isinstance(v, (int, float)) else 0.0 for v in cells if v is not None]
            else:
                out += [float(v) for v in cells if isinstance(v, (int, float)) and not isinstance(v, bool)]
        elif arg is not None:
            x = num(arg)
            if isinstance(x, ExcelError):
                return x
            out.append(x)
    return out


def logicals(args: tuple[Any, ...]) -> list[bool] | ExcelError:
    """The TRUE/FALSE values of AND/OR-style arguments: in ranges only logicals and numbers count, an error
    value anywhere is the answer, and no logical value at all is #VALUE!."""
    out = []
    for arg in args:
        cells = [v for v in arg.flat() if isinstance(v, (bool, int, float, ExcelError))] \
            if isinstance(arg, Block) else [arg]
        for v in cells:
            t = truth(v)
            if isinstance(t, ExcelError):
                return t
            out.append(t)
    return out if out else err("#VALUE!", "no logical values")


CRIT = re.compile(r"^(<=|>=|<>|<|>|=)?(.*)$", re.S)


def criterion(spec: Any) -> Callable[[Any], bool]:
    """A COUNTIF/SUMIF criterion: 10, ">=10", "<>x", "East", "Ea*", "?ast", TRUE, "<=TRUE", "#N/A". A number,
    or text reading as one, is met by equal numbers and by text showing that number (Excel counts "23" and 23
    alike for "=23"); an ordering (">10") only by numbers; a logical (TRUE, ">=FALSE") only by logicals, an
    error (#N/A, "#DIV/0!") only by that error; "<>…" by every cell the criterion without it does not meet."""
    if spec is None:  # a blank cell as the criterion is 0 (Excel: not "", which would meet blank cells)
        return _numeric("=", 0.0)
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return _numeric("=", float(spec))
    if not isinstance(spec, str):
        return _typed("=", spec)
    found = CRIT.match(spec)
    assert found is not None  # the pattern matches any text
    op, operand = found.groups()
    op = op or "="
    if operand == "" and op not in ("=", "<>"):
        return lambda v: False  # ">" & a blank cell: Excel meets nothing
    typed = _LOGICAL.get(operand.upper(), operand.upper() if operand.upper() in CODES else None)
    if typed is not None:
        return _typed(op, ExcelError(typed) if isinstance(typed, str) else typed)
    value: Any = operand
    x = num(operand) if operand.strip() else None
    if x is not None and not isinstance(x, ExcelError):
        value = x
    if isinstance(value, float):
        return _numeric(op, value)
    if op in ("=", "<>"):
        if any(ch in value for ch in "*?"):
            pattern = wildcard(value)
            hit: Callable[[Any], bool] = lambda v: isinstance(v, str) and bool(pattern.match(v))  # noqa: E731
        elif value == "":  # "=": blank or "" (Microsoft); "<>": any cell that is not blank, "" text included
            hit = (lambda v: v is None or v == "") if op == "=" else (lambda v: v is None)  # noqa: E731
        else:
            hit = lambda v: isinstance(v, str) and compare(v, value, "=") is True  # noqa: E731
        return hit if op == "=" else (lambda v: not hit(v))
    return lambda v: isinstance(v, str) and compare(v, value, op) is True


_LOGICAL = {"TRUE": True, "FALSE": False}
_WILD = re.compile(r"~[*?~]|[*?]|[^*?~]+|~")


def wildcard(text: str) -> "re.Pattern[str]":
    """Excel's wildcards as a pattern matching a whole text, any case (criteria, MATCH, XLOOKUP)."""
    return re.compile("^" + wildcard_body(text) + "$", re.I | re.S)


def wildcard_body(text: str) -> str:
    """Excel's wildcards as regular-expression text: * any run (shortest first), ? one character, ~* ~? ~~
    the character itself (SEARCH finds with it)."""
    parts = {"*": ".*?", "?": "."}
    return "".join(parts.get(t) or re.escape(t[-1] if t.startswith("~") and len(t) == 2 else t)
                   for t in _WILD.findall(text))


def _typed(op: str, spec: Any) -> Callable[[Any], bool]:
    """A criterion on a logical or an error value: met only by values of its type."""
    kind = type(spec)
    if isinstance(spec, ExcelError):
        hit: Callable[[Any], bool] = lambda v: isinstance(v, ExcelError) and v.code == spec.code  # noqa: E731
        return hit if op == "=" else (lambda v: op == "<>" and not hit(v))
    if op == "<>":
        return lambda v: not (isinstance(v, kind) and v == spec)
    return lambda v: isinstance(v, kind) and compare(v, spec, op) is True


def _numeric(op: str, value: float) -> Callable[[Any], bool]:
    def equal(v: Any) -> bool:
        if isinstance(v, str):
            v = num(v)
        return isinstance(v, (int, float)) and not isinstance(v, bool) and v == value
    if op == "=":
        return equal
    if op == "<>":  # only the number itself is left out: text showing it is not (Excel)
        return lambda v: not (isinstance(v, (int, float)) and not isinstance(v, bool) and v == value)
    return lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and compare(v, value, op) is True


def pairs(args: tuple[Any, ...]) -> list[tuple[list[Any], Callable]] | ExcelError:
    """COUNTIFS-style (range, criterion) pairs: each range's cells and its test; the ranges must be the same size."""
    out = []
    for i in range(0, len(args) - 1, 2):
        if not isinstance(args[i], Block):
            return err("#VALUE!", "criteria ranges must be ranges")
        out.append((args[i].flat(), criterion(args[i + 1])))
    if out and any(len(cells) != len(out[0][0]) for cells, _ in out):
        return err("#VALUE!", "criteria ranges differ in size")
    return out


def matched_numbers(block: Block, positions: list[int]) -> list[float] | ExcelError:
    """The numbers of ``block`` at ``positions`` (SUMIFS' and its kin's values where the criteria are met); an
    error value at one of them is the answer (Excel), text and logicals are left out."""
    cells = block.flat()
    out = []
    for i in positions:
        v = cells[i]
        if isinstance(v, ExcelError):
            return v
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append(float(v))
    return out


def matching(pairs: list[tuple[list[Any], Callable]]) -> list[int]:
    """Positions whose cells pass every criterion of ``pairs``."""
    n = len(pairs[0][0])
    return [i for i in range(n) if all(test(cells[i]) for cells, test in pairs)]
