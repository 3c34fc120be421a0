"""Runs of rows that repeat one structure, read a column at a time.

Owns the row template: the cells of one row — their columns and kinds (a
value, an inline string, a formula, a shared formula's follower, an empty
styled cell) — written as one regular expression that matches every row of
the same structure, whatever its row number, values and formula texts; the
search for runs of consecutive rows matching it; and the reading of a run a
column at a time (values converted in bulk, formula cells made with their
places for the write-back). A run read here gives exactly what the
cell-by-cell scan of :mod:`cellrules.xlsx.reader` gives for the same rows
(tests/test_fast_paths.py); any row this module does not know is left to it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter
from typing import Any, Iterator

from cellrules.xlsx.cellxml import FormulaCell, Sheet, cached, column, cut_points, decode_all, typed

CHUNK = 4096  # rows read at once (the matches of a chunk are held until it is read)
SHORT = 8  # a run shorter than this makes the next attempt wait (doubling) before it looks again
MAX_CELLS = 512  # a row of more cells is left to the cell-by-cell scan
#: a template is compiled (about 0.2 ms a cell) only where the rest of the sheet is at least this many times the
#: size of the row it is taken from: a small sheet of wide rows is scanned faster than its templates compile
REPAY = 64
_TEMPLATES: dict[tuple[tuple[bytes, str], ...], Template] = {}  # compiled templates by row structure
_ROW = re.compile(rb'<row\s[^>]*?\br="(\d+)"[^>/]*>')
#: one cell of a kind a template knows (groups: letters, digits, t, then which kind: empty, v, f, is, shared)
_CELL = re.compile(
    rb'\s*<c r="([A-Z]{1,3})(\d+)"(?:\s+s="\d+")?(?:\s+t="(\w+)")?(?:(/>)|>(?:(<v>)[^<]*</v>'
    rb'|(<f>)[^<]*</f>(?:<v>[^<]*</v>|<v\s*/>)?|(<is>)<t(?:\s+xml:space="preserve")?>[^<]*</t></is>'
    rb'|(<f )t="shared" si="\d+"/>(?:<v>[^<]*</v>)?)</c>)')
_END = re.compile(rb"\s*</row>")
_KINDS = {4: "e", 5: "v", 6: "f", 7: "i", 8: "s"}
#: a kind's pattern after ``<c r="LETTERS`` and the row number; its groups, in order, are listed beside it
_PATTERNS = {
    "e": (rb'(?:\s+t="\w+")?/>', ()),
    "v": (rb'(?:\s+t="(\w+)")?><v>([^<]*)</v></c>', ("t", "v")),
    "i": (rb'\s+t="inlineStr"><is><t(?:\s+xml:space="preserve")?>([^<]*)</t></is></c>', ("v",)),
    "f": (rb'(?:\s+t="(\w+)")?><f>([^<]*)</f>(?:<v>([^<]*)</v>|<v\s*/>)?</c>()', ("t", "f", "v", "end")),
    "s": (rb'(?:\s+t="(?!inlineStr")(\w+)")?><f t="shared" si="(\d+)"/>(?:<v>([^<]*)</v>)?</c>()',
          ("t", "si", "v", "end")),
}
_STOP = rb'|(?P<stop><(?:\w+:)?row\b|</(?:\w+:)?sheetData>)'  # where a run ends: any other row, or no more rows
_G = re.Match.group


@dataclass(frozen=True)
class Cell:
    """One cell of a template: its column, its kind and the number of its first group in the pattern."""

    col: int
    kind: str
    group: int


@dataclass(frozen=True)
class Template:
    """A row structure: its cells, and the pattern matching such a row (or, instead, the start of another)."""

    cells: tuple[Cell, ...]
    pattern: re.Pattern[bytes]


@dataclass
class Run:
    """Consecutive rows of one template: where they stand in the XML and their matches."""

    start: int
    end: int
    template: Template
    matches: list[re.Match[bytes]]


def signature(xml: bytes, pos: int) -> tuple[tuple[tuple[bytes, str], ...], int] | None:
    """The cells (column letters, kind) of the row starting at ``pos``, and where the row ends; None when a cell
    is of no known kind."""
    head = _ROW.match(xml, pos)
    if head is None:
        return None
    digits, pos = head.group(1), head.end()
    cells: list[tuple[bytes, str]] = []
    while len(cells) <= MAX_CELLS and (m := _CELL.match(xml, pos)) is not None:
        kind, inline = _KINDS[m.lastindex or 0], m.group(3) == b"inlineStr"
        if m.group(2) != digits or kind == "i" and not inline or kind == "s" and inline:
            return None  # another row's cell, an <is> the scan leaves out, a shared follower of odd type
        cells.append((m.group(1), kind))
        pos = m.end()
    end = _END.match(xml, pos) if len(cells) <= MAX_CELLS else None
    return (tuple(cells), end.end()) if end is not None else None


def template(cells: tuple[tuple[bytes, str], ...]) -> Template:
    """The template of a row of these cells (compiled once per structure)."""
    known = _TEMPLATES.get(cells)
    if known is None:
        if len(_TEMPLATES) >= 256:
            _TEMPLATES.clear()
        known = _TEMPLATES[cells] = _compiled(cells)
    return known


def _template_at(xml: bytes, pos: int) -> Template | None:
    """The template of the row at ``pos``: one known already, or a new one where the rest of the sheet could
    repay its compilation (:data:`REPAY` rows of this one's size); None for a row of no known kind."""
    read = signature(xml, pos)
    if read is None:
        return None
    cells, end = read
    if cells not in _TEMPLATES and len(xml) - pos < REPAY * (end - pos):
        return None
    return template(cells)


def _compiled(cells: tuple[tuple[bytes, str], ...]) -> Template:
    parts, out, group = [rb'<row\s[^>]*?\br="(?P<r>\d+)"[^>/]*>'], [], 2
    for letters, kind in cells:
        pattern, names = _PATTERNS[kind]
        start = kind in "fs"
        parts.append(rb"\s*" + (rb"()" if start else b"") + b'<c r="' + letters + rb'(?P=r)"(?:\s+s="\d+")?' + pattern)
        out.append(Cell(column(letters), kind, group))
        group += len(names) + start
    parts.append(_END.pattern)
    return Template(tuple(out), re.compile(b"(?:" + b"".join(parts) + b")" + _STOP))


def runs(xml: bytes) -> Iterator[Run]:
    """The runs of rows matching a template, in file order (at most :data:`CHUNK` rows each). A template is
    taken from a row and tried on the rows after it; after a short run the next try waits twice as many rows."""
    pos, wait, chunk = 0, 0, CHUNK
    while (p := _nth_row(xml, pos, wait)) >= 0:
        found = _template_at(xml, p)
        first = found.pattern.match(xml, p) if found is not None else None
        if found is None or first is None or first.group("stop") is not None:
            pos, wait = p + 4, min(2 * wait + 1, 4096)
            continue
        count = 0
        for batch in _batches(xml, found, first, chunk):
            count += len(batch.matches)
            yield batch
            pos = batch.end
        wait = 0 if count >= SHORT else min(2 * wait + 1, 4096)


def _nth_row(xml: bytes, pos: int, n: int) -> int:
    """Where the ``n``-th row after the first from ``pos`` on starts (-1: there are not so many)."""
    p = xml.find(b"<row", pos)
    while n > 0 and p >= 0:
        p, n = xml.find(b"<row", p + 4), n - 1
    return p


def _batches(xml: bytes, found: Template, first: re.Match[bytes], chunk: int) -> Iterator[Run]:
    """The run starting with ``first``, cut in chunks: it ends where a row does not match or text other than
    white space stands between two rows."""
    matches, start, end = [first], first.start(), first.end()
    for m in found.pattern.finditer(xml, end):
        if m.group("stop") is not None or m.start() != end and xml[end:m.start()].strip():
            break
        if len(matches) == chunk:
            yield Run(start, end, found, matches)
            matches, start = [], end
        matches.append(m)
        end = m.end()
    yield Run(start, end, found, matches)


def read(run: Run, sheet: Sheet, strings: list[str], areas: list[tuple[int, int, int, int]]) -> tuple[int, int] | None:
    """Read a run into ``sheet`` a column at a time (its extent widened to take them in): the row and column of
    its last cell, or None (nothing read) when an array formula's range seen so far covers one of its cells
    (the cell-by-cell scan reads those)."""
    ms, cells = run.matches, run.template.cells
    rows = list(map(int, map(_G, ms, repeat(1))))
    if areas and cells and _covered(areas, min(rows), max(rows), min(c.col for c in cells), max(c.col for c in cells)):
        return None
    values, made = sheet.values, []
    for cell in cells:
        if cell.kind == "v":
            values.column(cell.col).update(zip(rows, _values(ms, cell.group, strings)))
        elif cell.kind == "i":
            values.column(cell.col).update(zip(rows, decode_all(list(map(_G, ms, repeat(cell.group))))))
        elif cell.kind != "e":
            made.append(_formulas(ms, rows, cell, strings))
    if made:
        sheet.formulas.extend(made[0] if len(made) == 1 else chain.from_iterable(zip(*made)))
    kept = [c.col for c in cells if c.kind != "e"]
    if kept:  # the sheet's extent takes in the run's rows and the columns it holds cells in
        sheet.max_row, sheet.max_col = max(sheet.max_row, max(rows)), max(sheet.max_col, max(kept))
    return rows[-1], cells[-1].col if cells else 0


def _covered(areas: list[tuple[int, int, int, int]], r1: int, r2: int, c1: int, c2: int) -> bool:
    return any(a1 <= r2 and r1 <= a2 and b1 <= c2 and c1 <= b2 for a1, b1, a2, b2 in areas)


def _values(ms: list[re.Match[bytes]], group: int, strings: list[str]) -> list[Any]:
    """A column's values: numbers converted at once, shared strings looked up at once, any other type (or a
    column where that fails) a cell at a time."""
    ts, vs = list(map(_G, ms, repeat(group))), list(map(_G, ms, repeat(group + 1)))
    kinds = set(ts)
    try:
        if kinds <= {None, b"n"}:
            return list(map(float, vs))
        if kinds == {b"s"}:
            index = list(map(int, vs))
            if 0 <= min(index) and max(index) < len(strings):
                return list(map(strings.__getitem__, index))
    except ValueError:
        pass
    return list(map(typed, ts, vs, repeat(strings)))


def _formulas(ms: list[re.Match[bytes]], rows: list[int], cell: Cell, strings: list[str]) -> list[FormulaCell]:
    """A column of formula cells (plain formulas with their write-back cuts, or shared followers)."""
    g = cell.group
    ts, vs = list(map(_G, ms, repeat(g + 1))), list(map(_G, ms, repeat(g + 3)))
    spans = list(zip(map(re.Match.start, ms, repeat(g)), map(re.Match.end, ms, repeat(g + 4))))
    values = repeat(None) if vs.count(None) == len(vs) else list(map(cached, ts, vs, repeat(strings)))
    if cell.kind == "s":
        shared = list(map(bytes.decode, map(_G, ms, repeat(g + 2))))
        return list(map(FormulaCell, rows, repeat(cell.col), repeat(None), shared, repeat(None), values, spans))
    fspans = list(map(re.Match.span, ms, repeat(g + 2)))
    texts = decode_all(list(map(_G, ms, repeat(g + 2))))
    cuts = list(map(cut_points, map(itemgetter(0), fspans), map(itemgetter(1), fspans), ts))
    return list(map(FormulaCell, rows, repeat(cell.col), texts, repeat(None), repeat(None), values, spans,
                    repeat(None), repeat(False), cuts))
