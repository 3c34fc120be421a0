"""DMN conformance: the DMN TCK's decision-table cases (compliance level 2), every test case through DECIDE.

The models are read from their .dmn files in a rules folder (as finance would drop one in), the test cases from
the TCK's XML; expected values are compared as DMN has them: a value, a row of output components, a list of
items, or null (which DECIDE gives as #N/A with the reason)."""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from cellrules import functions as F
from cellrules.dmn.load import decisions
from cellrules.dmn.xml import Node, parse
from cellrules.errors import ExcelError
from cellrules.store import Store, using
from conftest import ROOT

TCK = ROOT / "tests" / "dmn_tck"
CASES = sorted(p for p in TCK.iterdir() if p.is_dir() and p.name[:1].isdigit())


def value_of(node: Node) -> object:
    """A TCK <value> as Python: decimal a float, boolean a bool, nil None, anything else text."""
    if node.attrs.get("nil") == "true":
        return None
    kind = node.attrs.get("type", "").split(":")[-1]
    text = node.text.strip()
    if kind in ("decimal", "double", "integer", "int", "long"):
        return float(text)
    if kind == "boolean":
        return text == "true"
    return text


def expected_rows(expected: Node, outputs: list[str]) -> list[list[object]] | None:
    """The expected result as rows of outputs (None: null)."""
    lst = expected.find("list")
    items = lst.all("item") if lst is not None else None
    if items is not None:
        return [row for item in items for row in (expected_rows(item, outputs) or [[None]])]
    components = expected.all("component")
    if components:
        named = {c.attrs["name"]: value_of(c.find("value")) for c in components}
        return [[named.get(name) for name in outputs]]
    value = value_of(expected.find("value"))
    return None if value is None else [[value]]


def got_rows(value: object) -> list[list[object]] | None:
    if isinstance(value, ExcelError):
        return None
    if not isinstance(value, list):
        return [[value]]
    return [row if isinstance(row, list) else [row] for row in value]


def same(a: list[list[object]] | None, b: list[list[object]] | None) -> bool:
    if a is None or b is None:
        return a is b
    flat_a, flat_b = [v for r in a for v in r], [v for r in b for v in r]
    return len(a) == len(b) and len(flat_a) == len(flat_b) and all(
        math.isclose(x, y) if isinstance(x, float) and isinstance(y, float) else x == y for x, y in zip(flat_a, flat_b))


def _cases():
    out = []
    for case in CASES:
        tests = parse((next(case.glob("*-test-01.xml"))).read_text(encoding="utf-8"))
        for tc in tests.all("testCase"):
            out.append(pytest.param(case, tc, id=f"{case.name}:{tc.attrs.get('id')}"))
    return out


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """A rules folder per case: the TCK's models reuse decision names (Approval) from case to case."""
    out = {}
    for case in CASES:
        out[case.name] = tmp_path_factory.mktemp(case.name[:4])
        shutil.copy(next(case.glob("*.dmn")), out[case.name])
    return out


def test_every_case_is_vendored_with_its_licence():
    names = {c.name[:4] for c in CASES}
    assert names == {"0004", "0005", "0006", "0007", "0010"} | {f"01{n:02d}" for n in range(8, 20)}
    assert (TCK / "LICENSE-ASL-2.0.txt").read_text(encoding="utf-8").startswith("\n                                 Apache License") \
        or "Apache License" in (TCK / "LICENSE-ASL-2.0.txt").read_text(encoding="utf-8")[:300]


@pytest.mark.parametrize("case,tc", _cases())
def test_tck_case(folders, case, tc):
    store = Store(folders[case.name])
    store.interval = 0.0
    with using(store):
        given = {n.attrs["name"]: value_of(n.find("value")) for n in tc.all("inputNode")}
        for result in tc.all("resultNode"):
            name = result.attrs["name"]
            loaded = store.in_force_by_name(name)
            assert loaded is not None, store.status()
            table = loaded.policy
            got = F.DECIDE(name, *[given.get(c.name) for c in table.inputs])
            want = expected_rows(result.find("expected"), [o.name for o in table.outputs])
            assert same(got_rows(got), want), (got, want, getattr(got, "reason", ""))
    store.close()


