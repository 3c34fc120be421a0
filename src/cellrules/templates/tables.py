"""A decision table as a worksheet (``cellrules export-xlsx``), in the layout :mod:`cellrules.sheet_tables` reads.

Owns :func:`write`: the header row (hit policy, version, effective date, description, own function), one
column per input and output (``in: purchases (number)``), their allowed values, and one row per rule with
its cells as DMN notation; a note column when rules have notes. Read back from a rules folder, the workbook
gives the same table.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from cellrules.dmn.unary import show
from cellrules.templates.common import fill, save


def _literal(value: Any, typ: str) -> Any:
    """An output cell: numbers and booleans as themselves, text as written, anything else in FEEL notation."""
    if value is None:
        return None
    if typ in ("number", "boolean") or typ == "text":
        return value
    return show(value)


def write(table: Any, path: Path) -> Path:
    """Write ``table`` (a validated decision table) to a new workbook at ``path``, one sheet named after it."""
    wb = Workbook()
    ws = wb.active
    ws.title = table.header.name[:31]
    effective = table.header.effective_from.isoformat() if table.header.effective_from else ""
    ws.append(["hit policy", table.hit_policy, "version", table.header.version, "effective from", effective,
               "description", table.header.description, "function", table.function or None])
    columns = [("in", c) for c in table.inputs] + [("out", c) for c in table.outputs]
    notes = any(r.note for r in table.rules)
    ws.append([f"{side}: {c.name} ({c.type})" for side, c in columns] + (["note"] if notes else []))
    ws.append([", ".join(show(v) for v in c.values) if c.values else None for _, c in columns])
    for rule in table.rules:
        ws.append([t.text() for t in rule.tests] + [_literal(v, c.type) for v, c in zip(rule.outputs, table.outputs)]
                  + ([rule.note or None] if notes else []))
    for cell in ws[1] + ws[2]:
        cell.font = Font(bold=True)
    for cell in ws[2]:
        cell.fill = fill("blue")
    for letter, width in zip("ABCDEFGHIJKLMNOP", [22] * 16):
        ws.column_dimensions[letter].width = width
    return save(wb, path)
