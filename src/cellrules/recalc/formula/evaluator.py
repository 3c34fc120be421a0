"""Columnar evaluation of formula groups.

Owns the evaluation of a formula over a whole group of rows at once: a
relative reference reads a slice of a column, an absolute range is read once
into a :class:`Block` (shared by every row and every group that reads it),
operators and Excel's functions apply row by row, and cellrules' functions
take the vectorised path. Groups in a cycle or reading their own column are
evaluated cell by cell; a true circular reference gives #REF! naming its cells.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.values import arrays, scalars as values
from cellrules.recalc.formula import bridge, fastpath, groupby, lambdas, references
from cellrules.recalc.excel import functable
from cellrules.recalc.values.blocks import Block
from cellrules.recalc.values.signature import Signature
from cellrules.recalc.formula.book import Book, Context, SheetData
from cellrules.recalc.formula.grouping import Group
from cellrules.recalc.formula.leftout import subtotal_arguments
from cellrules.recalc.formula.ranges import Blocks, Ranges
from cellrules.recalc.formula.parser import Area, Array, Binary, Call, ErrLit, Lit, Name, Node, Ref, Unary
from cellrules.xlsx.addresses import MAX_COL, address


MAX_RANGE_CELLS = 20_000_000  # cells one range may read (=SUM(A2:XFD100000) is 1.6 billion)


class BudgetError(RuntimeError):
    """A workbook that asks for more work than a recalculation allows."""


def is_column(value: Any) -> bool:
    """Whether a value is one per row of a group (a column), not one for all."""
    return isinstance(value, (np.ndarray, Blocks))


class Evaluator(Ranges):
    """Evaluates the formula groups of a book in dependency order, storing every result in the book."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.blocks: dict[tuple, Block] = {}
        self.columns: dict[tuple, np.ndarray] = {}  # relative column references read, as ranges are (blocks)
        self.unsupported: dict[str, int] = {}
        self.where: dict[tuple[str, int, int], Group] = {}  # formula cell -> group, only while cell by cell
        self.busy: dict[str, None] = {}  # cells being computed, in order (a dict: found at once in a deep chain)
        self.array_mode = False  # inside an array formula: operators and functions lift over arrays
        self.internal = 0  # Excel functions that failed inside (bugs): each cell got #VALUE!
        self.subtotals: set[tuple[str, int, int]] = set()  # cells holding SUBTOTAL/AGGREGATE (skipped by them)
        self.spills: dict[tuple[str, int, int], tuple[int, int, int, int]] = {}  # dynamic array -> its new range
        self.scope: dict[str, Any] = {}  # names bound by LET and LAMBDA parameters (lambdas.key -> value)

    # -- groups ----------------------------------------------------------------
    def run_group(self, group: Group) -> None:
        """Evaluate one group for all of its rows at once and store the results."""
        sheet = self.book.sheets[group.sheet.upper()]
        self._note_subtotals(group)
        if group.array is not None:
            self.run_array(group, sheet)
            return
        rows = np.arange(group.r0, group.r1 + 1)
        result = self._evaluate(group, Context(sheet, rows, group.col, group.anchor))
        group.values = result.tolist()  # kept for the write-back, which encodes them a column at a time
        sheet.values.column(group.col).update(zip(range(group.r0, group.r1 + 1), group.values))

    def run_array(self, group: Group, sheet: SheetData) -> None:
        """An array formula: evaluated once with array semantics, its result spread over its range."""
        ctx = Context(sheet, np.array([group.r0]), group.col, group.anchor)
        self.array_mode = True
        try:
            value = self.ev(group.node, ctx) if group.node is not None else ExcelError("#NAME?", group.problem)
        finally:
            self.array_mode = False
        if isinstance(value, (np.ndarray, Blocks)):
            value = value[0]
        if isinstance(value, lambdas.Lambda):
            value = ExcelError("#CALC!", "a LAMBDA is a function, not a value a cell can show (call it)")
        area = self._spill_area(group, sheet, value) if group.dynamic else group.array
        if area is None:
            value, area = ExcelError("#SPILL!", "the result would spill over cells that are not empty"), \
                (group.r0, group.col, group.r0, group.col)
        if group.dynamic and group.array is not None:
            r1, c1, r2, c2 = group.array
            for r in range(r1, r2 + 1):  # the old spill is cleared; the new one written below
                for c in range(c1, c2 + 1):
                    if (r, c) != (group.r0, group.col):
                        sheet.values.pop((r, c), None)
                        sheet.pending.discard((r, c))
            self.spills[(sheet.name.upper(), group.r0, group.col)] = area
        for (r, c), v in arrays.spread(value, area).items():
            self._store(sheet, r, c, 0.0 if v is None else v)

    @staticmethod
    def _spill_area(group: Group, sheet: SheetData, value: Any) -> tuple[int, int, int, int] | None:
        """The range a dynamic array's result fills, or None when a cell of it (outside its old range) holds
        something: Excel's #SPILL!."""
        rows, cols = value.full if isinstance(value, Block) and value.values.size else (1, 1)
        area = (group.r0, group.col, group.r0 + rows - 1, group.col + cols - 1)
        assert group.array is not None  # a dynamic array's last range (its anchor cell at first)
        o1, oc1, o2, oc2 = group.array
        for r in range(area[0], area[2] + 1):
            for c in range(area[1], area[3] + 1):
                inside_old = o1 <= r <= o2 and oc1 <= c <= oc2
                if not inside_old and sheet.values.get((r, c)) not in (None, ""):
                    return None
        return area

    def _note_subtotals(self, group: Group) -> None:
        if isinstance(group.node, Call) and group.node.name in ("SUBTOTAL", "AGGREGATE"):
            self.subtotals.update((group.sheet.upper(), r, group.col) for r in range(group.r0, group.r1 + 1))

    def run_cells(self, groups: list[Group]) -> None:
        """Evaluate groups that depend on each other cell by cell (ranges read afresh), in row order."""
        for g in groups:
            self._note_subtotals(g)
        self.blocks.clear()  # cell-by-cell mode: ranges change as cells are computed
        self.columns.clear()
        for g in groups:
            self.book.sheets[g.sheet.upper()].pending.update((r, g.col) for r in range(g.r0, g.r1 + 1))
            for r in range(g.r0, g.r1 + 1):
                self.where[(g.sheet.upper(), r, g.col)] = g
        try:
            for g in groups:
                sheet = self.book.sheets[g.sheet.upper()]
                for r in range(g.r0, g.r1 + 1):
                    if (r, g.col) in sheet.pending:
                        self.compute_cell(sheet, r, g.col)
        finally:  # every cell of the component is computed: back to whole columns, with ranges cached again
            self.where.clear()
            self.blocks.clear()
            self.columns.clear()

    def compute_cell(self, sheet: SheetData, row: int, col: int) -> Any:
        """The value of one formula cell, computed now (depth first); a circular reference gives #REF! naming the
        cycle."""
        label = f"{sheet.name}!{address(row, col)}"
        if label in self.busy:
            chain = list(self.busy)
            cycle = chain[chain.index(label):] + [label]
            shown = cycle if len(cycle) <= 12 else cycle[:5] + [f"… {len(cycle) - 10} more …"] + cycle[-5:]
            return ExcelError("#REF!", f"circular reference of {len(cycle) - 1} cell(s): " + " → ".join(shown))
        group = self.where[(sheet.name.upper(), row, col)]
        self.busy[label] = None
        try:
            value = self._evaluate(group, Context(sheet, np.array([row]), col, group.anchor))[0]
        finally:
            self.busy.popitem()  # the last one in: this cell
        self._store(sheet, row, col, value)
        return value

    def _evaluate(self, group: Group, ctx: Context) -> np.ndarray:
        if group.array is not None:  # an array formula met cell by cell (in a cycle): its own cell's value
            self.run_array(group, ctx.sheet)
            return np.array([ctx.sheet.values.get((int(ctx.rows[0]), ctx.col))], dtype=object)
        if group.node is None:
            return np.array([ExcelError("#NAME?", group.problem)] * ctx.n, dtype=object)
        value = self.one_value(self.ev(group.node, ctx), ctx)
        if isinstance(value, lambdas.Lambda):
            value = ExcelError("#CALC!", "a LAMBDA is a function, not a value a cell can show (call it)")
        return self._cells(value, ctx.n)

    @staticmethod
    def _cells(value: Any, n: int) -> np.ndarray:
        """The value each cell shows: a blank reference shows 0."""
        if not isinstance(value, np.ndarray):
            out = np.empty(n, dtype=object)
            out[:] = [value] * n
            value = out
        if value.dtype.kind == "f":
            return value.astype(object)  # Python floats
        if value.dtype == object and not any(k is type(None) or issubclass(k, (int, np.integer)) and k is not bool
                                             for k in set(map(type, value.tolist()))):
            return value  # nothing to convert (a column of text, numbers, errors)
        return np.array([0.0 if v is None else (float(v) if isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                                 else v) for v in value.tolist()], dtype=object)

    def one_value(self, value: Any, ctx: Context) -> Any:
        """Implicit intersection: the value of a range met where one value is expected, per row."""
        if isinstance(value, Block):
            if value.areas is not None:
                return ExcelError("#VALUE!", "a union of references (A1,B2) where one value goes")
            if value.origin is None or value.values.shape == (1, 1) or ctx.n == 1:
                return arrays.intersect(value, int(ctx.rows[0]), ctx.col)
            out = np.empty(ctx.n, dtype=object)
            out[:] = [arrays.intersect(value, r, ctx.col) for r in ctx.rows.tolist()]
            return out
        if isinstance(value, Blocks):
            out = np.empty(ctx.n, dtype=object)
            out[:] = [arrays.intersect(b, r, ctx.col) for b, r in zip(value, ctx.rows.tolist())]
            return out
        return value

    def _store(self, sheet: SheetData, row: int, col: int, value: Any) -> None:
        sheet.values[(row, col)] = value
        sheet.pending.discard((row, col))

    # -- reading cells ----------------------------------------------------------
    def read(self, sheet: SheetData, row: int, col: int) -> Any:
        """A cell's value, computing it first if it is a formula still pending."""
        if (row, col) in sheet.pending and (sheet.name.upper(), row, col) in self.where:
            return self.compute_cell(sheet, row, col)
        return sheet.values.get((row, col))

    def block(self, sheet: SheetData, r1: int, c1: int, r2: int, c2: int) -> Block:
        """A range's values as a Block (cached per range for the run; whole columns read only as far as the sheet
        goes)."""
        key = (sheet.name, r1, c1, r2, c2)
        found = self.blocks.get(key)
        if found is None:
            full = (r2 - r1 + 1, c2 - c1 + 1)
            r2 = sheet.last_row(r2)
            c2 = min(c2, sheet.max_col) if c2 >= MAX_COL else c2
            if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_RANGE_CELLS:
                raise BudgetError(f"{sheet.name}!{address(r1, c1)}:{address(r2, c2)} would read "
                                  f"{(r2 - r1 + 1) * (c2 - c1 + 1):,} cells; one range may read {MAX_RANGE_CELLS:,}")
            data = np.empty((max(r2 - r1 + 1, 0), max(c2 - c1 + 1, 0)), dtype=object)
            if not self.where:  # whole columns: every cell a range reads is computed already
                for j, c in enumerate(range(c1, c2 + 1)):
                    data[:, j] = list(map(sheet.values.reader(c).get, range(r1, r2 + 1)))
            else:
                for i, r in enumerate(range(r1, r2 + 1)):
                    for j, c in enumerate(range(c1, c2 + 1)):
                        data[i, j] = self.read(sheet, r, c)
            found = Block(data, (r1, c1), full)
            found.cache["sheet"] = sheet.name.upper()
            if not self.where:  # cell by cell, ranges change as their cells are computed: no cache
                self.blocks[key] = found
        return found

    # -- nodes ------------------------------------------------------------------
    def ev(self, node: Node, ctx: Context) -> Any:
        """Evaluate a parsed formula for every row of ``ctx``: one value, or a column of values."""
        if isinstance(node, Lit):
            return node.value
        if isinstance(node, ErrLit):
            return ExcelError(node.code, "an error value written in the formula")
        if isinstance(node, Ref):
            return self._ref(node, ctx)
        if isinstance(node, Area):
            return self._area(node, ctx)
        if isinstance(node, Binary):
            if node.op == " ":  # intersection: the operands are references, not values
                return references.intersection(self, Call(" ", (node.left, node.right)), ctx)
            if node.op == ",":  # union: the areas of the references, for the functions that take them
                return references.union(self, Call(",", references.union_parts(node)), ctx)
            left, right = self.ev(node.left, ctx), self.ev(node.right, ctx)
            if self.array_mode:
                left, right = (x[0] if isinstance(x, (np.ndarray, Blocks)) else x for x in (left, right))
                return arrays.lift(lambda a, b: values.binary(node.op, a, b), [left, right], [True, True])
            left, right = self.one_value(left, ctx), self.one_value(right, ctx)
            fast = fastpath.binary(node.op, left, right)
            return fast if fast is not None else self._lift(values.binary, ctx.n, node.op, left, right)
        if isinstance(node, Unary):
            arg = self.ev(node.arg, ctx)
            if self.array_mode:
                arg = arg[0] if isinstance(arg, (np.ndarray, Blocks)) else arg
                return arrays.lift(lambda a: values.unary(node.op, a), [arg], [True])
            return self._lift(values.unary, ctx.n, node.op, self.one_value(arg, ctx))
        if isinstance(node, Call):
            return self._call(node, ctx)
        if isinstance(node, Name):
            if node.name[:7].upper() == "_XLETA.":  # GROUPBY(…, SUM): a function as a LAMBDA
                return lambdas.eta(node.name)
            return self._name(node, ctx)
        if isinstance(node, Array):
            return Block(np.array([[self.ev(v, ctx) for v in row] for row in node.rows], dtype=object))
        raise TypeError(node)

    def _lift(self, fn: Any, n: int, op: str, *args: Any) -> Any:
        if not any(isinstance(a, np.ndarray) for a in args):
            return fn(op, *args)
        fast = fastpath.by_text(fn, op, args)
        if fast is not None:
            return fast
        out = np.empty(n, dtype=object)
        cols = [isinstance(a, np.ndarray) for a in args]
        for i in range(n):
            out[i] = fn(op, *[a[i] if c else a for a, c in zip(args, cols)])
        return out

    def _call(self, node: Call, ctx: Context) -> Any:
        special = references.FUNCTIONS.get(node.name) or lambdas.FUNCTIONS.get(node.name) or \
            groupby.FUNCTIONS.get(node.name)
        if special is not None:
            return special(self, node, ctx)
        if node.name in fastpath.CELLWISE and not self.array_mode and ctx.n > 1:
            fast = fastpath.cellwise(node.name, node.args, lambda a: self.ev(a, ctx))
            if fast is not None:
                return fast
        if bridge.is_ours(node.name):
            args = [self.ev(a, ctx) for a in node.args]
            if self.array_mode:  # in a dynamic array a spilling function (TIER(range), DUNNINGACTIONS) spills
                return bridge.spill(node.name, [a[0] if isinstance(a, (np.ndarray, Blocks)) else a for a in args])
            return bridge.call_column(node.name, args, ctx.n, is_column)
        func = functable.FUNCTIONS.get(node.name)
        if func is None and (called := lambdas.call_named(self, node, ctx)) is not None:
            return called
        if func is None:
            self.unsupported[node.name] = self.unsupported.get(node.name, 0) + ctx.n
            return ExcelError("#NAME?", f"{node.name} is not a function cellrules recalc knows")
        sig = functable.signature(node.name)
        args = self._arguments(node, ctx, sig)
        misplaced = next((i for i, a in enumerate(args) if not sig.takes_union(i) and references.is_union(a)), None)
        if misplaced is not None:
            return ExcelError("#VALUE!", f"{node.name} takes no union of references (A1,B2) as argument "
                              f"{misplaced + 1}")
        if node.name == "SUM" and len(args) == 1 and isinstance(args[0], Blocks) and args[0].running is not None:
            return self._running_sum(args[0])
        scalar = [not sig.takes_range(i) for i in range(len(args))]
        if self.array_mode and sig.toolpak and any(s and isinstance(a, Block) and a.values.size > 1
                                                    for a, s in zip(args, scalar)):
            return ExcelError("#VALUE!", f"{node.name} (an Analysis ToolPak function) takes one value, not an array")
        if self.array_mode:
            return arrays.lift(lambda *a: self._safe(func, sig, list(a)),
                               [a[0] if isinstance(a, (np.ndarray, Blocks)) else a for a in args], scalar)
        args = [self.one_value(a, ctx) if s else a for a, s in zip(args, scalar)]
        if node.name == "IF" and len(args) in (2, 3) and not isinstance(args[-1], Blocks):
            fast = fastpath.if_column(*args, *([False] if len(args) == 2 else []))
            if fast is not None:
                return fast
        if not any(is_column(a) for a in args):
            return self._safe(func, sig, args)
        cols = [is_column(a) for a in args]
        return Blocks.per_row([self._safe(func, sig, [a[i] if c else a for a, c in zip(args, cols)])
                               for i in range(ctx.n)])

    def _arguments(self, node: Call, ctx: Context, sig: Signature) -> list[Any]:
        """The evaluated arguments, as the function's declaration says: a cell where a range goes is a 1×1 range;
        array-typed parameters (SUMPRODUCT's, MMULT's …) with array semantics; SUBTOTAL and AGGREGATE ranges
        without the cells that are themselves subtotals."""
        nodes = [Area(a.sheet, a.row, a.col, a.row, a.col, (a.row_abs, a.col_abs, a.row_abs, a.col_abs))
                 if isinstance(a, Ref) and sig.takes_range(i) and sig.kind(i) != "refvalue" else a
                 for i, a in enumerate(node.args)]
        if not sig.array_typed or self.array_mode:
            args = [self.ev(a, ctx) for a in nodes]
        else:
            self.array_mode = True
            try:
                args = [self.ev(a, ctx) for a in nodes]
            finally:
                self.array_mode = False
            args = [a[0] if isinstance(a, (np.ndarray, Blocks)) and ctx.n == 1 else a for a in args]
        if node.name in ("SUBTOTAL", "AGGREGATE") and args:
            args = subtotal_arguments(self.book, self.subtotals, node.name, args)
        return args

    def _safe(self, func: Any, sig: Signature, args: list[Any]) -> Any:
        """One call of an Excel function, its arguments converted as declared: whatever goes wrong stays in its
        cell as an Excel error."""
        prepared = sig.prepare(args)
        if isinstance(prepared, ExcelError):
            return prepared
        try:
            result = func(*prepared)
        except TypeError as exc:
            return ExcelError("#VALUE!", f"{func.__name__}: wrong number of arguments ({exc})")
        except (OverflowError, ValueError, ArithmeticError) as exc:
            return ExcelError("#NUM!", f"{func.__name__}: {exc}")
        except (RecursionError, MemoryError):
            raise
        except Exception as exc:  # an internal bug: counted in the report, never a traceback or a repr in a cell
            self.internal += 1
            return ExcelError("#VALUE!", f"{func.__name__} failed: {type(exc).__name__}")
        if isinstance(result, np.generic):
            return result.item()
        if isinstance(result, (Block, np.ndarray, str, float, int, bool, ExcelError)) or result is None:
            return result
        self.internal += 1
        return ExcelError("#VALUE!", f"{func.__name__} gave no cell value")
