"""Excel's functions in cellrules recalc, cell by cell against Excel's documented results
(the ones LibreOffice 7.4 cannot check: XLOOKUP, and Excel-specific behaviour)."""
from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest

from cellrules.recalc.batch.run import recalc_file
from conftest import RULES

DATA = [("id", "name", "amount"), (1, "Alpha", 10), (2, "Beta", 20), (3, "Gamma", 30), (4, "beta", 40)]
CASES = [
    ('=_xlfn.XLOOKUP("gamma",B2:B5,C2:C5)', 30),
    ('=_xlfn.XLOOKUP("x",B2:B5,C2:C5,"none")', "none"),
    ('=_xlfn.XLOOKUP("x",B2:B5,C2:C5)', "#N/A"),
    ("=_xlfn.XLOOKUP(25,C2:C5,B2:B5,,-1)", "Beta"),
    ("=_xlfn.XLOOKUP(25,C2:C5,B2:B5,,1)", "Gamma"),
    ('=_xlfn.XLOOKUP("beta",B2:B5,C2:C5,,0,-1)', 40),
    ("=ROUND(2.675,2)", 2.68),
    ("=ROUND(-0.5,0)", -1),
    ('=TEXT(46203,"dd/mm/yyyy")', "30/06/2026"),
    ('=TEXT(46203,"mmm yyyy")', "Jun 2026"),
    ('=TEXT(1,"[Red]0")', "1"),  # a colour changes nothing in TEXT's result
    ("=COMMISSION(150000,\"new\",,46203)", 25000),
    ('=CELLRULES.DUNNINGSTAGE(61)', "Second notice"),
    ("=EXPLAIN(\"DUNNINGSTAGE\",61)", re.compile(r"^dunning\.yaml:\d+ Second notice \(2026-01\): 61 days overdue")),
    ("=RULESTATUS()", re.compile(rf"^OK {len(list(RULES.glob('*.yaml')))} policies from .*rules .*commission v2026-01 "
                                 r"\(sha256 [0-9a-f]{12}\)")),
    ("=_xlfn.XLOOKUP(1,A2:A5,B2:B5,,NA())", "#N/A"),  # an error in a mode argument is the answer
    ("=_xlfn.XLOOKUP(1,A2:A5,B2:B5,,0,NA())", "#N/A"),
    ("=DUNNINGACTIONS(95)", "lawyer's letter"),
    ("=TIER(C2:C5)", "Small"),
    ("=A2:A5", "#VALUE!"),  # implicit intersection: this cell (column E, below row 5) is in no row of A2:A5
    ("=1/0+NOSUCH()", "#DIV/0!"),
    ('=SUMIF(B2:B5,"beta",C2:C5)', 60),
    ('=COUNTIF(C2:C5,20)', 1),
    ('=IF(1,)', 0),
    ("=TODAY()", "today"),  # checked against the days the run began and ended: it may cross midnight
]


def _serial_today() -> float:
    return float((dt.date.today() - dt.date(1899, 12, 30)).days)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("natives")
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in DATA:
        ws.append(list(row))
    for i, (formula, _) in enumerate(CASES, start=1):
        ws.cell(i, 5, formula)
    wb.save(folder / "in.xlsx")
    before = _serial_today()
    report = recalc_file(str(folder / "in.xlsx"), str(folder / "out.xlsx"))
    days = {before, _serial_today()}
    assert report.ok
    sheet = openpyxl.load_workbook(folder / "out.xlsx", data_only=True).active
    return {formula: sheet.cell(i, 5).value for i, (formula, _) in enumerate(CASES, start=1)}, report, days


@pytest.mark.parametrize("formula,expected", CASES, ids=[c[0] for c in CASES])
def test_formula(results, formula, expected):
    got = results[0][formula]
    if expected == "today":
        assert got in results[2]
    elif isinstance(expected, re.Pattern):
        assert isinstance(got, str) and expected.search(got), got
    elif isinstance(expected, float) or isinstance(expected, int) and not isinstance(expected, bool):
        assert got == pytest.approx(expected)
    else:
        assert got == expected


def test_unsupported_functions_are_reported(results):
    assert results[1].unsupported == {"NOSUCH": 1}
