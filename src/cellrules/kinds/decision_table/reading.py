"""Reading a decision table from its rule file: the hit policy, typed columns with allowed values, each
row's cells against the grammar of simple unary tests, and what the hit policy implies (overlaps under U,
conflicts under A, dead rows under F, gaps where the inputs' domains are known), each problem with its line."""
from __future__ import annotations

from typing import Any


from cellrules.diagnostics import did_you_mean
from cellrules.dmn import hits
from cellrules.dmn.matching import analyse, grid_axes
from cellrules.dmn.grammar import literal, parse
from cellrules.dmn.unary import ANY, TYPES, Test, UnaryError, Value, show
from cellrules.model import Example, Header
from cellrules.validate.base import MISSING, Checker
from cellrules.kinds.decision_table.model import (MAX_CELL_TESTS, MAX_FIELDS, MAX_RULES, PER_TABLE, Column,
                                                  DecisionTable, Row, allowed, canonical)


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
    if check.get((what,)) is MISSING:
        check.error("MISSING_FIELD", f"a decision table needs '{what}:', a list of {{name: …, type: …}}", ())
        return None
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


NOTHING = Test("oneof", parts=())  # a test no value passes


def _rows(check: Checker, inputs: tuple[Column, ...], outputs: tuple[Column, ...]
          ) -> tuple[tuple[Row, ...], frozenset[int]] | None:
    items = check.sequence(("rules",))
    if len(items) > MAX_RULES:
        check.error("TOO_MANY_RULES", f"a table may have at most {MAX_RULES} rules", ("rules",))
        return None
    rows = [_row(check, ("rules", i), inputs, outputs) for i, _ in enumerate(items)]
    if not rows:
        return None
    # a rule with a wrong cell stands in as one that matches nothing: what the others imply is still reported
    return tuple(r if r is not None else Row(tuple(NOTHING for _ in inputs), tuple(None for _ in outputs), "",
                                             check.where(("rules", i))) for i, r in enumerate(rows)), \
        frozenset(i for i, r in enumerate(rows) if r is None)


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
    cells = item if isinstance(item, list) else [check.get(where) for where in ins]  # a list: its cells as they are
    tests = [_test(check, where, col, cell) for where, col, cell in zip(ins, inputs, cells)]
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


def _test(check: Checker, path: tuple[Any, ...], column: Column, cell: Any) -> Test | None:
    try:
        test = ANY if cell is MISSING else parse(cell, column.type)
    except UnaryError as exc:
        check.error("BAD_TEST", f"{column.name}: {exc}", path)
        return None
    for value in test.literals() if column.values is not None else ():
        if not allowed(value, column):
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


def _implied(check: Checker, table: DecisionTable, wrong: frozenset[int] = frozenset()) -> None:
    """What the hit policy implies, checked on a grid of representative inputs. Overlaps under U and
    conflicts under A are warnings, as DMN has them: only a call whose inputs hit both rules fails (#N/A
    naming them); a row that can never fire under F is an error in finance's own tables. At most
    :data:`PER_TABLE` findings are reported, then a count."""
    types, allowed = [c.type for c in table.inputs], [c.values for c in table.inputs]
    axes = grid_axes([r.tests for r in table.rules], types, allowed, False)  # spelling keeps them: as written
    if axes is None:
        return  # more cases than the checks look at (the spelling below would be for nothing)
    findings = analyse(table.hit_policy, canonical(table), types, [c.name for c in table.inputs], allowed,
                       [r.outputs for r in table.rules], all(o.default is not None for o in table.outputs), axes=axes)
    if wrong:  # rules with a wrong cell stood in for nothing: say nothing of them, nor of gaps they may fill
        findings = [f for f in findings if f.rule is not None and f.rule not in wrong and f.code != "GAP"]
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
        first = findings[PER_TABLE]  # said where the first one left unreported is: after those reported
        at = "" if first.rule is None else f" (the next at rule {first.rule + 1})"
        check.warning(first.code, f"{len(findings) - PER_TABLE} more findings like these{at}",
                      ("rules",) if first.rule is None else ("rules", first.rule))


def numeric(column: Column) -> bool:
    """Whether a column is compared as numbers by the engine (numbers and dates)."""
    return column.type in ("number", "date")


def table_of(check: Checker, header: Header, examples: tuple[Example, ...]) -> DecisionTable | None:
    """The decision table of a rule file, or None when it has errors (each reported on ``check``)."""
    policy = _hit_policy(check)
    function = _function(check)
    inputs = _columns(check, "inputs", output=False)
    outputs = _columns(check, "outputs", output=True)
    if inputs is None or outputs is None or policy is None:
        return None
    _policy_needs(check, policy, outputs)
    found = _rows(check, inputs, outputs)
    if found is None:
        return None
    rows, wrong = found
    table = DecisionTable(header, policy, function, inputs, outputs, rows, examples)
    fields = len(inputs) + len(table.long_cells) + 1
    if fields > MAX_FIELDS:
        check.error("TOO_LARGE", f"the rules engine reads at most {MAX_FIELDS} fields in one call; this table needs "
                    f"{fields:,} ({len(inputs)} inputs, {len(table.long_cells)} cells listing more than "
                    f"{MAX_CELL_TESTS} values): split it into tables that DECIDE in turn", ("inputs",))
        return None
    _implied(check, table, wrong)
    return None if wrong else table
