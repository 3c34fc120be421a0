"""Decision tables: the cell grammar, every hit policy, what validation finds, and two paths that agree."""
from __future__ import annotations

import datetime as dt
import shutil
import textwrap

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cellrules import functions as F
from cellrules.dmn import hits
from cellrules.dmn.grammar import parse
from cellrules.dmn.unary import UnaryError
from cellrules.recalc.batch.run import recalc_file
from cellrules.source import load_text
from cellrules.store import Store, using
from cellrules.validation import validate
from cellrules.vector import COLUMNS
from conftest import ROOT, write

HEAD = """\
policy: {name}
kind: decision_table
version: "1"
effective_from: 2026-01-01
description: test
hit_policy: {policy}
inputs:
  - {{name: age, type: number}}
  - {{name: risk, type: text, values: [High, Low, Medium]}}
outputs:
  - {{name: status, type: text, values: [Approved, Review, Declined]}}
rules:
"""


def table(policy: str, rows: str, name: str = "t") -> str:
    return HEAD.format(name=name, policy=policy) + textwrap.indent(textwrap.dedent(rows), "  ")


def problems(text: str) -> list[tuple[str, str, int]]:
    source, found = load_text(text, "t.yaml")
    assert source is not None
    return [(d.code, d.severity, d.location.line) for d in validate(source)[1]]


# -- the grammar -------------------------------------------------------------
@pytest.mark.parametrize("cell,typ,yes,no", [
    ("< 18", "number", [17, -5.5], [18, 30]),
    (">=18", "number", [18, 99], [17.99]),
    ("[18..65)", "number", [18, 64.9], [65, 17]),
    ("(18..65]", "number", [18.5, 65], [18, 66]),
    ("]18..65[", "number", [30], [18, 65]),
    ("18", "number", [18], [18.5]),
    ('"Low", "Medium"', "text", ["Low", "Medium"], ["High", "low"]),
    ("Low, Medium", "text", ["Low"], ["High"]),
    ('not("High")', "text", ["Low", None], ["High"]),
    ("not(< 5)", "number", [5, 7], [4, None]),
    ("-", "text", ["anything", None], []),
    ("true", "boolean", [True], [False, None]),
    ('>= date("2026-01-01")', "date", [dt.date(2026, 1, 1)], [dt.date(2025, 12, 31)]),
    ('[date("2026-01-01")..date("2026-03-31")]', "date", [dt.date(2026, 3, 31)], [dt.date(2026, 4, 1)]),
])
def test_unary_tests_mean_what_dmn_says(cell, typ, yes, no):
    test = parse(cell, typ)
    assert all(test.test(v) is True for v in yes) and not any(test.test(v) is True for v in no)
    assert parse(test.text(), typ) == test  # written back the DMN way, it reads the same


@pytest.mark.parametrize("cell,typ,says", [
    ("< Low", "text", "only numbers and dates have an order"),
    ("[5..1]", "number", "empty"),
    ('"open', "text", "no closing quote"),
    ("abc", "number", "is not a value"),
    ('"x"', "number", "holds number values"),
    ("1,,2", "number", "empty test"),
    ("__import__('os')", "number", "is not a value"),
])
def test_cells_outside_the_grammar_are_refused_with_a_reason(cell, typ, says):
    with pytest.raises(UnaryError, match=says):
        parse(cell, typ)


def _general(cell: str, typ: str) -> object:
    """The cell read by the general path only (split into parts, each read on its own): what the fast reads of
    a number range and of a list of words must give, answer or refusal."""
    from cellrules.dmn import grammar
    try:
        parts = tuple(grammar._positive(p, typ) for p in grammar.split(cell.strip()))
        return parts[0] if len(parts) == 1 else grammar.Test("oneof", parts=parts)
    except UnaryError as exc:
        return str(exc)


def _read(cell: str, typ: str) -> object:
    try:
        return parse(cell, typ)
    except UnaryError as exc:
        return str(exc)