def test_check_reads_a_dmn_file_with_line_numbers(tmp_path):
    """A cell outside FEEL's grammar is BAD_TEST at the cell's XML line and refuses the decision. A name no
    element declares (a bare word meant as text) is UNKNOWN_NAME at the cell's line, a warning: the decision
    takes it as an argument (as Camunda's engine takes a process variable), never as the text."""
    text = (TCK / "0004-simpletable-U" / "0004-simpletable-U.dmn").read_text(encoding="utf-8")
    line = text.splitlines().index("                    <text>&gt;=18</text>") + 1
    broken = tmp_path / "bad.dmn"
    broken.write_text(text.replace("<text>&gt;=18</text>", "<text>&gt;= 18 +</text>", 1), encoding="utf-8")
    found, problems = decisions(broken)
    assert [(d.code, d.severity, d.location.line) for d in problems] == [("BAD_TEST", "error", line)]
    assert isinstance(found["Approval Status"], list)  # refused, with the diagnostics that say why
    bare = tmp_path / "bare.dmn"
    bare.write_text(text.replace("<text>&gt;=18</text>", "<text>&gt;= eighteen</text>", 1), encoding="utf-8")
    found, problems = decisions(bare)
    assert [(d.code, d.severity, d.location.line) for d in problems] == [("UNKNOWN_NAME", "warning", line)]
    assert 'quotes: "eighteen"' in problems[0].message
    assert [a.name for a in found["Approval Status"].arguments] == ["Age", "RiskCategory", "isAffordable", "eighteen"]


