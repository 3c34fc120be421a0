"""DMN models as modelling tools write them, through DECIDE: each test a construct real models use (or one
cellrules must refuse), in a model written here, and the engine's answers held to FEEL's own meaning.

The whole suite runs twice (durable-rules, then the engine-free path), so every test here is checked on both."""
from __future__ import annotations

import random
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from cellrules import decisions, functions as F
from cellrules.dmn import table as tables
from cellrules.dmn.load import decisions as read_decisions
from cellrules.dmn.model import Table
from cellrules.feel import Scope, test as holds
from cellrules.store import Store, using
from conftest import ROOT

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
        'xmlns:flowable="http://flowable.org/dmn" id="d" name="m" namespace="https://cellrules.invalid/m" {attrs}>\n')


def model(tmp_path: Path, body: str, attrs: str = "") -> Store:
    (tmp_path / "model.dmn").write_text(HEAD.format(attrs=attrs) + body + "\n</definitions>\n", encoding="utf-8")
    store = Store(tmp_path)
    store.interval = 0.0
    return store


def table(name: str, inputs: list[tuple[str, str]], outputs: list[tuple[str, str]], rules: list[list[str]],
          hit: str = "UNIQUE", extra: str = "", requires: str = "", variable_type: str = "") -> str:
    """A decision holding one decision table (inputs: (expression, typeRef); outputs: (name, typeRef))."""
    ins = "".join(f'<input><inputExpression typeRef="{t}"><text>{e}</text></inputExpression></input>'
                  for e, t in inputs)
    outs = "".join(f'<output name="{n}"' + (f' typeRef="{t}"' if t else "") + "/>" for n, t in outputs)
    body = "".join("<rule>" + "".join(f"<inputEntry><text>{c}</text></inputEntry>" for c in r[:len(inputs)])
                   + "".join(f"<outputEntry><text>{c}</text></outputEntry>" for c in r[len(inputs):]) + "</rule>"
                   for r in rules)
    typed = f' typeRef="{variable_type}"' if variable_type else ""
    return (f'<decision id="{name.replace(" ", "_")}" name="{name}"><variable name="{name}"{typed}/>{requires}'
            f'<decisionTable hitPolicy="{hit}" {extra}>{ins}{outs}{body}</decisionTable></decision>\n')


def input_data(name: str, type_ref: str = "") -> str:
    typed = f' typeRef="{type_ref}"' if type_ref else ""
    return f'<inputData id="i_{name.replace(" ", "_")}" name="{name}"><variable name="{name}"{typed}/></inputData>\n'


def test_a_qualified_name_in_a_cell_reads_the_structure_never_the_text(tmp_path):
    """TCK 0036's construct: a cell `Complex.aString` compares the input with a component of another input.
    The structured input is one DECIDE argument per component (Complex.aString)."""
    body = ('<itemDefinition name="tComplex"><itemComponent name="aString"><typeRef>string</typeRef>'
            '</itemComponent></itemDefinition>\n' + input_data("Complex", "tComplex") + input_data("Another String", "string")
            + table("Compare", [("Another String", "string")], [("Compare", "string")],
                    [["Complex.aString", '"Same String"'], ["not(Complex.aString)", '"Different String"']],
                    requires='<informationRequirement><requiredInput href="#i_Complex"/></informationRequirement>'
                             '<informationRequirement><requiredInput href="#i_Another_String"/></informationRequirement>'))
    store = model(tmp_path, body)
    with using(store):
        policy = store.in_force_by_name("Compare").policy
        assert [a.name for a in policy.arguments] == ["Complex.aString", "Another String"]
        assert F.DECIDE("Compare", "a", "a") == "Same String"
        assert F.DECIDE("Compare", "a", "b") == "Different String"
        assert decisions.evaluate("Compare", {"Complex": {"aString": "x"}, "Another String": "x"}) == "Same String"
    store.close()


