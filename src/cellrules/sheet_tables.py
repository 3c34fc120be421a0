"""Decision tables authored in a worksheet: an .xlsx in the rules folder is read as policies.

Owns the sheet layout (what ``cellrules export-xlsx`` writes, and what finance
fills in) and :func:`tables`, which reads every sheet laid out that way as the
same :class:`Source` a YAML table gives, so the same validation runs and every
problem points at the cell: ``book.xlsx!customer_class!C7``. The layout::

    A1 hit policy | B1 F | C1 version | D1 2026-01 | E1 effective from | F1 2026-01-01 | G1 description | H1 …
    row 2: one header per column: "in: purchases (number)", …, "out: class (text)", and "note" (optional)
    row 3: each column's allowed values, comma-separated (blank: any value)
    row 4 on: one rule per row; cells as in YAML tables (< 18, [18..65), "Low", "Medium", -, …)

The sheet's name is the policy's name. The workbook is read with cellrules' own
package reader (no formulas are evaluated: a table's cells are data).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cellrules.coerce import EXCEL_EPOCH
from cellrules.diagnostics import Diagnostic, Location
from cellrules.dmn.grammar import split
from cellrules.xlsx import reader as xlsx
from cellrules.xlsx.addresses import address
from cellrules.source import PathKey, Source

MARK = "hit policy"
_HEADER = re.compile(r"^\s*(in|out)\s*:\s*(.+?)\s*\((number|text|boolean|date)\)\s*$", re.I)
ALWAYS = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class SheetSource(Source):
    """A Source whose positions are worksheet cells: a problem is reported at ``book.xlsx!Sheet!C7``."""

    sheet: str = ""

    def where(self, path: PathKey, key: bool = False) -> Location:
        """The cell a value came from (the table's first cell when the path names no cell)."""
        probe = tuple(path)
        while probe and probe not in self.positions:
            probe = probe[:-1]
        row, col = self.positions[probe][:2] if probe else (1, 1)
        return Location(f"{Path(self.path).name}!{self.sheet}!{address(row, col)}")


def _date(value: Any) -> Any:
    """A date cell (Excel's serial day number) as a date; anything else, or a number outside Excel's calendar
    (1 = 1900-01-01 to 2958465 = 9999-12-31), as it is: the check then says it is no date."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    return value


def tables(path: Path) -> tuple[dict[str, SheetSource], list[Diagnostic]]:
    """Every sheet of a workbook laid out as a decision table, by sheet name."""
    try:
        package = xlsx.read(str(path))
    except (xlsx.PackageError, OSError) as exc:
        return {}, [Diagnostic("FILE_ERROR", f"cannot read the workbook: {exc}", Location(str(path), 1, 1))]
    text_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    found, problems = {}, []
    for sheet in package.sheets:
        if str(sheet.values.get((1, 1), "")).strip().lower() == MARK:
            values, unsaved = cells_as_shown(sheet, package.raw.get(sheet.part, b""))
            problems += [Diagnostic("UNCOMPUTED", f"{address(r, c)} holds a formula whose value was never saved (a "
                                    "workbook written by a program, not by Excel): open and save it in Excel, or type "
                                    "the value", Location(f"{path.name}!{sheet.name}!{address(r, c)}"))
                         for r, c in unsaved]
            if not unsaved:
                found[sheet.name] = _source(path, sheet, values, text_hash)
    return found, problems


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([^"]+)"')


def cells_as_shown(sheet: xlsx.Sheet, xml: bytes) -> tuple[dict[tuple[int, int], Any], list[tuple[int, int]]]:
    """A sheet's cells as Excel shows them: a formula cell by the value Excel saved for it (none saved: listed,
    never read as blank — a blank input cell would match anything), every cell of a merged range by its
    top-left cell's value."""
    values = dict(sheet.values.items())
    unsaved = []
    for f in sheet.formulas:
        if f.cached is None:
            unsaved.append((f.row, f.col))
        values[(f.row, f.col)] = f.cached
    for m in _MERGE.finditer(xml):
        r1, c1, r2, c2 = xlsx.area_of(m.group(1).decode(), 0, 0)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                values[(r, c)] = values.get((r1, c1))
    return values, sorted(unsaved)


def _source(path: Path, sheet: xlsx.Sheet, values: dict[tuple[int, int], Any], digest: str) -> SheetSource:
    cell = values.get
    positions: dict[PathKey, tuple[int, int, int, int]] = {}

    def at(key: PathKey, row: int, col: int) -> None:
        positions[key] = (row, col, row, col)

    data: dict[str, Any] = {"policy": sheet.name, "kind": "decision_table",
                            "version": str(cell((1, 4)) or "1"), "effective_from": _date(cell((1, 6))) or ALWAYS,
                            "description": str(cell((1, 8)) or f"the table on sheet {sheet.name}"),
                            "hit_policy": str(cell((1, 2)) or "U"), "inputs": [], "outputs": [], "rules": []}
    for key, col in (("policy", 1), ("kind", 1), ("hit_policy", 2), ("version", 4), ("effective_from", 6),
                     ("description", 8), ("function", 10)):
        at((key,), 1, col)
    if cell((1, 10)):
        data["function"] = str(cell((1, 10)))
    columns: list[tuple[str, int]] = []
    for col in range(1, sheet.max_col + 1):
        header = _HEADER.match(str(cell((2, col)) or ""))
        if header is None:
            continue
        side, name, typ = header.group(1).lower(), header.group(2), header.group(3).lower()
        spec: dict[str, Any] = {"name": name, "type": typ}
        if cell((3, col)) not in (None, ""):
            spec["values"] = split(str(cell((3, col)))) if isinstance(cell((3, col)), str) else [cell((3, col))]
        group = "inputs" if side == "in" else "outputs"
        at((group, len(data[group])), 2, col)
        data[group].append(spec)
        columns.append((side, col))
    ordered = [c for side, c in columns if side == "in"] + [c for side, c in columns if side == "out"]
    at(("rules",), 2, 1)
    for row in range(4, sheet.max_row + 1):
        cells = [cell((row, c)) for c in ordered]
        if all(v in (None, "") for v in cells):
            continue
        i = len(data["rules"])
        n_in = len(data["inputs"])
        data["rules"].append([("-" if j < n_in else None) if v in (None, "") else v for j, v in enumerate(cells)])
        at(("rules", i), row, ordered[0] if ordered else 1)
        for j, c in enumerate(ordered):
            at(("rules", i, j), row, c)
    return SheetSource(str(path), data, positions, digest, sheet=sheet.name)
