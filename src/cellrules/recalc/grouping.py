"""Formulas repeated down a column become one group.

Owns the R1C1 key of a formula (its text with every relative reference
written as an offset from its own cell), the resolution of shared formulas
to their master, and the grouping of each column's formula cells into runs
of consecutive rows with the same key: one parse and one evaluation per run.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from cellrules.recalc.parser import FormulaError, Node, parse
from cellrules.recalc.refs import col_index
from cellrules.recalc.xlsx import FormulaCell, Sheet

_STRINGS = re.compile(r'("(?:[^"]|"")*")')
_REF = re.compile(r"(?<![A-Za-z0-9_.\\$])(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![A-Za-z0-9_(.!])")


def r1c1_key(text: str, row: int, col: int) -> str:
    """The formula with relative references as offsets: =A2*2 in C2 and =A3*2 in C3 share a key."""
    def swap(m: re.Match) -> str:
        c = col_index(m.group(2))
        r = int(m.group(4))
        cpart = f"C{c}" if m.group(1) else f"C[{c - col}]"
        rpart = f"R{r}" if m.group(3) else f"R[{r - row}]"
        return rpart + cpart
    parts = _STRINGS.split(text)
    return "".join(p if i % 2 else _REF.sub(swap, p) for i, p in enumerate(parts))


@dataclass
class Group:
    sheet: str
    col: int
    r0: int
    r1: int
    key: str  # the R1C1 form shared by every cell of the group
    source: str  # formula text, as written at `anchor`
    anchor: tuple[int, int]
    node: Node | None = None
    problem: str = ""  # set when the formula is outside the grammar
    cells: list[FormulaCell] = field(default_factory=list)

    @property
    def size(self) -> int:
        return self.r1 - self.r0 + 1


def _resolved(sheet: Sheet) -> list[tuple[FormulaCell, str, tuple[int, int], str]]:
    """(cell, text, anchor, key) for every formula cell; shared-formula followers take their master's."""
    masters: dict[str, tuple[str, tuple[int, int], str]] = {}
    out = []
    for cell in sheet.formulas:
        if cell.text is not None:
            found = (cell.text, (cell.row, cell.col), r1c1_key(cell.text, cell.row, cell.col))
            if cell.shared is not None:
                masters[cell.shared] = found
            out.append((cell, *found))
    for cell in sheet.formulas:
        if cell.text is None and cell.shared in masters:
            out.append((cell, *masters[cell.shared]))
    return out


def groups(sheet: Sheet) -> list[Group]:
    """Runs of consecutive rows in one column with the same R1C1 key, each parsed once."""
    out: list[Group] = []
    current: Group | None = None
    for cell, text, anchor, key in sorted(_resolved(sheet), key=lambda item: (item[0].col, item[0].row)):
        if current is not None and current.col == cell.col and current.r1 + 1 == cell.row and current.key == key:
            current.r1 = cell.row
            current.cells.append(cell)
            continue
        current = Group(sheet.name, cell.col, cell.row, cell.row, key, text, anchor, cells=[cell])
        out.append(current)
    for group in out:
        try:
            group.node = parse(group.source)
        except FormulaError as exc:
            group.problem = f"cannot read the formula {group.source!r}: {exc}"
    return out
