"""Moving a workbook between the two add-ins: ``cellrules convert``.

Owns the rewrite of every cellrules call in a package's formulas (cell
formulas and defined names) into one flavour's spelling — plain ``TIER``
for the xlwings add-in, ``_xldudf_CELLRULES_TIER`` (shown as
``CELLRULES.TIER``) for the Office.js add-in — keeping every other byte,
the cached values included. Written like a recalculation: to a temporary
file, then renamed.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from cellrules import functions  # noqa: F401  (fills the registry)
from cellrules import spelling
from cellrules.xlsx import reader as xlsx, zipwrite
from cellrules.registry import REGISTRY

_FORMULA = re.compile(rb"(<(?:\w+:)?(?:f|definedName)\b[^>]*>)(.*?)(</(?:\w+:)?(?:f|definedName)>)", re.S)


@dataclass
class Converted:
    """What ``cellrules convert`` did to one workbook: where it wrote and how many calls it respelt."""

    path: str
    target: str
    formulas: int = 0  # formulas whose spelling changed


def _rewrite_part(xml: bytes, flavour: str, counter: Converted) -> bytes:
    def one(m: re.Match[bytes]) -> bytes:
        text = html.unescape(m.group(2).decode("utf-8"))
        new = spelling.rewrite(text, flavour, REGISTRY)
        if new == text:
            return m.group(0)
        counter.formulas += 1
        return m.group(1) + escape(new).encode("utf-8") + m.group(3)

    return _FORMULA.sub(one, xml)


def convert_file(path: str, target: str, flavour: str) -> Converted:
    """Write ``path`` to ``target`` with every cellrules call spelt for ``flavour`` ("xlwings" or "officejs")."""
    if flavour not in spelling.FLAVOURS:
        raise ValueError(f"unknown add-in {flavour!r}; one of {', '.join(spelling.FLAVOURS)}")
    package = xlsx.read(path)
    done = Converted(path, target)
    parts: dict[str, zipwrite.Transform] = {
        part: (lambda data: _rewrite_part(data, flavour, done))
        for part in [s.part for s in package.sheets] + [xlsx.WORKBOOK_PART]}
    zipwrite.write_parts(path, parts, target)
    return done
