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
