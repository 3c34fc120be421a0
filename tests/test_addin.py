"""The xlwings add-in: the UDF module generated from the registry, the committed VBA module, config,
manifest and demo workbook kept in sync with what the code generates."""
from __future__ import annotations

import inspect
import re
import shutil
from pathlib import Path

import openpyxl

from cellrules.addin import files, officejs, vba
from cellrules.addin import xlwings_udfs as udfs
from cellrules.registry import REGISTRY
from conftest import ROOT, RULES

ADDIN = ROOT / "addin"


def test_committed_vba_module_is_what_xlwings_generates_from_the_registry():
    assert (ADDIN / "cellrules.bas").read_bytes() == vba.generate().replace("\n", "\r\n").encode("utf-8")


def test_vba_module_has_one_wrapper_per_function_with_its_arguments():
    text = vba.generate()
    for spec in REGISTRY.values():
        head = re.search(rf"^Function {spec.name}\((.*)\)$", text, re.M)
        assert head, spec.name
        names = [p.replace("Optional ", "").replace("ParamArray ", "").replace("()", "")
                 for p in head.group(1).split(", ") if p]
        assert names[: len(spec.args)] == [a.name for a in spec.args]
        assert f'XLPy.CallUDF("{vba.MODULE}", "{spec.name}"' in text


def test_committed_config_and_manifest_are_current():
    assert (ADDIN / "xlwings.conf").read_bytes() == files.conf_text().encode("utf-8")
    assert (ADDIN / "manifest.xml").read_text(encoding="utf-8") == officejs.manifest(files.DEFAULT_URL)
    assert f'"UDF MODULES","{vba.MODULE}"' in files.conf_text()


def _cells(path: Path, **kw) -> dict[tuple[str, str], object]:
    book = openpyxl.load_workbook(path, **kw)
    return {(ws.title, c.coordinate): c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}


def test_demo_workbooks_use_every_function_open_with_values_and_are_current(tmp_path):
    fresh = files.write_demo(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in fresh] == ["cellrules_demo.xlsx", "officejs/cellrules_demo.xlsx"]
    for path in fresh:
        committed = ADDIN / path.relative_to(tmp_path)
        assert _cells(committed) == _cells(path), f"run `cellrules addin` ({committed})"
        values, new_values = _cells(committed, data_only=True), _cells(path, data_only=True)
        status = next(k for k, v in _cells(path).items() if v == "=RULESTATUS()" or v == "=_xldudf_CELLRULES_RULESTATUS()")
        assert str(values.pop(status)).startswith(f"OK {len(list(RULES.glob('*.yaml')))} policies") and new_values.pop(status)  # names a local folder
        assert values == new_values
    plain, officejs_book = (_cells(p) for p in fresh)
    formulas = " ".join(str(v) for v in plain.values() if isinstance(v, str) and v.startswith("="))
    used = {name for name in REGISTRY if f"={name}(" in formulas or f'"{name}"' in formulas}
    assert used == set(REGISTRY)
    assert plain[("Demo", "I2")] == "=TIER(B2,B$2:B$11)"
    assert officejs_book[("Demo", "I2")] == "=_xldudf_CELLRULES_TIER(B2,B$2:B$11)"
    conf = openpyxl.load_workbook(fresh[0])["xlwings.conf"]
    assert {row[0].value: row[1].value for row in conf.iter_rows()}["UDF Modules"] == vba.MODULE
    shown = _cells(fresh[0], data_only=True)
    assert shown[("Demo", "I2")] == "VIP" and shown[("Demo", "L2")] == 25000
    assert shown[("Demo", "L10")] == "#N/A"  # upsell: an unknown deal type


def test_every_argument_has_real_help_in_the_function_wizard():
    """xlwings registers each argument's help with Excel (MacroOptions ArgumentDescriptions); without a doc
    it falls back to "Positional argument N"."""
    import sys
    import importlib
    saved = {name: sys.modules.get(name) for name in ("pythoncom", "pywintypes", "win32com", "win32com.client")}
    sys.modules.update({k: v for k, v in vba._stubs().items() if saved[k] is None})
    try:
        xl = importlib.import_module("xlwings.udfs")
        for spec in REGISTRY.values():
            udf = udfs.build(spec, xl.xlfunc, xl.xlarg)
            docs = {a["name"]: a["doc"] for a in udf.__xlfunc__["args"] if a["name"] != "caller"}
            assert len(docs) == len(spec.args) + (spec.varargs is not None), spec.name
            assert all(not d.startswith("Positional argument") for d in docs.values()), (spec.name, docs)
    finally:
        for name, mod in saved.items():
            if mod is None:
                sys.modules.pop(name, None)


def test_udf_module_exposes_every_function_with_caller_first():
    for spec in REGISTRY.values():
        udf = getattr(udfs, spec.name)
        params = list(inspect.signature(udf).parameters)
        assert params[0] == "caller" and params[1: 1 + len(spec.args)] == [a.name for a in spec.args]
        assert udf.__doc__ == spec.help


def test_udfs_answer_with_readable_errors_and_columns():
    assert udfs.TIER(None, 200, [[200], [100], [50]]) == "VIP"
    text = udfs.COMMISSION(None, 100, "upsell")
    assert text.startswith("#N/A unknown deal type 'upsell'")
    actions = udfs.DUNNINGACTIONS(None, 95)
    assert actions[0] == ["lawyer's letter"] and all(len(row) == 1 for row in actions)
    plan = udfs.DECIDE(None, "service_plan", "VIP")  # a row of outputs: one row, three cells
    assert plan == [[12, True, "regular visits and greetings; an account manager; retention first"]]
    assert udfs.DUNNINGACTIONS(None, 1) == ""
    assert udfs.TIER(None, [[3], [2], [1]]) == [["VIP"], ["Small"], ["Small"]]


class _Caller:
    """What the UDFs read of xlwings' caller: the workbook's full path."""

    def __init__(self, path: Path) -> None:
        self.sheet = type("S", (), {"book": type("B", (), {"fullname": str(path)})()})()


def test_rules_folder_beside_the_calling_workbook_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("CELLRULES_RULES", raising=False)
    shutil.copytree(RULES, tmp_path / "rules")
    path = tmp_path / "rules" / "commission.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("rate: 20%", "rate: 30%"), encoding="utf-8")
    book = tmp_path / "book.xlsm"
    assert udfs.COMMISSION(_Caller(book), 150000, "new", None, "2026-06-30") == 30000
    assert udfs.COMMISSION(_Caller(tmp_path / "other" / "b.xlsm"), 150000, "new", None, "2026-06-30") == 25000
