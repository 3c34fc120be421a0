"""The workbook templates: deterministic, committed copies current, and every cellrules cell computed
headless with a value equal to what the function returns for that row."""
from __future__ import annotations

import openpyxl
import pytest

from cellrules.recalc.parser import Area, Call, Lit, Name, Ref, parse
from cellrules.recalc.run import recalc_file
from cellrules.registry import REGISTRY
from cellrules.templates import TEMPLATES, build_all
from conftest import ROOT

COMMITTED = ROOT / "workbook_templates"
OURS = {"TIER", "PROFITRATE", "PROSPECTSCORE", "DUNNINGSTAGE", "COMMISSION"}


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    built = build_all(folder / "in")
    out = {}
    for path in built:
        target = folder / path.name
        report = recalc_file(str(path), str(target))
        assert report.ok and report.unsupported == {}, report.to_dict()
        out[path.name] = (path, target, report)
    return out


def test_five_templates_and_the_committed_copies_are_current(tmp_path):
    assert len(TEMPLATES) == 5
    for path in build_all(tmp_path):
        assert path.read_bytes() == (COMMITTED / path.name).read_bytes(), f"run `cellrules templates` ({path.name})"


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
    book = openpyxl.load_workbook(source)
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
    assert checked >= 200


def test_templates_recalculate_without_errors(recalculated):
    for name, (_, _, report) in recalculated.items():
        assert sum(report.errors.values()) == 0, (name, dict(report.errors))
