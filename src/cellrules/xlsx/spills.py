"""Dynamic-array spills in the sheet XML.

Owns what changes in a sheet when a dynamic-array formula (Excel 365's
spilling formulas, saved with ``<f t="array" ref="…">`` and cell metadata)
gets a result of another size: the master's ``ref`` follows the new range,
cells of the new range get their values — an existing ``<c>`` is rewritten,
a missing one is inserted in column order into its row, a missing row is
inserted in row order — and cells of the old range outside the new one are
emptied (their style kept). The edits are returned as (start, end, bytes)
over the original XML, for the write-back to apply with its own.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from cellrules.xlsx.addresses import address
from cellrules.xlsx.cellxml import column
from cellrules.xlsx.reader import CELL_RE, R_ATTR

_ROW = re.compile(rb"<(?P<p>\w+:)?row\b[^>]*?\br=\"(?P<r>\d+)\"[^>]*?(?:/>|>)")
_ROW_END = re.compile(rb"</(?:\w+:)?row>")
_SHEETDATA_END = re.compile(rb"</(?:\w+:)?sheetData>|<(?:\w+:)?sheetData\s*/>")
_REF = re.compile(rb'(<(?:\w+:)?f\b[^>]*?\bref=")[^"]*(")')

Edit = tuple[int, int, bytes]


def new_ref(formula_cell: bytes, area: tuple[int, int, int, int]) -> bytes:
    """The master cell's XML with its <f ref="…"> set to ``area``."""
    r1, c1, r2, c2 = area
    text = f"{address(r1, c1)}:{address(r2, c2)}" if (r1, c1) != (r2, c2) else address(r1, c1)
    return _REF.sub(lambda m: m.group(1) + text.encode() + m.group(2), formula_cell, count=1)


def _rows(xml: bytes) -> dict[int, tuple[int, int, int, dict[int, re.Match]]]:
    """Row number -> (start of <row>, end of its opening tag, position of </row> or -1, cells by column)."""
    out: dict[int, tuple[int, int, int, dict[int, re.Match]]] = {}
    for m in _ROW.finditer(xml):
        closed = m.group(0).endswith(b"/>")
        closing = None if closed else _ROW_END.search(xml, m.end())
        end = closing.start() if closing is not None else -1
        cells: dict[int, re.Match] = {}
        if not closed:
            for c in CELL_RE.finditer(xml, m.end(), end):
                ref = R_ATTR.search(c.group("attrs") or b"")
                if ref is not None:
                    cells[column(ref.group(1))] = c
        out[int(m.group("r"))] = (m.start(), m.end(), end, cells)
    return out


def edits(xml: bytes, wanted: dict[tuple[int, int], Any], covered: set[int],
          render: Callable[[re.Match | None, int, int, Any], bytes]) -> list[Edit]:
    """Edits that give each (row, col) in ``wanted`` its value: rewriting the cell where the XML has it (unless
    its span start is in ``covered``, already rewritten by the caller), inserting it where it has not."""
    rows = _rows(xml)
    out: list[Edit] = []
    new_rows: dict[int, list[tuple[int, Any]]] = {}
    for (r, c), value in sorted(wanted.items()):
        row = rows.get(r)
        if row is None or row[2] < 0:
            new_rows.setdefault(r, []).append((c, value))
            continue
        start, _, end, cells = row
        if c in cells:
            m = cells[c]
            if m.start() not in covered:
                out.append((m.start(), m.end(), render(m, r, c, value)))
            continue
        after = [cells[k].start() for k in sorted(cells) if k > c]
        at = after[0] if after else end
        out.append((at, at, render(None, r, c, value)))
    for r, items in sorted(new_rows.items()):
        element = b'<row r="%d">' % r + b"".join(render(None, r, c, v) for c, v in sorted(items)) + b"</row>"
        existing = rows.get(r)
        if existing is not None:  # an empty <row …/>: replaced by one with the cells
            out.append((existing[0], existing[1], element))
            continue
        later = [rows[k][0] for k in sorted(rows) if k > r]
        tail = _SHEETDATA_END.search(xml)
        assert tail is not None  # a worksheet part has its sheetData (the scanner read it)
        at = later[0] if later else tail.start()
        if not later and xml[at: at + 2] != b"</":  # <sheetData/>: open it
            out.append((at, tail.end(), b"<sheetData>" + element + b"</sheetData>"))
            continue
        out.append((at, at, element))
    return out
