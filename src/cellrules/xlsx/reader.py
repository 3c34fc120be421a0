"""Reading an .xlsx/.xlsm package, safely.

Owns the package level (the zip opened through :mod:`guards`: size and
compression-ratio limits, encrypted and legacy files refused), the workbook
part (sheets, defined names), shared strings (parsed with defusedxml: no
DTDs, no entities), and the scan of each sheet's cells — values, formulas
(shared formulas resolved to their master) and where each cell stands, for
the write-back.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import PurePosixPath
from typing import Any

from defusedxml import ElementTree as SafeET

from cellrules.xlsx import rowscan
from cellrules.xlsx.externals import Sheets, external_books
from cellrules.xlsx.guards import MAX_CELLS, PackageError, open_package
from cellrules.xlsx.cellxml import COLUMNS, ArrayMember, FormulaCell, Sheet, cached, column, cut_points, \
    decode, decode_all, typed, unescape
from cellrules.xlsx.listobjects import StructuredError, Table, expand

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKBOOK_PART = "xl/workbook.xml"

CELL_RE = re.compile(
    rb"<(?:\w+:)?row\b[^>]*?\br=\"(?P<rownum>\d+)\"[^>]*>"
    rb"|<(?P<p>\w+:)?c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?:\w+:)?c>)", re.S)
ATTR_RE = re.compile(rb'(\w+)="([^"]*)"')
R_ATTR = re.compile(rb'\br="\$?([A-Za-z]{1,3})\$?(\d+)"')
T_ATTR = re.compile(rb'\bt="(\w+)"')
F_RE = re.compile(rb"<(?:\w+:)?f\b(?P<fattrs>[^>]*?)(?:/>|>(?P<ftext>.*?)</(?:\w+:)?f>)", re.S)
V_RE = re.compile(rb"<(?:\w+:)?v\b[^>/]*>(?P<v>.*?)</(?:\w+:)?v>", re.S)
#: the scanner's pattern: the same cells as CELL_RE (same spans). Its first branch reads the cells Excel and
#: most writers produce — r="A1" first, then s/t/other plain attributes, a body of <v>…</v>, <f>…</f> with an
#: optional value, or one inline string — entirely inside the regular expression; any other cell takes the
#: general branch (an unrolled loop rather than a lazy one: measured a third faster on a 60 MB sheet)
SCAN_RE = re.compile(
    rb"<(?:c\s+r=\"(?P<letters>[A-Z]{1,3})(?P<digits>\d+)\"(?:\s+s=\"\d+\")?(?:\s+t=\"(?P<t>\w+)\")?"
    rb"(?P<more>(?:\s+[a-z]+=\"[^\"<>]*\")*)>"
    rb"(?:<v>(?P<v>[^<]*)</v>|<f>(?P<f>[^<]*)</f>(?:<v>(?P<fv>[^<]*)</v>|<v\s*/>)?"
    rb"|<is><t(?:\s+xml:space=\"preserve\")?>(?P<s>[^<]*)</t></is>)</c>"
    rb"|(?:\w+:)?c(?P<attrs>(?:\s[^>/]*(?:/(?!>)[^>/]*)*)?)"
    rb"(?:/>|>(?P<body>[^<]*(?:<(?!/(?:\w+:)?c>)[^<]*)*)</(?:\w+:)?c>)"
    rb"|(?:\w+:)?row\s[^>]*?\br=\"(?P<rownum>\d+)\"[^>]*>)")
T_RE = re.compile(rb"<(?:\w+:)?t\b[^>]*>(?P<t>.*?)</(?:\w+:)?t>", re.S)


@dataclass
class Package:
    """A workbook package as read: sheets, defined names, tables, date system and the raw parts kept."""

    path: str
    sheets: list[Sheet]
    names: dict[tuple[str | None, str], str]  # (sheet scope or None, NAME) -> formula text
    members: list[zipfile.ZipInfo]
    raw: dict[str, bytes]  # sheet parts, as read (for the write-back)
    date1904: bool = False  # the workbook counts dates from 1904 (<workbookPr date1904="1"/>)
    tables: dict[str, Table] = field(default_factory=dict)  # by upper-case name
    externals: Sheets = field(default_factory=dict)  # linked books' cached sheets, "[1]Sheet4" -> cells
    stages: dict[str, float] = field(default_factory=dict)  # seconds each stage of a recalculation took


def _xml(zf: zipfile.ZipFile, name: str) -> Any:
    data = zf.read(name)
    try:
        return SafeET.fromstring(data)
    except Exception as exc:  # defusedxml refuses DTDs and entities; ParseError for broken XML
        raise PackageError(f"{name}: {type(exc).__name__}: {exc}") from None


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder = PurePosixPath(part).parent
    rels_name = str(folder / "_rels" / (PurePosixPath(part).name + ".rels"))
    if rels_name not in zf.namelist():
        return {}
    out = {}
    for rel in _xml(zf, rels_name).iter(f"{{{NS_PKG_REL}}}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue  # a hyperlink or an external workbook: not a part of this package
        resolved = target.lstrip("/") if target.startswith("/") else str(folder / target)
        out[rel.get("Id", "")] = _normalise(resolved)
    return out


OUTSIDE = "\0outside"  # a relationship whose target climbs out of the package


def _normalise(path: str) -> str:
    """A part name with ``.`` and ``..`` resolved (:data:`OUTSIDE` for one that climbs out of the package)."""
    parts: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if not parts:
                return OUTSIDE
            parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _shared_strings(zf: zipfile.ZipFile, part: str | None) -> list[str]:
    """Shared strings; rich text runs joined, phonetic guides (rPh) left out."""
    if not part or part not in zf.namelist():
        return []
    t_tag, r_tag = f"{{{NS_MAIN}}}t", f"{{{NS_MAIN}}}r"
    out = []
    for si in _xml(zf, part).iter(f"{{{NS_MAIN}}}si"):
        parts = []
        for child in si:
            if child.tag == t_tag:
                parts.append(child.text or "")
            elif child.tag == r_tag:
                parts += [t.text or "" for t in child.iter(t_tag)]
        out.append(unescape("".join(parts)))  # shared strings escape as inline ones do (ST_Xstring)
    return out


def _value(t: bytes, body: bytes, strings: list[str]) -> Any:
    if t == b"inlineStr":
        return "".join(decode(m.group("t")) for m in T_RE.finditer(body))
    v = V_RE.search(body)
    if v is None:
        return None
    return typed(t, v.group("v"), strings)


def scan_sheet(sheet: Sheet, xml: bytes, strings: list[str], rows_at_once: bool = True) -> None:
    """Every cell's value, and every formula cell with its text and place in the XML: runs of rows of one
    structure a column at a time (:mod:`~cellrules.xlsx.rowscan`; not when ``rows_at_once`` is false), the
    rest cell by cell."""
    if b"<!DOCTYPE" in xml[:4096] or b"<!ENTITY" in xml:
        raise PackageError(f"{sheet.part}: DTDs and entities are not allowed")
    areas: list[tuple[int, int, int, int]] = []  # array formulas seen so far: their members follow them
    escaped: list[tuple[int, bytes]] = []  # formulas of the fast branch holding references (&gt; …)
    row, col, done = 0, 0, 0
    for run in rowscan.runs(xml) if rows_at_once else ():
        row, col = _region(sheet, xml, done, run.start, strings, (row, col), areas, escaped)
        place, done = rowscan.read(run, sheet, strings, areas), run.start
        if place is not None:  # else the run is read cell by cell with what follows it
            (row, col), done = place, run.end
    _region(sheet, xml, done, len(xml), strings, (row, col), areas, escaped)
    for (i, _), text in zip(escaped, decode_all([raw for _, raw in escaped])):
        sheet.formulas[i].text = text


_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')


def hidden_rows(xml: bytes) -> tuple[frozenset[int], frozenset[int], bool]:
    """The rows a sheet hides (``<row hidden="1">``); those a filter would hide — every hidden row but one given
    its own height (``customHeight``: hidden by hand); whether a filter is applied on the sheet (an AutoFilter
    with a criterion, or ``filterMode``). What Excel's SUBTOTAL 1-11 leave out in EPPlus' test book."""
    if b'hidden="1"' not in xml and b'hidden="true"' not in xml:
        return frozenset(), frozenset(), False
    tags = [m.group(0) for m in _HIDDEN_ROW.finditer(xml)]
    rows = frozenset(int(n.group(1)) for tag in tags if (n := _ROW_NUMBER.search(tag)))
    by_filter = frozenset(int(n.group(1)) for tag in tags if b'customHeight="1"' not in tag
                          if (n := _ROW_NUMBER.search(tag)))
    return rows, by_filter, b"filterColumn" in xml or b'filterMode="1"' in xml


def _region(sheet: Sheet, xml: bytes, start: int, end: int, strings: list[str], place: tuple[int, int],
            areas: list[tuple[int, int, int, int]], escaped: list[tuple[int, bytes]]) -> tuple[int, int]:
    """:func:`_cells` of ``xml[start:end]``, its values gathered apart so that the sheet's extent grows by
    theirs alone (a run read at once grows it by its rows and columns)."""
    values: dict[tuple[int, int], Any] = {}
    first = len(sheet.formulas)
    place = _cells(sheet, values, xml, start, end, strings, place, areas, escaped)
    _grow(sheet, values, sheet.formulas[first:])
    sheet.values.update(values)
    return place


def _cells(sheet: Sheet, values: dict[tuple[int, int], Any], xml: bytes, start: int, end: int, strings: list[str],
           place: tuple[int, int], areas: list[tuple[int, int, int, int]], escaped: list[tuple[int, bytes]]
           ) -> tuple[int, int]:
    """Scan ``xml[start:end]`` cell by cell from ``place`` (the row and column of the cell before it), its values
    into ``values``; the row and column of its last cell."""
    (row, col), last = place, b""
    formulas, columns = sheet.formulas, COLUMNS
    for m in SCAN_RE.finditer(xml, start, end):
        letters, digits, t, more, v, f, fv, s, attrs, body, rownum = m.groups()
        if digits is None:
            if rownum is not None:
                row, col, last = int(rownum), 0, b""
            else:
                row, col = _place(attrs, row, col)
                last = b""
                _general(sheet, values, m, attrs, body, row, col, strings, areas)
            continue
        if digits != last:  # the cells of a row share its number
            row, last = int(digits), digits
        col = columns.get(letters) or column(letters)
        if areas and _inside(areas, row, col) or more and b't="' in more:
            whole = m.group(0)
            cut = whole.index(b">")
            _general(sheet, values, m, whole[2:cut], whole[cut + 1:whole.rindex(b"<")], row, col, strings, areas)
        elif v is not None:
            if t is None or t == b"n":
                try:
                    values[(row, col)] = float(v)
                except ValueError:
                    values[(row, col)] = decode(v)
            else:
                values[(row, col)] = typed(t, v, strings)
        elif f is not None:
            # the write-back's cuts (FormulaCell.cuts): a t attribute stands last before ">" unless others follow
            f_start, f_end = m.span(6)
            cuts = None if t is not None and more else cut_points(f_start, f_end, t)
            if b"&" in f:  # references resolved for all such formulas at once, after the loop
                escaped.append((len(formulas), f))
            formulas.append(FormulaCell(row, col, f.decode() if b"&" not in f else "", None, None,
                                        cached(t, fv, strings), m.span(), None, False, cuts))
        elif t == b"inlineStr":
            values[(row, col)] = s.decode() if b"&" not in s else decode(s)
    return row, col


def _place(attrs: bytes, row: int, col: int) -> tuple[int, int]:
    """A cell's (row, column): its r attribute, else the cell after the previous one."""
    ref = R_ATTR.search(attrs)
    return (int(ref.group(2)), column(ref.group(1))) if ref is not None else (row, col + 1)


