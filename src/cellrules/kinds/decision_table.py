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

import dataclasses
import datetime as dt
import functools
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from cellrules import coerce
from cellrules.columns import Col, as_array, assemble, booleans, dates, numbers, texts
from cellrules.diagnostics import Location, did_you_mean
from cellrules.dmn import hits
from cellrules.dmn.decision import DmnDecision
from cellrules.dmn.matching import analyse, matches
from cellrules.dmn.unary import ANY, NULL_TEXT, TYPES, Test, UnaryError, Value, literal, parse, show
from cellrules.errors import ExcelError, na_error, value_error
from cellrules.events import Field
from cellrules.kinds.base import Decision, Function, InForce, Kind, Param, Resolved, Ruleset, register, rule
from cellrules.model import Example, Header
from cellrules.validate.base import MISSING, Checker

CHUNK = 30  # rules per ruleset: durable-rules holds at most 64 conditions on one numeric field
MAX_RULES = 2000
PER_TABLE = 20  # hit-policy findings reported per table, at most (then a count)
FIELDS = ("hit_policy", "function", "inputs", "outputs", "rules")


@dataclass(frozen=True)
class Column:
    """An input or an output: its name, type, allowed values (None: any), help, default (outputs)."""

    name: str
    type: str
    values: tuple[Value, ...] | None
    help: str
    default: Value
    location: Location


@dataclass(frozen=True)
class Row:
    """One rule: a test per input, a value per output, where it is written."""

    tests: tuple[Test, ...]
    outputs: tuple[Value, ...]
    note: str
    location: Location


