"""Excel formula text → AST.

Owns a closed grammar for the formulas of sales sheets: numbers, text,
booleans, error literals, cell and area references (relative, absolute,
whole-column and whole-row, on other sheets), defined names, function calls,
array constants, and the operators ``: % ^ * / + - & = <> < > <= >=`` with
Excel's precedence (unary minus binds tighter than ``^``). Anything else is a
:class:`FormulaError`; nothing is ever evaluated as Python.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Union

from cellrules import spelling
from cellrules.errors import CODES
from cellrules.xlsx.addresses import MAX_COL, MAX_ROW, col_index


class FormulaError(ValueError):
    """The formula text is outside the grammar."""


@dataclass(frozen=True)
class Lit:
    """A literal: number, text, boolean or blank."""

    value: Any  # float | str | bool | ExcelError code text wrapped by the evaluator


@dataclass(frozen=True)
class ErrLit:
    """An error literal such as ``#N/A``."""

    code: str


@dataclass(frozen=True)
class Ref:
    """A reference to one cell, with which parts are absolute."""

    sheet: str | None
    row: int
    col: int
    row_abs: bool
    col_abs: bool


@dataclass(frozen=True)
class Area:
    """A reference to a range (cells, whole columns or whole rows)."""

    sheet: str | None
    r1: int
    c1: int
    r2: int
    c2: int
    abs: tuple[bool, bool, bool, bool]  # r1, c1, r2, c2


@dataclass(frozen=True)
class Name:
    """A defined name (or a table reference resolved later)."""

    name: str


@dataclass(frozen=True)
class Call:
    """A function call with its arguments."""

    name: str
    args: tuple["Node", ...]


@dataclass(frozen=True)
class Unary:
    """A prefix or postfix operator (``-x``, ``x%``)."""

    op: str
    arg: "Node"


@dataclass(frozen=True)
class Binary:
    """An infix operator (arithmetic, ``&``, comparison, range ``:``)."""

    op: str
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Array:
    """An array constant ``{1,2;3,4}``."""

    rows: tuple[tuple[Any, ...], ...]


Node = Union[Lit, ErrLit, Ref, Area, Name, Call, Unary, Binary, Array]

