"""Rows read a column at a time (row templates) give exactly what the cell-by-cell scan gives.

Each sheet is scanned twice, with and without row templates, and everything the scan records must be equal:
values, formula cells (texts, shared ids, cached values, array ranges, where each cell stands and where the
write-back cuts it) and array members. Sheets: the Excel-saved and vendored workbooks, the shipped templates,
and sheets Hypothesis writes from rows of many kinds (with chunks of a few rows, so that runs are cut).
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from cellrules.xlsx import rowscan, reader as xlsx
from cellrules.xlsx.addresses import col_letters

ORACLE = Path(__file__).parent / "oracle"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "oracle"
TEMPLATES = Path(__file__).resolve().parents[1] / "workbook_templates"
WORKBOOKS = sorted(ORACLE.glob("*.xlsx")) + sorted(SHARED.glob("*.xlsx")) + sorted(TEMPLATES.glob("*.xlsx"))
STRINGS = [f"s{i}" for i in range(5)]


def _sheets(path: Path) -> list[tuple[str, bytes]]:
    try:
        with zipfile.ZipFile(path) as zf:
            return [(n, zf.read(n)) for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    except (zipfile.BadZipFile, OSError):
        return []  # the fuzzers' broken packages have no sheet to compare


def _recorded(sheet: xlsx.Sheet) -> tuple:
    return (sorted(sheet.values.items(), key=lambda kv: kv[0]),
            [(f.row, f.col, f.text, f.shared, f.shared_ref, f.cached, f.span, f.array, f.dynamic, f.cuts)
             for f in sheet.formulas],
            [(m.row, m.col, m.cached, m.span) for m in sheet.array_members], sheet.max_row, sheet.max_col)


def _extent(sheet: xlsx.Sheet) -> tuple[int, int]:
    """The definition: the last row and the last column holding a value or a formula."""
    cells = list(sheet.values) + [(f.row, f.col) for f in sheet.formulas]
    return max((r for r, _ in cells), default=0), max((c for _, c in cells), default=0)


def _both(xml: bytes) -> tuple[tuple, tuple]:
    one, other = xlsx.Sheet("S", "p"), xlsx.Sheet("S", "p")
    xlsx.scan_sheet(one, xml, STRINGS, rows_at_once=False)
    xlsx.scan_sheet(other, xml, STRINGS)
    assert (one.max_row, one.max_col) == _extent(one) and (other.max_row, other.max_col) == _extent(other)
    return _recorded(one), _recorded(other)


def _rows_in_runs(xml: bytes) -> int:
    return sum(len(run.matches) for run in rowscan.runs(xml))


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_rows_read_at_once_are_the_rows_read_cell_by_cell(path, monkeypatch):
    monkeypatch.setattr(rowscan, "CHUNK", 3)  # runs cut every three rows: chunk boundaries everywhere
    monkeypatch.setattr(rowscan, "REPAY", 0)  # templates even for the smallest sheets
    for part, xml in _sheets(path):
        try:
            xlsx.scan_sheet(xlsx.Sheet("S", part), xml, STRINGS, rows_at_once=False)
        except (xlsx.PackageError, ValueError, UnicodeDecodeError):
            continue  # a sheet the scan refuses either way (tested elsewhere)
        cell_by_cell, at_once = _both(xml)
        assert cell_by_cell == at_once, part


def test_the_excel_saved_workbooks_are_mostly_read_a_run_at_a_time(monkeypatch):
    monkeypatch.setattr(rowscan, "REPAY", 0)  # they are small: here templates are made even so
    rows = [(xml.count(b"<row "), _rows_in_runs(xml)) for path in WORKBOOKS for _, xml in _sheets(path)]
    total, in_runs = sum(r for r, _ in rows), sum(r for _, r in rows)
    assert total > 10_000 and in_runs > total / 2, (in_runs, total)


# cells of every kind the scan reads, {r} standing for the row number
CELLS = [
    '<c r="{c}{r}"><v>{n}</v></c>', '<c r="{c}{r}" s="2" t="n"><v>{n}</v></c>', '<c r="{c}{r}" t="s"><v>{i}</v></c>',
    '<c r="{c}{r}" t="s"><v>9</v></c>', '<c r="{c}{r}" t="str"><v>a&amp;b&#x41;</v></c>',
    '<c r="{c}{r}" t="str"><v>{n}</v></c>', '<c r="{c}{r}" t="b"><v>1</v></c>', '<c r="{c}{r}" t="e"><v>#N/A</v></c>', '<c r="{c}{r}"><v>x{n}</v></c>',
    '<c r="{c}{r}" t="inlineStr"><is><t>in&lt;{n}</t></is></c>',
    '<c r="{c}{r}" t="inlineStr"><is><t xml:space="preserve"> p </t></is></c>',
    '<c r="{c}{r}" t="str"><is><t>not inline</t></is></c>', '<c r="{c}{r}" s="4"/>', '<c r="{c}{r}" t="n"/>',
    '<c r="{c}{r}"><f>A{r}*2</f><v>{n}</v></c>', '<c r="{c}{r}"><f>A{r}&gt;1</f><v /></c>',
    '<c r="{c}{r}" t="str"><f>"x"&amp;A{r}</f><v>x</v></c>', '<c r="{c}{r}" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
    '<c r="{c}{r}" s="1" t="b"><f>A{r}&gt;0</f><v>0</v></c>', '<c r="{c}{r}"><f>A{r}</f></c>',
    '<c r="{c}{r}"><f t="shared" si="0"/><v>{n}</v></c>', '<c r="{c}{r}" t="str"><f t="shared" si="1"/><v>s</v></c>',
    '<c r="{c}{r}"><f t="shared" si="0"/></c>', '<c r="{c}{r}"><f t="shared" ref="{c}{r}:{c}90" si="2">B{r}</f></c>',
    '<c r="{c}{r}"><f t="array" ref="{c}{r}:{c}{r2}">A1:A3</f><v>1</v></c>',
    '<c r="{c}{r}" cm="1"><f t="array" ref="{c}{r}:{c}{r2}">A1:A3</f><v>1</v></c>',
    '<c r="{c}{r}" t="n" cm="1"><f>A1</f><v>2</v></c>', '<c r="{c}{r0}"><v>7</v></c>', '<x:c r="{c}{r}"><x:v>3</x:v></x:c>',
    '<c r="{c}{r}">\n  <v>{n}</v>\n</c>', '<c t="n" r="{c}{r}"><v>{n}</v></c>', '<c r="{c}{r}" t="d"><v>2024-01-31</v></c>',
]
ROW_HEADS = ['<row r="{r}">', '<row r="{r}" spans="1:4" x14ac:dyDescent="0.25">', '<row ht="20" r="{r}">', "<row>"]
BETWEEN = ["", "", "", "\n  ", "<!-- a comment -->"]


@st.composite
def sheets(draw) -> bytes:
    """A sheet of a few row structures, each repeated for a while, with odd rows and cells among them."""
    structures = draw(st.lists(st.lists(st.integers(0, len(CELLS) - 1), min_size=0, max_size=5), min_size=1,
                               max_size=4))
    out, r = [], 1
    for _ in range(draw(st.integers(1, 8))):
        cells = draw(st.sampled_from(structures))
        head = draw(st.sampled_from(ROW_HEADS[:3]) if draw(st.integers(0, 9)) else st.sampled_from(ROW_HEADS))
        for _ in range(draw(st.integers(1, 12))):
            body = "".join(CELLS[k].format(c="ABCDEFGHIJ"[j], r=r, r0=r + 1, r2=r + 2, n=r * 1.5, i=r % 5)
                           for j, k in enumerate(cells))
            out.append(head.format(r=r) + body + "</row>" + draw(st.sampled_from(BETWEEN)))
            r += draw(st.sampled_from([1, 1, 1, 2]))
    return ("<worksheet><sheetData>" + "".join(out) + "</sheetData></worksheet>").encode()


@settings(max_examples=400, deadline=None)
@given(sheets(), st.sampled_from([1, 2, 5, 4096]))
def test_generated_sheets_read_at_once_are_read_as_cell_by_cell(xml, chunk):
    saved = rowscan.CHUNK, rowscan.REPAY
    rowscan.CHUNK, rowscan.REPAY = chunk, 0
    try:
        cell_by_cell, at_once = _both(xml)
    finally:
        rowscan.CHUNK, rowscan.REPAY = saved
    assert cell_by_cell == at_once


def test_a_regular_block_after_odd_rows_is_found_and_read_whole():
    odd = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>h{r}</t></is></c>' + "<c r=\"B{0}\"/>".format(r) * (r % 2)
                  + "</row>" for r in range(1, 40))
    regular = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><f>A{r}*2</f><v/></c></row>'
                      for r in range(40, 5040))
    xml = f"<worksheet><sheetData>{odd}{regular}</sheetData></worksheet>".encode()
    # the attempts on the odd rows wait longer each time (1, 2, 4 … rows): never longer than the odd rows before
    assert _rows_in_runs(xml) >= 5000 - 39
    cell_by_cell, at_once = _both(xml)
    assert cell_by_cell == at_once
    sheet = xlsx.Sheet("S", "p")
    xlsx.scan_sheet(sheet, xml, [])
    assert sheet.values[(5039, 1)] == 5039.0 and sheet.formulas[-1].text == "A5039*2"
    assert xml[slice(*sheet.formulas[-1].span)] == b'<c r="B5039"><f>A5039*2</f><v/></c>'


def test_an_array_formulas_range_keeps_its_rows_from_being_read_at_once():
    rows = ['<row r="1"><c r="A1"><f t="array" ref="A1:A30">ROW(1:30)</f><v>1</v></c></row>']
    rows += [f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, 60)]
    xml = ("<worksheet><sheetData>" + "".join(rows) + "</sheetData></worksheet>").encode()
    cell_by_cell, at_once = _both(xml)
    assert cell_by_cell == at_once
    sheet = xlsx.Sheet("S", "p")
    xlsx.scan_sheet(sheet, xml, [])
    assert [m.row for m in sheet.array_members] == list(range(2, 31))  # members of the array, read one by one
    assert sheet.values[(59, 1)] == 59.0


def test_a_small_sheet_of_wide_rows_is_not_given_a_template(monkeypatch):
    """Compiling a template costs about 0.2 ms a cell: 40 rows of 300 cells are scanned faster than that.
    (The compiled templates are a process-wide cache: another test's may be there already, so it starts empty.)"""
    monkeypatch.setattr(rowscan, "_TEMPLATES", {})
    def row(r: int) -> str:
        return f'<row r="{r}">' + "".join(f'<c r="{col_letters(c)}{r}"><v>{c}</v></c>' for c in range(1, 301)) \
            + "</row>"
    small = ("<worksheet><sheetData>" + "".join(row(r) for r in range(1, 41)) + "</sheetData></worksheet>").encode()
    assert list(rowscan.runs(small)) == [] and rowscan.signature(small, small.index(b"<row"))[0] not in rowscan._TEMPLATES
    large = ("<worksheet><sheetData>" + "".join(row(r) for r in range(1, 201)) + "</sheetData></worksheet>").encode()
    assert sum(len(run.matches) for run in rowscan.runs(large)) == 200  # 200 rows repay it
    cell_by_cell, at_once = _both(small)
    assert cell_by_cell == at_once and len(at_once[0]) == 40 * 300
