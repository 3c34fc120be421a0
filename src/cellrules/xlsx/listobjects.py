"""Excel tables and structured references.

Owns the tables a workbook defines (``xl/tables/tableN.xml``: name, range,
header and totals rows, column names) and the rewriting of a structured
reference into the A1 reference it means, before the formula is parsed:
``Sales[Amount]`` (the data of a column), ``Sales[#All]``, ``Sales[#Data]``,
``Sales[#Headers]``, ``Sales[#Totals]``, ``Sales[[#This Row],[Amount]]`` and
``[@Amount]`` (the formula's own row), ``Sales[[Qty]:[Price]]`` (a span of
columns) and combinations such as ``Sales[[#Headers],[#Data],[Qty]]``.
A this-row reference becomes a relative row with absolute columns, so a
table's calculated column still groups as one formula down the column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from cellrules.xlsx.addresses import col_letters

_NAME = re.compile(r"(?<![\w.\\$!'\]])([A-Za-z_\\][\w.\\\u0080-\uffff]*)?\[")
_STRING = re.compile(r'"(?:[^"]|"")*"')


@dataclass(frozen=True)
class Table:
    """An Excel table (ListObject): its sheet, range and column names, for structured references."""

    name: str
    sheet: str
    r1: int
    c1: int
    r2: int
    c2: int
    header_rows: int
    totals_rows: int
    columns: tuple[str, ...]

    def column(self, name: str) -> int | None:
        """A column's offset in the table by name (any case), or None."""
        wanted = name.strip().casefold()
        for i, col in enumerate(self.columns):
            if col.strip().casefold() == wanted:
                return self.c1 + i
        return None

    def contains(self, sheet: str, row: int, col: int) -> bool:
        """Whether a cell lies inside the table."""
        return sheet.upper() == self.sheet.upper() and self.r1 <= row <= self.r2 and self.c1 <= col <= self.c2


class StructuredError(ValueError):
    """A structured reference that names no table or column, or a this-row reference outside its rows."""


def _items(spec: str) -> list[str]:
    """The bracketed items of a specifier (``[#This Row],[Qty]`` → ``#This Row``, ``Qty``); a bare one is one item."""
    spec = spec.strip()
    if not spec.startswith("["):
        return [spec] if spec else []
    items, depth, current, i = [], 0, [], 0
    while i < len(spec):
        ch = spec[i]
        if ch == "'" and i + 1 < len(spec):
            current.append(spec[i: i + 2])
            i += 2
            continue
        if ch == "[":
            depth += 1
            if depth == 1:
                current = []
                i += 1
                continue
        elif ch == "]":
            depth -= 1
            if depth == 0:
                items.append("".join(current))
                i += 1
                continue
        elif ch == ":" and depth == 0:
            items.append(":")
        if depth >= 1:
            current.append(ch)
        i += 1
    return items


def _unescape(name: str) -> str:
    return re.sub(r"'(.)", r"\1", name)


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def resolve(table: Table, spec: str, row: int | None) -> str:
    """The A1 reference (with its sheet) a specifier of ``table`` means from a formula in ``row``."""
    items = _items(spec)
    specials = [i.strip().lower() for i in items if i.strip().startswith("#")]
    names = [i for i in items if not i.strip().startswith("#")]
    this_row = "#this row" in specials or any(n.startswith("@") for n in names)
    names = [n[1:] if n.startswith("@") else n for n in names]
    first_data, last_data = table.r1 + table.header_rows, table.r2 - table.totals_rows
    if this_row:
        if row is None or not first_data <= row <= last_data:
            raise StructuredError(f"{table.name}: a this-row reference outside the table's rows")
        rows = (row, row)
    else:
        wanted = set(specials) or {"#data"}
        spans = {"#all": (table.r1, table.r2), "#data": (first_data, last_data),
                 "#headers": (table.r1, first_data - 1), "#totals": (last_data + 1, table.r2)}
        chosen = [spans[w] for w in wanted if w in spans]
        if not chosen or any(a > b for a, b in chosen):
            raise StructuredError(f"{table.name}: {', '.join(sorted(wanted))} is not in the table")
        rows = (min(a for a, _ in chosen), max(b for _, b in chosen))
    cols = _columns(table, names)
    left, right = f"${col_letters(cols[0])}", f"${col_letters(cols[1])}"
    if this_row:
        start, end = f"{left}{rows[0]}", f"{right}{rows[0]}"
    else:
        start, end = f"{left}${rows[0]}", f"{right}${rows[1]}"
    return f"{_quote(table.sheet)}!{start}" + (f":{end}" if start != end else "")


def _columns(table: Table, names: list[str]) -> tuple[int, int]:
    picked = [n for n in names if n != ":"]
    if not picked:
        return table.c1, table.c2
    cols = []
    for name in picked:
        col = table.column(_unescape(name))
        if col is None:
            raise StructuredError(f"no column '{_unescape(name)}' in table {table.name}")
        cols.append(col)
    return min(cols), max(cols)


def _closing(text: str, start: int) -> int:
    """The index just past the ``]`` that closes the ``[`` at ``start``."""
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch == "'":
            i += 2
            continue
        depth += ch == "["
        depth -= ch == "]"
        i += 1
        if depth == 0:
            return i
    raise StructuredError("an unclosed [ in a structured reference")


def expand(formula: str, tables: dict[str, Table], sheet: str, row: int | None, col: int | None) -> str:
    """``formula`` with every structured reference written as an A1 reference (strings left alone)."""
    if "[" not in formula or not tables:
        return formula
    out, last = [], 0
    for string in list(_STRING.finditer(formula)) + [None]:
        end = string.start() if string else len(formula)
        out.append(_expand_part(formula[last:end], tables, sheet, row, col))
        if string:
            out.append(string.group(0))
            last = string.end()
    return "".join(out)


def _expand_part(part: str, tables: dict[str, Table], sheet: str, row: int | None, col: int | None) -> str:
    out, i = [], 0
    while True:
        m = _NAME.search(part, i)
        if m is None:
            out.append(part[i:])
            return "".join(out)
        name = m.group(1)
        if name is None and m.start() > 0 and part[m.start() - 1] == "]":
            out.append(part[i: m.end()])
            i = m.end()
            continue
        inside = not part[m.end():].split("]", 1)[0].isdigit()  # [1]Sheet!A1 names a linked book, no column
        table = tables.get(name.upper()) if name else (_around(tables, sheet, row, col) if inside else None)
        if table is None:  # an external reference [1]Sheet!A1 or not a table: left as written
            out.append(part[i: m.end()])
            i = m.end()
            continue
        close = _closing(part, m.end() - 1)
        out.append(part[i: m.start()])
        out.append(resolve(table, part[m.end(): close - 1], row))
        i = close


def _around(tables: dict[str, Table], sheet: str, row: int | None, col: int | None) -> Table | None:
    if row is None or col is None:
        return None
    return next((t for t in tables.values() if t.contains(sheet, row, col)), None)