def _general(sheet: Sheet, values: dict[tuple[int, int], Any], m: re.Match, attrs: bytes, body: bytes | None,
             row: int, col: int, strings: list[str], areas: list[tuple[int, int, int, int]]) -> None:
    """Any cell the fast branch does not read: namespaced, unusual attributes or bodies, array formulas and
    the cells of their ranges."""
    if not body:
        if areas and _inside(areas, row, col):
            sheet.array_members.append(ArrayMember(row, col, None, m.span()))
        return
    typed = T_ATTR.search(attrs) if b't="' in attrs else None
    t = typed.group(1) if typed is not None else b"n"
    value = _value(t, body, strings)
    fm = F_RE.search(body) if b"<f" in body or b":f" in body else None
    if fm is None or not _formula(sheet, fm, row, col, value, m.span()):  # no formula, or an empty <f ca="1"/>
        if value is not None:
            values[(row, col)] = value
        if areas and _inside(areas, row, col):
            sheet.array_members.append(ArrayMember(row, col, value, m.span()))
        return
    area = sheet.formulas[-1].array if sheet.formulas and sheet.formulas[-1].row == row else None
    if area is not None and b' cm="' in attrs:
        sheet.formulas[-1].dynamic = True
    if area is not None and (area[0], area[1]) == (row, col) and area[2:] != (row, col):
        areas.append(area)


