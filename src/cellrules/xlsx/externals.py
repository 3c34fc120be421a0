"""Links to other workbooks, as Excel saved them: the values it last read from each.

Owns :func:`external_books`: each ``xl/externalLinks/externalLinkN.xml`` a workbook lists (``[1]`` in a formula
is the first ``<externalReference>``), read as the sheets ``[1]Sheet4`` … holding the cells Excel cached from
that book (``<sheetDataSet>``), and its defined names as ``[1]!Name`` (workbook scope) or scoped to
``[1]Sheet``. A headless recalculation cannot open the other book, so it reads what Excel last read, as
Excel itself does when a link is not updated; a cell Excel did not cache is blank there, and a sheet it
could not refresh (``refreshError``) is not there at all (a reference into it is #REF!, as Excel shows).
"""
from __future__ import annotations

import zipfile
from typing import Any, Callable

from cellrules.xlsx.addresses import col_index

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

Sheets = dict[str, dict[tuple[int, int], Any]]  # "[1]Sheet4" -> (row, col) -> value
Names = dict[tuple[str | None, str], str]  # (scope or None, NAME) -> formula text, as the workbook's names


def external_books(zf: zipfile.ZipFile, book: Any, rels: dict[str, str],
                   xml: Callable[[zipfile.ZipFile, str], Any]) -> tuple[Sheets, Names]:
    """The cached sheets and the names of every linked workbook, by their ``[n]`` prefix."""
    sheets: Sheets = {}
    names: Names = {}
    refs = book.find(f"{{{NS_MAIN}}}externalReferences")
    for n, ref in enumerate(refs if refs is not None else [], start=1):
        part = rels.get(ref.get(f"{{{NS_REL}}}id", ""), "")
        if part not in zf.namelist():
            continue
        linked = xml(zf, part).find(f"{{{NS_MAIN}}}externalBook")
        if linked is None:
            continue
        titles = [s.get("val", "") for s in linked.iter(f"{{{NS_MAIN}}}sheetName")]
        for data in linked.iter(f"{{{NS_MAIN}}}sheetData"):
            i = int(data.get("sheetId", "-1"))
            if 0 <= i < len(titles) and data.get("refreshError") not in ("1", "true"):  # unread: no sheet, #REF!
                sheets[f"[{n}]{titles[i]}"] = _cells(data)
        for node in linked.iter(f"{{{NS_MAIN}}}definedName"):
            scope = node.get("sheetId")
            key = f"[{n}]{titles[int(scope)]}" if scope is not None and int(scope) < len(titles) else None
            name = (node.get("name") or "").upper()
            names[(key, name) if key else (None, f"[{n}]!{name}")] = _in_book(node.get("refersTo") or "", n)
    return sheets, names


def _cells(data: Any) -> dict[tuple[int, int], Any]:
    out: dict[tuple[int, int], Any] = {}
    for cell in data.iter(f"{{{NS_MAIN}}}cell"):
        ref, value = cell.get("r", ""), cell.find(f"{{{NS_MAIN}}}v")
        letters = ref.rstrip("0123456789")
        if not letters or value is None or value.text is None:
            continue
        kind = cell.get("t", "n")
        text = value.text
        out[(int(ref[len(letters):]), col_index(letters))] = \
            text if kind in ("str", "s", "inlineStr") else (text == "1") if kind == "b" else _number(text)
    return out


def _number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def _in_book(refers: str, n: int) -> str:
    """A linked book's name formula with its sheets named as this workbook sees them (``'[1]Defines'!$B$2``)."""
    text = refers.lstrip("=")
    if "!" not in text:
        return text
    sheet, rest = text.split("!", 1)
    sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
    return "'[" + str(n) + "]" + sheet.replace("'", "''") + "'!" + rest
