"""Writing computed values back into the package.

Owns the write-back: in each worksheet part that holds formulas, every
formula cell gets its cached value (``<v>``) and the matching type (``t``:
number by default, ``str`` text, ``b`` boolean, ``e`` error) next to its
unchanged ``<f>``; the workbook's ``<calcPr>`` is set so Excel shows those
values on open instead of recomputing everything (which, without the add-in,
would turn every cellrules cell into #NAME?); every other byte of the
package is kept. The new package is written to a temporary file beside the
target and renamed over it, so a failed run never leaves half a file.
"""
from __future__ import annotations

import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from typing import Any, Callable
from xml.sax.saxutils import escape

from cellrules.errors import ExcelError
from cellrules.recalc import spills
from cellrules.recalc.refs import address
from cellrules.recalc.xlsx import CELL_RE, F_RE, V_RE, WORKBOOK_PART, Package

#: the calculation-engine id Excel 2019 and Microsoft 365 write: a file saved with an older id is fully
#: recalculated when Excel opens it
EXCEL_CALC_ID = 191029
_CALC_PR = re.compile(rb"<(?P<p>\w+:)?calcPr\b(?P<attrs>[^>]*?)\s*(?:/>|>.*?</(?:\w+:)?calcPr>)", re.S)
_AFTER_CALC_PR = re.compile(rb"</(?:\w+:)?(?:definedNames|externalReferences|functionGroups|sheets)>")
_RECALC_ATTRS = re.compile(rb'\s(?:fullCalcOnLoad|forceFullCalc|calcId)="[^"]*"')
Transform = Callable[[bytes], bytes]
_T_ATTR = re.compile(rb'\st="[^"]*"')
_EMPTY_V = re.compile(rb"<(?:\w+:)?v\s*/>")


def encode(value: Any) -> tuple[bytes | None, bytes]:
    """(t attribute or None for a number, <v> content)."""
    if isinstance(value, ExcelError):
        return b"e", value.code.encode()
    if isinstance(value, bool):
        return b"b", b"1" if value else b"0"
    if isinstance(value, (int, float)):
        return None, repr(float(value)).removesuffix(".0").encode() if float(value).is_integer() and abs(value) < 1e15 \
            else repr(float(value)).encode()
    return b"str", escape(str(value)).encode("utf-8")


def _cell(m: re.Match, value: Any, area: tuple[int, int, int, int] | None = None) -> bytes:
    """The <c> element of match ``m`` with its type and cached value set, its <f> kept (a cell of an array
    formula's range other than its master has no <f>: it gets its value alone; ``None`` empties a cell a
    spill left; ``area`` is a dynamic array's new range)."""
    prefix = m.group("p") or b""
    if value is None:
        body = m.group("body") or b""
        rest = _EMPTY_V.sub(b"", V_RE.sub(b"", F_RE.sub(b"", body)))
        return b"<" + prefix + b"c" + _T_ATTR.sub(b"", m.group("attrs")) + b">" + rest + b"</" + prefix + b"c>"
    t, v = encode(value)
    body = m.group("body") or b""
    found = F_RE.search(body)
    formula = found.group(0) if found else b""
    rest = _EMPTY_V.sub(b"", V_RE.sub(b"", body.replace(formula, b"", 1) if formula else body))  # <v>, <v/>
    rest = re.sub(rb"<(?:\w+:)?is>.*?</(?:\w+:)?is>", b"", rest, flags=re.S)
    attrs = _T_ATTR.sub(b"", m.group("attrs")) + (b' t="' + t + b'"' if t else b"")
    if area is not None:
        formula = spills.new_ref(formula, area)
    return (b"<" + prefix + b"c" + attrs + b">" + formula + b"<" + prefix + b"v>" + v + b"</" + prefix + b"v>"
            + rest + b"</" + prefix + b"c>")


def _new_cell(m: re.Match | None, row: int, col: int, value: Any) -> bytes:
    if m is not None:
        return _cell(m, value)
    t, v = encode(value)
    return b'<c r="' + address(row, col).encode() + b'"' + (b' t="' + t + b'"' if t else b"") + b"><v>" + v + b"</v></c>"