def _grow(sheet: Sheet, values: dict[tuple[int, int], Any], formulas: list[FormulaCell]) -> None:
    """Widen the sheet's extent (the last row and column holding a value or a formula) to take in these cells."""
    if values:  # (row, col) keys: the largest has the last row
        sheet.max_row, sheet.max_col = max(sheet.max_row, max(values)[0]), \
            max(sheet.max_col, max(map(itemgetter(1), values)))
    if formulas:
        sheet.max_row = max(sheet.max_row, max(f.row for f in formulas))
        sheet.max_col = max(sheet.max_col, max(f.col for f in formulas))


def _inside(areas: list[tuple[int, int, int, int]], row: int, col: int) -> bool:
    return any(r1 <= row <= r2 and c1 <= col <= c2 for r1, c1, r2, c2 in areas)


def area_of(ref: str, row: int, col: int) -> tuple[int, int, int, int]:
    """``A1:C3`` (or ``B2``) as (r1, c1, r2, c2); anything unreadable is the one cell (row, col)."""
    found = [R_ATTR.search(b'r="' + p.encode() + b'"') for p in ref.replace("$", "").split(":")]
    parts = [m for m in found if m is not None]
    if not parts or len(parts) < len(found) or len(parts) > 2:
        return row, col, row, col
    (c1, r1), (c2, r2) = [(column(m.group(1)), int(m.group(2))) for m in (parts if len(parts) == 2 else parts * 2)]
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _formula(sheet: Sheet, fm: re.Match, row: int, col: int, value: Any, span: tuple[int, int]) -> bool:
    """Add the formula cell ``fm`` holds; False when its <f> is empty (a cell of an array's range, a value)."""
    fattrs = dict(ATTR_RE.findall(fm.group("fattrs")))
    text = decode(fm.group("ftext")) if fm.group("ftext") else None  # <f …></f> is as empty as <f …/>
    kind = fattrs.get(b"t")
    shared = fattrs[b"si"].decode() if kind == b"shared" and b"si" in fattrs else None
    ref = fattrs[b"ref"].decode() if b"ref" in fattrs else None
    if text is None and shared is None:
        return False  # an empty <f/> is not a formula
    array = area_of(ref or "", row, col) if kind == b"array" else None
    sheet.formulas.append(FormulaCell(row, col, text, shared, ref if shared else None, value, span, array))
    return True


