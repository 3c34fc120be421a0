"""Dynamic arrays (Excel 365's spilling formulas): recalc writes the whole spill, resizes it when the result
changes size (inserting the cells it reaches, emptying those it leaves), and gives #SPILL! where a value is in
the way; cellrules' spilling functions spill like Excel's own."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.worksheet.formula import ArrayFormula

from cellrules import functions as F
from cellrules.recalc.batch.run import recalc_file


def _dynamic(path: Path, cells: dict[str, object], spills: dict[str, tuple[str, str]]) -> Path:
    """A workbook whose ``spills`` (cell -> (formula, saved range)) are dynamic arrays, as Excel 365 saves
    them: <f t="array" ref="…"> and cell metadata (cm) pointing at XLDAPR."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for ref, value in cells.items():
        ws[ref] = value
    for ref, (formula, area) in spills.items():
        ws[ref] = ArrayFormula(area, "=" + formula)
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    for ref in spills:
        sheet = re.sub(rb'(<c r="' + ref.encode() + rb'")', rb'\1 cm="1"', sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def _read(path: Path):
    values = openpyxl.load_workbook(path, data_only=True).active
    formulas = openpyxl.load_workbook(path).active
    return values, formulas


def test_a_spill_grows_to_its_result_and_the_cells_are_inserted(tmp_path):
    amounts = {f"B{i}": v for i, v in enumerate([500, 90, 80, 70, 60], start=1)}
    src = _dynamic(tmp_path / "grow.xlsx", amounts, {"A1": ("TIER(B1:B5)", "A1:A3")})
    report = recalc_file(str(src), str(tmp_path / "out.xlsx"))
    assert report.ok, report.problem
    values, formulas = _read(tmp_path / "out.xlsx")
    assert [values[f"A{i}"].value for i in range(1, 6)] == F.TIER([[500], [90], [80], [70], [60]])
    assert formulas["A1"].value.ref == "A1:A5"
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    assert xml.count(b'<c r="A4"') == 1 and xml.count(b'<c r="A5"') == 1 and b' cm="1"' in xml


def test_a_spill_shrinks_and_the_cells_it_leaves_are_emptied(tmp_path):
    src = _dynamic(tmp_path / "shrink.xlsx", {"B1": 5, "B2": 3}, {"A1": ("TIER(B1:B2)", "A1:A5")})
    report = recalc_file(str(src), str(tmp_path / "out.xlsx"))
    assert report.ok, report.problem
    values, formulas = _read(tmp_path / "out.xlsx")
    assert [values[f"A{i}"].value for i in range(1, 6)] == F.TIER([[5], [3]]) + [None, None, None]
    assert formulas["A1"].value.ref == "A1:A2"


def test_a_value_in_the_way_gives_spill_error(tmp_path):
    src = _dynamic(tmp_path / "blocked.xlsx", {"B1": 1, "B2": 2, "B3": 3, "A3": "in the way"},
                   {"A1": ("TIER(B1:B3)", "A1:A2")})
    report = recalc_file(str(src), str(tmp_path / "out.xlsx"))
    values, formulas = _read(tmp_path / "out.xlsx")
    assert report.ok and values["A1"].value == "#SPILL!" and values["A3"].value == "in the way"
    assert formulas["A1"].value.ref == "A1"


def test_dunningactions_spills_its_actions(tmp_path):
    src = _dynamic(tmp_path / "actions.xlsx", {"B1": 95}, {"A1": ("DUNNINGACTIONS(B1)", "A1")})
    assert recalc_file(str(src), str(tmp_path / "out.xlsx")).ok
    values, formulas = _read(tmp_path / "out.xlsx")
    want = F.DUNNINGACTIONS(95)
    assert [values[f"A{i}"].value for i in range(1, len(want) + 1)] == want
    assert formulas["A1"].value.ref == f"A1:A{len(want)}"


def test_3d_references_and_structured_references_edge_cases(tmp_path):
    """3-D spans in either order, a span naming a missing sheet, and structured references that cannot be read."""
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "Jan"
    for name, value in (("Feb", 2), ("Mar", 3)):
        wb.create_sheet(name)["A1"] = value
    first["A1"] = 1
    summary = wb.create_sheet("Sum")
    summary["A1"] = "=SUM(Jan:Mar!A1)"
    summary["A2"] = "=SUM(Mar:Jan!A1)"
    summary["A3"] = "=SUM(Jan:Nope!A1)"
    summary["A4"] = "=SUM('Feb:Mar'!A1)"
    wb.save(tmp_path / "3d.xlsx")
    assert recalc_file(str(tmp_path / "3d.xlsx"), str(tmp_path / "out.xlsx")).ok
    values = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["Sum"]
    assert [values[f"A{i}"].value for i in range(1, 5)] == [6, 6, "#REF!", 5]
