"""Writing computed values back into the package.

Owns the write-back: in each worksheet part that holds formulas, every
formula cell gets its cached value (``<v>``) and the matching type (``t``:
number by default, ``str`` text, ``b`` boolean, ``e`` error) next to its
unchanged ``<f>``; the workbook's ``<calcPr>`` is set so Excel shows those
values on open instead of recomputing everything (which, without the add-in,
would turn every cellrules cell into #NAME?); every other byte of the
package is kept. The package itself is written by :mod:`~cellrules.xlsx.zipwrite` (a temporary file
beside the target renamed over it, so a failed run never leaves half a file).
"""
from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, Iterator

from cellrules.errors import ExcelError
from cellrules.xlsx import docprops, spills
from cellrules.xlsx.addresses import address
from cellrules.xlsx.cellxml import xml_text, xml_texts
from cellrules.xlsx.reader import CELL_RE, F_RE, V_RE, WORKBOOK_PART, Package
from cellrules.xlsx.zipwrite import Transform, write_parts

#: the calculation-engine id Excel 2019 and Microsoft 365 write: a file saved with an older id is fully
#: recalculated when Excel opens it
EXCEL_CALC_ID = 191029
_CALC_PR = re.compile(rb"<(?P<p>\w+:)?calcPr\b(?P<attrs>[^>]*?)\s*(?:/>|>.*?</(?:\w+:)?calcPr>)", re.S)
_AFTER_CALC_PR = re.compile(rb"</(?:\w+:)?(?:definedNames|externalReferences|functionGroups|sheets)>")
_RECALC_ATTRS = re.compile(rb'\s(?:fullCalcOnLoad|forceFullCalc|calcId)="[^"]*"')
_T_ATTR = re.compile(rb'\st="[^"]*"')
_EMPTY_V = re.compile(rb"<(?:\w+:)?v\s*/>")


def encode(value: Any) -> tuple[bytes | None, bytes]:
    """(t attribute or None for a number, <v> content)."""
    if type(value) is float and not math.isfinite(value):
        return b"e", b"#NUM!"  # Excel has no infinity or NaN: its overflow is #NUM!
    if type(value) is float:
        return None, (repr(value).removesuffix(".0") if value.is_integer() and abs(value) < 1e15
                      else repr(value)).encode()
    if isinstance(value, ExcelError):
        return b"e", value.code.encode()
    if isinstance(value, bool):
        return b"b", b"1" if value else b"0"
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            return b"e", b"#NUM!"
        return None, repr(float(value)).removesuffix(".0").encode() if float(value).is_integer() and abs(value) < 1e15 \
            else repr(float(value)).encode()
    return b"str", xml_text(str(value))


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


#: the common formula cell: attributes without ``t``, ``<f…>…</f>`` or ``<f…/>``, then nothing, ``<v/>`` or
#: ``<v>…</v>``; a cell with a t attribute is matched too, and its attributes are cleaned of it
_COMMON = re.compile(rb'<c( [^>/]*)>(<f(?:>[^<]*</f>| [^>/]*(?:/>|>[^<]*</f>)))(?:<v>[^<]*</v>|<v ?/>)?</c>')


def _spliced(xml: bytes, start: int, end: int, t: bytes | None, v: bytes) -> bytes | None:
    """The common formula cell at ``xml[start:end]`` with its new type and value (what :func:`_cell` makes of
    it, byte for byte); None for any other cell."""
    m = _COMMON.match(xml, start, end)
    if m is None or m.end() != end:
        return None
    attrs, formula = m.groups()
    if b't="' in attrs:
        attrs = _T_ATTR.sub(b"", attrs)
    return b"<c" + attrs + (b' t="' + t + b'"' if t else b"") + b">" + formula + b"<v>" + v + b"</v></c>"


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
    if (spill is None or not spill.cells) and _in_order(cells):
        return b"".join(patch_chunks(xml, cells, spill.areas if spill else {}))
    edits = [(start, end, data) for (start, end), value in cells
             if (data := _rewritten(xml, start, end, value, spill)) is not None]
    if spill and spill.cells:
        edits += spills.edits(xml, spill.cells, {e[0] for e in edits}, _new_cell)
    edits.sort(key=lambda e: (e[0], e[1]))  # an insertion before the cell rewritten at the same place
    out, last = [], 0
    for start, end, data in edits:
        out += [xml[last:start], data]
        last = end
    out.append(xml[last:])
    return b"".join(out)


