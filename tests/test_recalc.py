"""cellrules recalc: every formula computed, every formula and part kept, bad files reported, never corrupted."""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cellrules import functions as F
from cellrules.recalc.batch.run import recalc_file
from conftest import ROOT
from recalc_helpers import members, sales_book, shared_formula_book, without_values


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return sales_book(tmp_path / "sales.xlsx")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cellrules", *args], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, NO_COLOR="1"), encoding="utf-8")


def test_cached_values_equal_the_functions_and_pandas_sees_them(book, tmp_path):
    out = tmp_path / "out.xlsx"
    report = recalc_file(str(book), str(out))
    assert report.ok and report.cells == 200 * 7 + 4 + 1
    inputs = openpyxl.load_workbook(book)["Customers"]
    cached = openpyxl.load_workbook(out, data_only=True)["Customers"]
    got = {name: [cached.cell(r, col).value for r in range(2, 202)] for name, col in
           (("Tier", 12), ("Profit", 13), ("Stage", 14), ("Commission", 15), ("Score", 16), ("Size", 17))}
    amounts = [inputs.cell(r, 2).value for r in range(2, 202)]
    for i, r in enumerate(range(2, 202)):
        row = [inputs.cell(r, c).value for c in range(1, 12)]
        expect = {
            "Tier": F.TIER(row[1], amounts), "Profit": F.PROFITRATE(row[2], row[3], row[4]),
            "Stage": F.DUNNINGSTAGE(row[5]), "Commission": F.COMMISSION(row[6], row[7], None, "2026-06-30"),
            "Score": F.PROSPECTSCORE(row[8], row[9], row[10]),
        }
        for column, want in expect.items():
            cell = got[column][i]
            if want == "":  # an empty text result: <v></v>, which openpyxl reads as None
                assert cell in ("", None), (column, r, cell)
            elif isinstance(want, str):
                assert str(cell) == str(want), (column, r, cell, want)
            else:
                assert cell == pytest.approx(want), (column, r, cell, want)
    assert got["Size"][0] in ("big", "small")
    frame = pd.read_excel(out, sheet_name="Customers", engine="openpyxl")  # what a pandas user sees: values, not NaN
    assert frame["Net"].notna().all() and frame["Stage"].notna().all() and frame["Commission"].notna().sum() > 100


def test_every_formula_and_part_is_kept(book, tmp_path):
    out = tmp_path / "out.xlsx"
    assert recalc_file(str(book), str(out)).ok
    before, after = members(book), members(out)
    assert list(after) == list(before) + ["docProps/custom.xml"]  # the audit trail: which policies, which hash
    for name in before:
        if name.startswith("xl/worksheets/sheet"):
            assert without_values(before[name]) == without_values(after[name]), name
        elif name == "xl/workbook.xml":  # only <calcPr> changes: Excel shows our values instead of recomputing
            assert re.sub(rb"<calcPr[^>]*/>", b"", before[name]) == re.sub(rb"<calcPr[^>]*/>", b"", after[name])
            assert b"fullCalcOnLoad" in before[name]
            assert re.search(rb'<calcPr calcId="191029"\s*/>', after[name]), after[name]
        elif name == "[Content_Types].xml":
            assert after[name] == before[name].replace(b"</Types>", b'<Override PartName="/docProps/custom.xml" '
                                                       b'ContentType="application/vnd.openxmlformats-officedocument.'
                                                       b'custom-properties+xml"/></Types>')
        elif name == "_rels/.rels":
            assert after[name] == before[name].replace(b"</Relationships>", b'<Relationship Id="rIdCellrules1" '
                                                       b'Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                                                       b'relationships/custom-properties" Target="docProps/custom.xml"/>'
                                                       b"</Relationships>")
        else:
            assert before[name] == after[name], name
    for name in after:
        if name.startswith("xl/worksheets/sheet"):  # one cached value per cell, never a stray <v/>
            assert not re.search(rb"</v>\s*<v|<v\s*/>", after[name]), name
    formulas = openpyxl.load_workbook(out)["Customers"]
    assert formulas["L2"].value == "=TIER(B2,B$2:B$201)" and formulas["T4"].value == "=Rate*100"
    assert len(formulas.conditional_formatting) == len(openpyxl.load_workbook(book)["Customers"].conditional_formatting)
    assert "xl/charts/chart1.xml" in after


