"""Arguments given as cell references, formulas filled down a column, and what a written cell may hold —
each case once a silent wrong answer or a corrupt file (issue 27). Expected values are Excel's documented
results for the data below; every book is written, recalculated headless and read back."""
from __future__ import annotations

import zipfile

import openpyxl
import pytest

from cellrules.recalc.batch.run import recalc_file
from cellrules.xlsx import reader

ROWS = [(1, "x", 10, "23", 5), (2, "y", 20, 23, 6), (3, "z", 30, "a", 7), (2, "", 40, None, 8)]
CASES = {  # formula filled down rows 2..5 -> Excel's value in each row
    "=CHOOSE(A{r},C2,C3,C4)": [10, 20, 30, 20],
    "=SUM(CHOOSE(A{r},C2:C3,C3:C4,C4:C5))": [30, 50, 70, 50],
    "=TYPE(B{r})": [2, 2, 2, 2],  # B5 holds "" written as text by openpyxl? no: None -> blank -> 1 (see below)
    "=TYPE(C2:C3)": [64] * 4,
    "=LOOKUP(A{r},A$2:A$4,C$2:C$4)": [10, 20, 30, 20],
    "=MINIFS(C$2:C$5,A$2:A$5,A{r})": [10, 20, 30, 20],
    "=MAXIFS(C$2:C$5,A$2:A$5,A{r})": [10, 40, 30, 40],
    "=TEXTJOIN(B{r},TRUE,C$2:C$3)": ["10x20", "10y20", "10z20", "1020"],
    "=C{r}-INDEX(C$2:C$5,A{r})": [0, 0, 0, 20],
    "=SUM(OFFSET(C$2,0,0,A{r},1))": [10, 30, 60, 30],
    '=COUNTIF(D$2:D$5,"23")': [2] * 4,
    "=COUNTIF(D$2:D$5,23)": [2] * 4,
    '=COUNTIF(D$2:D$5,">20")': [1] * 4,
    "=ROWS(C:C)": [1048576] * 4,
    "=COLUMNS(1:1)": [16384] * 4,
    "=AND(A{r}>0,NA())": ["#N/A"] * 4,
    "=OR(C2:C5)": [True] * 4,
    '=HLOOKUP("u",E2:E5,1)': ["#N/A"] * 4,
    '=VLOOKUP("y",B2:C4,2)': [20] * 4,
    '=VLOOKUP("b",B2:C4,2)': ["#N/A"] * 4,  # nothing at or below "b" in x, y, z
    "=OFFSET(#REF!,1,1)": ["#REF!"] * 4,
    "=MMULT(1E+300,1E+300)": ["#NUM!"] * 4,
    '=VALUE("")': ["#VALUE!"] * 4,
}
CASES["=TYPE(B{r})"] = [2, 2, 2, 1]  # B5 is blank: TYPE of a blank cell is 1 (a number, 0)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("refs")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for i, row in enumerate(ROWS, start=2):
        for j, v in enumerate(row, start=1):
            if v not in (None, ""):
                ws.cell(i, j, v)
    ws["J2"] = '="a"&CHAR(1)&"b"'
    ws["J3"] = '="a"&CHAR(13)&CHAR(10)&"b"'
    ws["J4"] = '="_x005F_x0041_"&CHAR(9)'  # as Excel writes the text _x0041_ in a formula (ST_Xstring)
    for k, formula in enumerate(CASES):
        for r in range(2, 6):
            ws.cell(r, 12 + k, formula.format(r=r))
    wb.save(folder / "in.xlsx")
    report = recalc_file(str(folder / "in.xlsx"), str(folder / "out.xlsx"))
    assert report.ok, report.problem
    assert report.internal == 0
    return folder / "out.xlsx"


@pytest.mark.parametrize("k,formula", list(enumerate(CASES)), ids=list(CASES))
def test_a_formula_filled_down_gets_excels_value_in_every_row(book, k, formula):
    sheet = openpyxl.load_workbook(book, data_only=True)["S"]
    got = [sheet.cell(r, 12 + k).value for r in range(2, 6)]
    assert got == CASES[formula]


def test_text_with_control_characters_is_written_as_excel_writes_it_and_reads_back(book):
    with zipfile.ZipFile(book) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    assert b"a_x0001_b" in xml and b"a_x000D_\nb" in xml and b"_x005F_x0041_\t" in xml
    assert not any(b in xml for b in (b"\x01", b"\r", b"inf<", b"nan<", b"<cellrules"))
    values = {(f.row, f.col): f.cached for f in reader.read(str(book)).sheets[0].formulas}
    assert values[(2, 10)] == "a\x01b" and values[(3, 10)] == "a\r\nb" and values[(4, 10)] == "_x0041_\t"