_NUMBERISH = st.one_of(st.integers(-10**6, 10**6).map(str), st.floats(allow_nan=False, allow_infinity=False).map(repr),
                       st.sampled_from(["1.", ".5", "1e400", "-0", "1e3", "2.50", "", "1.2.3"]))
_SPACE = st.sampled_from(["", " ", "  ", "\t"])


@settings(max_examples=400, deadline=None)
@given(st.sampled_from("[(]"), _NUMBERISH, _SPACE, st.sampled_from(["..", "...", ". ."]), _SPACE, _NUMBERISH,
       st.sampled_from("])["))
def test_a_number_range_reads_as_the_general_path_reads_it(opening, low, space, dots, space2, high, closing):
    cell = f"{opening}{space}{low}{space2}{dots}{space}{high}{space2}{closing}"
    assert _read(cell, "number") == _general(cell, "number")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.characters(codec="utf-8", exclude_characters='\r'), max_size=6), min_size=1,
                max_size=12), st.sampled_from([", ", ",", " , "]))
def test_a_list_of_words_reads_as_the_general_path_reads_it(words, comma):
    cell = comma.join(f'"{w}"' for w in words)
    assert _read(cell, "text") == _general(cell, "text")


# -- hit policies ------------------------------------------------------------
OUTS = [("Approved",), ("Declined",), ("Review",), ("Approved",)]
PRIORITY = ({"Approved": 0, "Review": 1, "Declined": 2},)


@pytest.mark.parametrize("policy,matched,rows,problem", [
    ("U", [1], (("Declined",),), ""),
    ("U", [0, 1], (), "hit policy U allows only one"),
    ("A", [0, 3], (("Approved",),), ""),
    ("A", [0, 1], (), "different outputs"),
    ("P", [1, 2], (("Review",),), ""),
    ("F", [2, 0], (("Review",),), ""),
    ("R", [0, 1, 2], (("Approved",), ("Declined",), ("Review",)), ""),
    ("O", [1, 2, 0], (("Approved",), ("Review",), ("Declined",)), ""),
    ("C", [2, 1], (("Review",), ("Declined",)), ""),
    ("F", [], (), "no rule matches"),
])
def test_hit_policies_give_dmn_answers(policy, matched, rows, problem):
    found = hits.answer(policy, matched, OUTS, PRIORITY)
    assert (found.rows, found.problem[:len(problem)] if problem else found.problem) == (rows, problem) or \
        problem in found.problem and found.rows == rows


def test_collect_aggregations():
    outs = [(10.0,), (5.0,), (20.0,)]
    assert hits.answer("C+", [0, 1, 2], outs, ()).value == 35
    assert hits.answer("C<", [0, 2], outs, ()).value == 10
    assert hits.answer("C>", [0, 1], outs, ()).value == 10
    assert hits.answer("C#", [0, 1, 2], outs, ()).value == 3
    assert hits.answer("C#", [], outs, ()).problem == "no rule matches"  # DMN: no rule, null (or the default)
    assert hits.answer("C+", [], outs, ()).problem == "no rule matches"
    assert hits.answer("C+", [0, 1, 1], outs, (), distinct=True).value == 15  # Flowable's DMN 1.1 mode


# -- validation --------------------------------------------------------------
def test_overlap_under_unique_is_a_warning_at_the_later_rule_and_only_overlapping_calls_fail(tmp_path):
    """DMN: a U table whose rules overlap still answers every input that hits one rule; an input that hits two
    gives #N/A naming them. check warns at the later rule with an example input."""
    text = table("U", '- [">= 18", "Low", Approved]\n- [">= 60", "-", Review]\n- ["< 18", "-", Declined]\n'
                      '- ["[18..60)", "High, Medium", Declined]\n', name="approval")
    found = problems(text)
    assert ("OVERLAP", "warning", 14) in found and not [p for p in found if p[1] == "error"]
    (tmp_path / "approval.yaml").write_text(text, encoding="utf-8")
    store = Store(tmp_path)
    with using(store):
        assert F.DECIDE("approval", 30, "Low") == "Approved"
        clash = F.DECIDE("approval", 70, "Low")
        assert clash == "#N/A" and "rules 1 and 2" in clash.reason
    store.close()


