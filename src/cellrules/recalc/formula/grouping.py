"""Formulas repeated down a column become one group.

Owns the R1C1 key of a formula (its text with every relative reference
written as an offset from its own cell), the resolution of shared formulas
to their master, and the grouping of each column's formula cells into runs
of consecutive rows with the same key: one parse and one evaluation per run.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, Callable

from cellrules.recalc.formula.parser import FormulaError, Node, parse
from cellrules.xlsx.addresses import col_index, col_letters
from cellrules.xlsx.reader import FormulaCell, Sheet

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


def moved(text: str, rows: int, cols: int) -> str:
    """A formula's text as it reads ``rows`` down and ``cols`` right of where it is written (a shared formula's
    follower): relative references move, absolute ones ($A$1) stay."""
    if not rows and not cols:
        return text

    def shift(m: re.Match) -> str:
        col = m.group(2) if m.group(1) else col_letters(col_index(m.group(2)) + cols)
        row = m.group(4) if m.group(3) else str(int(m.group(4)) + rows)
        return f"{m.group(1)}{col}{m.group(3)}{row}"
    parts = _STRINGS.split(text)
    return "".join(p if i % 2 else _REF.sub(shift, p) for i, p in enumerate(parts))


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
    cells: list[int] = field(default_factory=list, repr=False)  # where its cells stand in the sheet's formulas
    values: list[Any] | None = field(default=None, repr=False)  # its results, top to bottom, once computed whole

    @property
    def size(self) -> int:
        """How many cells the group covers."""
        return self.r1 - self.r0 + 1


class _Columns:
    """A sheet's formula cells column by column, top to bottom, with side by side their rows, columns, texts
    (a shared follower's is its master's), anchors and R1C1 keys: what lets a run of thousands of cells be
    checked with a few list comparisons. Shared followers whose master is missing are left out."""

    __slots__ = ("cells", "index", "rows", "cols", "texts", "anchors", "keys", "arrays")

    def __init__(self, sheet: Sheet) -> None:
        formulas = sheet.formulas
        texts = [f.text for f in formulas]
        masters: dict[str, FormulaCell] = {}
        kept: list[int] | None = None
        if None in texts:  # shared followers: each takes its (last) master's text, anchor and key
            masters = {f.shared: f for f in formulas if f.text is not None and f.shared is not None}
            kept = [k for k, f in enumerate(formulas) if f.text is not None or f.shared in masters]
            formulas = [formulas[k] for k in kept]
            texts = [f.text for f in formulas]
        rows, cols = [f.row for f in formulas], [f.col for f in formulas]
        order = sorted(range(len(formulas)), key=[c << 21 | r for c, r in zip(cols, rows)].__getitem__)
        self.cells = list(map(formulas.__getitem__, order))  # rows stop at 1,048,576 < 2**21
        self.index = order if kept is None else list(map(kept.__getitem__, order))  # into sheet.formulas
        self.rows, self.cols = list(map(rows.__getitem__, order)), list(map(cols.__getitem__, order))
        self.texts: list[str] = list(map(texts.__getitem__, order))  # type: ignore[arg-type]
        self.anchors: list[tuple[int, int]] | None = None  # None: every cell is its own anchor
        self.keys: list[str | None] | None = None  # None: no shared formulas (every key worked out as needed)
        if [f.shared for f in formulas].count(None) != len(formulas):
            self._shared(masters)
        self.arrays: list[int] = []  # positions of array formulas, ascending
        if [f.array for f in formulas].count(None) != len(formulas):
            self.arrays = [i for i, f in enumerate(self.cells) if f.array is not None]

    def _shared(self, masters: dict[str, FormulaCell]) -> None:
        info = {si: (m.text, (m.row, m.col), r1c1_key(m.text or "", m.row, m.col)) for si, m in masters.items()}
        resolved = [(f.text, (f.row, f.col), r1c1_key(f.text, f.row, f.col)) if f.text is not None and f.shared
                    else info[f.shared] if f.text is None and f.shared is not None
                    else (f.text, (f.row, f.col), None) for f in self.cells]
        self.texts = [r[0] or "" for r in resolved]
        self.anchors = [r[1] for r in resolved]
        self.keys = [r[2] for r in resolved]

    def anchor(self, i: int) -> tuple[int, int]:
        """Where the formula of cell ``i`` is written (a shared follower: its master)."""
        return self.anchors[i] if self.anchors is not None else (self.rows[i], self.cols[i])

    def key(self, i: int) -> str | None:
        """Cell ``i``'s R1C1 key when it is part of a shared formula (None: worked out from its text)."""
        return self.keys[i] if self.keys is not None else None

    def run_ends(self, i: int, j: int, col: int, row: int) -> bool:
        """Cells ``i..j-1`` stand in ``col`` on the rows just below ``row``, none of them an array formula."""
        if self.cols[j - 1] != col or self.rows[i:j] != list(range(row + 1, row + 1 + j - i)):
            return False
        k = bisect_left(self.arrays, i)
        return k == len(self.arrays) or self.arrays[k] >= j

    def all_keys(self, i: int, j: int, key: str | None) -> bool:
        """Every cell ``i..j-1`` has ``key`` (None: is a plain formula)."""
        if self.keys is None:
            return key is None
        return self.keys[i:j].count(key) == j - i


