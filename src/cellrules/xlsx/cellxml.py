"""The vocabulary of a sheet's cell XML, shared by the scanners.

Owns what a scanned cell is (:class:`FormulaCell`, :class:`ArrayMember`,
:class:`Sheet`), how the text of a ``<v>`` becomes a value of its cell type,
how XML references in text are resolved (one cell, or many at once), the
OOXML escapes of characters XML cannot hold (``_x000D_``, both ways), and
column letters as numbers.
"""
from __future__ import annotations

import html
import re
from xml.sax.saxutils import escape
from dataclasses import dataclass, field
from typing import Any

from cellrules.errors import CODES, ExcelError
from cellrules.xlsx.cells import Cells
from cellrules.xlsx.serials import date_text
from cellrules.xlsx.addresses import col_index


@dataclass(slots=True)
class FormulaCell:
    """One formula cell as read: where, its text (shared formulas expanded later) and where its value is written."""

    row: int
    col: int
    text: str | None  # None: a follower of a shared formula
    shared: str | None  # the shared-formula group id
    shared_ref: str | None  # the master's ref attribute
    cached: Any
    span: tuple[int, int] = (0, 0)  # where the <c> element stands in the sheet XML (for the write-back)
    array: tuple[int, int, int, int] | None = None  # an array formula's range (r1, c1, r2, c2), master first
    dynamic: bool = False  # a dynamic-array formula (Excel 365: the cell carries cell metadata, cm="…"): it spills
    #: for the common cell (``<c r=… [s=…] [t=…]><f>…</f>[<v…>]</c>``), where the write-back cuts it: the end of
    #: its attributes other than ``t``, where the rest of its start tag resumes after ``t``, and the end of its
    #: ``</f>`` (the new cell is the first part, the new ``t``, the second part and the new ``<v>``)
    cuts: tuple[int, int, int] | None = None


@dataclass(slots=True)
class ArrayMember:
    """A cell of a multi-cell array formula other than its master: no <f>, a value the master computes."""

    row: int
    col: int
    cached: Any
    span: tuple[int, int]


@dataclass
class Sheet:
    """One worksheet as read: its part, values, formula cells and array members."""

    name: str
    part: str  # zip member name
    values: Cells = field(default_factory=Cells)  # by (row, col), kept column by column
    formulas: list[FormulaCell] = field(default_factory=list)
    array_members: list[ArrayMember] = field(default_factory=list)
    max_row: int = 0
    max_col: int = 0
    hidden_rows: frozenset[int] = frozenset()  # rows hidden by hand or by a filter (SUBTOTAL 101-111 skips them)
    filterable_rows: frozenset[int] = frozenset()  # those a filter would hide (not given their own height)
    filtered_rows: frozenset[int] = frozenset()  # those a filter hides (every SUBTOTAL skips them)


_XML_ENTITIES = ((b"&lt;", b"<"), (b"&gt;", b">"), (b"&quot;", b'"'), (b"&apos;", b"'"), (b"&amp;", b"&"))


def _decode_xml(raw: bytes) -> str:
    """Text of the XML with its references resolved: the five named entities by replacement (``&amp;`` last:
    ``&amp;lt;`` is ``&lt;``; only those present), anything else (character references) by
    :func:`html.unescape`."""
    if b"&" not in raw:
        return raw.decode("utf-8")
    rest, found = raw.count(b"&"), []
    for name, char in _XML_ENTITIES:
        k = raw.count(name)
        if k:
            found.append((name, char))
            rest -= k
    if rest:
        return html.unescape(raw.decode("utf-8"))
    for name, char in found:
        raw = raw.replace(name, char)
    return raw.decode("utf-8")


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
#: what Excel writes as _xHHHH_ (ECMA-376 Part 1, 22.9.2.19 ST_Xstring): characters XML 1.0 cannot hold, a
#: carriage return (which XML would turn into a line feed), and the "_" that starts text looking like an escape
_UNWRITABLE = "\x0b-\x1f\ufffe\uffff\ud800-\udfff"  # with \x00-\x08: what XML cannot hold, and CR
_NEEDS_ESCAPE = re.compile(f"[\x00-\x08{_UNWRITABLE}]|_(?=x[0-9A-Fa-f]{{4}}_)")