def test_null_and_not_null_cells_on_a_blank_input(tmp_path):
    """`null` matches a blank input and `not(null)` any other value — on the engine as on the engine-free
    path (the null literal once reached durable-rules as the text "None")."""
    body = input_data("x", "string") + input_data("n", "number") + table(
        "Null", [("x", "string"), ("n", "number")], [("Null", "string")],
        [["null", "-", '"x is null"'], ["not(null)", "null", '"n is null"'], ["not(null)", "not(null)", '"both"']])
    store = model(tmp_path, body)
    with using(store):
        assert F.DECIDE("Null", None, 5) == "x is null"
        assert F.DECIDE("Null", "a", None) == "n is null"
        assert F.DECIDE("Null", "a", 5) == "both"
    store.close()


def test_a_number_column_holding_a_null_entry_is_checked_without_crashing(tmp_path):
    """Drools' Number_and_null_entry construct: `null` among numbers in a column (check used to crash with
    float(None))."""
    body = input_data("amount", "number") + table(
        "Size", [("amount", "number")], [("Size", "string")],
        [["null", '"none"'], ["&lt; 10", '"small"'], ["&gt;= 10", '"large"']])
    store = model(tmp_path, body)
    found, problems = read_decisions(tmp_path / "model.dmn")
    assert not [p for p in problems if p.severity == "error"]
    with using(store):
        assert [F.DECIDE("Size", v) for v in (None, 3, 30)] == ["none", "small", "large"]
    store.close()


def test_flowable_force_dmn11_collects_distinct_outputs(tmp_path):
    """flowable:forceDMN11="true" on the decision: C+ adds distinct outputs (DMN 1.1), as Flowable's tests
    expect (10+20+30, not 10+20+30+30)."""
    rules = [["&lt; 10", "10"], ["&lt; 20", "20"], ["&lt; 30", "30"], ["&lt; 40", "30"]]
    body = table("Sum", [("v", "number")], [("Sum", "number")], rules, hit="COLLECT", extra='aggregation="SUM"')
    store = model(tmp_path, body.replace('<decision id="Sum"', '<decision flowable:forceDMN11="true" id="Sum"'))
    with using(store):
        assert F.DECIDE("Sum", 5) == 60.0
    store.close()
    plain = model(tmp_path, body)
    with using(plain):
        assert F.DECIDE("Sum", 5) == 90.0
    plain.close()


@pytest.mark.parametrize("language", ["juel", "javascript", "http://groovy-lang.org/"])
def test_an_expression_language_other_than_feel_is_refused_with_the_construct_named(tmp_path, language):
    body = table("Other", [("v", "number")], [("Other", "number")], [["&lt; 10", "1"]],
                 extra=f'expressionLanguage="{language}"') + table("Feel", [("v", "number")], [("Feel", "number")],
                                                                  [["&lt; 10", "1"]])
    store = model(tmp_path, body)
    found, problems = read_decisions(tmp_path / "model.dmn")
    unsupported = [p for p in problems if p.code != "UNKNOWN_NAME"]  # v: not declared, an argument
    assert [p.code for p in unsupported] == ["UNSUPPORTED"] and language in unsupported[0].message
    with using(store):
        refused = F.DECIDE("Other", 5)
        assert refused == "#N/A" and "UNSUPPORTED" in refused.reason and language in refused.reason
        assert F.DECIDE("Feel", 5) == 1.0  # the rest of the file still runs
    store.close()


def test_a_type_naming_an_item_definition_keeps_its_base_type(tmp_path):
    """A column typed by an item definition whose base is number compares numbers (natively, in the engine)."""
    body = ('<itemDefinition name="tAmount"><typeRef>number</typeRef></itemDefinition>\n' + input_data("a", "tAmount")
            + table("Band", [("a", "tAmount")], [("Band", "string")], [["&lt; 100", '"low"'], ["&gt;= 100", '"high"']]))
    store = model(tmp_path, body)
    with using(store):
        policy = store.in_force_by_name("Band").policy
        assert [c.native for c in policy.compiled.values()] == [("number",)]
        assert F.DECIDE("Band", 99) == "low" and F.DECIDE("Band", "1,200") == "high"
    store.close()