def test_a_second_run_gives_a_byte_identical_file(book, tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    recalc_file(str(book), str(first))
    recalc_file(str(first), str(second))
    assert first.read_bytes() == second.read_bytes()


def test_cross_sheet_names_and_aggregates(book, tmp_path):
    out = tmp_path / "out.xlsx"
    recalc_file(str(book), str(out))
    values = openpyxl.load_workbook(out, data_only=True)
    sheet = values["Customers"]
    source = openpyxl.load_workbook(book)["Customers"]
    revenue = [source.cell(r, 3).value for r in range(2, 202)]
    assert sheet["T2"].value == pytest.approx(sum(revenue))
    stages = [sheet.cell(r, 14).value for r in range(2, 202)]
    assert sheet["T3"].value == stages.count("Legal")
    assert sheet["T4"].value == pytest.approx(15.0) and sheet["T5"].value == pytest.approx(1.15)
    tiers = [sheet.cell(r, 12).value for r in range(2, 202)]
    assert values["Summary"]["B2"].value == tiers.count("VIP") >= 1


def test_columns_are_evaluated_once_per_group(book, tmp_path):
    report = recalc_file(str(book), str(tmp_path / "o.xlsx"))
    assert report.groups <= 7 + 6 and report.cell_by_cell == 0


def test_shared_formulas_are_read_and_left_as_they_are(tmp_path):
    path = shared_formula_book(tmp_path / "shared.xlsx")
    out = tmp_path / "out.xlsx"
    assert recalc_file(str(path), str(out)).ok
    values = openpyxl.load_workbook(out, data_only=True).active
    assert [values.cell(r, 2).value for r in range(1, 6)] == [20, 40, 60, 80, 100]
    xml = members(out)["xl/worksheets/sheet1.xml"]
    assert xml.count(b'<f t="shared" si="0"/>') == 4 and b'<f t="shared" ref="B1:B5" si="0">A1*2</f>' in xml


def test_cycles_are_errors_naming_their_cells_and_unknown_functions_name_errors(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["A3"], ws["B1"] = "=A2+1", "=A1+1", "=NOSUCH(1)", "=A1"
    ws["C1"], ws["C2"], ws["C3"] = 1, "=C1+1", "=C2+1"  # a running total reads its own column: not a cycle
    path = tmp_path / "cyc.xlsx"
    wb.save(path)
    out = tmp_path / "out.xlsx"
    report = recalc_file(str(path), str(out))
    assert report.ok and report.unsupported == {"NOSUCH": 1} and report.errors["#REF!"] >= 2
    values = openpyxl.load_workbook(out, data_only=True).active
    assert values["A1"].value == "#REF!" and values["A3"].value == "#NAME?"
    assert values["C3"].value == 3


@pytest.mark.parametrize("kind", ["bomb", "entity", "sheet_entity", "ole", "truncated", "text"])
def test_hostile_and_broken_files_are_reported_and_the_others_go_on(tmp_path, book, kind):
    bad = tmp_path / f"bad_{kind}.xlsx"
    if kind == "bomb":
        with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("xl/workbook.xml", b"<workbook/>")
            zf.writestr("xl/worksheets/sheet1.xml", b"\0" * 60_000_000)
    elif kind in ("entity", "sheet_entity"):
        data = members(book)
        part = "xl/workbook.xml" if kind == "entity" else "xl/worksheets/sheet1.xml"
        body = data[part].split(b"?>", 1)[-1]
        data[part] = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + body
        with zipfile.ZipFile(bad, "w") as zf:
            for name, blob in data.items():
                zf.writestr(name, blob)
    elif kind == "ole":
        bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000)
    elif kind == "truncated":
        bad.write_bytes(book.read_bytes()[:2000])
    else:
        bad.write_text("not a workbook")
    digest = hashlib.sha256(bad.read_bytes()).hexdigest()
    out = cli("recalc", str(bad), str(book), "-o", str(tmp_path / "out"), "--json")
    data = json.loads(out.stdout)
    assert out.returncode == 1 and data["failed"] == 1
    failed = next(f for f in data["files"] if not f["ok"])
    assert failed["path"] == str(bad) and failed["problem"]
    assert next(f for f in data["files"] if f["ok"])["cells"] > 0
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == digest
    assert not (tmp_path / "out" / bad.name).exists()
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".cellrules-")]


