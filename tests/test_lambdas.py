"""LET, LAMBDA and the functions that call a LAMBDA, against Microsoft's documented examples (real .xlsx
files written with openpyxl, recalculated, read back)."""
from __future__ import annotations

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula

from cellrules.recalc.batch.run import recalc_file

GRID = [(1, 2, 3), (4, 5, 6)]  # A1:C2, as on Microsoft's MAP / REDUCE / SCAN / BYROW pages
CASES = [
    ("=LET(x,1,x+1)", 2), ("=LET(_xlpm.x,2,_xlpm.y,3,_xlpm.x*_xlpm.y)", 6), ("=LET(x,A1:C2,SUM(x))", 21),
    ("=SUM(MAP(A1:C2,LAMBDA(a,IF(a>4,a*a,+a))))", 71), ("=REDUCE(,A1:C2,LAMBDA(a,b,a+b^2))", 91),
    ("=REDUCE(1,A1:C2,LAMBDA(a,b,a*b))", 720), ('=INDEX(SCAN("",A1:C2,LAMBDA(a,b,a&b)),2,3)', "123456"),
    ("=SUM(BYROW(A1:C2,LAMBDA(r,MAX(r))))", 9), ("=SUM(BYCOL(A1:C2,LAMBDA(c,MIN(c))))", 6),
    ("=SUM(MAKEARRAY(3,3,LAMBDA(r,c,r*c)))", 36), ("=LET(f,LAMBDA(x,x+1),f(5))", 6),
    ("=Square(4)", 16), ("=LET(f,LAMBDA(x,y,ISOMITTED(y)),f(1))", True),
    ("=LAMBDA(x,x+1)", "#CALC!"), ("=LET(f,LAMBDA(x,x),f(1,2))", "#VALUE!"),
    ("=SUM(BYROW(A1:C2,LAMBDA(r,r)))", "#CALC!"),
]


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lambdas")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "T"
    for r, row in enumerate(GRID, start=1):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    wb.defined_names["Square"] = DefinedName("Square", attr_text="_xlfn.LAMBDA(_xlpm.x,_xlpm.x*_xlpm.x)")
    for i, (formula, _) in enumerate(CASES, start=1):
        ws.cell(i, 10, formula)
    for r in range(1, 4):  # LET filled down a column: bound per row
        ws.cell(r, 5, f"=LET(x,A{r},x*2)")
    ws["G1"] = ArrayFormula("G1:I2", "=MAP(A1:C2,LAMBDA(a,a*10))")
    wb.save(folder / "in.xlsx")
    report = recalc_file(str(folder / "in.xlsx"), str(folder / "out.xlsx"))
    assert report.ok and report.internal == 0, report.problem
    return openpyxl.load_workbook(folder / "out.xlsx", data_only=True)["T"]


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c[0] for c in CASES])
def test_documented_result(computed, i):
    assert computed.cell(i + 1, 10).value == CASES[i][1]


def test_let_down_a_column_and_map_spread_over_an_array_formula(computed):
    assert [computed.cell(r, 5).value for r in range(1, 4)] == [2, 8, 0]
    assert [[c.value for c in row] for row in computed["G1:I2"]] == [[10, 20, 30], [40, 50, 60]]


def test_groupby_summarises_as_microsofts_page_shows(tmp_path):
    """GROUPBY(row_fields, values, SUM): one row per group, ascending, a grand total "Total" row; headers found
    when the first value is text and the second a number; sort_order -2 sorts by the values descending; a
    LAMBDA or an eta-reduced function (stored _xleta.SUM) aggregates; filter_array drops rows; total_depth 0
    leaves the total out."""
    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula
    from cellrules.recalc.batch.run import recalc_file
    wb = openpyxl.Workbook()
    ws = wb.active
    rows = [("Year", "Sales"), (2024, 10), (2023, 5), (2024, 7), (2022, 1), (2023, 2)]
    for row in rows:
        ws.append(row)
    formulas = {"D1": ("D1:E4", "_xlfn.GROUPBY(A1:A6,B1:B6,_xleta.SUM)"),
                "G1": ("G1:H4", "_xlfn.GROUPBY(A2:A6,B2:B6,_xleta.SUM,,,-2)"),
                "J1": ("J1:K3", "_xlfn.GROUPBY(A2:A6,B2:B6,_xlfn.LAMBDA(_xlpm.x,MAX(_xlpm.x)),0,0)"),
                "M1": ("M1:N3", "_xlfn.GROUPBY(A2:A6,B2:B6,_xleta.COUNT,0,1,1,B2:B6>2)"),
                "P1": ("P1:Q4", "_xlfn.GROUPBY(A2:A6,B2:B6,_xleta.PERCENTOF)")}
    for anchor, (ref, text) in formulas.items():
        ws[anchor] = ArrayFormula(ref, "=" + text)
    wb.save(tmp_path / "in.xlsx")
    report = recalc_file(str(tmp_path / "in.xlsx"), str(tmp_path / "out.xlsx"))
    assert report.ok, report.problem
    got = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True).active

    def grid(ref):
        return [[c.value for c in row] for row in got[ref]]
    assert grid("D1:E4") == [[2022, 1], [2023, 7], [2024, 17], ["Total", 25]]
    assert grid("G1:H4") == [[2024, 17], [2023, 7], [2022, 1], ["Total", 25]]
    assert grid("J1:K3") == [[2022, 1], [2023, 5], [2024, 10]]
    assert grid("M1:N3") == [[2023, 1], [2024, 2], ["Total", 3]]
    assert grid("P1:Q4") == [[2022, 0.04], [2023, 0.28], [2024, 0.68], ["Total", 1]]  # each group's share
