"""Functions that work on references rather than values: ROW, COLUMN, OFFSET, INDIRECT, ISFORMULA, ISREF,
FORMULATEXT, AREAS, and the union operator ((A1,B2:C3)).

Owns reading a reference from a formula node (a cell, a range, a defined name
pointing at one, or text naming one for INDIRECT) as a region of a sheet, and
the functions that need the region itself: the position of a reference
(ROW, COLUMN), a reference moved and resized (OFFSET), a reference written as
text (INDIRECT, A1 or R1C1), and whether a cell holds a formula (ISFORMULA).
OFFSET and INDIRECT are volatile in Excel; here they are computed with the
rest of the workbook, in dependency order of what they can be seen to read.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Protocol

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.formula.book import Book, Context, SheetData
from cellrules.recalc.values.blocks import Block
from cellrules.recalc.formula.parser import Area, Binary, ErrLit, FormulaError, Lit, Name, Ref, parse
from cellrules.recalc.formula.ranges import Blocks
from cellrules.xlsx.addresses import MAX_COL, MAX_ROW, address
from cellrules.recalc.values.scalars import err, num, text, truth

if TYPE_CHECKING:
    from cellrules.recalc.formula.parser import Call, Node


class Evaluator(Protocol):
    """What these functions need of the evaluator that calls them (:class:`evaluator.Evaluator`): the book,
    a node's value, a range as a block, and one value of an array."""

    book: Book

    def ev(self, node: "Node", ctx: Context) -> Any:
        """A node's value in a context."""

    def block(self, sheet: SheetData, r1: int, c1: int, r2: int, c2: int) -> Block:
        """The cells of a range as a block."""

    def one_value(self, value: Any, ctx: Context) -> Any:
        """One value per row of the context (an array's implicit intersection)."""

Region = tuple[SheetData, int, int, int, int]
_R1C1 = re.compile(r"(?i)^(?:(?P<sheet>.+)!)?R(?P<r>\d+)C(?P<c>\d+)(?::R(?P<r2>\d+)C(?P<c2>\d+))?$")


def region(ev: Evaluator, node: Node, ctx: Context) -> Region | ExcelError:
    """The sheet and rows/columns a reference node names, from the formula cell of a one-row context."""
    if isinstance(node, Name):
        target = ev.book.name(node.name, ctx.sheet.name)
        if target is None or isinstance(target, FormulaError):
            return err("#NAME?", f"no defined name '{node.name}' that is a reference")
        return region(ev, target, _at_a1(ctx))
    if isinstance(node, ErrLit):  # OFFSET(#REF!, …): the error is the answer
        return err(node.code, "an error value where a reference belongs")
    if not isinstance(node, (Ref, Area)):
        return err("#VALUE!", "a reference is needed here")
    sheet = ev.book.sheet(node.sheet, ctx.sheet)
    if sheet is None:
        return err("#REF!", f"no sheet named '{node.sheet}'")
    row, (ar, ac) = int(ctx.rows[0]), ctx.anchor
    if isinstance(node, Ref):
        r = node.row if node.row_abs else node.row + row - ar
        c = node.col if node.col_abs else node.col + ctx.col - ac
        return sheet, r, c, r, c
    r1 = node.r1 if node.abs[0] else node.r1 + row - ar
    r2 = node.r2 if node.abs[2] else node.r2 + row - ar
    c1 = node.c1 if node.abs[1] else node.c1 + ctx.col - ac
    c2 = node.c2 if node.abs[3] else node.c2 + ctx.col - ac
    return sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _at_a1(ctx: Context) -> Context:
    return Context(ctx.sheet, ctx.rows, ctx.col, (1, 1))


def _value(ev: Evaluator, where: Region | ExcelError) -> Any:
    if isinstance(where, ExcelError):
        return where
    sheet, r1, c1, r2, c2 = where
    if r1 < 1 or c1 < 1 or r2 > MAX_ROW or c2 > MAX_COL:
        return err("#REF!", "the reference leaves the sheet")
    return ev.block(sheet, r1, c1, r2, c2)


def _per_row(fn: Callable[[Evaluator, Call, Context], Any]) -> Callable[[Evaluator, Call, Context], Any]:
    """Evaluate a reference function once per row of a group (each row may name another region): a column of
    values, or one range per row (:class:`Blocks`) when it gives references, for what reads it to take whole
    (SUM(OFFSET(…))) or meet by implicit intersection."""
    def run(ev: Evaluator, node: Call, ctx: Context) -> Any:
        if ctx.n == 1:
            return fn(ev, node, ctx)
        return Blocks.per_row([fn(ev, node, Context(ctx.sheet, np.array([r]), ctx.col, ctx.anchor))
                               for r in ctx.rows.tolist()])
    return run