def test_in_place_keeps_a_backup_unless_told_not_to(book):
    original = book.read_bytes()
    out = cli("recalc", str(book), "--in-place")
    assert out.returncode == 0, out.stderr
    assert Path(str(book) + ".bak").read_bytes() == original and book.read_bytes() != original
    os.unlink(str(book) + ".bak")
    assert cli("recalc", str(book), "--in-place", "--no-backup").returncode == 0
    assert not Path(str(book) + ".bak").exists()


def test_batch_with_workers_summary_and_usage(tmp_path):
    files = [str(sales_book(tmp_path / f"b{i}.xlsx", n=50, seed=i)) for i in range(3)]
    out = cli("recalc", *files, "-o", str(tmp_path / "out"), "--workers", "2")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1].startswith("3 files, 0 failed, 1,065 cells computed in")
    assert all((tmp_path / "out" / Path(f).name).exists() for f in files)
    usage = cli("recalc", files[0])
    assert usage.returncode == 2 and "either -o OUTDIR or --in-place" in usage.stderr


def test_rules_option_changes_the_policy_used(book, tmp_path, rules_dir):
    path = rules_dir / "commission.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("rate: 20%", "rate: 50%"), encoding="utf-8")
    a, b = tmp_path / "a", tmp_path / "b"
    assert cli("recalc", str(book), "-o", str(a)).returncode == 0
    assert cli("recalc", str(book), "-o", str(b), "--rules", str(rules_dir)).returncode == 0
    left = pd.read_excel(a / book.name, engine="openpyxl")["Commission"]
    right = pd.read_excel(b / book.name, engine="openpyxl")["Commission"]
    assert (left != right).any()


def test_an_xlsm_keeps_its_vba_project(tmp_path):
    import xlwings  # its quickstart workbook is a real .xlsm with a VBA project
    book = openpyxl.load_workbook(Path(xlwings.__file__).parent / "quickstart.xlsm", keep_vba=True)
    sheet = book.worksheets[0]
    sheet.title = "Demo"
    for r in range(2, 12):
        sheet[f"B{r}"] = 1000 * (13 - r)
        sheet[f"I{r}"], sheet[f"L{r}"] = f"=TIER(B{r},B$2:B$11)", f'=COMMISSION(150000,"new",,"2026-06-30")'
    source = tmp_path / "in.xlsm"
    book.save(source)
    out = tmp_path / "demo.xlsm"
    report = recalc_file(str(source), str(out))
    assert report.ok and report.cells == 20 and report.unsupported == {}
    before, after = members(source), members(out)
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    values = openpyxl.load_workbook(out, data_only=True, keep_vba=True)["Demo"]
    assert values["I2"].value in ("VIP", "Major", "Normal", "Small") and values["L2"].value == pytest.approx(25000)


def test_batch_in_process_reports_each_file_and_the_summary(book, tmp_path, capsys):
    """The batch command run in this process (the subprocess tests above cannot measure its lines)."""
    from cellrules import cli
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    code = cli.main(["recalc", str(book), str(bad), "-o", str(tmp_path / "out"), "--json"])
    captured = capsys.readouterr()
    assert captured.out, captured.err
    out = json.loads(captured.out)
    assert code == 1
    rows = {Path(r["path"]).name: r for r in out["files"]}
    assert rows["sales.xlsx"]["ok"] and rows["sales.xlsx"]["cells"] == 1405
    assert not rows["bad.xlsx"]["ok"] and "not an .xlsx" in rows["bad.xlsx"]["problem"]
    assert (tmp_path / "out" / "sales.xlsx").exists() and not (tmp_path / "out" / "bad.xlsx").exists()
    code = cli.main(["recalc", str(book), "-o", str(tmp_path / "out2")])
    text = capsys.readouterr()
    assert code == 0 and "1 file, 0 failed, 1,405 cells computed" in text.out


def test_the_report_splits_its_time_by_stage(book, tmp_path):
    report = recalc_file(str(book), str(tmp_path / "out.xlsx"))
    stages = report.to_dict()["stages"]
    assert list(stages) == ["read", "group", "evaluate", "collect", "write"]
    assert all(v >= 0 for v in stages.values()) and sum(stages.values()) <= report.seconds + 1e-3