def test_conflict_under_any_and_agreement_under_any():
    conflict = table("A", '- [">= 18", "-", Approved]\n- [">= 60", "-", Review]\n- ["< 18", "-", Declined]\n')
    agree = table("A", '- [">= 18", "-", Approved]\n- [">= 60", "-", Approved]\n- ["< 18", "-", Declined]\n')
    assert ("CONFLICT", "warning", 14) in problems(conflict)
    assert problems(agree) == []


def test_a_rule_that_can_never_fire_under_first():
    text = table("F", '- [">= 18", "-", Approved]\n- [">= 60", "Low", Review]\n- ["-", "-", Declined]\n')
    assert ("UNREACHABLE_RULE", "error", 14) in problems(text)


def test_a_gap_where_the_domain_is_known_is_a_warning_and_the_table_loads():
    text = table("U", '- [">= 18", "Low, Medium", Approved]\n- ["< 18", "-", Declined]\n')
    source, _ = load_text(text, "t.yaml")
    policy, found = validate(source)
    assert policy is not None and [(d.code, d.severity) for d in found] == [("GAP", "warning")]
    assert 'age = 18, risk = "High"' in found[0].message


def test_cells_of_the_wrong_type_and_values_not_allowed_point_at_the_cell():
    text = table("U", '- [">= eighteen", "Low", Approved]\n- ["< 18", "Hihg", Declined]\n- ["-", "-", Maybe]\n')
    found = problems(text)
    assert ("BAD_TEST", "error", 13) in found and ("NOT_ALLOWED", "error", 14) in found
    assert ("NOT_ALLOWED", "error", 15) in found


# -- calling tables ------------------------------------------------------------
@pytest.fixture
def approval(rules_dir, edit_store):
    write(rules_dir / "approval.yaml", table("F", '- [">= 18", "Low, Medium", Approved]\n- [">= 18", High, Review]\n'
                                                  '- ["-", "-", Declined]\n', name="approval"))
    write(rules_dir / "sums.yaml", HEAD.format(name="sums", policy="C+").replace(
        "  - {name: status, type: text, values: [Approved, Review, Declined]}", "  - {name: points, type: number}")
          + '  - [">= 18", "-", 1]\n  - [">= 60", "-", 2]\n  - ["-", High, 4]\n')
    overlapping = ('- [">= 18", "Low, Medium", Approved]\n- [">= 60", "-", Review]\n- ["< 18", "-", Declined]\n'
                   '- [">= 18", "Low", Approved]\n')
    agreeing = '- [">= 18", "Low, Medium", Approved]\n- [">= 60", "Low", Approved]\n- ["< 18", "-", Declined]\n'
    disjoint = '- [">= 18", "Low, Medium", Approved]\n- [">= 18", High, Review]\n- ["< 18", "-", Declined]\n'
    for policy, rows in (("U", disjoint), ("A", agreeing), ("P", overlapping), ("R", overlapping),
                         ("O", overlapping), ("C", overlapping)):
        write(rules_dir / f"p{policy}.yaml", table(policy, rows, name=f"p{policy}"))
    for policy, name in (("C<", "pmin"), ("C>", "pmax"), ("C#", "pcount")):
        write(rules_dir / f"{name}.yaml", (rules_dir / "sums.yaml").read_text(encoding="utf-8").replace(
            "hit_policy: C+", f"hit_policy: {policy}").replace("policy: sums", f"policy: {name}"))
    return rules_dir


