"""The ``decision_table`` policy kind: decision tables finance writes (DECIDE).

Owns the model of a DMN-style decision table (typed inputs with optional
allowed values, outputs with allowed values and defaults, rules whose input
cells are simple unary tests, a hit policy), its validation (each cell
against the grammar and its column's type, then what the hit policy implies:
overlaps under U, conflicts under A, dead rows under F, gaps where the
inputs' domains are known), its rulesets (one rule per row, read from one
fact, in chunks the engine can hold), its kernel, the per-cell decision with
its explanation, the column form and DECIDE.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from cellrules import coerce
from cellrules.columns import as_array, assemble
from cellrules.diagnostics import Location, did_you_mean
from cellrules.dmn import hits
from cellrules.dmn.decision import DmnDecision
from cellrules.dmn.matching import rule_masks
from cellrules.dmn.unary import NULL_TEXT, Value, show
from cellrules.errors import ExcelError, na_error, value_error
from cellrules.events import Field
from cellrules.kinds.base import Decision, Function, InForce, Kind, Param, Resolved, Ruleset, register, rule
from cellrules.model import Example, Header
from cellrules.validate.base import Checker
from cellrules.kinds.decision_table import reading
from cellrules.kinds.decision_table.columns import clean, fast, read_column, top
from cellrules.kinds.decision_table.model import CHUNK, DecisionTable, allowed, cell_value, fold
from cellrules.kinds.decision_table.reading import numeric

FIELDS = ("hit_policy", "function", "inputs", "outputs", "rules")
















# -- validation ------------------------------------------------------------
def build(check: Checker, header: Header, examples: tuple[Example, ...]) -> DecisionTable | None:
    """The decision table of a rule file, or None when it has errors (each reported on ``check``)."""
    return reading.table_of(check, header, examples)


























# -- compilation and kernel --------------------------------------------------


def rulesets(table: DecisionTable | DmnDecision) -> list[Ruleset]:
    """One rule per row (the row's tests on fields ``i0``, ``i1``…), in chunks of :data:`CHUNK` rows; a fact
    fires every rule that matches. A DMN decision brings the rulesets of every table it needs."""
    if isinstance(table, DmnDecision):
        return [Ruleset(key, rules, rows) for key, rules, rows in table.rulesets(KIND.marker)]
    out = []
    for start, key in zip(range(0, max(len(table.rules), 1), CHUNK), table.keys):
        rules, rows = {}, {}
        long = set(table.long_cells)
        for i in range(start, min(start + CHUNK, len(table.rules))):
            conds = [{f"c{i}_{k}": 1} if (i, k) in long else t.condition(f"i{k}", numeric(c))
                     for k, (t, c) in enumerate(zip(table.matching[i], table.inputs))]
            rules[f"x{i}"] = rule(KIND.marker, i + 1, *[c for c in conds if c is not None])
            rows[f"x{i}"] = i
        out.append(Ruleset(key, rules, rows))
    return out


def fields_of(table: DecisionTable, values: list[Value]) -> dict[str, Field]:
    """One call's inputs as the engine's fact: numbers and dates (as day numbers) as they are, a blank one
    left out and flagged; text and booleans as text, a blank one as :data:`NULL_TEXT`."""
    out: dict[str, Field] = {}
    for k, (column, v) in enumerate(zip(table.inputs, values)):
        if numeric(column):
            if v is None:
                out[f"i{k}n"] = 1
            else:
                out[f"i{k}"] = v.toordinal() if isinstance(v, dt.date) else float(v)
        elif column.type == "boolean":
            out[f"i{k}"] = NULL_TEXT if v is None else ("true" if v else "false")
        else:
            out[f"i{k}"] = NULL_TEXT if v is None else fold(str(v))
    if table.long_cells:  # a long cell's test made here; the engine matches its flag
        decoded = _decoded(table, out)
        for i, k in table.long_cells:
            if table.matching[i][k].test(decoded[k]) is True:
                out[f"c{i}_{k}"] = 1
    return out


def _decoded(table: DecisionTable, fields: dict[str, Field]) -> list[Value]:
    values: list[Value] = []
    for k, column in enumerate(table.inputs):
        raw = fields.get(f"i{k}")
        if raw is None or raw == NULL_TEXT:
            values.append(None)
        elif column.type == "date":
            values.append(dt.date.fromordinal(int(raw)))
        elif column.type == "boolean":
            values.append(raw == "true")
        else:
            values.append(raw)
    return values


def kernel(table: DecisionTable | DmnDecision, key: str, fields: dict[str, Field]) -> list[int]:
    """The engine's answer without the engine: the rules of chunk ``key`` that match, in order."""
    if isinstance(table, DmnDecision):
        return table.kernel(key, fields)
    start = int(key[1:])
    values = _decoded(table, fields)
    return [i for i in range(start, min(start + CHUNK, len(table.rules)))
            if all(t.test(v) is True for t, v in zip(table.matching[i], values))]


# -- DECIDE ----------------------------------------------------------------
_READ = {"number": coerce.number, "text": coerce.text, "boolean": coerce.boolean, "date": coerce.date}


def read_inputs(table: DecisionTable, given: tuple[Any, ...], name: str) -> list[Value] | ExcelError:
    """The call's inputs read as the table's input types (a blank is null), or the error for the cell."""
    if len(given) != len(table.inputs):
        return value_error(f"{name} takes {len(table.inputs)} input(s) "
                           f"({', '.join(c.name for c in table.inputs)}); {len(given)} given")
    values: list[Value] = []
    for column, raw in zip(table.inputs, given):
        if coerce.is_blank(raw):
            values.append(None)
            continue
        value = _READ[column.type](raw, column.name)
        if isinstance(value, ExcelError):
            return value
        if not allowed(value, column):
            return na_error(f"{column.name} '{raw}' is not one of {', '.join(map(str, column.values or ()))}"
                            f"{did_you_mean(str(raw), [str(v) for v in column.values or ()])}")
        values.append(value)
    return values


def outcome_of(table: DecisionTable, matched: list[int]) -> hits.Outcome:
    """The hit policy applied, with the outputs' defaults where no rule matches."""
    found = hits.answer(table.hit_policy, matched, [r.outputs for r in table.rules], table.priority)
    if found.problem == "no rule matches" and all(o.default is not None for o in table.outputs) \
            and table.hit_policy not in hits.AGGREGATE:
        return hits.Outcome((tuple(o.default for o in table.outputs),))
    return found




def shaped(table: DecisionTable, outcome: hits.Outcome) -> Any:
    """The cell value: one value, a row of outputs, rows of hits (spilling), or an error with the reason."""
    if outcome.problem:
        return na_error(f"{table.header.name}: {outcome.problem}")
    if outcome.aggregated:
        return cell_value(outcome.value)
    rows = [[cell_value(v) for v in row] for row in outcome.rows]
    if len(rows) == 1:
        return rows[0][0] if len(rows[0]) == 1 else [rows[0]]
    return [row[0] for row in rows] if len(table.outputs) == 1 else rows


def decide(loaded: InForce, sub: str, args: dict[str, Any]) -> Decision:
    """One call of a table: its inputs in the table's order."""
    if isinstance(loaded.policy, DmnDecision):
        return _decide_dmn(loaded.policy, loaded, tuple(args["inputs"]))
    table: DecisionTable = loaded.policy
    values = read_inputs(table, tuple(args["inputs"]), "DECIDE")
    if isinstance(values, ExcelError):
        return Decision(values)
    fields = fields_of(table, values)
    matched = [i for key in table.keys for i in loaded.decider.decide(key, fields)]
    outcome = outcome_of(table, matched)
    value = shaped(table, outcome)
    first = table.rules[outcome.hits[0]] if outcome.hits else None
    return Decision(value, first.location if first else table.header.location,
                    ", ".join(f"rule {i + 1}" for i in outcome.hits), lambda: _why(table, values, outcome))


def _decide_dmn(decision: DmnDecision, loaded: InForce, given: tuple[Any, ...]) -> Decision:
    """One call of a DMN decision: its inputs in the decision's argument order."""
    value, run, error = decision.call(given, loaded.decider.decide)
    return Decision(value, decision.location_of(run), "", lambda: decision.explain(given, run, value))


def _at(location: Location) -> str:
    """Where a rule is written: its line, or its worksheet cell."""
    return f"line {location.line}" if location.line else str(location)


def _why(table: DecisionTable, values: list[Value], outcome: hits.Outcome) -> str:
    given = ", ".join(f"{c.name} = {show(v)}" for c, v in zip(table.inputs, values))
    head = f"{table.header.name} ({table.header.version}, hit policy {table.hit_policy}) for {given}: "
    if outcome.problem:
        return head + outcome.problem
    rules = "; ".join(f"rule {i + 1} ({_at(table.rules[i].location)})" for i in outcome.hits) or "no rule"
    result = show(outcome.value) if outcome.aggregated else "; ".join(
        ", ".join(f"{o.name} = {show(v)}" for o, v in zip(table.outputs, row)) for row in outcome.rows)
    return head + f"{rules} → {result}"








def column(res: Resolved, *inputs: Any) -> np.ndarray:
    """DECIDE for columns of inputs (scalars repeated down the column): each row's first value."""
    n = max((len(as_array(c)) for c in inputs if coerce.is_range(c)), default=1)
    if res.loaded is None:
        return np.array([res.error] * n, dtype=object)
    if isinstance(res.loaded.policy, DmnDecision):
        return _column_dmn(res.loaded, inputs, n)
    table: DecisionTable = res.loaded.policy
    if len(inputs) != len(table.inputs):
        return np.array([read_inputs(table, inputs, "DECIDE")] * n, dtype=object)
    cols = [read_column(c, raw, n) for c, raw in zip(table.inputs, inputs)]
    values = [clean(c, col) for c, col in zip(table.inputs, cols)]
    hit = rule_masks(list(table.matching), [c.type for c in table.inputs], values, n)
    computed, slow = fast(table, hit)
    for i in np.flatnonzero(slow):  # rows the hit policy answers with more than one value, or with an error
        computed[i] = top(shaped(table, outcome_of(table, np.flatnonzero(hit[:, i]).tolist())))
    return assemble(computed, cols, [], None)


def _column_dmn(loaded: InForce, inputs: tuple[Any, ...], n: int) -> np.ndarray:
    """A DMN decision down a column: row by row (its FEEL is evaluated per call), each row's first value."""
    decision: DmnDecision = loaded.policy
    columns = [as_array(c) if coerce.is_range(c) else None for c in inputs]
    out = np.empty(n, dtype=object)
    for i in range(n):
        row = tuple(c[i] if c is not None and i < len(c) else (raw if c is None else None)
                    for c, raw in zip(columns, inputs))
        out[i] = top(decision.call(row, loaded.decider.decide)[0])
    return out






DECIDE = Function(
    "DECIDE",
    (Param("table", "Name of a decision table in the rules folder, e.g. \"customer_class\"", "policy",
           missing="DECIDE needs the name of a decision table: =DECIDE(\"customer_class\", B2, C2)"),),
    """A decision table's answer for these inputs (in the table's input order): one value, a row of outputs, or one row per rule that applies.

    With hit policy R, O or C the rows spill down; C+, C<, C> and C# give one number. No rule → #N/A.
    """,
    "any", decide, column, spills=True,
    rest=Param("inputs", "The table's inputs, in its order", "any", range=True))



def own_functions(table: DecisionTable) -> tuple[Function, ...]:
    """The table's own spreadsheet function (``function: CUSTOMERCLASS``): its inputs as arguments, with
    their help, always this table."""
    if not table.function:
        return ()
    params = tuple(Param(_identifier(c.name), c.help or f"{c.name} ({c.type})", c.type, optional=True, blank=None)
                   for c in table.inputs)
    names = [p.name for p in params]

    def decide_own(loaded: InForce, sub: str, args: dict[str, Any]) -> Decision:
        return decide(loaded, sub, {"inputs": tuple(args[n] for n in names)})

    def column_own(res: Resolved, **columns: Any) -> np.ndarray:
        return column(res, *[columns[n] for n in names])

    help_text = table.header.description or f"The {table.header.name} decision table."
    return (Function(table.function, params, help_text, "any", decide_own, column_own, spills=True,
                     policy=table.header.name),)


def _identifier(name: str) -> str:
    text = "".join(ch if ch.isalnum() else "_" for ch in name.strip()) or "input"
    return text if not text[0].isdigit() else "_" + text


KIND = register(Kind("decision_table", FIELDS, build, rulesets, kernel, (DECIDE,), every=True, position=6,
                     own_functions=own_functions))