def _tables(zf: zipfile.ZipFile, sheet: Sheet) -> list[Table]:
    """The tables (``xl/tables/tableN.xml``) on a sheet."""
    out = []
    for part in _rels(zf, sheet.part).values():
        if "/tables/" not in part or part not in zf.namelist():
            continue
        node = _xml(zf, part)
        r1, c1, r2, c2 = area_of(node.get("ref", ""), 0, 0)
        if any(True for _ in node.iter(f"{{{NS_MAIN}}}filterColumn")):  # a table's filter is applied
            sheet.filtered_rows = sheet.filterable_rows
        columns = tuple(c.get("name", "") for c in node.iter(f"{{{NS_MAIN}}}tableColumn"))
        name = node.get("displayName") or node.get("name") or ""
        if name and r1:
            out.append(Table(name, sheet.name, r1, c1, r2, c2, int(node.get("headerRowCount", "1")),
                             int(node.get("totalsRowCount", "0")), columns))
    return out


def _structured(text: str, tables: dict[str, Table], sheet: str, row: int | None, col: int | None) -> str:
    """A formula with its structured references as A1 references (as written when one cannot be read)."""
    try:
        return expand(text, tables, sheet, row, col)
    except StructuredError:
        return text


def read(path: str) -> Package:
    """Read a workbook package: every sheet's values and formulas, in one pass per sheet."""
    with open_package(path) as zf:
        if WORKBOOK_PART not in zf.namelist():
            raise PackageError("no xl/workbook.xml: not a workbook")
        rels = _rels(zf, WORKBOOK_PART)
        book = _xml(zf, WORKBOOK_PART)
        strings = _shared_strings(zf, next((p for p in rels.values() if p.endswith("sharedStrings.xml")), None))
        sheets, raw = _sheets(zf, book, rels, strings)
        tables = {t.name.upper(): t for s in sheets for t in _tables(zf, s)}
        defined = _defined_names(book, [s.name for s in sheets], tables)
        externals, linked_names = external_books(zf, book, rels, _xml)
        defined.update({k: v for k, v in linked_names.items() if k not in defined})
        for sheet in sheets:
            for f in sheet.formulas:
                if f.text and "[" in f.text:
                    f.text = _structured(f.text, tables, sheet.name, f.row, f.col)
        props = book.find(f"{{{NS_MAIN}}}workbookPr")
        date1904 = props is not None and props.get("date1904", "0").lower() in ("1", "true")
        return Package(path, sheets, defined, zf.infolist(), raw, date1904, tables, externals=externals)