def _in_order(cells: list[tuple[tuple[int, int], Any]]) -> bool:
    """The cells come in the order they stand in the XML (as the scan lists them)."""
    starts = [span[0] for span, _ in cells]
    return starts == sorted(starts)


CHUNK_CELLS = 65_536  # cells per chunk of a rewritten sheet (8 MB at 100k rows): compressed while the next is built


@dataclass
class Encoded:
    """A sheet's formula cells in the order they stand in its XML, with what each one becomes: its new ``t``
    attribute (``b""`` for a number) and its ``<v>…</v></c>`` when encoded ahead (see :func:`encode_column`)
    and the cell can be cut (:attr:`~cellrules.xlsx.reader.FormulaCell.cuts`); else (None) its value, which
    :func:`_rewritten` writes."""

    spans: list[tuple[int, int]]
    cuts: list[tuple[int, int, int] | None]
    tparts: list[bytes | None]
    vparts: list[bytes | None]
    values: dict[int, Any] = field(default_factory=dict)  # by position, for the cells left to the general path

    @classmethod
    def plain(cls, cells: list[tuple[tuple[int, int], Any]]) -> "Encoded":
        """Cells given as (span, value), every one left to the general path."""
        none: list[Any] = [None] * len(cells)
        return cls([span for span, _ in cells], none, none, none, {k: v for k, (_, v) in enumerate(cells)})


_INTEGRAL = re.compile(r"(?m)^(-?\d{1,15})\.0$")  # an integral float below 1e15 is written without ".0"


def encode_column(values: list[Any]) -> tuple[list[bytes | None], list[bytes | None]]:
    """Each value's ``t`` attribute and ``<v>…</v></c>`` (what :func:`encode` makes of it), a column at a time:
    a column of numbers, or of text, in a few passes over one joined string; any other mix value by value.
    None (a cell left empty) is left to the general path."""
    n = len(values)
    kinds = set(map(type, values))
    if n and kinds == {float} and all(map(math.isfinite, values)):
        return [b""] * n, _tails(_INTEGRAL.sub(r"\1", "\n".join(map(float.__repr__, values))).encode(), b"\n")
    if n and kinds == {str}:
        text = "\0".join(values)
        joined = xml_texts(text) if text.count("\0") == n - 1 else None  # no text holds the separator
        if joined is not None:
            return [b' t="str"'] * n, _tails(joined, b"\0")
    tparts: list[bytes | None] = []
    vparts: list[bytes | None] = []
    for value in values:
        if value is None:
            tparts.append(None)
            vparts.append(None)
            continue
        t, v = encode(value)
        tparts.append(b' t="' + t + b'"' if t else b"")
        vparts.append(b"<v>" + v + b"</v></c>")
    return tparts, vparts


def _tails(joined: bytes, sep: bytes) -> list[bytes | None]:
    return (b"<v>" + joined.replace(sep, b"</v></c>" + sep + b"<v>") + b"</v></c>").split(sep)  # type: ignore


def patch_chunks(xml: bytes, cells: list[tuple[tuple[int, int], Any]],
                 areas: dict[int, tuple[int, int, int, int]]) -> Iterator[bytes]:
    """:func:`patch_sheet` in one pass for cells in the order they stand (see :func:`_in_order`), as chunks."""
    return splice(xml, Encoded.plain(cells), areas)


