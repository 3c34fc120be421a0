"""The number format a cell is shown with: its style's ``numFmt`` (ECMA-376 §18.8.30 and §18.8.31).

Owns reading ``xl/styles.xml`` (the workbook's own format codes and, per cell style, the format it uses) and
the ``s`` attribute of given cells, so a report shows a changed value as the workbook shows it (``#,##0.00``,
``0.0%``, a date) rather than as a bare float. Only read on demand, for the cells asked about.
"""
from __future__ import annotations

import re
from typing import Any

from cellrules.xlsx.addresses import address
from cellrules.xlsx.guards import PackageError, open_package

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
#: the formats every workbook has without writing them (ECMA-376 §18.8.30; the locale's currency as $)
BUILT_IN = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 5: "$#,##0_);($#,##0)",
    6: "$#,##0_);[Red]($#,##0)", 7: "$#,##0.00_);($#,##0.00)", 8: "$#,##0.00_);[Red]($#,##0.00)", 9: "0%",
    10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "m/d/yyyy", 15: "d-mmm-yy", 16: "d-mmm",
    17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yyyy h:mm",
    37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)",
    45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}
_CELL = re.compile(rb'<c\s[^>]*?\br="([A-Z]{1,3}[0-9]+)"[^>]*>|<c\s[^>]*>')
_STYLE = re.compile(rb'\bs="([0-9]+)"')


def styles(path: str) -> list[str]:
    """The format code of each cell style (``cellXfs``, by index) of the workbook at ``path``."""
    from defusedxml import ElementTree as SafeET  # as the reader parses every part: no DTDs, no entities
    with open_package(path) as zf:
        if "xl/styles.xml" not in zf.namelist():
            return []
        try:
            root = SafeET.fromstring(zf.read("xl/styles.xml"))
        except Exception as exc:
            raise PackageError(f"xl/styles.xml: {type(exc).__name__}: {exc}") from None
    own = {int(n.get("numFmtId", "-1")): n.get("formatCode") or "General" for n in root.iter(f"{NS}numFmt")
           if (n.get("numFmtId") or "").isdigit()}
    xfs = root.find(f"{NS}cellXfs")
    out = []
    for xf in xfs.iter(f"{NS}xf") if xfs is not None else ():
        found = xf.get("numFmtId") or "0"
        number = int(found) if found.isdigit() else 0
        out.append(own.get(number) or BUILT_IN.get(number, "General"))
    return out


def cell_formats(path: str, raw: dict[str, bytes], wanted: dict[str, set[tuple[int, int]]],
                 spans: dict[tuple[str, int, int], tuple[int, int]] | None = None) -> dict[tuple[str, int, int], str]:
    """The format code of each wanted cell, by (sheet part, row, column): ``raw`` holds each sheet part's XML
    as read, ``spans`` where a cell's ``<c>`` element stands in it (read there; the others found by a scan);
    a cell without a style, or one not found, is "General"."""
    codes = styles(path)
    out: dict[tuple[str, int, int], str] = {}

    def record(place: tuple[str, int, int], element: bytes) -> None:
        style = _STYLE.search(element[: element.find(b">") + 1])
        index = int(style.group(1)) if style else 0
        out[place] = codes[index] if index < len(codes) else "General"
    for part, cells in wanted.items():
        xml = raw.get(part, b"")
        rest = {}
        for r, c in cells:
            span = spans.get((part, r, c)) if spans else None
            if span is not None:
                record((part, r, c), xml[span[0]: span[1]])
            else:
                rest[address(r, c)] = (r, c)
        for match in _CELL.finditer(xml) if rest else ():
            place = rest.get(match.group(1).decode("ascii")) if match.group(1) else None
            if place is not None:
                record((part, *place), match.group(0))
    return out


def shown(value: Any, code: str, format_value: Any) -> str | None:
    """``value`` as a cell of format ``code`` shows it (``format_value``: the TEXT function's formatter), or
    None where the format says nothing a plain number would not (General, text, no number)."""
    if code in ("General", "@") or not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    found = format_value(value, code)
    return found if isinstance(found, str) else None