@dataclass
class Spill:
    """What dynamic arrays changed on a sheet: new ranges by master span start, values of cells to write."""

    areas: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)


def patch_sheet(xml: bytes, cells: list[tuple[tuple[int, int], Any]], spill: Spill | None = None) -> bytes:
    """The sheet XML with each formula cell (given by its span) rewritten, and the cells a spill reached
    written or inserted; every other byte kept."""
    edits: list[tuple[int, int, bytes]] = []
    for (start, end), value in cells:
        m = CELL_RE.match(xml, start)
        if m is None or m.end() != end:
            continue
        edits.append((start, end, _cell(m, value, spill.areas.get(start) if spill else None)))
    if spill and spill.cells:
        edits += spills.edits(xml, spill.cells, {e[0] for e in edits}, _new_cell)
    out, last = [], 0
    for start, end, data in sorted(edits, key=lambda e: e[0]):
        out += [xml[last:start], data]
        last = end
    out.append(xml[last:])
    return b"".join(out)


def keep_cached_values(workbook_xml: bytes) -> bytes:
    """The workbook part with a ``<calcPr>`` that lets Excel show the cached values on open: no
    ``fullCalcOnLoad``/``forceFullCalc``, and today's calculation-engine id (other settings kept)."""
    m = _CALC_PR.search(workbook_xml)
    if m is None:
        last = None
        for last in _AFTER_CALC_PR.finditer(workbook_xml):
            pass
        if last is None:
            return workbook_xml
        prefix = re.match(rb"</(\w+:)?", last.group(0)).group(1) or b""
        element = b"<" + prefix + b'calcPr calcId="%d"/>' % EXCEL_CALC_ID
        return workbook_xml[:last.end()] + element + workbook_xml[last.end():]
    prefix = m.group("p") or b""
    attrs = _RECALC_ATTRS.sub(b"", m.group("attrs"))
    element = b"<" + prefix + b'calcPr calcId="%d"' % EXCEL_CALC_ID + attrs + b"/>"
    return workbook_xml[:m.start()] + element + workbook_xml[m.end():]


def _mode(target: str, source: str) -> int:
    """The permissions the result should have: the replaced file's, else the input's (mkstemp makes 0600)."""
    for path in (target, source):
        try:
            return os.stat(path).st_mode & 0o7777
        except OSError:
            continue
    return 0o644


def write(package: Package, results: dict[str, list[tuple[tuple[int, int], Any]]], target: str,
          spilled: dict[str, Spill] | None = None) -> None:
    """Write the package with new cached values to ``target`` (atomically), Excel told to show them."""
    parts: dict[str, Transform] = {WORKBOOK_PART: keep_cached_values}
    for part, cells in results.items():
        if cells:
            raw = package.raw.get(part)
            spill = (spilled or {}).get(part)
            parts[part] = lambda data, raw=raw, cells=cells, spill=spill: patch_sheet(
                raw if raw is not None else data, cells, spill)
    write_parts(package.path, parts, target)


def write_parts(source_path: str, parts: dict[str, Transform], target: str) -> None:
    """Copy the package at ``source_path`` to ``target`` (atomically), each member named in ``parts``
    passed through its transform, every other member byte for byte."""
    folder = os.path.dirname(os.path.abspath(target))
    # the process id in the name lets a later run remove what a killed one left (batch.clean_stale_temporaries)
    handle, temp = tempfile.mkstemp(prefix=f".cellrules-{os.getpid()}-", suffix=".xlsx", dir=folder)
    os.close(handle)
    try:
        with zipfile.ZipFile(source_path) as source, zipfile.ZipFile(temp, "w") as out:
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename in parts:
                    data = parts[info.filename](data)
                clone = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                clone.compress_type, clone.external_attr = info.compress_type, info.external_attr
                clone.create_system = info.create_system
                out.writestr(clone, data)
        os.chmod(temp, _mode(target, source_path))
        os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
