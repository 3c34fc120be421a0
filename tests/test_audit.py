"""The audit trail: every recalculated workbook names the policy files that produced its values.

Read back with openpyxl (a reader we did not write): a custom document property ``cellrules.<policy>`` =
"<version> sha256:<hash of the file> <file name> (<n> cells)", a part per version that computed a cell (no
folder path: the same bytes wherever the run was), the same in ``--json``; other
custom properties kept; none added to a workbook without cellrules functions; RULESTATUS and /health show
the hashes.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.packaging.custom import StringProperty

from cellrules import cli, functions as F
from cellrules.xlsx import docprops
from cellrules.recalc.batch.run import recalc_file
from conftest import RULES
from recalc_helpers import sales_book


def _props(path: Path) -> dict[str, str]:
    return {p.name: p.value for p in openpyxl.load_workbook(path).custom_doc_props.props}


def test_a_recalculated_workbook_names_each_policy_file_with_its_hash(tmp_path):
    book = sales_book(tmp_path / "book.xlsx", n=60)
    report = recalc_file(str(book), str(tmp_path / "out.xlsx"))
    props = _props(tmp_path / "out.xlsx")
    used = {p["policy"] for p in report.policies}
    assert used == {"tiers", "profit", "dunning", "commission", "prospect"}
    assert "cellrules.rules" not in props  # no folder path: a result's bytes do not depend on where it ran
    for p in report.policies:
        digest = hashlib.sha256((RULES / f"{p['policy']}.yaml").read_bytes()).hexdigest()
        assert p["sha256"] == digest  # what `sha256sum rules/<file>` prints
        assert props[f"cellrules.{p['policy']}"] == f"{p['version']} sha256:{digest} {p['policy']}.yaml ({p['cells']:,} cells)"
        assert p["cells"] == 60


def test_other_custom_properties_are_kept_and_ours_replaced_not_repeated(tmp_path):
    book = sales_book(tmp_path / "book.xlsx", n=40)
    wb = openpyxl.load_workbook(book)
    wb.custom_doc_props.append(StringProperty(name="Owner", value="Finance & Co <EU>"))
    wb.save(book)
    recalc_file(str(book), str(tmp_path / "once.xlsx"))
    recalc_file(str(tmp_path / "once.xlsx"), str(tmp_path / "twice.xlsx"))
    once, twice = _props(tmp_path / "once.xlsx"), _props(tmp_path / "twice.xlsx")
    assert once == twice and once["Owner"] == "Finance & Co <EU>"
    assert sum(name.startswith("cellrules.") for name in twice) == 5  # the five policies
    with zipfile.ZipFile(tmp_path / "once.xlsx") as a, zipfile.ZipFile(tmp_path / "twice.xlsx") as b:
        assert a.read(docprops.PART) == b.read(docprops.PART)
        assert a.read("[Content_Types].xml").count(b"/docProps/custom.xml") == 1


def test_a_workbook_without_cellrules_functions_gets_no_properties(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["A2"] = 2, "=A1*3"
    wb.save(tmp_path / "plain.xlsx")
    report = recalc_file(str(tmp_path / "plain.xlsx"), str(tmp_path / "out.xlsx"))
    assert report.ok and report.policies == []
    with zipfile.ZipFile(tmp_path / "out.xlsx") as zf:
        assert docprops.PART not in zf.namelist()


def test_the_json_report_lists_the_policies_and_long_values_are_cut_to_what_excel_keeps(tmp_path, capsys):
    book = sales_book(tmp_path / "book.xlsx", n=30)
    assert cli.main(["recalc", str(book), "-o", str(tmp_path / "out"), "--json"]) == 0
    files = json.loads(capsys.readouterr().out)["files"]
    assert [p["policy"] for p in files[0]["policies"]] == ["commission", "dunning", "profit", "prospect", "tiers"]
    long = "/very/long/folder" * 30
    assert len(docprops.fit(long)) == docprops.MAX_TEXT and docprops.fit(long).endswith("folder")
    part = docprops.custom_part(None, {"rules": long})
    assert f"{long[-200:]}".encode() in part


def test_rulestatus_and_health_show_the_hashes():
    status = F.RULESTATUS()
    for name in ("commission", "tiers"):
        digest = hashlib.sha256((RULES / f"{name}.yaml").read_bytes()).hexdigest()
        assert f"{name} " in status and f"sha256 {digest[:12]}" in status


def test_a_custom_part_without_the_vt_prefix_still_gets_well_formed_properties():
    from defusedxml import ElementTree
    existing = (b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties">'
                b'<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="7" name="Owner">'
                b'<lpwstr xmlns="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">x</lpwstr>'
                b'</property></Properties>')
    root = ElementTree.fromstring(docprops.custom_part(existing, {"rules": "r & d"}))
    props = {p.get("name"): (p.get("pid"), p[0].tag, p[0].text) for p in root}
    vt = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}lpwstr"
    assert props == {"Owner": ("7", vt, "x"), "cellrules.rules": ("8", vt, "r & d")}


@pytest.mark.slow  # LibreOffice headless
def test_libreoffice_reads_the_audit_properties_and_keeps_them(tmp_path):
    import subprocess

    from test_conformance import HAVE_LIBREOFFICE, REQUIRED, SYSTEM_PYTHON
    if not HAVE_LIBREOFFICE:
        assert not REQUIRED, "CELLRULES_REQUIRE_LIBREOFFICE=1 but LibreOffice (soffice + python3-uno) is missing"
        pytest.skip("LibreOffice is not installed")
    from conftest import ROOT
    book = sales_book(tmp_path / "book.xlsx", n=40)
    recalc_file(str(book), str(tmp_path / "ours.xlsx"))
    done = subprocess.run([SYSTEM_PYTHON, str(ROOT / "tests" / "lo_recalc.py"), str(tmp_path / "ours.xlsx"),
                           str(tmp_path / "theirs.xlsx")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    ours, theirs = _props(tmp_path / "ours.xlsx"), _props(tmp_path / "theirs.xlsx")
    assert {k: v for k, v in theirs.items() if k.startswith("cellrules.")} == ours and len(ours) == 5
