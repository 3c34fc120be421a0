"""A DMN model's decision tables, compiled for durable-rules and answered under their hit policy.

Owns the step from a :class:`Table` (FEEL cells) to rulesets: a column whose
cells are all simple tests on literals of one type (``< 18``, ``[1..5)``,
``"a", "b"``, ``not(null)``) is *native* — its cells become engine conditions
on the input's value; any other cell (``? > Limit``, ``Complex.aString``, a
list) is evaluated with FEEL in Python and reaches the engine as a flag the
rule tests. durable-rules then says which rules match; :func:`answer` applies
the hit policy to their output entries. :func:`kernel` answers the same
question from the same facts without the engine.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from cellrules.dmn import hits
from cellrules.dmn.model import BUILTIN_TYPES, DecisionError, Table
from cellrules.dmn.unary import MAX_ENGINE_TESTS, MISMATCH, Test
from cellrules.events import Field
from cellrules.feel import ast
from cellrules.feel.interpreter import Scope, evaluate, test
from cellrules.feel.values import equal, kind, string

CHUNK = 30  # rules per ruleset (durable-rules holds at most 64 conditions on one numeric field)
MAX_FIELDS = 200  # computed flags per fact (the engine takes at most 255 properties)
_KINDS = {"number": "number", "string": "text", "boolean": "boolean", "date": "date"}
CONFORMS: dict[str, Callable[[Any], bool]] = {
    "number": lambda v: isinstance(v, Decimal), "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool), "date": lambda v: type(v) is dt.date,
    "date and time": lambda v: isinstance(v, dt.datetime), "time": lambda v: isinstance(v, dt.time),
}

Decide = Callable[[str, dict[str, Field]], list[int]]


@dataclass(frozen=True)
class Compiled:
    """A table ready for the engine: each input column's native type (None: evaluated in Python), each rule's
    native tests, and how many rules a ruleset holds."""

    table: Table
    native: tuple[str | None, ...]
    tests: tuple[tuple[Test | None, ...], ...]
    chunk: int

    @property
    def keys(self) -> list[tuple[str, int]]:
        """Each ruleset's key and its first rule."""
        step = self.chunk
        return [(f"{self.table.key}/r{start}", start) for start in range(0, max(len(self.table.rules), 1), step)]


def simple(cell: ast.UnaryTests) -> Test | None:
    """A cell as a native :class:`Test`, when it is made only of literal values (None otherwise)."""
    if cell.any:
        return Test("any")
    parts = []
    for node in cell.tests:
        part = _simple_part(node)
        if part is None:
            return None
        parts.append(part)
    inner = tuple(parts)
    if cell.negated:
        return Test("not", parts=inner)
    return inner[0] if len(inner) == 1 else Test("oneof", parts=inner)


def _simple_part(node: ast.Node) -> Test | None:
    if isinstance(node, ast.Comparison):
        value = _literal(node.endpoint)
        return None if value is _NO or value is None and node.op not in ("=", "!=") else \
            Test("compare", node.op, value)
    if isinstance(node, ast.Interval) and node.low is not None and node.high is not None:
        low, high = _literal(node.low), _literal(node.high)
        if low is _NO or high is _NO or low is None or high is None or type(low) is not type(high) \
                or isinstance(low, (str, bool)) or low > high:
            return None
        return Test("between", value=low, high=high, closed=(node.low_closed, node.high_closed))
    value = _literal(node)
    return None if value is _NO else Test("compare", "=", value)


_NO = object()


def _literal(node: ast.Node) -> Any:
    """A node's value when it is a literal of a native type (``5``, ``-5``, ``"a"``, ``date("…")``)."""
    if isinstance(node, ast.Negate) and isinstance(node.operand, ast.Literal) and \
            isinstance(node.operand.value, Decimal):
        return -float(node.operand.value)
    if isinstance(node, ast.Call) and isinstance(node.function, ast.Name) and node.function.name == "date" \
            and len(node.args) == 1 and isinstance(node.args[0], ast.Literal) and node.named is None:
        found = evaluate(node, Scope())
        return found if type(found) is dt.date else _NO
    if not isinstance(node, ast.Literal):
        return _NO
    value = node.value
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, (str, bool)) or type(value) is dt.date:
        return value
    return _NO


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "text"
    return "date"