_NAME_PART = r"[A-Za-z_\u0080-\uffff][\w.\u0080-\uffff]*"
# a sheet, or a 3-D range of sheets (Sheet1:Sheet3!A1, 'Jan 1:Mar 3'!A1), before a reference
_SHEET = r"(?:'(?:[^']|'')+'|(?:\[\d+\])?%(n)s(?::%(n)s)?)!" % {"n": _NAME_PART}  # [1]Sheet: a linked book's
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"]|"")*")
  | (?P<err>(?:%(sheet)s)?\#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA))
  | (?P<colrange>(?P<cs>%(sheet)s)?\$?(?P<ca>[A-Za-z]{1,3}):\$?(?P<cb>[A-Za-z]{1,3})(?![\w(!]))
  | (?P<rowrange>(?P<rs>%(sheet)s)?\$?(?P<ra>\d+):\$?(?P<rb>\d+)(?![\w.(]))
  | (?P<ref>(?P<sh>%(sheet)s)?(?P<cabs>\$?)(?P<col>[A-Za-z]{1,3})(?P<rabs>\$?)(?P<row>\d+)(?![\w(.]))
  | (?P<xname>(?:\[\d+\]!|%(sheet)s)%(n)s(?![\w(]))
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<func>[A-Za-z_\\][\w.]*(?=\())
  | (?P<name>[A-Za-z_\\\u0080-\uffff][\w.\u0080-\uffff]*)
  | (?P<op><>|<=|>=|[-+*/^&=<>%%:(),;{}])
""" % {"sheet": _SHEET, "n": _NAME_PART}, re.VERBOSE)

_BINARY = {"=": 1, "<>": 1, "<": 1, ">": 1, "<=": 1, ">=": 1, "&": 2, "+": 3, "-": 3, "*": 4, "/": 4, "^": 5}
# Excel's future-function prefixes, then the two Office.js spellings of our functions (see cellrules.spelling)
_PREFIXES = ("_xlfn._xlws.", "_xlfn.", "_xlws.", "_xll.", spelling.STORED_PREFIX, spelling.TYPED_PREFIX)


def _sheet(text: str | None) -> str | None:
    if not text:
        return None
    text = text[:-1]
    return text[1:-1].replace("''", "'") if text.startswith("'") else text


def tokenize(text: str) -> list[tuple[str, Any]]:
    """The tokens of formula text as (kind, match) pairs; a FormulaError at the first character no token starts with."""
    out: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise FormulaError(f"unexpected {text[pos:pos + 10]!r} at position {pos + 1}")
        pos = m.end()
        kind = m.lastgroup
        if kind in ("cs", "ca", "cb", "rs", "ra", "rb", "sh", "cabs", "col", "rabs", "row"):
            kind = next(k for k in ("colrange", "rowrange", "ref") if m.group(k))
        if kind == "ws":
            if out and _ends_reference(out[-1]) and _starts_reference(text, pos):
                out.append(("isect", m))  # A1:C3 B2:D4 — the space is Excel's intersection operator
            continue
        out.append((kind or "", m))
    return out


_REFERENCE_START = re.compile(r"(?:%(sheet)s)?\$?(?:[A-Za-z]{1,3}\$?\d+|[A-Za-z]{1,3}:|\d+:)|\(" % {"sheet": _SHEET})


def _ends_reference(token: tuple[str, Any]) -> bool:
    kind, m = token
    return kind in ("ref", "colrange", "rowrange") or kind == "op" and m.group() == ")"


def _starts_reference(text: str, pos: int) -> bool:
    return bool(_REFERENCE_START.match(text, pos))


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, Any]:
        tok = self.peek()
        if tok is None:
            raise FormulaError("the formula ends too early")
        self.i += 1
        return tok

    def is_op(self, *ops: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "op" and tok[1].group() in ops

    def expect(self, op: str) -> None:
        if not self.is_op(op):
            tok = self.peek()
            raise FormulaError(f"expected '{op}'" + (f" before {tok[1].group()!r}" if tok else " at the end"))
        self.i += 1

    def expression(self, power: int = 0) -> Node:
        left = self.prefix()
        while True:
            if self.is_op("%"):
                self.i += 1
                left = Unary("%", left)
                continue
            tok = self.peek()
            if tok is None or tok[0] != "op" or tok[1].group() not in _BINARY:
                return left
            op = tok[1].group()
            strength = _BINARY[op]
            if strength <= power:
                return left
            self.i += 1
            left = Binary(op, left, self.expression(strength))

    def prefix(self) -> Node:
        if self.is_op("-", "+"):
            op = self.take()[1].group()
            arg = self._unary_operand()
            return arg if op == "+" else Unary("-", arg)
        node = self._area()
        while self.peek() is not None and self.peek()[0] == "isect":  # type: ignore[index]
            self.i += 1
            node = Binary(" ", node, self._area())
        return node

    def _area(self) -> Node:
        node = self.primary()
        if self.is_op(":"):  # an area built from two references: A1:INDEX(...) is out of the grammar
            self.i += 1
            other = self.primary()
            if isinstance(node, Ref) and isinstance(other, Ref):
                return Area(node.sheet, node.row, node.col, other.row, other.col,
                            (node.row_abs, node.col_abs, other.row_abs, other.col_abs))
            if isinstance(node, ErrLit) or isinstance(other, ErrLit):
                return ErrLit("#REF!")  # #REF!:#REF! — a range whose cells were deleted
            raise FormulaError("':' joins two cell references")
        return node

    def _unary_operand(self) -> Node:
        """The operand of a unary sign: -2^2 is 4 in Excel, the sign binds tighter than ^."""
        node = self.prefix()
        while self.is_op("%"):
            self.i += 1
            node = Unary("%", node)
        return node

    def primary(self) -> Node:
        kind, m = self.take()
        if kind == "num":
            return Lit(float(m.group()))
        if kind == "str":
            return Lit(m.group()[1:-1].replace('""', '"'))
        if kind == "err":  # Sheet1!#REF!: a reference whose cells were deleted is the error itself
            return ErrLit(m.group()[m.group().rindex("#"):])
        if kind == "ref":
            return Ref(_sheet(m.group("sh")), int(m.group("row")), col_index(m.group("col")),
                       bool(m.group("rabs")), bool(m.group("cabs")))
        if kind == "colrange":
            a, b = sorted((col_index(m.group("ca")), col_index(m.group("cb"))))
            return Area(_sheet(m.group("cs")), 1, a, MAX_ROW, b, (True, "$" in m.group(), True, "$" in m.group()))
        if kind == "rowrange":
            a, b = sorted((int(m.group("ra")), int(m.group("rb"))))
            return Area(_sheet(m.group("rs")), a, 1, b, MAX_COL, (True, True, True, True))
        if kind == "func":
            return self.call(m.group())
        if kind == "xname":  # Sheet!Name, [0]!Name, [1]!Name: a name of that sheet or that book
            return Name(m.group())
        if kind == "name":
            word = m.group()
            if word.upper() in ("TRUE", "FALSE"):
                return Lit(word.upper() == "TRUE")
            return Name(word)
        if kind == "op" and m.group() == "(":
            node = self.expression()
            while self.is_op(","):  # (A1,B2:C3): the union operator joins references
                self.i += 1
                node = Binary(",", node, self.expression())
            self.expect(")")
            return node
        if kind == "op" and m.group() == "{":
            return self.array()
        raise FormulaError(f"unexpected {m.group()!r}")

    def call(self, raw: str) -> Call:
        name = raw.upper()
        for prefix in _PREFIXES:
            if name.startswith(prefix.upper()):
                name = name[len(prefix):]
                break
        self.expect("(")
        args: list[Node] = []
        if self.is_op(")"):
            self.i += 1
            return Call(name, ())
        while True:
            if self.is_op(",", ")"):
                args.append(Lit(None))  # an omitted argument: =COMMISSION(B2, C2, , D2)
            else:
                args.append(self.expression())
            if self.is_op(","):
                self.i += 1
                continue
            self.expect(")")
            return Call(name, tuple(args))

    def array(self) -> Array:
        rows: list[list[Any]] = [[]]
        while True:
            node = self.expression()
            if isinstance(node, Unary) and node.op == "-" and isinstance(node.arg, Lit):
                node = Lit(-node.arg.value)
            if not isinstance(node, (Lit, ErrLit)):
                raise FormulaError("an array constant holds only constants")
            rows[-1].append(node)
            if self.is_op(","):
                self.i += 1
            elif self.is_op(";"):
                self.i += 1
                rows.append([])
            else:
                self.expect("}")
                return Array(tuple(tuple(r) for r in rows))


def parse(text: str) -> Node:
    """Parse formula text (with or without the leading '=')."""
    body = text[1:] if text.startswith("=") else text
    parser = _Parser(body)
    node = parser.expression()
    left = parser.peek()
    if left is not None:
        raise FormulaError(f"unexpected {left[1].group()!r} after a complete formula")
    return node


__all__ = ["parse", "FormulaError", "Node", "Lit", "ErrLit", "Ref", "Area", "Name", "Call", "Unary", "Binary",
           "Array", "CODES"]
