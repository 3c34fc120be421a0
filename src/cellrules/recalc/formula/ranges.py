"""References as the evaluator reads them: a cell, a range (read once into a :class:`Block`; a relative
range down a group as slices of a column), a 3-D reference across sheets, a defined name, and the running
totals ``SUM($B$2:B2)`` down a column computed as one cumulative sum. A mixin of
:class:`~cellrules.recalc.formula.evaluator.Evaluator`, which supplies what is declared here."""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.values.blocks import Block
from cellrules.recalc.formula.book import Book, Context, SheetData
from cellrules.recalc.formula.parser import Area, FormulaError, Name, Node, Ref


class Blocks(list):
    """One range per row (a relative range such as B2:D2 down a column). ``running`` marks the ranges of a
    running total (A$2:A2, A$2:A3, …): each row's range is the first ``k`` rows of one column block."""

    running: "Block | None" = None

    @classmethod
    def per_row(cls, values: list[Any]) -> "Blocks | np.ndarray":
        """One value per row as what reads it needs: ranges per row when any row gives a reference (INDEX,
        CHOOSE, OFFSET), so they are met as ranges and never land in a cell as objects; else a column."""
        if any(isinstance(v, Block) for v in values):
            return cls(values)
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out


def bound_name(name: str) -> str:
    """A name bound by LET or a LAMBDA parameter as compared: upper case, without Excel's ``_xlpm.`` prefix."""
    name = name.upper()
    return name[6:] if name.startswith("_XLPM.") else name


class Ranges:
    """The evaluator's reading of references (see the module)."""

    book: Book
    columns: dict[tuple, np.ndarray]
    where: Any
    scope: dict[str, Any]

    def block(self, sheet: SheetData, r1: int, c1: int, r2: int, c2: int) -> Block:
        """The cells of a range as a block (the evaluator's)."""
        raise NotImplementedError

    def read(self, sheet: SheetData, row: int, col: int) -> Any:
        """One cell's value, computed first if it is a pending formula (the evaluator's)."""
        raise NotImplementedError

    def ev(self, node: Node, ctx: Context) -> Any:
        """A node's value (the evaluator's)."""
        raise NotImplementedError

    def _sheet(self, name: str | None, ctx: Context) -> SheetData | ExcelError:
        sheet = self.book.sheet(name, ctx.sheet)
        return sheet if sheet is not None else ExcelError("#REF!", f"no sheet named '{name}'")

    def _three_d(self, node: Ref | Area, ctx: Context) -> Any:
        """A reference through a range of sheets (Sheet1:Sheet3!A1:B2): every sheet's cells, one under another."""
        sheets = self.book.span(node.sheet or "")
        if sheets is None:
            return ExcelError("#REF!", f"no sheets named '{node.sheet}'")
        r1, c1, r2, c2 = (node.row, node.col, node.row, node.col) if isinstance(node, Ref) else \
            (node.r1, node.c1, node.r2, node.c2)
        parts = [self.block(sheet, r1, c1, r2, c2).values for sheet in sheets]
        return Block(np.vstack(parts) if parts else np.empty((0, 0), dtype=object))

    def _ref(self, node: Ref, ctx: Context) -> Any:
        if node.sheet and ":" in node.sheet and self.book.span(node.sheet) is not None:
            return self._three_d(node, ctx)
        sheet = self._sheet(node.sheet, ctx)
        if isinstance(sheet, ExcelError):
            return sheet
        col = node.col if node.col_abs else node.col + ctx.col - ctx.anchor[1]
        if node.row_abs:
            return self.read(sheet, node.row, col) if col >= 1 else ExcelError("#REF!", "reference left of column A")
        rows = ctx.rows + (node.row - ctx.anchor[0])
        out = np.empty(ctx.n, dtype=object)
        if not self.where and int(rows[0]) >= 1 and col >= 1:  # whole columns: every cell it reads is computed
            key = (sheet.name, col, int(rows[0]), ctx.n)  # its cells are computed: read once for the run
            found = self.columns.get(key)
            if found is None:
                out[:] = list(map(sheet.values.reader(col).get, rows.tolist()))
                found = self.columns[key] = out
            return found.copy()
        out[:] = [self.read(sheet, r, col) if r >= 1 and col >= 1 else ExcelError("#REF!", "reference above row 1")
                  for r in rows.tolist()]
        return out

    def _area(self, node: Area, ctx: Context) -> Any:
        if node.sheet and ":" in node.sheet and self.book.span(node.sheet) is not None:
            return self._three_d(node, ctx)
        sheet = self._sheet(node.sheet, ctx)
        if isinstance(sheet, ExcelError):
            return sheet
        dr, dc = ctx.anchor[0], ctx.col - ctx.anchor[1]
        c1 = node.c1 if node.abs[1] else node.c1 + dc
        c2 = node.c2 if node.abs[3] else node.c2 + dc
        if node.abs[0] and node.abs[2] or ctx.n == 1:
            shift = 0 if ctx.n != 1 else ctx.rows[0] - dr
            r1 = node.r1 if node.abs[0] else node.r1 + shift
            r2 = node.r2 if node.abs[2] else node.r2 + shift
            return self.block(sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))
        if node.abs[0] and not node.abs[2] and node.r2 >= node.r1 and not self.where:  # a running total: A$2:A2
            return self._running(sheet, node, ctx, min(c1, c2), max(c1, c2))
        out = Blocks()
        for r in ctx.rows.tolist():
            r1 = node.r1 if node.abs[0] else node.r1 + r - dr
            r2 = node.r2 if node.abs[2] else node.r2 + r - dr
            out.append(self.block(sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
        return out

    def _running(self, sheet: SheetData, node: Area, ctx: Context, c1: int, c2: int) -> Blocks:
        """The ranges of a running total read once: each row's range is a view of the first rows."""
        ends = (ctx.rows + (node.r2 - ctx.anchor[0])).tolist()
        whole = self.block(sheet, node.r1, c1, max(max(ends), node.r1), c2)
        out = Blocks()
        for end in ends:
            k = max(end - node.r1 + 1, 0)
            out.append(Block(whole.values[:k], (node.r1, c1), (k, c2 - c1 + 1)))
        out.running = whole
        return out

    def _running_sum(self, blocks: Blocks) -> np.ndarray:
        """SUM over the ranges of a running total in one pass (prefix sums, kept exact so each equals SUM's
        correctly rounded sum of its range); an error stops the sums."""
        assert blocks.running is not None
        cells = blocks.running.values
        totals, total, error = [], Fraction(0), None
        sums: list[Any] = []
        for row in cells.tolist():
            for v in row:
                if isinstance(v, ExcelError):
                    error = error or v
                elif isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
                    total += Fraction(v)
            sums.append(error if error is not None else float(total))
        for b in blocks:
            k = b.values.shape[0]
            totals.append(sums[k - 1] if k else 0.0)
        out = np.empty(len(totals), dtype=object)
        out[:] = totals
        return out

    def _name(self, node: Name, ctx: Context) -> Any:
        if self.scope:
            bound = bound_name(node.name)
            if bound in self.scope:
                return self.scope[bound]
        target = self.book.name(node.name, ctx.sheet.name)
        if target is None:
            return ExcelError("#NAME?", f"no defined name '{node.name}'")
        if isinstance(target, FormulaError):
            return ExcelError("#NAME?", f"defined name '{node.name}': {target}")
        return self.ev(target, Context(ctx.sheet, ctx.rows, ctx.col, (1, 1)))  # a name's relative refs count from A1