def splice(xml: bytes, cells: Encoded, areas: dict[int, tuple[int, int, int, int]] | None = None) -> Iterator[bytes]:
    """The sheet with every cell of ``cells`` (in the order they stand) rewritten, as chunks: an encoded cell
    from its cuts and parts, any other by :func:`_rewritten` (``areas``: dynamic arrays' new ranges)."""
    out: list[bytes] = []
    last = 0
    spill = Spill(areas) if areas else None
    for k, ((start, end), cut, t, v) in enumerate(zip(cells.spans, cells.cuts, cells.tparts, cells.vparts)):
        if cut is not None and t is not None and v is not None:
            head, resume, f_end = cut
            out += (xml[last:head], t, xml[resume:f_end], v)
        else:
            data = _rewritten(xml, start, end, cells.values.get(k), spill)
            if data is None:
                continue
            out += (xml[last:start], data)
        last = end
        if len(out) >= 4 * CHUNK_CELLS:
            yield b"".join(out)
            out = []
    out.append(xml[last:])
    yield b"".join(out)


def _rewritten(xml: bytes, start: int, end: int, value: Any, spill: Spill | None) -> bytes | None:
    """The new bytes of the cell at ``xml[start:end]``; None when no cell stands there."""
    if value is not None and (spill is None or start not in spill.areas):
        data = _spliced(xml, start, end, *encode(value))
        if data is not None:
            return data
    m = CELL_RE.match(xml, start)
    if m is None or m.end() != end:
        return None
    return _cell(m, value, spill.areas.get(start) if spill else None)


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
        closing = re.match(rb"</(\w+:)?", last.group(0))
        prefix = (closing.group(1) if closing else None) or b""
        element = b"<" + prefix + b'calcPr calcId="%d"/>' % EXCEL_CALC_ID
        return workbook_xml[:last.end()] + element + workbook_xml[last.end():]
    prefix = m.group("p") or b""
    attrs = _RECALC_ATTRS.sub(b"", m.group("attrs"))
    element = b"<" + prefix + b'calcPr calcId="%d"' % EXCEL_CALC_ID + attrs + b"/>"
    return workbook_xml[:m.start()] + element + workbook_xml[m.end():]


def write(package: Package, results: "dict[str, list[tuple[tuple[int, int], Any]] | Encoded]", target: str,
          spilled: dict[str, Spill] | None = None, properties: dict[str, str] | None = None) -> None:
    """Write the package with new cached values to ``target`` (atomically), Excel told to show them, and
    ``properties`` as cellrules' custom document properties."""
    parts: dict[str, Transform] = {WORKBOOK_PART: keep_cached_values}
    added = _properties(package, parts, properties) if properties else {}
    known: dict[str, bytes] = {}
    for part, cells in results.items():
        if cells.spans if isinstance(cells, Encoded) else cells:
            parts[part] = _sheet_patch(cells, (spilled or {}).get(part))
            if part in package.raw:
                known[part] = package.raw[part]
    write_parts(package.path, parts, target, known, added)


def _properties(package: Package, parts: dict[str, Transform], properties: dict[str, str]) -> dict[str, bytes]:
    """Set up the custom properties: the part rewritten where the package has it, else added with its
    content type and relationship (none when a custom-properties part lives elsewhere: left as it is)."""
    names = {info.filename for info in package.members}
    if docprops.PART in names:
        parts[docprops.PART] = lambda data: docprops.custom_part(data, properties)
        return {}
    if docprops.PACKAGE_RELS not in names or docprops.CONTENT_TYPES not in names:
        return {}
    with zipfile.ZipFile(package.path) as source:
        if docprops.REL_TYPE.encode() in source.read(docprops.PACKAGE_RELS):
            return {}
    parts[docprops.CONTENT_TYPES] = docprops.content_types
    parts[docprops.PACKAGE_RELS] = docprops.package_rels
    return {docprops.PART: docprops.custom_part(None, properties)}


def _sheet_patch(cells: "list[tuple[tuple[int, int], Any]] | Encoded", spill: Spill | None) -> Transform:
    """How one worksheet part gets its new values: spliced in stream order when it can be, else patched."""
    if isinstance(cells, Encoded):  # made only for a sheet without spills
        return lambda data: splice(data, cells)
    if (spill is None or not spill.cells) and _in_order(cells):
        return lambda data: patch_chunks(data, cells, spill.areas if spill else {})
    return lambda data: patch_sheet(data, cells, spill)