def compile_table(table: Table) -> Compiled:
    """Which columns run natively in the engine, and each rule's native tests."""
    rows = [[simple(cell) for cell in rule.cells] for rule in table.rules]
    native: list[str | None] = []
    for k, clause in enumerate(table.inputs):
        column = [row[k] for row in rows]
        kinds = {_kind_of(v) for t in column if t is not None for v in t.literals() if v is not None}
        declared = _KINDS.get(clause.type_ref or "")
        if any(t is None or t.size() > MAX_ENGINE_TESTS for t in column) or len(kinds) > 1 or \
                declared and kinds and kinds != {declared}:
            native.append(None)
        else:
            native.append(next(iter(kinds), declared or "any"))
    tests = tuple(tuple(row[k] if native[k] else None for k in range(len(native))) for row in rows)
    computed = sum(1 for k in native if k is None) or 1
    return Compiled(table, tuple(native), tests, max(1, min(CHUNK, MAX_FIELDS // computed)))


def rulesets(compiled: Compiled, marker: str) -> list[tuple[str, dict[str, Any], dict[str, int]]]:
    """(key, rules, rule name → rule index) for each chunk: a rule's native tests as conditions on ``i<k>``,
    its other cells as the flag ``c<rule>_<k>``."""
    from cellrules.kinds.base import rule as engine_rule  # the kinds' rule shape, shared
    out = []
    for key, start in compiled.keys:
        rules, rows = {}, {}
        for i in range(start, min(start + compiled.chunk, len(compiled.table.rules))):
            conds = []
            for k, native in enumerate(compiled.native):
                cell = compiled.table.rules[i].cells[k]
                if cell.any:
                    continue
                test_ = compiled.tests[i][k]
                cond = test_.condition(f"i{k}", True) if native and test_ is not None else {f"c{i}_{k}": 1}
                if cond is not None:
                    conds.append(cond)
            rules[f"x{i}"] = engine_rule(marker, i + 1, *conds)
            rows[f"x{i}"] = i
        out.append((key, rules, rows))
    return out


def _native_value(value: Any, native: str) -> Any:
    """An input value as its native column compares it (None: null; MISMATCH: another type)."""
    if value is None:
        return None
    if native == "number" and isinstance(value, Decimal):
        return float(value)
    if native == "text" and isinstance(value, str) or native == "boolean" and isinstance(value, bool):
        return value
    if native == "date" and type(value) is dt.date:
        return value
    return MISMATCH


def facts(compiled: Compiled, values: list[Any], scope: Scope, start: int) -> dict[str, Field]:
    """One chunk's fact: native inputs as fields (null: the flag ``i<k>n``; another type: absent), and the
    flags of the chunk's other cells, computed with FEEL."""
    out: dict[str, Field] = {}
    for k, native in enumerate(compiled.native):
        if native in (None, "any"):
            continue
        value = _native_value(values[k], native)
        if value is None:
            out[f"i{k}n"] = 1
        elif value is not MISMATCH:
            out[f"i{k}"] = _field(value)
    rules = compiled.table.rules
    for i in range(start, min(start + compiled.chunk, len(rules))):
        for k, native in enumerate(compiled.native):
            if native is None and not rules[i].cells[k].any and \
                    test(rules[i].cells[k], values[k], scope) is True:
                out[f"c{i}_{k}"] = 1
    return out


def _field(value: Any) -> Field:
    """A native value as the fact carries it (the events module marks text; conditions use engine_value)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.toordinal()
    return value


def kernel(compiled: Compiled, key: str, fields: dict[str, Field]) -> list[int]:
    """The rules of one chunk that match its fact, without the engine (the same answer)."""
    start = int(key.rsplit("/r", 1)[1])
    decoded = [_decoded(fields, k, native) for k, native in enumerate(compiled.native)]
    found = []
    for i in range(start, min(start + compiled.chunk, len(compiled.table.rules))):
        cells, tests = compiled.table.rules[i].cells, compiled.tests[i]
        if all(cell.any or _holds(tests[k], decoded[k], native, fields.get(f"c{i}_{k}"))
               for k, (cell, native) in enumerate(zip(cells, compiled.native)) if native != "any"):
            found.append(i)
    return found


def _holds(test_: Test | None, value: Any, native: str | None, flag: Field | None) -> bool:
    """One cell of the kernel: a native test on the decoded value, or the flag computed with FEEL."""
    if native and test_ is not None:
        return test_.test(value) is True
    return flag == 1


def _decoded(fields: dict[str, Field], k: int, native: str | None) -> Any:
    if native in (None, "any"):
        return None
    if f"i{k}" not in fields:
        return None if f"i{k}n" in fields else MISMATCH
    raw = fields[f"i{k}"]
    if native == "date":
        return dt.date.fromordinal(int(raw))
    if native == "boolean":
        return raw == "true"
    return raw


def matched(compiled: Compiled, values: list[Any], scope: Scope, decide: Decide) -> list[int]:
    """The rules whose every cell holds for these input values, in rule order."""
    out: list[int] = []
    for key, start in compiled.keys:
        out += decide(key, facts(compiled, values, scope, start))
    return sorted(out)


def answer(compiled: Compiled, values: list[Any], scope: Scope, decide: Decide) -> tuple[Any, hits.Outcome]:
    """The table's value for these inputs under its hit policy (a single output's value, or a context of the
    outputs; a list for multiple hits) and the outcome behind it."""
    table = compiled.table
    for clause, value in zip(table.inputs, values):
        if clause.allowed is not None and value is not None and test(clause.allowed, value, scope) is not True:
            raise DecisionError(f"input '{clause.text}' = {_shown(value)} is not one of its allowed values "
                                f"({clause.allowed.text})")
    hit = matched(compiled, values, scope, decide)
    rows = {i: _outputs(table, i, scope) for i in hit}
    if table.hit_policy in ("P", "O") and len(hit) > 1:
        _check_ranked(table, [rows[i] for i in hit])
    outcome = hits.answer(table.hit_policy, hit, [rows.get(i, ()) for i in range(len(table.rules))],
                          _priorities(table), distinct=table.distinct)
    if outcome.problem == "no rule matches":
        return _defaults(table, scope, outcome.aggregated), outcome
    if outcome.problem:
        raise DecisionError(f"decision table '{table.name}': {outcome.problem}")
    if outcome.aggregated:
        value = outcome.value
        return (Decimal(repr(value)) if isinstance(value, float) else value), outcome
    shaped = [_row(table, row) for row in outcome.rows]
    single = table.hit_policy in ("U", "A", "P", "F")
    return (shaped[0] if single else shaped), outcome


def _outputs(table: Table, i: int, scope: Scope) -> tuple[Any, ...]:
    """Rule i's output entries evaluated, each of its output's declared type (else the answer is refused:
    engines disagree on such a model — some ignore the type, some fail — so cellrules does not guess)."""
    row = tuple(evaluate(e, scope) for e in table.rules[i].outputs)
    for clause, value in zip(table.outputs, row):
        check = CONFORMS.get(BUILTIN_TYPES.get(clause.type_ref or "", ""))
        if value is not None and check is not None and not check(value):
            raise DecisionError(f"output '{clause.name}' is declared {clause.type_ref}, but rule {i + 1} gives "
                                f"{_shown(value)} ({kind(value)}): correct the typeRef or the rule")
    return row


def _check_ranked(table: Table, rows: list[tuple[Any, ...]]) -> None:
    """P and O rank by the outputs' listed values: they must be listed, and be of the outputs' type."""
    ranked = [(k, o) for k, o in enumerate(table.outputs) if o.values]
    if not ranked:
        raise DecisionError(f"hit policy {table.hit_policy} ranks by the outputs' listed values, and '{table.name}' "
                            "lists none")
    for k, clause in ranked:
        listed = {kind(v) for v in clause.values}
        for row in rows:
            if row[k] is not None and kind(row[k]) not in listed:
                raise DecisionError(f"output '{clause.name}' lists {', '.join(sorted(listed))} values, but a rule "
                                    f"gives {_shown(row[k])}: the priority cannot be read")


def _row(table: Table, row: tuple[Any, ...]) -> Any:
    if len(table.outputs) == 1:
        return row[0]
    return {o.name: v for o, v in zip(table.outputs, row)}


def _defaults(table: Table, scope: Scope, aggregated: bool) -> Any:
    """The outputs' default entries where no rule matches (null when there are none)."""
    if all(o.default is None for o in table.outputs):
        return None
    row = tuple(evaluate(o.default, scope) if o.default is not None else None for o in table.outputs)
    single = aggregated or table.hit_policy in ("U", "A", "P", "F")
    return _row(table, row) if single else [_row(table, row)]


def _priorities(table: Table) -> list[dict[Any, int]]:
    return [_RankedValues(o.values) for o in table.outputs]


class _RankedValues(dict):
    """An output's listed values, highest priority first, found by FEEL's equality."""

    def __init__(self, values: tuple[Any, ...]) -> None:
        super().__init__({k: v for k, v in enumerate(values)})
        self.values_ = values

    def get(self, value: Any, default: Any = None) -> Any:
        for rank, listed in enumerate(self.values_):
            if equal(listed, value) is True:
                return rank
        return default

    def __len__(self) -> int:
        return len(self.values_)

    def __bool__(self) -> bool:
        return bool(self.values_)


def _shown(value: Any) -> str:
    text = string(value)
    return '"' + value + '"' if isinstance(value, str) else (text if text is not None else "null")