POLICY_TABLES = ["approval", "sums", "pU", "pA", "pP", "pR", "pO", "pC", "pmin", "pmax", "pcount"]


def test_every_policy_table_of_the_parity_test_loads(approval):
    assert all(F.RULESTATUS().startswith("OK") for _ in [0]), F.RULESTATUS()
    assert F.DECIDE("pR", 70, "Low") == ["Approved", "Review", "Approved"]
    assert F.DECIDE("pO", 70, "Low") == ["Approved", "Approved", "Review"]
    assert F.DECIDE("pP", 70, "Medium") == "Approved" and F.DECIDE("pA", 70, "Low") == "Approved"
    assert F.DECIDE("pmin", 70, "High") == 1 and F.DECIDE("pmax", 70, "High") == 4 and F.DECIDE("pcount", 70, "High") == 3
    assert F.DECIDE("pU", 30, "High") == "Review" and F.DECIDE("pcount", 10, "Low") == "#N/A"  # no rule: DMN's null


def test_decide_answers_and_explains_with_table_rule_and_line(approval):
    assert F.DECIDE("approval", 30, "Low") == "Approved"
    assert F.DECIDE("approval", 30, "High") == "Review"
    assert F.DECIDE("approval", None, "High") == "Declined"  # a blank age matches only "-"
    assert F.DECIDE("sums", 70, "High") == 7 and F.DECIDE("sums", 10, "Low") == "#N/A"
    assert F.EXPLAIN("DECIDE", "approval", 30, "High") == \
        'approval.yaml:14 approval (1, hit policy F) for age = 30, risk = "High": rule 2 (line 14) → status = "Review"'
    assert F.DECIDE("approval", 30) == "#VALUE!" and "takes 2 input(s)" in F.DECIDE("approval", 30).reason
    assert F.DECIDE("", 30, "Low") == "#VALUE!" and F.DECIDE("nosuch", 1, 2) == "#N/A"
    assert F.DECIDE("approval", "#N/A", "Low") == "#N/A"  # an error passed in is the answer


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(-10, 90), st.just("x")),
                          st.sampled_from(["Low", "Medium", "High", "", "Eh"])), min_size=1, max_size=30))
def test_a_column_agrees_with_each_cell(approval, rows):
    ages, risks = [a for a, _ in rows], [r for _, r in rows]
    for name in POLICY_TABLES:
        column = list(COLUMNS["DECIDE"](name, ages, risks))
        cells = [top(F.DECIDE(name, a, r)) for a, r in rows]
        assert [(str(c), getattr(c, "reason", "")) for c in column] == \
            [(str(c), getattr(c, "reason", "")) for c in cells], name


def top(value: object) -> object:
    while isinstance(value, list):
        value = value[0]
    return value


def test_a_multi_output_row_and_rows_spill_in_a_recalculated_workbook(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["A2"] = "VIP", '=DECIDE("service_plan",A1)'
    ws["A4"] = "=CUSTOMERCLASS(1500000,24,0.2,5)"
    wb.save(tmp_path / "in.xlsx")
    assert recalc_file(str(tmp_path / "in.xlsx"), str(tmp_path / "out.xlsx")).ok
    shown = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True).active
    assert shown["A2"].value == 12 and shown["A4"].value == "key"  # a plain formula shows the first value
    assert F.DECIDE("service_plan", "VIP") == [[12, True, "regular visits and greetings; an account manager; "
                                                           "retention first"]]
    assert np.array(COLUMNS["CUSTOMERCLASS"]([1.5e6, 2e4], 24, [0.2, 0.3], 5)).tolist() == ["key", "maintain"]


