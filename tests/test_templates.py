"""The workbook templates: deterministic, committed copies current, and every cellrules cell computed
headless with a value equal to what the function returns for that row."""
from __future__ import annotations

import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from cellrules.recalc.formula.parser import Area, Call, Lit, Name, Ref, parse
from cellrules.recalc.batch.run import recalc_file
from cellrules.registry import REGISTRY
from cellrules.xlsx.serials import today_is
from cellrules.kinds import KINDS
from cellrules.templates import OFFICEJS, TEMPLATES, build_all
from cellrules.templates.common import FIXED
from conftest import ROOT

COMMITTED = ROOT / "workbook_templates"
OURS = {fn.name for kind in KINDS.values() for fn in kind.functions} - {"DECIDE", "DUNNINGACTIONS"}  # one value each


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    return folder, build_all(folder)


@pytest.fixture(scope="module")
def recalculated(built, tmp_path_factory):
    """Each Office.js-flavoured template recalculated again: the Excel-saved spelling is understood, and
    the values are those the xlwings flavour was shipped with."""
    folder, _ = built
    out = {}
    for name in TEMPLATES:
        target = tmp_path_factory.mktemp("again") / name
        with today_is(FIXED.date()):
            report = recalc_file(str(folder / OFFICEJS / name), str(target))
        assert report.ok and report.unsupported == {}, report.to_dict()
        out[name] = (folder / name, target, report)
    return out


def test_every_template_in_two_flavours_and_the_committed_copies_are_current(built):
    folder, paths = built
    assert len(paths) == 2 * len(TEMPLATES) and "commission_statement.xlsx" in TEMPLATES
    for path in paths:
        committed = COMMITTED / path.relative_to(folder)
        assert path.read_bytes() == committed.read_bytes(), f"run `cellrules templates` ({committed})"


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_committed_templates_carry_cached_values_excel_keeps(name):
    """Every formula cell has a cached value (pandas, LibreOffice and Excel without the add-in see it), and
    the workbook does not ask Excel to recompute on open (which would make our cells #NAME? there)."""
    for path in (COMMITTED / name, COMMITTED / OFFICEJS / name):
        with zipfile.ZipFile(path) as z:
            assert b"fullCalcOnLoad" not in z.read("xl/workbook.xml")
            for part in (n for n in z.namelist() if n.startswith("xl/worksheets/sheet")):
                xml = z.read(part)
                cells = re.findall(rb"<c\b[^>]*>(.*?)</c>", xml, re.S)
                with_formula = [c for c in cells if b"<f" in c]
                assert all(re.search(rb"<v>[^<]*</v>", c) for c in with_formula), (path, part)
        ours = [c for ws in openpyxl.load_workbook(path).worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f" and re.search(rf"(?:{'|'.join(OURS)})\(", c.value)]
        assert ours
        spelt = "_xldudf_CELLRULES_" if path.parent.name == OFFICEJS else "="
        assert all(spelt in c.value for c in ours), path
    frame = pd.read_excel(COMMITTED / name, sheet_name=None, engine="openpyxl")
    assert sum(int(df.notna().sum().sum()) for df in frame.values()) > 100


def test_both_flavours_hold_the_same_values(built):
    folder, _ = built
    for name in TEMPLATES:
        plain = openpyxl.load_workbook(folder / name, data_only=True)
        officejs = openpyxl.load_workbook(folder / OFFICEJS / name, data_only=True)
        for ws in plain.worksheets:
            assert [[c.value for c in row] for row in ws.iter_rows()] == \
                   [[c.value for c in row] for row in officejs[ws.title].iter_rows()], (name, ws.title)


def _value(node, sheet, book, values, name_of):
    if isinstance(node, Lit):
        return node.value
    if isinstance(node, Name):
        target = book.defined_names[node.name].attr_text
        sheet_name, cell = target.split("!")
        return values[sheet_name.strip("'")][cell.replace("$", "")].value
    if isinstance(node, Ref):
        return values[node.sheet or sheet][f"{openpyxl.utils.get_column_letter(node.col)}{node.row}"].value
    if isinstance(node, Area):
        ws = values[node.sheet or sheet]
        return [[ws.cell(r, c).value for c in range(node.c1, node.c2 + 1)] for r in range(node.r1, node.r2 + 1)]
    raise AssertionError(f"unexpected argument {node}")


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_cellrules_cells_equal_the_functions_with_no_error_or_blank(recalculated, name):
    source, target, report = recalculated[name]
    book = openpyxl.load_workbook(source)  # the xlwings flavour's formulas, the Office.js flavour's values
    values = openpyxl.load_workbook(target, data_only=True)
    checked = 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                    continue
                node = parse(cell.value)
                if not (isinstance(node, Call) and node.name in OURS):
                    continue
                args = [_value(a, ws.title, book, values, None) for a in node.args]
                want = REGISTRY[node.name].func(*args)
                got = values[ws.title][cell.coordinate].value
                assert got not in (None, "") and not str(got).startswith("#"), (name, ws.title, cell.coordinate, got)
                if isinstance(want, float):
                    assert got == pytest.approx(want), (name, cell.coordinate)
                else:
                    assert got == want, (name, cell.coordinate)
                checked += 1
    assert checked >= 100


def test_templates_recalculate_without_errors(recalculated):
    for name, (_, _, report) in recalculated.items():
        assert sum(report.errors.values()) == 0, (name, dict(report.errors))
