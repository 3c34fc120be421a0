"""The three spellings of a cellrules call (xlwings TIER, Office.js typed CELLRULES.TIER, Office.js as Excel
saves it _xldudf_CELLRULES_TIER): recalc reads all three and keeps each as it was; convert moves a workbook
between the add-ins."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cellrules import spelling
from cellrules.recalc.batch.run import recalc_file
from cellrules.registry import REGISTRY
from conftest import ROOT
from recalc_helpers import members, sales_book


def test_rewrite_touches_only_our_calls():
    f = '=IF(TIER(B2,B$2:B$9)="VIP",CELLRULES.COMMISSION(C2,"TIER(x)"),\'TIER(\'!A1&SUM(_xldudf_CELLRULES_TIER(1,2)))'
    office = spelling.rewrite(f, "officejs", REGISTRY)
    assert office == ('=IF(_xldudf_CELLRULES_TIER(B2,B$2:B$9)="VIP",_xldudf_CELLRULES_COMMISSION(C2,"TIER(x)"),'
                      "'TIER('!A1&SUM(_xldudf_CELLRULES_TIER(1,2)))")
    assert spelling.rewrite(office, "xlwings", REGISTRY) == \
        '=IF(TIER(B2,B$2:B$9)="VIP",COMMISSION(C2,"TIER(x)"),\'TIER(\'!A1&SUM(TIER(1,2)))'
    assert spelling.rewrite("=MYTIER(1)+X.TIER(2)+tier(3)", "officejs", REGISTRY) == \
        "=MYTIER(1)+X.TIER(2)+_xldudf_CELLRULES_TIER(3)"
    assert spelling.canonical("_XLDUDF_cellrules_dunningstage", REGISTRY) == "DUNNINGSTAGE"
    assert spelling.canonical("SUM", REGISTRY) is None
    with pytest.raises(ValueError):
        spelling.spelt("TIER", "vba")


def _three_spellings(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Amount", "xlwings", "typed", "saved", "deal"])
    for r in range(2, 22):
        ws.append([1000 * r, f"=TIER(A{r},A$2:A$21)", f"=CELLRULES.TIER(A{r},A$2:A$21)",
                   f"=_xldudf_CELLRULES_TIER(A{r},A$2:A$21)", f'=_xldudf_CELLRULES_COMMISSION(A{r}*100,"new",,"2026-06-30")'])
    wb.save(path)
    return path


def test_recalc_understands_every_spelling_and_writes_back_the_one_it_read(tmp_path):
    source = _three_spellings(tmp_path / "in.xlsx")
    out = tmp_path / "out.xlsx"
    report = recalc_file(str(source), str(out))
    assert report.ok and report.unsupported == {} and sum(report.errors.values()) == 0
    values = openpyxl.load_workbook(out, data_only=True).active
    for r in range(2, 22):
        assert values[f"B{r}"].value == values[f"C{r}"].value == values[f"D{r}"].value
        assert values[f"E{r}"].value == REGISTRY["COMMISSION"].func(r * 100000, "new", None, "2026-06-30")
    assert values["B21"].value == "VIP"
    formulas = openpyxl.load_workbook(out).active
    assert formulas["C2"].value == "=CELLRULES.TIER(A2,A$2:A$21)"
    assert formulas["D2"].value == "=_xldudf_CELLRULES_TIER(A2,A$2:A$21)"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cellrules", *args], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, NO_COLOR="1"), encoding="utf-8")


def test_convert_round_trip_keeps_every_other_byte(tmp_path):
    source = sales_book(tmp_path / "sales.xlsx", n=30)
    office, back = tmp_path / "office.xlsx", tmp_path / "back.xlsx"
    out = cli("convert", str(source), "--to", "officejs", "-o", str(office))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"{office}: 150 formula(s) now call the functions as CELLRULES.NAME (Office.js)"
    sheet = openpyxl.load_workbook(office)["Customers"]
    assert sheet["L2"].value == "=_xldudf_CELLRULES_TIER(B2,B$2:B$31)" and sheet["Q2"].value.startswith("=IF(B2>")
    assert cli("convert", str(office), "--to", "xlwings", "-o", str(back)).returncode == 0
    assert members(back) == members(source)  # byte for byte, every member
    with zipfile.ZipFile(office) as z:
        assert z.read("xl/styles.xml") == members(source)["xl/styles.xml"]


def test_convert_refuses_to_overwrite_its_input_and_reports_a_bad_file(tmp_path):
    source = sales_book(tmp_path / "sales.xlsx", n=5)
    before = source.read_bytes()
    same = cli("convert", str(source), "--to", "officejs", "-o", str(source))
    assert same.returncode == 2 and "never overwritten" in same.stderr and source.read_bytes() == before
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    out = cli("convert", str(bad), "--to", "officejs", "-o", str(tmp_path / "o.xlsx"))
    assert out.returncode == 1 and "bad.xlsx" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "o.xlsx").exists()