def _scalar_arg(ev: Evaluator, node: Node | None, ctx: Context, default: Any = None) -> Any:
    if node is None:
        return default
    value = ev.one_value(ev.ev(node, ctx), ctx)
    return value[0] if isinstance(value, np.ndarray) else value


@_per_row
def OFFSET(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's OFFSET(reference, rows, cols, [height], [width]): a reference moved and resized."""
    if not 3 <= len(node.args) <= 5:
        return err("#VALUE!", "OFFSET takes 3 to 5 arguments")
    base = region(ev, node.args[0], ctx)
    if isinstance(base, ExcelError):
        return base
    sheet, r1, c1, r2, c2 = base
    moves = [num(_scalar_arg(ev, a, ctx, 0.0) if a is not None else 0.0) for a in node.args[1:3]]
    sizes = [num(_scalar_arg(ev, node.args[i], ctx)) if len(node.args) > i and not _omitted(node.args[i])
             else float(default) for i, default in ((3, r2 - r1 + 1), (4, c2 - c1 + 1))]
    for v in moves + sizes:
        if isinstance(v, ExcelError):
            return v
    height, width = int(sizes[0]), int(sizes[1])
    if height < 1 or width < 1:
        return err("#REF!", "OFFSET's height and width must be at least 1")
    top, left = r1 + int(moves[0]), c1 + int(moves[1])
    return _value(ev, (sheet, top, left, top + height - 1, left + width - 1))


def _meet(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """The intersection operator (``A1:C3 B2:D4``): the cells both references name; #NULL! when they do not
    meet or lie on two sheets."""
    left, right = (region(ev, side, ctx) for side in node.args)
    for side in (left, right):
        if isinstance(side, ExcelError):
            return side
    assert not isinstance(left, ExcelError) and not isinstance(right, ExcelError)
    r1, c1, r2, c2 = max(left[1], right[1]), max(left[2], right[2]), min(left[3], right[3]), min(left[4], right[4])
    if left[0] is not right[0] or r1 > r2 or c1 > c2:
        return err("#NULL!", "the two references do not meet")
    return _value(ev, (left[0], r1, c1, r2, c2))


intersection = _per_row(_meet)


def union_parts(node: Node) -> tuple[Node, ...]:
    """The references a union joins, in order ((A1,B2,C3) parses as ((A1,B2),C3))."""
    if isinstance(node, Binary) and node.op == ",":
        return union_parts(node.left) + union_parts(node.right)
    return (node,)


def _union(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """The union operator (``(A1,B2:C3)``): one range holding its areas' cells in turn, with the areas kept
    (AREAS counts them); each part must be a reference."""
    areas = []
    for part in node.args:
        if isinstance(part, Ref):
            part = Area(part.sheet, part.row, part.col, part.row, part.col,
                        (part.row_abs, part.col_abs, part.row_abs, part.col_abs))
        value = ev.ev(part, ctx)
        value = value[0] if isinstance(value, Blocks) else value
        if isinstance(value, ExcelError):
            return value
        if not isinstance(value, Block) or value.origin is None:
            return err("#VALUE!", "a union joins references, not values")
        areas += list(value.areas) if value.areas is not None else [value]
    joined = Block(np.array([[v for a in areas for v in a.flat()]], dtype=object))
    joined.areas = tuple(areas)
    return joined


union = _per_row(_union)


def is_union(value: Any) -> bool:
    """Whether an evaluated argument is a union of references (per row: its first)."""
    if isinstance(value, Blocks):
        value = value[0] if len(value) else None
    return isinstance(value, Block) and value.areas is not None


def AREAS(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's AREAS(reference): how many areas a reference has ((A1,B2:C3) and a name for it have 2)."""
    if len(node.args) != 1:
        return err("#VALUE!", "AREAS takes one reference")
    total = 0
    for part in union_parts(node.args[0]):
        target = ev.book.name(part.name, ctx.sheet.name) if isinstance(part, Name) else part
        if not isinstance(target, (Ref, Area, Binary)):
            return err("#VALUE!", "AREAS takes a reference")
        for area in union_parts(target):
            found = region(ev, area, _at_a1(ctx) if isinstance(part, Name) else ctx)
            if isinstance(found, ExcelError):
                return found
            total += 1
    return float(total)


def _omitted(node: Node) -> bool:
    return isinstance(node, Lit) and node.value is None


@_per_row
def INDIRECT(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's INDIRECT(text, [a1]): the reference a text names (A1 or R1C1)."""
    if not node.args:
        return err("#VALUE!", "INDIRECT needs a reference as text")
    ref_text = text(_scalar_arg(ev, node.args[0], ctx))
    a1 = truth(_scalar_arg(ev, node.args[1], ctx, True)) if len(node.args) > 1 else True
    if isinstance(ref_text, ExcelError):
        return ref_text
    if isinstance(a1, ExcelError):
        return a1
    ref_text = ref_text.strip()
    if not a1:
        m = _R1C1.match(ref_text)
        if not m:
            return err("#REF!", f"'{ref_text}' is not an R1C1 reference")
        sheet = ev.book.sheet(m.group("sheet").strip("'") if m.group("sheet") else None, ctx.sheet)
        if sheet is None:
            return err("#REF!", f"no sheet in '{ref_text}'")
        r, c = int(m.group("r")), int(m.group("c"))
        return _value(ev, (sheet, r, c, int(m.group("r2") or r), int(m.group("c2") or c)))
    try:
        target = parse(ref_text)
    except FormulaError:
        return err("#REF!", f"'{ref_text}' is not a reference")
    here = Context(ctx.sheet, ctx.rows, ctx.col, (int(ctx.rows[0]), ctx.col))  # text names cells as written
    where = region(ev, target, here)
    if isinstance(where, ExcelError):
        return err("#REF!", f"'{ref_text}' is not a reference: {where.reason}")
    return _value(ev, where)


def _position(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """ROW() and COLUMN(): of the formula's own cell, or of a reference's first cell (per row)."""
    row_wanted = node.name == "ROW"
    if not node.args:
        return ctx.rows.astype(float).astype(object) if row_wanted else float(ctx.col)
    if ctx.n > 1:
        return _per_row(_position)(ev, node, ctx)
    where = region(ev, node.args[0], ctx)
    if isinstance(where, ExcelError):
        return where
    return float(where[1] if row_wanted else where[2])


@_per_row
def ISFORMULA(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's ISFORMULA(reference): TRUE when the cell holds a formula."""
    where = region(ev, node.args[0], ctx) if node.args else err("#VALUE!", "ISFORMULA needs a reference")
    if isinstance(where, ExcelError):
        return where
    sheet, r1, c1, _, _ = where
    return (r1, c1) in sheet.formula_cells


@_per_row
def FORMULATEXT(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's FORMULATEXT(reference): the formula of the range's top-left cell as text ("=TODAY()"); #N/A for
    a cell without one (or one over 8,192 characters), #VALUE! for what is no reference. Reading the formula
    does not compute the cell: a cell may show its own formula."""
    where = region(ev, node.args[0], ctx) if len(node.args) == 1 else err("#VALUE!", "FORMULATEXT takes a reference")
    if isinstance(where, ExcelError):
        return err("#VALUE!", where.reason) if where.code == "#VALUE!" or where.code == "#NAME?" else where
    sheet, r1, c1, _, _ = where
    text = sheet.formula_text(r1, c1)
    if text is None or len(text) > 8192:
        return err("#N/A", f"{sheet.name}!{address(r1, c1)} holds no formula" if text is None else
                   "the formula is longer than 8,192 characters")
    return text


def ISREF(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's ISREF(value): TRUE for a reference."""
    if not node.args:
        return False
    return not isinstance(region(ev, node.args[0], ctx), ExcelError)


@_per_row
def SHEET(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's SHEET([value]): the number of a sheet in the workbook's order (hidden sheets counted) — the
    formula's own, a reference's, or the one a text names (#N/A for no such sheet)."""
    number = {name: float(k) for k, name in enumerate(ev.book.sheets, start=1)}  # by upper-case name
    if not node.args:
        return number[ctx.sheet.name.upper()]
    arg = node.args[0]
    if isinstance(arg, (Ref, Area)) and arg.sheet and (span := ev.book.span(arg.sheet)) is not None:
        return number[span[0].name.upper()]
    where = region(ev, arg, ctx) if isinstance(arg, (Ref, Area, Name)) else None
    if where is not None and not isinstance(where, ExcelError):
        return number[where[0].name.upper()]
    value = ev.one_value(ev.ev(arg, ctx), ctx)
    if isinstance(value, ExcelError):
        return value
    if isinstance(value, str):
        return number.get(value.upper(), err("#N/A", f"no sheet named '{value}'"))
    return err("#N/A", "SHEET takes a reference or the name of a sheet")


@_per_row
def SHEETS(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's SHEETS([reference]): how many sheets a reference spans (Sheet1:Sheet3!A1 is 3); without one,
    the workbook's sheets."""
    if not node.args:
        return float(len(ev.book.sheets))
    arg = node.args[0]
    if isinstance(arg, (Ref, Area)) and arg.sheet and (span := ev.book.span(arg.sheet)) is not None:
        return float(len(span))
    where = region(ev, arg, ctx)
    return err("#REF!", where.reason) if isinstance(where, ExcelError) else 1.0


FUNCTIONS: dict[str, Callable[[Evaluator, Call, Context], Any]] = {
    "ROW": _position, "COLUMN": _position, "OFFSET": OFFSET, "INDIRECT": INDIRECT, "ISFORMULA": ISFORMULA,
    "ISREF": ISREF, "FORMULATEXT": FORMULATEXT, "AREAS": AREAS, "SHEET": SHEET, "SHEETS": SHEETS}
