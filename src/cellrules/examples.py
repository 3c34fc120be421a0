"""Running the examples each rule file carries.

Owns ``cellrules test``'s logic: every file of a rules folder is validated,
then each of its ``examples:`` is called through the registry against that
very file (on the day its top version is in force, or the example's
``as_of``), and the result compared with ``expect`` (numbers to 1e-9,
error values by their code, lists item by item).
"""
from __future__ import annotations

import datetime as dt

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from cellrules import coerce, functions  # noqa: F401  (functions registers the functions)
from cellrules.diagnostics import Diagnostic, Location, did_you_mean, has_errors
from cellrules.model import Example, Policy
from cellrules.registry import REGISTRY
from cellrules.source import Source, load_file
from cellrules.errors import ExcelError
from cellrules.folders import is_rule_file, tables_of
from cellrules.store import Store, current, dated, using
from cellrules.validation import validate


@dataclass(frozen=True)
class Outcome:
    """One example run: the value got, whether it matched, or why it could not run."""

    example: Example
    got: Any
    ok: bool
    problem: str = ""  # set when the example could not be run

    def describe(self) -> str:
        """A line for ``cellrules test``: file:line, the call, what came back and what was wanted."""
        args = ", ".join(f"{k}={_shown(v)}" for k, v in self.example.args.items())
        head = f"{self.example.location}: {self.example.function}({args})"
        if self.problem:
            return f"{head}: {self.problem}"
        reason = getattr(self.got, "reason", "")
        return f"{head}: got {_shown(self.got)}{f' ({reason})' if reason else ''}, want {_shown(self.example.expect)}"


def _shown(value: Any) -> str:
    """A value as a finance reader writes it: text quoted, dates as 2026-06-30, never a Python repr."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return str(value)


def same(got: Any, want: Any) -> bool:
    """Does a function's result match an example's expectation?"""
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(map(same, got, want))
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(want, str) and isinstance(got, str):
        return got == want
    return got == want


def run_example(example: Example, policy_name: str, day: dt.date | None = None,
                inputs: Sequence[str] = ()) -> Outcome:
    """Call an example's function on the named policy, on ``day`` (default today) or the example's own
    ``as_of`` — an argument of functions that take one, else the day the example is run as of. For a function
    with a repeating argument (DECIDE), the example names the policy's ``inputs`` and they are passed in
    that order."""
    spec = REGISTRY.get(example.function)
    if spec is None:
        return Outcome(example, None, False, f"unknown function {example.function}"
                       f"{did_you_mean(example.function, REGISTRY)}")
    names = [a.name for a in spec.args]
    if spec.varargs and not inputs:  # the policy's own inputs, in order (a decision table's)
        found = current().in_force_by_name(policy_name)
        inputs = [c.name for c in getattr(found.policy, "inputs", ())] if found is not None else []
    known = names + (list(inputs) if spec.varargs else [])
    unknown = [k for k in example.args if k not in known and k != "as_of"]
    if unknown:
        return Outcome(example, None, False, f"{spec.name} has no argument '{unknown[0]}'"
                       f"{did_you_mean(unknown[0], known)}")
    kwargs = {k: v for k, v in example.args.items() if k in names or k == "as_of"}
    if "policy" in names:
        kwargs.setdefault("policy", policy_name)
    if "as_of" in kwargs and "as_of" not in names:
        when = coerce.date(kwargs.pop("as_of"), "as_of")
        if isinstance(when, ExcelError):
            return Outcome(example, None, False, when.reason)
        day = when
    with dated(day):
        if spec.varargs:  # DECIDE(table, inputs…): the policy first, then each input by name
            got = spec.func(*[kwargs.get(n, policy_name if i == 0 else None) for i, n in enumerate(names)],
                            *[example.args.get(n) for n in inputs])
        else:
            got = spec.func(**kwargs)
    return Outcome(example, got, same(got, example.expect))


def check_file(path: Path) -> tuple[Policy | None, list[Diagnostic]]:
    """Read and validate one rule file (its top version; a DMN file's first decision, every decision checked);
    (policy or None, diagnostics)."""
    if path.suffix in (".dmn", ".xlsx"):
        found, problems = tables_of(path)
        first: Policy | None = None
        for decision in found.values():
            if isinstance(decision, list):  # a DMN decision refused: its diagnostics are the file's already
                continue
            policy, more = validate(decision) if isinstance(decision, Source) else (decision, [])
            problems += more + _name_taken(policy, path)
            first = first or policy
        return first, problems
    source, problems = load_file(path)
    if source is None:
        return None, problems
    policy, more = validate(source)
    more += _name_taken(policy, path)
    if policy is not None and not policy.examples:
        more = more + [Diagnostic("NO_EXAMPLES", "this policy has no examples, so `cellrules test` cannot check it: "
                                  "add `examples:` with inputs and the expected result", Location(str(path), 1, 1),
                                  "warning")]
    return policy, problems + more


def _name_taken(policy: Policy | None, path: Path) -> list[Diagnostic]:
    """NAME_TAKEN when a policy declares a function under a name already a cellrules or an Excel function (it
    would be left out, or shadow the function every workbook expects)."""
    name = getattr(policy, "function", "") if policy is not None else ""
    why = functions.taken(name) if name else None
    if not why:
        return []
    where = policy.header.location if policy is not None and policy.header.location else Location(str(path), 1, 1)
    return [Diagnostic("NAME_TAKEN", f"function: {name} is {why}; choose another name", where)]


def rule_files(target: Path) -> list[Path]:
    """The rule files of a folder (or the one file given), sorted."""
    if target.is_file():
        return [target]
    return sorted(p for p in target.iterdir() if is_rule_file(p) and p.is_file())


def run_folder(target: Path) -> tuple[list[Outcome], list[Diagnostic], list[str]]:
    """Validate every file and run the examples of those that validate; (outcomes, diagnostics, what was
    skipped and why)."""
    outcomes: list[Outcome] = []
    diagnostics: list[Diagnostic] = []
    skipped: list[str] = []
    store = Store(target.parent if target.is_file() else target)
    store.interval = 0.0
    with using(store):
        for path in rule_files(target):
            policy, problems = check_file(path)
            diagnostics += problems
            if policy is None or has_errors(problems):
                first = next((d for d in problems if d.severity == "error"), None)
                skipped.append(f"{path}: its examples were not run: the file does not validate ({first})")
                continue
            if not policy.examples:
                skipped.append(f"{path}: no examples to run")
            start = policy.header.effective_from
            day = start if start and start > dt.date.today() else None  # the top version, even before it starts
            inputs = [c.name for c in getattr(policy, "inputs", ())]  # a decision table's, in order
            for example in policy.examples:
                outcomes.append(run_example(example, path.stem, day, inputs))
        diagnostics += clash_diagnostics(store)
    store.close()
    return outcomes, diagnostics, skipped


def clash_diagnostics(store: Store) -> list[Diagnostic]:
    """DUPLICATE_NAME for each file defining a name another file defines too (none of them is used)."""
    out = []
    for name, places in store.clashes().items():
        files = list(dict.fromkeys(path for path, _ in places))
        if len(files) < 2:
            continue  # twice in one DMN file: its reader says so
        for path in files:
            others = ", ".join(p.name for p in files if p != path)
            out.append(Diagnostic("DUPLICATE_NAME", f"policy '{name}' is also defined in {others}; neither is used "
                                  "until one is renamed", Location(str(path), 1, 1)))
    return out
