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


_DIGITS = re.compile(r"\d+")
_MASKED_REF = re.compile(r"(?<![A-Za-z0-9_.\\$#])(\$?)([A-Za-z]{1,3})(\$?)#(?![A-Za-z0-9_(.!#])")


class Shape:
    """A formula's text with its digits masked, and which digit runs are relative row numbers.

    Two cells of a column have the same R1C1 form exactly when their masks are equal, their relative row
    numbers differ by the rows between them and every other number is equal: checked without a parse.
    """

    __slots__ = ("mask", "relative")

    def __init__(self, text: str) -> None:
        self.mask = _DIGITS.sub("#", text)
        parts = _STRINGS.split(self.mask)
        relative: list[bool] = []
        for i, part in enumerate(parts):
            if i % 2:
                relative += [False] * part.count("#")
                continue
            refs = {m.end() - 1: not m.group(3) for m in _MASKED_REF.finditer(part)}
            relative += [refs.get(j, False) for j, ch in enumerate(part) if ch == "#"]
        self.relative = relative

    def follows(self, anchor_numbers: list[str], text: str, rows_apart: int) -> bool:
        numbers = _DIGITS.findall(text)
        if len(numbers) != len(anchor_numbers):
            return False
        for rel, a, b in zip(self.relative, anchor_numbers, numbers):
            if (int(b) - int(a) != rows_apart) if rel else a != b:
                return False
        return True


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
    array: tuple[int, int, int, int] | None = None  # an array formula (evaluated with array semantics) and its range
    dynamic: bool = False  # a dynamic array: its range follows its result (it spills)

    @property
    def size(self) -> int:
        return self.r1 - self.r0 + 1


def _resolved(sheet: Sheet) -> list[tuple[FormulaCell, str, tuple[int, int], str | None]]:
    """(cell, text, anchor, key) per formula cell; shared-formula followers take their master's text and key.

    A plain formula's key is left None: it is worked out only where a group starts (see :class:`Shape`)."""
    masters: dict[str, tuple[str, tuple[int, int], str]] = {}
    out: list[tuple[FormulaCell, str, tuple[int, int], str | None]] = []
    for cell in sheet.formulas:
        if cell.text is not None and cell.shared is not None:
            masters[cell.shared] = (cell.text, (cell.row, cell.col), r1c1_key(cell.text, cell.row, cell.col))
            out.append((cell, *masters[cell.shared]))
        elif cell.text is not None:
            out.append((cell, cell.text, (cell.row, cell.col), None))
    for cell in sheet.formulas:
        if cell.text is None and cell.shared in masters:
            out.append((cell, *masters[cell.shared]))
    return out


def groups(sheet: Sheet) -> list[Group]:
    """Runs of consecutive rows in one column with the same R1C1 form, each parsed once."""
    out: list[Group] = []
    current: Group | None = None
    shape: Shape | None = None
    numbers: list[str] = []
    for cell, text, anchor, key in sorted(_resolved(sheet), key=lambda item: (item[0].col, item[0].row)):
        if current is not None and current.col == cell.col and current.r1 + 1 == cell.row \
                and cell.array is None and current.array is None:
            if key is not None and key == current.key or key is None and shape is not None and \
                    _DIGITS.sub("#", text) == shape.mask and shape.follows(numbers, text, cell.row - current.anchor[0]):
                current.r1 = cell.row
                current.cells.append(cell)
                continue
        key = key if key is not None else r1c1_key(text, *anchor)
        current = Group(sheet.name, cell.col, cell.row, cell.row, key, text, anchor, cells=[cell], array=cell.array,
                        dynamic=cell.dynamic)
        shape, numbers = (Shape(text), _DIGITS.findall(text)) if anchor == (cell.row, cell.col) else (None, [])
        out.append(current)
    for group in out:
        try:
            group.node = parse(group.source)
        except FormulaError as exc:
            group.problem = f"cannot read the formula {group.source!r}: {exc}"
    return out
