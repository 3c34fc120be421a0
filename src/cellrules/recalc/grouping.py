"""Formulas repeated down a column become one group.

Owns the R1C1 key of a formula (its text with every relative reference
written as an offset from its own cell), the resolution of shared formulas
to their master, and the grouping of each column's formula cells into runs
of consecutive rows with the same key: one parse and one evaluation per run.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

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

    __slots__ = ("mask", "relative", "pattern", "bases")

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
        pieces = _DIGITS.split(text)
        numbers = _DIGITS.findall(text)
        self.pattern = "".join(p.replace("%", "%%") + ("%d" if rel else n.replace("%", "%%"))
                               for p, n, rel in zip(pieces, numbers, relative)) + pieces[-1].replace("%", "%%")
        self.bases = [int(n) for n, rel in zip(numbers, relative) if rel]

    def expected(self, rows_apart: int) -> str:
        """The text this formula has ``rows_apart`` rows down, written as Excel writes it (no leading zeros)."""
        return self.pattern % tuple(map(rows_apart.__add__, self.bases))

    def follows(self, anchor_numbers: list[str], text: str, rows_apart: int) -> bool:
        """Whether formula ``text``, ``rows_apart`` rows below the anchor, is the anchor's formula moved down."""
        numbers = _DIGITS.findall(text)
        if len(numbers) != len(anchor_numbers):
            return False
        for rel, a, b in zip(self.relative, anchor_numbers, numbers):
            if (int(b) - int(a) != rows_apart) if rel else a != b:
                return False
        return True


@dataclass
class Group:
    """Formulas evaluated together: one formula repeated down a column (or one cell), with its parsed tree."""

    sheet: str
    col: int
    r0: int
    r1: int
    key: str  # the R1C1 form shared by every cell of the group
    source: str  # formula text, as written at `anchor`
    anchor: tuple[int, int]
    node: Node | None = None
    problem: str = ""  # set when the formula is outside the grammar
    array: tuple[int, int, int, int] | None = None  # an array formula (evaluated with array semantics) and its range
    dynamic: bool = False  # a dynamic array: its range follows its result (it spills)

    @property
    def size(self) -> int:
        """How many cells the group covers."""
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
    if not masters:
        return [(cell, cell.text, (cell.row, cell.col), None) for cell in sheet.formulas if cell.text is not None]
    for cell in sheet.formulas:
        if cell.text is None and cell.shared in masters:
            out.append((cell, *masters[cell.shared]))
        elif cell.text is not None and cell.shared is None:
            out.append((cell, cell.text, (cell.row, cell.col), None))
    return out


Resolved = tuple[FormulaCell, str, tuple[int, int], "str | None"]


def _by_column(items: list[Resolved]) -> list[Resolved]:
    """The formula cells column by column, top to bottom (sorted on one integer key per cell)."""
    keys = [item[0].col << 21 | item[0].row for item in items]  # rows stop at 1,048,576 < 2**21
    return [items[k] for k in sorted(range(len(items)), key=keys.__getitem__)]


def groups(sheet: Sheet) -> list[Group]:
    """Runs of consecutive rows in one column with the same R1C1 form, each parsed once."""
    out: list[Group] = []
    items = _by_column(_resolved(sheet))
    i, n = 0, len(items)
    while i < n:
        cell, text, anchor, key = items[i]
        group = Group(sheet.name, cell.col, cell.row, cell.row, key if key is not None else r1c1_key(text, *anchor),
                      text, anchor, array=cell.array, dynamic=cell.dynamic)
        out.append(group)
        i = _extend(group, items, i + 1, Shape(text) if anchor == (cell.row, cell.col) else None)
    for group in out:
        try:
            group.node = parse(group.source)
        except FormulaError as exc:
            group.problem = f"cannot read the formula {group.source!r}: {exc}"
    return out


BULK = 256  # cells checked at once while a column of plain formulas continues its group


def _continues(chunk: list[Resolved], col: int, row: int, shape: Shape, a0: int) -> bool:
    """Every cell of ``chunk`` continues a group of plain formulas that ends at ``row``: the rows below it in
    order, in its column, none an array formula or a shared one, each with exactly the text expected there.
    (Checked a chunk at a time; False sends the caller to the cell-by-cell rules.)"""
    cells = [item[0] for item in chunk]
    rows = [c.row for c in cells]
    if rows != list(range(row + 1, row + 1 + len(chunk))) or [c.col for c in cells].count(col) != len(cells):
        return False
    if any(c.array is not None or c.shared is not None for c in cells):
        return False
    pattern, bases = shape.pattern, shape.bases
    if len(set(bases)) == 1:  # one row number, written once or more (B2, C2, D2)
        base, times = bases[0] - a0, len(bases)
        return [item[1] for item in chunk] == [pattern % ((base + r,) * times) for r in rows]
    return [item[1] for item in chunk] == [shape.expected(r - a0) for r in rows]


def _extend(group: Group, items: list[Resolved], i: int, shape: Shape | None) -> int:
    """Grow ``group`` over the cells from ``items[i]`` on that continue it; the index of the first that does not.

    A cell continues a group when it stands just below it in the same column, neither is an array formula, and
    it has the group's R1C1 form: a shared follower by its key, a plain formula by its text — compared first with
    the text the group's first cell would have there, then (leading zeros, odd spacing) by :class:`Shape`."""
    if group.array is not None:
        return i
    col, row, key, a0 = group.col, group.r1, group.key, group.anchor[0]
    one = shape.bases[0] if shape is not None and len(shape.bases) == 1 else None
    numbers = _DIGITS.findall(group.source) if shape is not None else []
    n = len(items)
    while shape is not None and i + BULK <= n and _continues(items[i:i + BULK], col, row, shape, a0):
        i, row = i + BULK, row + BULK
    for i in range(i, n):
        cell, text, _, k = items[i]
        if cell.col != col or cell.row != row + 1 or cell.array is not None:
            break
        if k is not None:
            if k != key:
                break
        elif shape is None:
            break
        elif text != (shape.pattern % (one + row + 1 - a0) if one is not None else shape.expected(row + 1 - a0)) \
                and not (_DIGITS.sub("#", text) == shape.mask and shape.follows(numbers, text, row + 1 - a0)):
            break
        row += 1
    else:
        i = n
    group.r1 = row
    return i