def test_priority_reads_the_output_values_of_the_output_item_definition(tmp_path):
    """Signavio writes a P table's priorities on the output's item definition, not on the output."""
    body = ('<itemDefinition name="tRisk"><typeRef>string</typeRef><allowedValues><text>"High", "Medium", "Low"'
            '</text></allowedValues></itemDefinition>\n'
            + table("Risk", [("age", "number")], [("Risk", "tRisk")],
                    [["&gt; 10", '"Low"'], ["&gt; 50", '"High"'], ["&gt; 30", '"Medium"']], hit="PRIORITY"))
    store = model(tmp_path, body)
    with using(store):
        assert [F.DECIDE("Risk", a) for a in (20, 40, 60)] == ["Low", "Medium", "High"]
    store.close()


def test_a_decision_chains_its_required_decisions_and_calls_a_knowledge_model(tmp_path):
    """DECIDE("Price", …) runs the decision it requires (Discount, a table) from the same inputs, and its
    output entry invokes a business knowledge model."""
    bkm = ('<businessKnowledgeModel id="k" name="net"><encapsulatedLogic><formalParameter name="gross" typeRef="number"/>'
           '<formalParameter name="rate" typeRef="number"/><literalExpression><text>gross * (1 - rate)</text>'
           '</literalExpression></encapsulatedLogic></businessKnowledgeModel>\n')
    discount = table("Discount", [("customer", "string")], [("Discount", "number")],
                     [['"Business"', "0.1"], ['"Private"', "0.05"]],
                     requires='<informationRequirement><requiredInput href="#i_customer"/></informationRequirement>')
    price = ('<decision id="Price" name="Price"><variable name="Price" typeRef="number"/>'
             '<informationRequirement><requiredDecision href="#Discount"/></informationRequirement>'
             '<informationRequirement><requiredInput href="#i_amount"/></informationRequirement>'
             '<knowledgeRequirement><requiredKnowledge href="#k"/></knowledgeRequirement>'
             '<literalExpression><text>net(amount, Discount)</text></literalExpression></decision>\n')
    store = model(tmp_path, input_data("customer", "string") + input_data("amount", "number") + bkm + discount + price)
    with using(store):
        policy = store.in_force_by_name("Price").policy
        assert [a.name for a in policy.arguments] == ["customer", "amount"]
        assert F.DECIDE("Price", "Business", 200) == 180.0
        assert "decision 'Price'" in F.EXPLAIN("DECIDE", "Price", "Private", 100)
    store.close()


def test_an_output_of_another_type_than_its_declared_one_is_refused(tmp_path):
    """Engines disagree on `typeRef="string"` with a number output (one ignores the type, one makes it text,
    one fails): cellrules refuses with the fix, never picks one."""
    body = table("Fee", [("years", "number")], [("Fee", "string")], [["&lt; 5", "200"], ["&gt;= 5", "190"]])
    store = model(tmp_path, body)
    with using(store):
        refused = F.DECIDE("Fee", 1)
        assert refused == "#N/A" and "declared string" in refused.reason and "correct the typeRef" in refused.reason
    store.close()


def test_overlap_diagnostics_are_warnings_capped_per_table(tmp_path):
    """Hundreds of overlapping rules give at most 20 diagnostics and a count, and the table still answers
    inputs that hit one rule."""
    rules = [[f"[{i}..{i + 10}]", str(i)] for i in range(0, 300, 5)]
    store = model(tmp_path, table("Many", [("v", "number")], [("Many", "number")], rules))
    found, problems = read_decisions(tmp_path / "model.dmn")
    problems = [p for p in problems if p.code != "UNKNOWN_NAME"]  # v: not declared, an argument
    assert len(problems) == 21 and {p.severity for p in problems} == {"warning"}
    assert "more like these" in problems[-1].message
    with using(store):
        assert F.DECIDE("Many", 297) == "#N/A"  # 290..300 and 295..305 both match: U is broken for this input
        assert F.DECIDE("Many", 302) == 295.0
    store.close()


