"""The workbook in memory during a recalculation.

Owns the cell store: every sheet's values (inputs and computed results), the
formula cells still waiting to be computed, sheet lookup by name (Excel
names are case-insensitive), defined names with their scope, and the
:class:`Context` a group of formulas is evaluated in.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cellrules.xlsx.cells import Cells
from cellrules.recalc.formula.grouping import moved
from cellrules.recalc.formula.parser import Area, FormulaError, Node, Ref, parse
from cellrules.xlsx.addresses import MAX_COL, MAX_ROW
from cellrules.xlsx.reader import FormulaCell, Package


_PREFIXES = re.compile(r"_xl(?:fn|ws|pm)\.", re.I)  # how the file marks newer functions and parameters


@dataclass
class SheetData:
    """One sheet's cells during a recalculation: values by (row, column), and what is still to compute."""

    name: str
    part: str
    values: Cells
    max_row: int
    max_col: int
    #: the cells of a circular component not computed yet (filled when the component is met: a cell whose
    #: group is computed whole is never read before it is computed, dependency order sees to that)
    pending: set[tuple[int, int]] = field(default_factory=set)
    formulas: list[FormulaCell] = field(default_factory=list, repr=False)
    hidden_rows: frozenset[int] = frozenset()  # rows hidden by hand or by a filter
    filtered_rows: frozenset[int] = frozenset()  # those a filter hides (every SUBTOTAL leaves them out)
    _formula_cells: frozenset[tuple[int, int]] | None = field(default=None, repr=False)
    _formula_at: dict[tuple[int, int], FormulaCell] | None = field(default=None, repr=False)
    _masters: dict[str, FormulaCell] = field(default_factory=dict, repr=False)

    @property
    def formula_cells(self) -> frozenset[tuple[int, int]]:
        """Where the sheet has formulas (for ISFORMULA; worked out the first time it is asked)."""
        if self._formula_cells is None:
            self._formula_cells = frozenset((f.row, f.col) for f in self.formulas)
        return self._formula_cells

    def formula_text(self, row: int, col: int) -> str | None:
        """The formula of a cell as Excel's formula bar shows it (``=SUM(A1:A3)``; a shared formula's follower
        moved to its own cell, the file's ``_xlfn.`` prefixes left out), None where the cell has none."""
        if self._formula_at is None:
            self._formula_at = {(f.row, f.col): f for f in self.formulas}
            self._masters = {f.shared: f for f in self.formulas if f.shared is not None and f.text is not None}
        cell = self._formula_at.get((row, col))
        if cell is None:
            return None
        text = cell.text
        if text is None:
            master = self._masters.get(cell.shared or "")
            if master is None or master.text is None:
                return None
            text = moved(master.text, row - master.row, col - master.col)
        return "=" + _PREFIXES.sub("", text)

    def last_row(self, r2: int) -> int:
        """A whole-column reference reads only as far as the sheet has cells."""
        return min(r2, self.max_row) if r2 >= MAX_ROW else r2


class Context:
    """Where a group of formulas is evaluated: its sheet, the rows (one per formula), its column, and the cell
    its references are written relative to."""

    __slots__ = ("sheet", "rows", "col", "anchor")

    def __init__(self, sheet: SheetData, rows: np.ndarray, col: int, anchor: tuple[int, int]) -> None:
        self.sheet, self.rows, self.col, self.anchor = sheet, rows, col, anchor

    @property
    def n(self) -> int:
        """How many formulas (rows) are evaluated at once."""
        return len(self.rows)