def groups(sheet: Sheet) -> list[Group]:
    """Runs of consecutive rows in one column with the same R1C1 form, each parsed once."""
    out: list[Group] = []
    cols = _Columns(sheet)
    i, n = 0, len(cols.cells)
    while i < n:
        cell, text, anchor, key = cols.cells[i], cols.texts[i], cols.anchor(i), cols.key(i)
        group = Group(sheet.name, cell.col, cell.row, cell.row, key if key is not None else r1c1_key(text, *anchor),
                      text, anchor, array=cell.array, dynamic=cell.dynamic)
        out.append(group)
        start, i = i, _extend(group, cols, i + 1, Shape(text) if anchor == (cell.row, cell.col) else None)
        group.cells = cols.index[start:i]
    for group in out:
        try:
            group.node = parse(group.source)
        except FormulaError as exc:
            group.problem = f"cannot read the formula {group.source!r}: {exc}"
    return out


BULK = 256  # cells checked at once at first while a column continues its group (doubled while it does)


def _bulk(group: Group, cols: _Columns, i: int, shared: bool, shape: Shape | None) -> int:
    """The first index from ``i`` on where a cell may not continue ``group``, found with list comparisons in
    chunks that double: shared followers by their key, plain formulas by the text expected at their row."""
    fmt = _format(shape) if shape is not None else None
    size, a0 = BULK, group.anchor[0]
    n = bisect_right(cols.cols, group.col, i)  # one past the column's last cell
    while i < n:
        j = min(n, i + size)
        if not cols.run_ends(i, j, group.col, group.r1):
            return i
        if not (cols.all_keys(i, j, group.key) if shared else
                fmt is not None and cols.all_keys(i, j, None) and cols.texts[i:j] == fmt(group.r1 + 1 - a0, j - i)):
            return i
        group.r1 += j - i
        i, size = j, size * 2
    return i


def _format(shape: Shape) -> Callable[[int, int], list[str]]:
    """The texts a plain formula has in ``count`` rows from ``rows_apart`` below its first cell on."""
    if not shape.bases:
        return lambda start, count: [shape.pattern % ()] * count
    if len(set(shape.bases)) == 1:  # every relative row number is the same (the formula's own row, often):
        b = shape.bases[0]  # the texts are the pieces joined by it (2.6× faster than str.format)
        pieces = [p.replace("\0", "%") for p in shape.pattern.replace("%%", "\0").split("%d")]
        return lambda start, count: list(map(str.join, map(str, range(b + start, b + start + count)), repeat(pieces)))
    fmt = shape.pattern.replace("{", "{{").replace("}", "}}").replace("%%", "\0")
    for k in range(len(shape.bases)):
        fmt = fmt.replace("%d", "{%d}" % k, 1)
    fmt = fmt.replace("\0", "%")
    return lambda start, count: list(map(fmt.format, *[range(b + start, b + start + count) for b in shape.bases]))


def _extend(group: Group, cols: _Columns, i: int, shape: Shape | None) -> int:
    """Grow ``group`` over the cells from ``i`` on that continue it; the index of the first that does not.

    A cell continues a group when it stands just below it in the same column, neither is an array formula, and
    it has the group's R1C1 form: a shared follower by its key, a plain formula by its text — compared first with
    the text the group's first cell would have there, then (leading zeros, odd spacing) by :class:`Shape`."""
    if group.array is not None:
        return i
    shared = cols.key(i - 1) is not None
    i = _bulk(group, cols, i, shared, shape)
    col, row, key, a0 = group.col, group.r1, group.key, group.anchor[0]
    numbers = _DIGITS.findall(group.source) if shape is not None else []
    for i in range(i, len(cols.cells)):
        cell, text, k = cols.cells[i], cols.texts[i], cols.key(i)
        if cell.col != col or cell.row != row + 1 or cell.array is not None:
            break
        if k is not None:
            if k != key:
                break
        elif shape is None:
            break
        elif text != shape.expected(row + 1 - a0) \
                and not (_DIGITS.sub("#", text) == shape.mask and shape.follows(numbers, text, row + 1 - a0)):
            break
        row += 1
    else:
        i = len(cols.cells)
    group.r1 = row
    return i