def test_the_readme_walk_through_does_what_it_says(rules_dir, edit_store):
    """The upsell table of docs/decision-tables.md, as printed there: it checks, its examples pass, DECIDE and
    EXPLAIN answer as shown, and the broken cell the document shows gives the diagnostic it shows."""
    import re
    from conftest import ROOT
    from test_cli import run
    readme = (ROOT / "docs" / "decision-tables.md").read_text(encoding="utf-8")
    block = re.search(r"1\. Write `rules/upsell.yaml`:\n\n   ```yaml\n(.*?)   ```", readme, re.S).group(1)
    text = "\n".join(line[3:] for line in block.splitlines()) + "\n"
    write(rules_dir / "upsell.yaml", text)
    assert run("check", str(rules_dir)).returncode == 0
    assert run("test", str(rules_dir)).returncode == 0
    assert F.DECIDE("upsell", "new", "East", 80000) == "upsell: 18% on the first order"
    explained = F.EXPLAIN("DECIDE", "upsell", "new", "East", 80000)
    assert explained in readme.replace("\n   ", " ")
    write(rules_dir / "upsell.yaml", text.replace('">= 50000"', '">= fifty"'))
    out = run("check", str(rules_dir / "upsell.yaml"))
    shown = re.search(r"`(upsell\.yaml:\d+:\d+: BAD_TEST purchases: 'fifty' is not a value)", readme).group(1)
    assert out.returncode == 1 and shown in out.stdout


def test_text_in_a_yaml_table_matches_as_excel_compares_it_and_dmn_matches_exactly(tmp_path):
    """YAML and sheet tables compare text as every other cellrules function and Excel's = do (case and
    surrounding spaces ignored), on the engine, the kernel and the column form alike; a .dmn file keeps DMN's
    exact match."""
    from cellrules.vector import COLUMNS
    text = table("F", '- [">= 18", "Low", Approved]\n- ["-", "-", Declined]\n', name="case")
    (tmp_path / "case.yaml").write_text(text, encoding="utf-8")
    shutil.copy(ROOT / "tests" / "dmn_tck" / "0004-simpletable-U" / "0004-simpletable-U.dmn", tmp_path / "u.dmn")
    store = Store(tmp_path)
    with using(store):
        assert F.DECIDE("case", 30, " low ") == "Approved" and F.DECIDE("case", 30, "LOW") == "Approved"
        assert COLUMNS["DECIDE"]("case", [30, 30], ["low", "High"]).tolist() == ["Approved", "Declined"]
        assert F.DECIDE("Approval Status", 18, "Medium", True) == "Approved"
        assert F.DECIDE("Approval Status", 18, "medium", True) == "#N/A"  # DMN: "medium" is not "Medium"
    store.close()


@pytest.mark.parametrize("name,why", [("READERS", "a name cellrules uses"), ("REGISTRY", "a name cellrules uses"),
                                      ("TIER", "a cellrules function"), ("SUM", "an Excel function"),
                                      ("T_TEST", "an Excel function")])
def test_a_function_name_already_taken_is_a_check_error_and_harms_nothing(tmp_path, name, why):
    """`function: READERS` once overwrote a module global (every function then #VALUE!) and check said 0 errors:
    now it is NAME_TAKEN, the function is not registered, and the built-in functions keep working."""
    from cellrules import functions
    from cellrules.examples import check_file
    from conftest import RULES
    text = (RULES / "bonus_hold.yaml").read_text(encoding="utf-8").replace("function: BONUSHOLD", f"function: {name}")
    (tmp_path / "bonus_hold.yaml").write_text(text, encoding="utf-8")
    _, problems = check_file(tmp_path / "bonus_hold.yaml")
    assert [(d.code, why in d.message) for d in problems if d.code == "NAME_TAKEN"] == [("NAME_TAKEN", True)]
    store = Store(tmp_path)
    with using(store):
        assert F.DECIDE("bonus_hold", 75, "owner") == 0.3
        assert isinstance(functions.READERS, dict) and isinstance(functions.REGISTRY, dict)
    store.close()
    with using(Store(RULES)):
        assert F.TIER(5, [1, 2, 3, 4, 5]) in ("VIP", "Major", "Normal", "Small")