def decode(raw: bytes) -> str:
    """Text of the XML: references resolved (:func:`_decode_xml`), then OOXML's ``_xHHHH_`` escapes."""
    return unescape(_decode_xml(raw))


def unescape(text: str) -> str:
    """A text with OOXML's ``_xHHHH_`` escapes read (``_x0001_`` is U+0001, ``_x005F_`` a literal "_")."""
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


_NEEDS_ESCAPE_BUT_NUL = re.compile(f"[\x01-\x08{_UNWRITABLE}]|_(?=x[0-9A-Fa-f]{{4}}_)")


def xml_texts(joined: str) -> bytes | None:
    """:func:`xml_text` of texts joined by NUL, the NULs kept as separators; None when a text needs an OOXML
    escape (then each is written by :func:`xml_text`)."""
    if _NEEDS_ESCAPE_BUT_NUL.search(joined):
        return None
    if "&" in joined or "<" in joined or ">" in joined:
        joined = escape(joined)
    return joined.encode("utf-8")


def xml_text(text: str) -> bytes:
    """Text as it is written into a cell's XML: ``&``, ``<``, ``>`` as entities, and every character XML cannot
    hold as Excel writes it (``_x0001_``; a carriage return ``_x000D_``), so the part stays well-formed."""
    if _NEEDS_ESCAPE.search(text):
        text = _NEEDS_ESCAPE.sub(lambda m: "_x005F_" if m.group() == "_" else f"_x{ord(m.group()):04X}_", text)
    if "&" in text or "<" in text or ">" in text:
        text = escape(text)
    return text.encode("utf-8", "surrogatepass")


def decode_all(raws: list[bytes]) -> list[str]:
    """:func:`decode` of each, in one pass over them joined (formulas hold no NUL; else one by one)."""
    joined = b"\0".join(raws)
    if joined.count(b"\0") != len(raws) - 1:
        return [decode(raw) for raw in raws]
    return decode(joined).split("\0") if raws else []


def typed(t: bytes | None, raw: bytes, strings: list[str]) -> Any:
    """The value of a ``<v>`` whose content is ``raw``, in a cell of type ``t`` (None: no t attribute, a number
    when it reads as one)."""
    if t == b"n":
        try:
            return float(raw)
        except ValueError:
            return decode(raw)
    if t == b"inlineStr":
        return ""  # an inline-string cell keeps its text in <is>, not in <v>
    if t == b"s":
        index = int(raw)
        return strings[index] if 0 <= index < len(strings) else ExcelError("#REF!", "missing shared string")
    if t == b"str":
        return decode(raw)
    if t == b"b":
        return raw.strip() in (b"1", b"true")
    if t == b"e":
        code = decode(raw)
        return ExcelError(code if code in CODES else "#VALUE!", "error value stored in the file")
    if t == b"d":
        text = decode(raw)
        got = date_text(text)
        return ExcelError("#VALUE!", f"'{text}' is not a date Excel reads") if got is None else got
    try:
        return float(raw)
    except ValueError:
        return decode(raw)


COLUMNS: dict[bytes, int] = {}  # column letters seen, as numbers


def column(letters: bytes) -> int:
    """``b"AB"`` as 28 (remembered: a sheet names the same few columns over and over)."""
    index = COLUMNS.get(letters)
    if index is None:
        index = COLUMNS[letters] = col_index(letters.decode())
    return index


def cut_points(f_start: int, f_end: int, t: bytes | None) -> tuple[int, int, int]:
    """:attr:`FormulaCell.cuts` of a common formula cell whose ``<f>`` text spans ``f_start:f_end`` and whose
    ``t`` attribute, if any, stands last in its start tag (written ``␣t="…"``, just before ``>``)."""
    return f_start - 4 - (len(t) + 5 if t is not None else 0), f_start - 4, f_end + 4


def cached(t: bytes | None, raw: bytes | None, strings: list[str]) -> Any:
    """A formula cell's cached value: its ``<v>`` content ``raw`` read as type ``t`` (a number by default), None
    when it has none."""
    return None if raw is None else typed(t or b"n", raw, strings)
