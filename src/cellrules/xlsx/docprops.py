"""Custom document properties: where a recalculated workbook says which policies produced it.

Owns the ``docProps/custom.xml`` part (OOXML Part 1 §15.2.12.2, custom file properties): our properties
(named ``cellrules.…``, text values of at most 255 characters, as Excel keeps them) replace any earlier
ones of ours and leave every other property as it was; when the package has no such part, the part, its
content-type override and its package relationship are added. Excel shows them under File › Info ›
Properties › Advanced Properties › Custom; openpyxl reads them as ``wb.custom_doc_props``.
"""
from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

PART = "docProps/custom.xml"
CONTENT_TYPES = "[Content_Types].xml"
PACKAGE_RELS = "_rels/.rels"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the format id every custom property carries
PREFIX = "cellrules."
MAX_TEXT = 255  # characters Excel keeps in a text property

_PROPERTY = re.compile(rb"<(?:\w+:)?property\b[^>]*?\bname=\"(?P<name>[^\"]*)\"[^>]*?(?:/>|>.*?</(?:\w+:)?property>)", re.S)
_PID = re.compile(rb"\bpid=\"(\d+)\"")
_END = re.compile(rb"</(?:\w+:)?Properties>\s*$")
VT_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_EMPTY = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' \
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" ' \
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"></Properties>'


def fit(text: str) -> str:
    """A value Excel keeps whole: longer ones keep their end (a path's useful part) after an ellipsis."""
    return text if len(text) <= MAX_TEXT else "…" + text[-(MAX_TEXT - 1):]


def custom_part(existing: bytes | None, properties: dict[str, str]) -> bytes:
    """``docProps/custom.xml`` with ``properties`` (names without the prefix) as ours, others kept."""
    xml = existing or _EMPTY
    xml = _PROPERTY.sub(lambda m: b"" if m.group("name").decode("utf-8", "replace").startswith(PREFIX) else m.group(0),
                        xml)
    pid = max([int(p) for p in _PID.findall(xml)] + [1])
    declare = b"" if b'xmlns:vt="' + VT_NS + b'"' in xml else b' xmlns:vt="' + VT_NS + b'"'
    added = []
    for name, value in properties.items():
        pid += 1
        added.append(b'<property fmtid="%s" pid="%d" name=%s><vt:lpwstr%s>%s</vt:lpwstr></property>'
                     % (FMTID.encode(), pid, quoteattr(PREFIX + name).encode("utf-8"), declare,
                        escape(fit(value)).encode("utf-8")))
    end = _END.search(xml)
    if end is None:  # a self-closed or unreadable part: ours replaces it
        return custom_part(None, properties)
    return xml[:end.start()] + b"".join(added) + xml[end.start():]


def content_types(xml: bytes) -> bytes:
    """The content types with an override for the custom properties part (if it has none)."""
    if b'PartName="/' + PART.encode() + b'"' in xml:
        return xml
    override = b'<Override PartName="/%s" ContentType="%s"/>' % (PART.encode(), CONTENT_TYPE.encode())
    return re.sub(rb"</(\w+:)?Types>", lambda m: override + m.group(0), xml, count=1)


def package_rels(xml: bytes) -> bytes:
    """The package relationships with one to the custom properties part (if it has none)."""
    if REL_TYPE.encode() in xml:
        return xml
    ids = set(re.findall(rb'\bId="([^"]*)"', xml))
    n = 1
    while b"rIdCellrules%d" % n in ids:
        n += 1
    rel = b'<Relationship Id="rIdCellrules%d" Type="%s" Target="%s"/>' % (n, REL_TYPE.encode(), PART.encode())
    return re.sub(rb"</(\w+:)?Relationships>", lambda m: rel + m.group(0), xml, count=1)