# -- the engine's answers against FEEL's ------------------------------------------------------------------------
MODELS = sorted((ROOT / "tests" / "dmn_tck").glob("*/*.dmn"))


def _samples(table_: Table, rng: random.Random) -> list[object]:
    """Values to try on a table: every literal its cells name, values beside them, null, another type."""
    from cellrules.feel import ast
    literals = [n.value for r in table_.rules for c in r.cells for t in c.tests for n in ast.walk(t)
                if isinstance(n, ast.Literal)]
    pool = literals + [None, "other", True, Decimal(0), Decimal(17), Decimal(18), Decimal(66)]
    return [rng.choice(pool) for _ in table_.inputs]


@pytest.mark.parametrize("path", MODELS, ids=[p.parent.name for p in MODELS])
def test_the_engine_matches_the_rules_feel_matches(tmp_path, path):
    """For every decision table of the vendored TCK models, 300 random inputs (literals of the cells, null,
    values of another type): the rules durable-rules (or the kernel) says match are the rules whose every
    cell FEEL says holds."""
    shutil.copy(path, tmp_path / path.name)
    store = Store(tmp_path)
    rng = random.Random(7)
    for name in store.names():
        loaded = store.in_force_by_name(name)
        for compiled in loaded.policy.compiled.values():
            for _ in range(300):
                values = _samples(compiled.table, rng)
                scope = Scope()
                engine = tables.matched(compiled, values, scope, loaded.decider.decide)
                feel = [i for i, r in enumerate(compiled.table.rules)
                        if all(holds(c, v, scope) is True for c, v in zip(r.cells, values))]
                assert engine == feel, (name, values)
    store.close()


def test_a_decision_service_takes_its_input_data_then_its_input_decisions_each_typed(tmp_path):
    """Called by position, a decision service's parameters are its input data, then its input decisions
    (DMN 1.5 §6.3.5, TCK 0085), whatever order the XML lists them in; an argument not of its input's type
    means the service is not invoked (null)."""
    body = (input_data("a", "string")
            + '<decision id="d_b" name="b"><variable name="b" typeRef="string"/>'
              '<literalExpression><text>"never"</text></literalExpression></decision>\n'
            + '<decision id="d_out" name="out"><variable name="out"/>'
              '<informationRequirement><requiredInput href="#i_a"/></informationRequirement>'
              '<informationRequirement><requiredDecision href="#d_b"/></informationRequirement>'
              '<literalExpression><text>a + " " + b</text></literalExpression></decision>\n'
            + '<decisionService id="ds" name="svc"><variable name="svc"/><outputDecision href="#d_out"/>'
              '<inputDecision href="#d_b"/><inputData href="#i_a"/></decisionService>\n'
            + '<decision id="d_call" name="call"><variable name="call"/>'
              '<knowledgeRequirement><requiredKnowledge href="#ds"/></knowledgeRequirement>'
              '<literalExpression><text>svc("A", "B")</text></literalExpression></decision>\n'
            + '<decision id="d_bad" name="bad"><variable name="bad"/>'
              '<knowledgeRequirement><requiredKnowledge href="#ds"/></knowledgeRequirement>'
              '<literalExpression><text>svc("A", 123)</text></literalExpression></decision>\n'
            + '<decision id="d_cond" name="cond"><variable name="cond"/><conditional>'
              '<if><literalExpression><text>"abc"</text></literalExpression></if>'
              '<then><literalExpression><text>"then"</text></literalExpression></then>'
              '<else><literalExpression><text>"else"</text></literalExpression></else></conditional></decision>\n')
    with using(model(tmp_path, body)):
        assert decisions.evaluate("call", {}) == "A B"
        assert decisions.evaluate("bad", {}) is None
        assert decisions.evaluate("cond", {}) is None  # a boxed conditional's if that is not a boolean