class Book:
    """Every sheet of the workbook being recalculated, and its defined names."""

    def __init__(self, package: Package) -> None:
        self.sheets: dict[str, SheetData] = {}
        for sheet in package.sheets:
            # the book takes over the package's values (not a copy: a workbook's cells are most of its memory);
            # computed values join them
            data = SheetData(sheet.name, sheet.part, sheet.values, sheet.max_row, sheet.max_col,
                             formulas=sheet.formulas, hidden_rows=sheet.hidden_rows, filtered_rows=sheet.filtered_rows)
            self.sheets[sheet.name.upper()] = data
        for name, cells in package.externals.items():  # linked books: the values Excel last read from them
            linked = Cells()
            linked.update(cells)
            self.sheets.setdefault(name.upper(), SheetData(name, "", linked, max((r for r, _ in cells), default=0),
                                                           max((c for _, c in cells), default=0)))
        self._names = {(s.upper() if s else None, n): text for (s, n), text in package.names.items()}
        self._parsed: dict[tuple[str | None, str], Node | FormulaError] = {}

    def sheet(self, name: str | None, default: SheetData) -> SheetData | None:
        """The sheet called ``name`` (any case), ``default`` when no name is given, None when there is no such sheet."""
        return default if name is None else self.sheets.get(name.upper())

    def span(self, name: str) -> list[SheetData] | None:
        """The sheets of a 3-D reference ``First:Last`` in workbook order (None when it is not one)."""
        if ":" not in name or name.upper() in self.sheets:
            return None
        first, last = (part.strip().upper() for part in name.split(":", 1))
        order = list(self.sheets)
        if first not in order or last not in order:
            return None
        i, j = sorted((order.index(first), order.index(last)))
        return [self.sheets[k] for k in order[i: j + 1]]

    def name(self, name: str, scope: str) -> Node | FormulaError | None:
        """A defined name's formula: the sheet's own first, then the workbook's."""
        key = next((k for k in _name_keys(name, scope) if k in self._names), None)
        if key is None:
            return None
        if key not in self._parsed:
            try:
                self._parsed[key] = parse(self._names[key])
            except FormulaError as exc:  # Sheet1!$A$1:$B$2,Sheet1!$D$1: a name may be a union written bare
                try:
                    self._parsed[key] = parse(f"({self._names[key]})")
                except FormulaError:
                    self._parsed[key] = exc
            if not isinstance(self._parsed[key], FormulaError):
                self._parsed[key] = wrapped(self._parsed[key])
        return self._parsed[key]


def _near(at: int, size: int) -> int:
    """A relative row or column of a defined name, counted from A1, as the nearest offset: Excel's names wrap
    round the sheet's edge (XFD1048576 relative is one column left and one row up of the cell using it)."""
    return at - size if at - 1 > size // 2 else at


def wrapped(node: Any) -> Any:
    """A defined name's formula with its relative references read as offsets that may point up or left
    (rows and columns 0 and below: before the cell that uses the name)."""
    if isinstance(node, Ref):
        return dataclasses.replace(node, row=node.row if node.row_abs else _near(node.row, MAX_ROW),
                                   col=node.col if node.col_abs else _near(node.col, MAX_COL))
    if isinstance(node, Area):
        r1, c1, r2, c2 = ((v if fixed else _near(v, size)) for v, fixed, size in
                          zip((node.r1, node.c1, node.r2, node.c2), node.abs, (MAX_ROW, MAX_COL) * 2))
        return dataclasses.replace(node, r1=r1, c1=c1, r2=r2, c2=c2)
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, (list, tuple)) and any(dataclasses.is_dataclass(v) for v in value):
            changes[f.name] = type(value)(wrapped(v) for v in value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes[f.name] = wrapped(value)
    return dataclasses.replace(node, **changes) if changes else node


def _name_keys(name: str, scope: str) -> list[tuple[str | None, str]]:
    """Where a name is looked for: the sheet's own, then the workbook's; ``Sheet!Name`` in that sheet's names,
    ``[0]!Name`` in this workbook's, ``[1]!Name`` in a linked book's (as :mod:`cellrules.xlsx.externals` keys them)."""
    if "!" not in name:
        return [(scope.upper(), name.upper()), (None, name.upper())]
    sheet, local = name.rsplit("!", 1)
    sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
    if sheet == "[0]":
        return [(None, local.upper())]
    if sheet.startswith("[") and sheet.endswith("]"):
        return [(None, f"{sheet}!{local.upper()}")]
    return [(sheet.upper(), local.upper())]
