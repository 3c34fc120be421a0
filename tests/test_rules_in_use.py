"""A rules folder put in use from every entry point — `--rules`, CELLRULES_RULES, the folder beside the workbook,
`cellrules.use_rules` — brings the functions its tables declare (`function: UPSELL`) to recalc, explain, serve
and Python, each in a fresh process: nothing is registered at import from whatever folder was there then."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import openpyxl
import pytest

import cellrules
from cellrules.registry import REGISTRY
from cellrules import functions as F
from cellrules import store
from conftest import ROOT, RULES
from test_cli import run

UPSELL = """\
policy: upsell
kind: decision_table
version: "2026-11"
effective_from: 2026-01-01
description: Which offer a customer gets.
hit_policy: F
function: UPSELL
inputs:
  - {name: deal_type, type: text, values: [new, renewal]}
  - {name: region, type: text}
  - {name: purchases, type: number}
outputs:
  - {name: offer, type: text}
rules:
  - [new, East, ">= 50000", "upsell: 18% on the first order"]
  - [new, "-", "-", welcome pack]
  - ["-", "-", "-", none]
examples:
  - {deal_type: new, region: East, purchases: 80000, expect: "upsell: 18% on the first order"}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "upsell.yaml").write_text(UPSELL, encoding="utf-8")
    return rules


def book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["deal", "region", "purchases", "offer"])
    ws.append(["new", "East", 80000, "=UPSELL(A2,B2,C2)"])
    ws.append(["renewal", "West", 10, "=UPSELL(A3,B3,C3)"])
    wb.save(path)
    return path


def offers(path: Path) -> list[object]:
    ws = openpyxl.load_workbook(path, data_only=True).active
    return [ws["D2"].value, ws["D3"].value]


def test_rules_option_brings_its_functions_to_recalc_and_explain(folder, tmp_path):
    source = book(tmp_path / "elsewhere.xlsx")
    out = tmp_path / "out"
    done = run("--rules", str(folder), "recalc", str(source), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert offers(out / source.name) == ["upsell: 18% on the first order", "none"]
    explained = run("--rules", str(folder), "explain", "UPSELL", "new", "East", "80000")
    assert explained.returncode == 0 and "upsell.yaml:" in explained.stdout and "rule 1" in explained.stdout


def test_the_folder_beside_the_workbook_brings_its_functions(folder, tmp_path):
    source = book(folder.parent / "beside.xlsx")
    out = tmp_path / "out"
    done = run("recalc", str(source), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert offers(out / source.name) == ["upsell: 18% on the first order", "none"]


def test_the_environment_brings_its_functions_to_python(folder):
    code = "from cellrules import functions as F; print(F.UPSELL('new', 'East', 80000))"
    env = {k: v for k, v in os.environ.items() if k != "CELLRULES_RULES"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**env, "CELLRULES_RULES": str(folder)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "upsell: 18% on the first order"


def test_use_rules_sets_the_folder_and_restores_the_previous_one(folder):
    before = store.current()
    with cellrules.use_rules(folder) as rules:
        assert store.current() is rules and rules.folder == folder.resolve()
        assert F.UPSELL("new", "East", 80000) == "upsell: 18% on the first order"
        assert F.DECIDE("upsell", "renewal", "West", 10) == "none"
    assert store.current() is before
    assert F.DECIDE("upsell", "new", "East", 1) == "#N/A"  # the shipped folder has no upsell table
    assert F.DECIDE("service_plan", "VIP", 10) != "#N/A"
    assert "UPSELL" not in REGISTRY  # the registry (Office.js's metadata) lists the folder in use


def test_use_rules_refuses_a_missing_or_empty_folder_at_once(tmp_path):
    with pytest.raises(cellrules.RulesFolderError, match="does not exist"):
        cellrules.use_rules(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(cellrules.RulesFolderError, match="holds no policy file"):
        cellrules.use_rules(tmp_path / "empty")


def test_serve_with_rules_lists_its_functions_to_excel(folder):
    from test_server import free_port
    import time
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "CELLRULES_RULES"}
    proc = subprocess.Popen([sys.executable, "-m", "cellrules", "--rules", str(folder), "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(200):
            try:
                meta = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/functions.json", timeout=1).read())
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise AssertionError(proc.stderr.read().decode())
        assert "UPSELL" in {f["id"] for f in meta["functions"]}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_importing_cellrules_reads_no_rules_folder(tmp_path):
    """Import has no side effects: a process whose only rules folder is broken can import every module."""
    broken = tmp_path / "rules"
    broken.mkdir()
    (broken / "bad.yaml").write_text("policy: [", encoding="utf-8")
    code = ("import cellrules, cellrules.functions, cellrules.recalc.formula.bridge, cellrules.store as s; "
            "print(s._current is None)")
    env = {k: v for k, v in os.environ.items() if k != "CELLRULES_RULES"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env={**env, "CELLRULES_RULES": str(broken)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_the_default_folder_is_made_once_not_per_call(monkeypatch):
    """Without CELLRULES_RULES the process default is one store, reused by every call (a new one per call
    re-read every rule file on every cell: 170 ms a call)."""
    monkeypatch.delenv("CELLRULES_RULES", raising=False)
    previous = store.use(None)
    try:
        first = store.current()
        assert store.current() is first and store.current() is first
        monkeypatch.setenv("CELLRULES_RULES", str(RULES))
        assert store.current() is not first  # made again when the environment names another folder
    finally:
        store.use(previous)