@dataclass(frozen=True)
class DecisionTable:
    """A validated decision table."""

    header: Header
    hit_policy: str  # U A P F R O C C+ C< C> C#
    function: str  # its own spreadsheet function's name, or ""
    inputs: tuple[Column, ...]
    outputs: tuple[Column, ...]
    rules: tuple[Row, ...]
    examples: tuple[Example, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        """The rulesets' keys: one per chunk of rules."""
        return tuple(f"r{i}" for i in range(0, max(len(self.rules), 1), CHUNK))

    @functools.cached_property
    def matching(self) -> tuple[tuple[Test, ...], ...]:
        """Each rule's tests as they match: text compared as Excel compares it (case and surrounding spaces
        ignored), so "east" matches a cell written East. (A DMN file's text matches exactly: its own module.)"""
        return tuple(tuple(_folded(t) if c.type == "text" else t for t, c in zip(r.tests, self.inputs))
                     for r in self.rules)

    @property
    def priority(self) -> tuple[dict[Value, int], ...]:
        """Each output's values ranked (first listed = highest priority), for hit policies P and O."""
        return tuple({v: i for i, v in enumerate(o.values or ())} for o in self.outputs)


def fold(value: Any) -> Any:
    """Text as a table matches it: case and surrounding spaces ignored (as Excel's = compares text)."""
    return value.strip().casefold() if isinstance(value, str) else value


def _folded(test: Test) -> Test:
    if test.parts:
        return dataclasses.replace(test, parts=tuple(_folded(p) for p in test.parts))
    return dataclasses.replace(test, value=fold(test.value), high=fold(test.high))


def _canonical(table: DecisionTable) -> list[tuple[Test, ...]]:
    """Each rule's tests with text spelled as its column's allowed values spell it (low → Low), so the checks
    see what matching sees and their messages show the table's own words."""
    spelled = [{fold(v): v for v in (c.values or ()) if isinstance(v, str)} for c in table.inputs]

    def canon(test: Test, names: dict[str, Any]) -> Test:
        if test.parts:
            return dataclasses.replace(test, parts=tuple(canon(p, names) for p in test.parts))
        return dataclasses.replace(test, value=names.get(fold(test.value), test.value) if isinstance(
            test.value, str) else test.value)
    return [tuple(canon(t, n) if c.type == "text" else t for t, c, n in zip(r.tests, table.inputs, spelled))
            for r in table.rules]


def _allowed(value: Any, column: Column) -> bool:
    """Whether a value is one of the column's allowed values (text as a table matches it)."""
    if column.values is None or value is None:
        return True
    if column.type == "text":
        return fold(value) in {fold(v) for v in column.values}
    return value in column.values


# -- validation ------------------------------------------------------------
def build(check: Checker, header: Header, examples: tuple[Example, ...]) -> DecisionTable | None:
    """The decision table of a rule file, or None when it has errors (each reported on ``check``)."""
    policy = _hit_policy(check)
    function = _function(check)
    inputs = _columns(check, "inputs", output=False)
    outputs = _columns(check, "outputs", output=True)
    if inputs is None or outputs is None or policy is None:
        return None
    _policy_needs(check, policy, outputs)
    rows = _rows(check, inputs, outputs)
    if rows is None:
        return None
    table = DecisionTable(header, policy, function, inputs, outputs, rows, examples)
    _implied(check, table)
    return table


def _hit_policy(check: Checker) -> str | None:
    given = check.get(("hit_policy",))
    if given is MISSING:
        return "U"  # DMN's default
    found = hits.letter(str(given))
    if found is None:
        check.error("WRONG_TYPE", f"hit_policy must be one of {', '.join(hits.POLICIES)} (or DMN's names: UNIQUE, "
                    f"FIRST, RULE ORDER…), not '{given}'", ("hit_policy",))
    return found


def _function(check: Checker) -> str:
    name = check.text(("function",), default="") or ""
    if name and not (name.isidentifier() and name.upper() == name and name.isascii()):
        check.error("WRONG_TYPE", f"function must be a name in capitals such as CUSTOMERCLASS, not '{name}'",
                    ("function",))
        return ""
    return name


def _columns(check: Checker, what: str, output: bool) -> tuple[Column, ...] | None:
    rows = check.sequence((what,))
    out: list[Column] = []
    seen: set[str] = set()
    for i, _ in enumerate(rows):
        column = _column(check, (what, i), output)
        if column is None:
            continue
        if column.name in seen:
            check.error("DUPLICATE_NAME", f"'{column.name}' is named twice in {what}", (what, i, "name"))
        seen.add(column.name)
        out.append(column)
    return tuple(out) if len(out) == len(rows) and out else None


def _column(check: Checker, path: tuple[Any, ...], output: bool) -> Column | None:
    optional = ["values", "help"] + (["default"] if output else [])
    if check.mapping(path, ["name", "type"], optional) is None:
        return None
    name, typ = check.text(path + ("name",)), check.text(path + ("type",))
    if typ is not None and typ not in TYPES:
        check.error("WRONG_TYPE", f"type must be one of {', '.join(TYPES)}, not '{typ}'{did_you_mean(typ, TYPES)}",
                    path + ("type",))
        return None
    if name is None or typ is None:
        return None
    values = None
    if check.get(path + ("values",)) is not MISSING:
        values = tuple(_value(check, path + ("values", j), typ)
                       for j, _ in enumerate(check.sequence(path + ("values",))))
    default = _value(check, path + ("default",), typ) if check.get(path + ("default",)) is not MISSING else None
    return Column(name, typ, values, check.text(path + ("help",), default="") or "", default, check.where(path))


def _value(check: Checker, path: tuple[Any, ...], typ: str) -> Value:
    try:
        return literal(check.get(path), typ)
    except UnaryError as exc:
        check.error("BAD_TEST", str(exc), path)
        return None


def _policy_needs(check: Checker, policy: str, outputs: tuple[Column, ...]) -> None:
    if policy in ("P", "O") and not any(out.values for out in outputs):
        check.error("MISSING_FIELD", f"hit policy {policy} ranks rules by their outputs' listed values: give an "
                    "output its values, highest priority first (outputs without values do not rank)", ("outputs",))
    if policy in hits.AGGREGATE:
        if len(outputs) != 1:
            check.error("WRONG_TYPE", f"hit policy {policy} aggregates one output; this table has {len(outputs)}",
                        ("outputs",))
        elif policy != "C#" and outputs[0].type != "number":
            check.error("WRONG_TYPE", f"hit policy {policy} needs a number output, not {outputs[0].type}",
                        ("outputs", 0, "type"))


def _rows(check: Checker, inputs: tuple[Column, ...], outputs: tuple[Column, ...]) -> tuple[Row, ...] | None:
    items = check.sequence(("rules",))
    if len(items) > MAX_RULES:
        check.error("TOO_MANY_RULES", f"a table may have at most {MAX_RULES} rules", ("rules",))
        return None
    rows = [_row(check, ("rules", i), inputs, outputs) for i, _ in enumerate(items)]
    found = [r for r in rows if r is not None]
    return tuple(found) if len(found) == len(rows) and found else None


def _row(check: Checker, path: tuple[Any, ...], inputs: tuple[Column, ...],
         outputs: tuple[Column, ...]) -> Row | None:
    """One rule, written as a list of cells (inputs, then outputs) or as ``{when: …, then: …, note: …}``."""
    item = check.get(path)
    if isinstance(item, list):
        if len(item) != len(inputs) + len(outputs):
            check.error("WRONG_TYPE", f"this rule has {len(item)} cells; the table has {len(inputs)} input(s) and "
                        f"{len(outputs)} output(s)", path)
            return None
        ins = [path + (k,) for k in range(len(inputs))]
        outs = [path + (len(inputs) + k,) for k in range(len(outputs))]
        note = ""
    elif check.mapping(path, ["then"], ["when", "note"]) is not None:
        found_in = _cells(check, path + ("when",), inputs)
        found_out = _cells(check, path + ("then",), outputs)
        if found_in is None or found_out is None:
            return None
        ins, outs = found_in, found_out
        note = check.text(path + ("note",), default="") or ""
    else:
        return None
    tests = [_test(check, where, col) for where, col in zip(ins, inputs)]
    values = [_output(check, where, col) for where, col in zip(outs, outputs)]
    if any(t is None for t in tests) or any(v is MISSING for v in values):
        return None
    return Row(tuple(t for t in tests if t is not None), tuple(values), note, check.where(path))


def _cells(check: Checker, path: tuple[Any, ...], columns: tuple[Column, ...]) -> list[tuple[Any, ...]] | None:
    """Where each column's cell of a ``when:``/``then:`` is: by name in a mapping, by position in a list, the
    one value of a one-column ``then:``. A column a mapping leaves out is ``-`` (any)."""
    node = check.get(path)
    if node is MISSING:
        return [path + ("\0missing",)] * len(columns)
    if isinstance(node, dict):
        names = [c.name for c in columns]
        for key in node:
            if key not in names:
                check.error("UNKNOWN_FIELD", f"no column '{key}' in this table{did_you_mean(str(key), names)}",
                            path + (key,), key=True)
                return None
        return [path + (c.name,) for c in columns]
    if isinstance(node, list):
        if len(node) != len(columns):
            check.error("WRONG_TYPE", f"{len(node)} cells for {len(columns)} columns", path)
            return None
        return [path + (k,) for k in range(len(columns))]
    if len(columns) == 1:
        return [path]
    check.error("WRONG_TYPE", "give one cell per column, as a list or by column name", path)
    return None


def _test(check: Checker, path: tuple[Any, ...], column: Column) -> Test | None:
    cell = check.get(path)
    try:
        test = ANY if cell is MISSING else parse(cell, column.type)
    except UnaryError as exc:
        check.error("BAD_TEST", f"{column.name}: {exc}", path)
        return None
    for value in test.literals():
        if not _allowed(value, column):
            check.error("NOT_ALLOWED", f"{column.name}: {show(value)} is not one of its values "
                        f"({', '.join(show(v) for v in column.values or ())})", path)
            return None
    return test


def _output(check: Checker, path: tuple[Any, ...], column: Column) -> Any:
    cell = check.get(path)
    if cell is MISSING:
        return column.default
    try:
        value = literal(cell, column.type)
    except UnaryError as exc:
        check.error("BAD_TEST", f"{column.name}: {exc}", path)
        return MISSING
    if column.values is not None and value is not None and value not in column.values:
        check.error("NOT_ALLOWED", f"{column.name}: {show(value)} is not one of its values "
                    f"({', '.join(show(v) for v in column.values)})", path)
        return MISSING
    return value


def _implied(check: Checker, table: DecisionTable) -> None:
    """What the hit policy implies, checked on a grid of representative inputs. Overlaps under U and
    conflicts under A are warnings, as DMN has them: only a call whose inputs hit both rules fails (#N/A
    naming them); a row that can never fire under F is an error in finance's own tables. At most
    :data:`PER_TABLE` findings are reported, then a count."""
    findings = analyse(table.hit_policy, _canonical(table), [c.type for c in table.inputs],
                       [c.name for c in table.inputs], [c.values for c in table.inputs],
                       [r.outputs for r in table.rules], all(o.default is not None for o in table.outputs))
    for f in findings[:PER_TABLE]:
        where: tuple[Any, ...] = ("rules",) if f.rule is None else ("rules", f.rule)
        if f.code == "GAP":
            check.warning("GAP", f.message + " (DECIDE gives #N/A there)", where)
        elif f.code in ("OVERLAP", "CONFLICT"):
            check.warning(f.code, f.message + f" under hit policy {table.hit_policy} (DECIDE gives #N/A for such "
                          "inputs)", where)
        else:
            check.error(f.code, f.message + f" under hit policy {table.hit_policy}", where)
    if len(findings) > PER_TABLE:
        check.warning(findings[PER_TABLE].code, f"{len(findings) - PER_TABLE} more findings like these", ("rules",))


# -- compilation and kernel --------------------------------------------------
def _numeric(column: Column) -> bool:
    return column.type in ("number", "date")


def rulesets(table: DecisionTable | DmnDecision) -> list[Ruleset]:
    """One rule per row (the row's tests on fields ``i0``, ``i1``…), in chunks of :data:`CHUNK` rows; a fact
    fires every rule that matches. A DMN decision brings the rulesets of every table it needs."""
    if isinstance(table, DmnDecision):
        return [Ruleset(key, rules, rows) for key, rules, rows in table.rulesets(KIND.marker)]
    out = []
    for start, key in zip(range(0, max(len(table.rules), 1), CHUNK), table.keys):
        rules, rows = {}, {}
        for i in range(start, min(start + CHUNK, len(table.rules))):
            conds = [t.condition(f"i{k}", _numeric(c)) for k, (t, c) in enumerate(zip(table.matching[i],
                                                                                      table.inputs))]
            rules[f"x{i}"] = rule(KIND.marker, i + 1, *[c for c in conds if c is not None])
            rows[f"x{i}"] = i
        out.append(Ruleset(key, rules, rows))
    return out


def fields_of(table: DecisionTable, values: list[Value]) -> dict[str, Field]:
    """One call's inputs as the engine's fact: numbers and dates (as day numbers) as they are, a blank one
    left out and flagged; text and booleans as text, a blank one as :data:`NULL_TEXT`."""
    out: dict[str, Field] = {}
    for k, (column, v) in enumerate(zip(table.inputs, values)):
        if _numeric(column):
            if v is None:
                out[f"i{k}n"] = 1
            else:
                out[f"i{k}"] = v.toordinal() if isinstance(v, dt.date) else float(v)
        elif column.type == "boolean":
            out[f"i{k}"] = NULL_TEXT if v is None else ("true" if v else "false")
        else:
            out[f"i{k}"] = NULL_TEXT if v is None else fold(str(v))
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
        if not _allowed(value, column):
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


def _cell(value: Value) -> Any:
    """An output value as a cell holds it: a date as Excel's serial number, null as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return float((value - coerce.EXCEL_EPOCH).days)
    return value


def shaped(table: DecisionTable, outcome: hits.Outcome) -> Any:
    """The cell value: one value, a row of outputs, rows of hits (spilling), or an error with the reason."""
    if outcome.problem:
        return na_error(f"{table.header.name}: {outcome.problem}")
    if outcome.aggregated:
        return _cell(outcome.value)
    rows = [[_cell(v) for v in row] for row in outcome.rows]
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


def _read_column(column: Column, raw: Any, n: int) -> Col:
    if column.type == "number":
        return numbers(raw, column.name, n)
    if column.type == "text":
        return texts(raw, column.name, n)
    if column.type == "boolean":
        return booleans(raw, column.name, n, blank_is_false=False)
    return dates(raw, column.name, n)


def _clean(column: Column, col: Col) -> Any:
    """The column's values, None where blank or unusable; values outside the allowed ones marked bad. A number
    column without allowed values stays a float array (NaN where blank or unusable)."""
    if column.type == "number" and column.values is None and col.values.dtype.kind == "f":
        floats = col.values.astype(float, copy=True)
        floats[col.blank] = np.nan
        for problems in (col.bad, col.passed):
            if problems:
                floats[list(problems)] = np.nan
        return floats
    values: list[Value] = []
    for i, v in enumerate(col.values.tolist()):
        if col.blank[i] or i in col.bad or i in col.passed or v is None or v != v:
            values.append(None)
            continue
        if not _allowed(v, column):
            col.bad[i] = na_error(f"{column.name} '{v}' is not one of {', '.join(map(str, column.values or ()))}")
            values.append(None)
            continue
        values.append(float(v) if column.type == "number" else fold(v))
    return values


def _top(value: Any) -> Any:
    """What one cell shows of a spilling answer: its first value."""
    while isinstance(value, list):
        value = value[0] if value else ""
    return value


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
    cols = [_read_column(c, raw, n) for c, raw in zip(table.inputs, inputs)]
    values = [_clean(c, col) for c, col in zip(table.inputs, cols)]
    hit = matches(list(table.matching), [c.type for c in table.inputs], values, n)
    computed, slow = _fast(table, hit)
    for i in np.flatnonzero(slow):  # rows the hit policy answers with more than one value, or with an error
        computed[i] = _top(shaped(table, outcome_of(table, np.flatnonzero(hit[i]).tolist())))
    return assemble(computed, cols, [], None)


def _column_dmn(loaded: InForce, inputs: tuple[Any, ...], n: int) -> np.ndarray:
    """A DMN decision down a column: row by row (its FEEL is evaluated per call), each row's first value."""
    decision: DmnDecision = loaded.policy
    columns = [as_array(c) if coerce.is_range(c) else None for c in inputs]
    out = np.empty(n, dtype=object)
    for i in range(n):
        row = tuple(c[i] if c is not None and i < len(c) else (raw if c is None else None)
                    for c, raw in zip(columns, inputs))
        out[i] = _top(decision.call(row, loaded.decider.decide)[0])
    return out


def _fast(table: DecisionTable, hit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first value of each row's answer, whole-column, where one rule decides it (F, U, P, A agreeing) or
    an aggregation does; and which rows still need the rule-by-rule answer."""
    n, policy = hit.shape[0], table.hit_policy
    count = hit.sum(axis=1)
    firsts = np.array([_cell(r.outputs[0]) for r in table.rules] + [""], dtype=object)
    computed = np.empty(n, dtype=object)
    if policy in ("C+", "C<", "C>", "C#"):
        if policy == "C#":  # no rule: the rule-by-rule answer (null, or the outputs' defaults)
            return count.astype(float).astype(object), count == 0
        numbers = np.array([r.outputs[0] if isinstance(r.outputs[0], (int, float)) else np.nan
                            for r in table.rules], dtype=float)
        picked = np.where(hit, numbers, np.nan)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: no rule, answered below
            found = np.nansum(picked, axis=1) if policy == "C+" else (
                np.nanmin(picked, axis=1) if policy == "C<" else np.nanmax(picked, axis=1))
        computed[:] = found.astype(object)
        return computed, count == 0
    if policy in ("P", "O"):
        ranks = np.array([_order(table, r.outputs) for r in table.rules], dtype=float)
        chosen = np.where(hit, ranks, np.inf).argmin(axis=1) if len(table.rules) else np.zeros(n, dtype=int)
    else:
        chosen = hit.argmax(axis=1) if len(table.rules) else np.zeros(n, dtype=int)  # the first rule matching
    computed[:] = firsts[chosen]
    slow = count == 0  # no rule: the outputs' defaults, or the error
    if policy in ("U", "A"):
        slow |= count > 1  # U broken, or A to be checked for agreement
    return computed, slow


def _order(table: DecisionTable, outputs: tuple[Value, ...]) -> float:
    """A rule's priority as one number (lower first): its outputs' places in their lists, output by output."""
    rank = 0.0
    for value, order in zip(outputs, table.priority):
        if order:
            rank = rank * (len(order) + 1) + order.get(value, len(order))
    return rank


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