def _sheets(zf: zipfile.ZipFile, book: Any, rels: dict[str, str], strings: Any) -> tuple[list[Sheet], dict[str, bytes]]:
    """Every worksheet the workbook lists, scanned (chartsheets and missing parts have no cells)."""
    names = set(zf.namelist())
    sheets: list[Sheet] = []
    raw: dict[str, bytes] = {}
    cells = 0
    for node in book.iter(f"{{{NS_MAIN}}}sheet"):
        part = rels.get(node.get(f"{{{NS_REL}}}id", ""), "")
        if part == OUTSIDE:
            raise PackageError(f"sheet '{node.get('name', '')}' points outside the package (a tampered file?)")
        if part not in names or "worksheets/" not in part:
            continue
        if part in raw:
            raise PackageError(f"two sheets name the same part {part} (a tampered file?)")
        sheet = Sheet(node.get("name", ""), part)
        raw[part] = zf.read(part)
        scan_sheet(sheet, raw[part], strings)
        sheet.hidden_rows, sheet.filterable_rows, applied = hidden_rows(raw[part])
        sheet.filtered_rows = sheet.filterable_rows if applied else frozenset()
        sheets.append(sheet)
        cells += len(sheet.values) + len(sheet.formulas)
        if cells > MAX_CELLS:
            raise PackageError(f"the workbook holds more than {MAX_CELLS:,} cells")
    return sheets, raw


def _defined_names(book: Any, sheet_names: list[str], tables: dict[str, Any]) -> dict[tuple[str | None, str], str]:
    """The workbook's defined names by (sheet scope or None, NAME), structured references rewritten."""
    defined: dict[tuple[str | None, str], str] = {}
    for node in book.iter(f"{{{NS_MAIN}}}definedName"):
        scope = node.get("localSheetId")
        if scope is not None and not (scope.isdigit() and int(scope) < len(sheet_names)):
            continue  # not a sheet of this book (OOXML: an unsigned index): a name no formula can mean
        key = sheet_names[int(scope)] if scope is not None else None
        defined[(key, (node.get("name") or "").upper())] = _structured(node.text or "", tables, key or "", None, None)
    return defined
