"""Conformance: cellrules recalc and LibreOffice (headless, calculateAll over UNO) agree cell by cell
on a generated native-only workbook covering every supported function and the error cases.

.ci/run installs LibreOffice and sets CELLRULES_REQUIRE_LIBREOFFICE=1, so there this test cannot skip.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from cellrules.recalc.batch.run import recalc_file
from conformance_book import FORMULAS, conformance_book
from conftest import ROOT

SYSTEM_PYTHON = "/usr/bin/python3"
HAVE_LIBREOFFICE = shutil.which("soffice") is not None and subprocess.run(
    [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0 if os.path.exists(SYSTEM_PYTHON) else False
REQUIRED = os.environ.get("CELLRULES_REQUIRE_LIBREOFFICE") == "1"

# Where Excel's documented behaviour and LibreOffice 7.4 differ, cellrules follows Excel.
EXCEL_NOT_LIBREOFFICE = {
    '=SUM(1,"2",TRUE)': 4,  # Excel counts numbers typed as text and logicals typed as arguments
    "=VLOOKUP(3,Data!A2:F11,9,FALSE)": "#REF!",  # Excel: a column beyond the table is #REF!
    "=INDEX(Data!A2:F11,20,1)": "#REF!",  # Excel: a row beyond the range is #REF!
    "=LARGE(Data!D2:D11,11)": "#NUM!",  # Excel: k beyond the number of values is #NUM!
}


def _plain(value):
    if isinstance(value, dt.datetime):  # LibreOffice formats date results as dates
        return float((value - dt.datetime(1899, 12, 30)).days)
    return value


def same(a, b) -> bool:
    a, b = _plain(a), _plain(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is not None and b is not None and float(a) == float(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return (a or "") == (b or "")


@pytest.mark.skipif(not HAVE_LIBREOFFICE and not REQUIRED, reason="LibreOffice (libreoffice-calc-nogui, "
                    "python3-uno) is not installed; .ci/run installs it")
@pytest.mark.slow  # LibreOffice headless
def test_cellrules_and_libreoffice_agree_cell_by_cell(tmp_path):
    book = conformance_book(tmp_path / "conformance.xlsx")
    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "libreoffice.xlsx"
    report = recalc_file(str(book), str(ours))
    assert report.ok and report.unsupported == {}
    done = subprocess.run([SYSTEM_PYTHON, str(ROOT / "tests" / "lo_recalc.py"), str(book), str(theirs)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    a, b, formulas = (openpyxl.load_workbook(ours, data_only=True), openpyxl.load_workbook(theirs, data_only=True),
                      openpyxl.load_workbook(book))
    compared, differ = 0, []
    for sheet in ("F", "Columns"):
        for row in formulas[sheet].iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                    continue
                mine, lo = a[sheet][cell.coordinate].value, b[sheet][cell.coordinate].value
                compared += 1
                if cell.value in EXCEL_NOT_LIBREOFFICE:
                    assert same(mine, EXCEL_NOT_LIBREOFFICE[cell.value]), (cell.value, mine)
                    assert not same(mine, lo), f"LibreOffice now agrees on {cell.value}: drop the exception"
                elif not same(mine, lo):
                    differ.append((sheet, cell.coordinate, cell.value, mine, lo))
    assert compared == len(FORMULAS) + 60
    assert differ == []