@pytest.mark.parametrize("name", ["customer_class", "culling", "service_plan", "bonus_hold"])
def test_export_dmn_round_trip_gives_the_same_answers(tmp_path, name):
    """cellrules export-dmn writes a shipped YAML table as DMN; read back from a rules folder as a DMN file,
    it answers every generated input as the YAML table does."""
    from conftest import RULES
    from test_cli import run
    out = tmp_path / "dmn" / f"{name}.dmn"
    out.parent.mkdir()
    done = run("export-dmn", str(RULES / f"{name}.yaml"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert run("check", str(out.parent)).stdout.endswith("0 errors, 0 warnings\n")
    import xmlschema
    xmlschema.XMLSchema(str(TCK / "xsd" / "DMN13.xsd")).validate(str(out))  # valid DMN 1.3, as modellers read it
    assert_same_answers(name, Store(RULES), Store(out.parent), seed=7)


@pytest.mark.parametrize("name", ["customer_class", "culling", "service_plan", "bonus_hold"])
def test_export_xlsx_round_trip_gives_the_same_answers(tmp_path, name):
    """cellrules export-xlsx writes a shipped table as a worksheet; a rules folder holding that workbook answers
    as the YAML table does."""
    from conftest import RULES
    from test_cli import run
    out = tmp_path / "sheets" / "tables.xlsx"
    out.parent.mkdir()
    done = run("export-xlsx", str(RULES / f"{name}.yaml"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert run("check", str(out.parent)).stdout.endswith("0 errors, 0 warnings\n")
    assert_same_answers(name, Store(RULES), Store(out.parent), seed=11)


def assert_same_answers(name: str, expected: Store, tried: Store, seed: int) -> None:
    """200 generated calls of table ``name`` answered alike by two rules folders (both stores closed after)."""
    import numpy as np
    table = expected.in_force_by_name(name).policy
    rng = np.random.default_rng(seed)
    samples = {"number": lambda: float(rng.choice([-1, 0, 0.03, 0.05, 0.12, 0.2, 12, 59, 60, 90, 3e5, 1.5e6])),
               "boolean": lambda: bool(rng.integers(2)), "text": lambda: None}
    for _ in range(200):
        args = [samples[c.type]() if c.values is None else str(rng.choice(list(c.values))) for c in table.inputs]
        with using(expected):
            want = F.DECIDE(name, *args)
        with using(tried):
            got = F.DECIDE(name, *args)
        assert str(got) == str(want) and getattr(got, "reason", "").split(": ", 1)[-1] == \
            getattr(want, "reason", "").split(": ", 1)[-1], args
    expected.close()
    tried.close()


def test_a_table_typed_into_a_sheet_is_a_policy_and_its_problems_point_at_cells(tmp_path):
    """Finance lays a table out in Excel: row 1 the hit policy, row 2 the columns, row 3 allowed values, rules
    below; a bad cell is reported as book.xlsx!Sheet!C5."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "discount"
    ws.append(["hit policy", "F", "version", "2026-11", "effective from", "2026-01-01", "description", "Discounts"])
    ws.append(["in: region (text)", "in: amount (number)", "out: discount (number)"])
    ws.append(['"East", "West"', None, None])
    ws.append(["East", ">= 1000", 0.1])
    ws.append(["-", "[100..1000)", 0.05])
    ws.append(["-", "-", 0])
    wb.save(tmp_path / "book.xlsx")
    store = Store(tmp_path)
    with using(store):
        assert F.DECIDE("discount", "East", 5000) == 0.1 and F.DECIDE("discount", "West", 500) == 0.05
        assert F.EXPLAIN("DECIDE", "discount", "West", 50).endswith("rule 3 (book.xlsx!discount!A6) → discount = 0")
    store.close()
    ws["B5"] = "[100..oops)"
    wb.save(tmp_path / "book.xlsx")
    from cellrules.examples import check_file
    _, problems = check_file(tmp_path / "book.xlsx")
    assert [(str(d.location), d.code) for d in problems] == [("book.xlsx!discount!B5", "BAD_TEST")]


def test_computed_outputs_and_literal_expressions_run_and_juel_is_refused(tmp_path):
    """Output entries are FEEL expressions and a decision may be a literal expression: both are answered. A
    table written in JUEL (Camunda's ${…}) is UNSUPPORTED: DECIDE refuses it with the reason, never guesses,
    and the other decisions of the file still work."""
    text = (TCK / "0004-simpletable-U" / "0004-simpletable-U.dmn").read_text(encoding="utf-8")
    computed = text.replace("<text>\"Approved\"</text>", "<text>\"Appr\" + \"oved\"</text>", 1)
    extra = ('<decision name="Literal"><literalExpression><text>1 + 1</text></literalExpression></decision>'
             '<decision name="Juel"><decisionTable><input><inputExpression><text>${age}</text></inputExpression>'
             '</input><output/><rule><inputEntry><text>-</text></inputEntry><outputEntry><text>1</text>'
             '</outputEntry></rule></decisionTable></decision><decision name="Approval Status"')
    (tmp_path / "model.dmn").write_text(computed.replace('<decision name="Approval Status"', extra, 1),
                                        encoding="utf-8")
    found, problems = decisions(tmp_path / "model.dmn")
    assert [p.code for p in problems] == ["UNSUPPORTED"] and "JUEL" in problems[0].message
    store = Store(tmp_path)
    with using(store):
        assert F.DECIDE("Approval Status", 18, "Medium", True) == "Approved"
        assert F.DECIDE("Literal") == 2.0
        refused = F.DECIDE("Juel")
        assert refused == "#N/A" and "UNSUPPORTED" in refused.reason and "JUEL" in refused.reason
    store.close()


def test_hostile_dmn_files_are_refused_with_a_reason(tmp_path):
    """Rule files are data: a document type (the door to entity expansion), a huge file, a non-UTF-8 file and
    broken XML are refused with a diagnostic, and nothing is run."""
    bomb = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            '<definitions><decision name="x">&b;</decision></definitions>')
    cases = {"bomb.dmn": bomb.encode(), "big.dmn": b"<definitions>" + b" " * 2_100_000 + b"</definitions>",
             "latin.dmn": "<definitions name='é'/>".encode("latin-1"), "broken.dmn": b"<definitions><decision>"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        found, problems = decisions(tmp_path / name)
        assert found == {} and len(problems) == 1 and problems[0].severity == "error", name
        assert problems[0].code == ("FILE_ERROR" if name in ("big.dmn", "latin.dmn") else "DMN_SYNTAX"), name


def test_a_sheet_table_reads_formula_cells_by_their_saved_value_and_merged_cells_by_their_first(tmp_path):
    """A formula cell in a worksheet table is read by the value Excel saved (never as blank, which would match
    anything); one whose value was never saved is UNCOMPUTED and the table is not loaded; a merged cell counts
    in every row it covers."""
    import openpyxl
    from cellrules.examples import check_file
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "discount"
    ws.append(["hit policy", "F", "version", "2026-11", "effective from", "2026-01-01", "description", "Discounts"])
    ws.append(["in: region (text)", "in: amount (number)", "out: discount (number)"])
    ws.append([None, None, None])
    ws.append(["East", ">= 1000", 0.1])
    ws.append([None, "< 1000", 0.05])
    ws.append(["West", "-", 0])
    ws.merge_cells("A4:A5")
    wb.save(tmp_path / "book.xlsx")
    store = Store(tmp_path)
    with using(store):
        assert F.DECIDE("discount", "East", 500) == 0.05
        assert isinstance(F.DECIDE("discount", "West", 500), (int, float)) and F.DECIDE("discount", "West", 500) == 0
        assert F.DECIDE("discount", "North", 500).code == "#N/A"  # row 5 is East's (merged), not "any region"
    store.close()
    ws["A6"] = '="We"&"st"'  # a formula openpyxl writes without a value
    wb.save(tmp_path / "book.xlsx")
    _, problems = check_file(tmp_path / "book.xlsx")
    assert [(d.code, str(d.location)) for d in problems if d.code == "UNCOMPUTED"] == \
        [("UNCOMPUTED", "book.xlsx!discount!A6")]


def test_a_name_defined_twice_is_used_by_neither_and_check_says_duplicate_name(tmp_path):
    """The same decision in two .dmn files, or a decision named like a YAML policy: which one DECIDE would run
    is a guess, so neither runs (the reason names both files) and check reports DUPLICATE_NAME on each; a
    decision twice in one file likewise; an aggregation DMN does not define is refused, never a plain COLLECT;
    Excel's lock file ~$book.xlsx is no rule file."""
    from cellrules.examples import run_folder
    text = (TCK / "0004-simpletable-U" / "0004-simpletable-U.dmn").read_text(encoding="utf-8")
    (tmp_path / "a.dmn").write_text(text, encoding="utf-8")
    (tmp_path / "b.dmn").write_text(text, encoding="utf-8")
    (tmp_path / "~$book.xlsx").write_bytes(b"locked")
    store = Store(tmp_path)
    with using(store):
        got = F.DECIDE("Approval Status", 30, "Medium", True)
    store.close()
    assert got.code == "#N/A" and "a.dmn" in got.reason and "b.dmn" in got.reason
    _, diagnostics, _ = run_folder(tmp_path)
    assert sorted((d.code, Path(d.location.path).name) for d in diagnostics if d.code == "DUPLICATE_NAME") == \
        [("DUPLICATE_NAME", "a.dmn"), ("DUPLICATE_NAME", "b.dmn")]
    assert not [d for d in diagnostics if "~$" in d.location.path]
    (tmp_path / "b.dmn").unlink()
    twice = text.replace('<decision name="Approval Status"', '<decision name="Approval Status" id="d2x"><decisionTable>'
                         '<output/></decisionTable></decision><decision name="Approval Status"', 1)
    (tmp_path / "a.dmn").write_text(twice, encoding="utf-8")
    _, diagnostics, _ = run_folder(tmp_path)
    assert any(d.code == "DUPLICATE_NAME" for d in diagnostics)
    averaged = text.replace('hitPolicy="UNIQUE"', 'hitPolicy="COLLECT" aggregation="AVG"', 1)
    assert averaged != text
    (tmp_path / "a.dmn").write_text(averaged, encoding="utf-8")
    store = Store(tmp_path)
    with using(store):
        got = F.DECIDE("Approval Status", 30, "Medium", True)
    store.close()
    assert isinstance(got, ExcelError) and "AVG" in got.reason
