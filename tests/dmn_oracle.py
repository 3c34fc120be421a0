"""DMN oracle harness: cellrules against expected results no one here wrote.

Two oracles, each split once and for all into a *tuning* part and a *held-out* part (by a hash of the case's
name: 30% held out), so that what is reported for the held-out part is a figure nothing was tuned on:

* ``tck DIR``: the DMN TCK (github.com/dmn-tck/tck, ``TestCases/``), compliance levels 2 and 3; by default
  the cases whose models hold a decision table (``--all`` for every case). Every test case's every result
  node is one check.
* ``real MANIFEST --root DIR``: decision models that Camunda, Drools, Flowable and jDMN ship with their own
  tests, with the expected results those tests state (``tests/dmn_real.yaml`` says where each comes from;
  the models are read from a folder holding those repositories, ``DIR/<owner>+<name>/repo`` as ``git
  show`` reads them, or plain checkouts ``DIR/<owner>+<name>/``).

Each check is *right* (the expected value, or null where an error is expected), *wrong* (another value — the
only unacceptable outcome), *refused* (cellrules said why it does not answer: an unsupported construct, or
an error where a value was expected) or a *crash* (an exception: a bug). Models are read from a rules
folder, as finance would drop them in, and evaluated through ``cellrules.decisions.evaluate`` on the engine
in use.

    python tests/dmn_oracle.py tck ~/tck/TestCases [--all] [--split tune|held|all] [--misses] [--json]
    python tests/dmn_oracle.py real tests/dmn_real.yaml --root /work/.mirror [--split …] [--misses]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from cellrules import decisions
from cellrules.dmn.xml import Node, parse
from cellrules.feel import temporal
from cellrules.feel.builtins import invoke
from cellrules.feel.values import FeelError, Function, equal, string
from cellrules.store import Store, using

HELD_SHARE = 3  # tenths of every oracle held out


def held_out(name: str) -> bool:
    """Whether a case belongs to the held-out part (fixed: a hash of its name)."""
    return int(hashlib.sha1(name.encode("utf-8")).hexdigest(), 16) % 10 < HELD_SHARE


@dataclass
class Check:
    """One expected result: where it is from, what to call, what it must give."""

    group: str  # e.g. "TCK level 3", "camunda/dmn-scala"
    case: str
    label: str
    decision: str
    inputs: dict[str, Any]
    expected: Any
    error_expected: bool = False
    invocable: str = ""  # a decision service or knowledge model called directly
    outcome: str = ""  # right | wrong | refused | crash
    detail: str = ""


# -- TCK test files ---------------------------------------------------------------------------------
_NUMBERS = {"decimal", "double", "integer", "int", "long", "float", "short", "byte", "nonNegativeInteger"}


def tck_value(node: Node | None) -> Any:
    """A TCK <value>/<component>/<list> (or a node holding one) as a FEEL value."""
    if node is None:
        return None
    if node.attrs.get("nil") == "true":
        return None
    lst = node.find("list")
    if lst is not None:
        return [tck_value(item) for item in lst.all("item")]
    components = node.all("component")
    if components:
        return {c.attrs.get("name", ""): tck_value(c) for c in components}
    value = node.find("value")
    if value is not None:
        return _typed(value)
    if node.tag in ("value",):
        return _typed(node)
    return None


class Unrepresentable:
    """An expected value cellrules cannot hold (a date in the year 999999999): equal to nothing we give."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.text}>"


def _typed(node: Node) -> Any:
    try:
        return _typed_value(node)
    except FeelError:
        return Unrepresentable(node.text)


def _typed_value(node: Node) -> Any:
    if node.attrs.get("nil") == "true":
        return None
    if node.find("list") is not None or node.all("component"):
        return tck_value(node)
    kind = node.attrs.get("type", "").split(":")[-1]
    text = node.text
    if kind in _NUMBERS:
        return Decimal(text.strip())
    if kind == "boolean":
        return text.strip() == "true"
    if kind == "date":
        return temporal.parse_date(text)
    if kind == "dateTime":
        return temporal.parse_date_time(text)
    if kind == "time":
        return temporal.parse_time(text)
    if kind in ("duration", "dayTimeDuration", "yearMonthDuration"):
        return temporal.parse_duration(text)
    return text


def tck_checks(root: Path, every_case: bool) -> Iterator[tuple[Path, list[Check]]]:
    """Each TCK case folder of levels 2 and 3 with its checks."""
    for level in ("compliance-level-2", "compliance-level-3"):
        for case in sorted((root / level).iterdir()):
            models = list(case.glob("*.dmn"))
            if not models or not case.is_dir():
                continue
            if not every_case and not any("decisionTable" in m.read_text(encoding="utf-8", errors="replace")
                                          for m in models):
                continue
            group = "TCK level " + level[-1]
            checks = []
            for test_file in sorted(case.glob("*-test-*.xml")):
                root_node = parse(test_file.read_text(encoding="utf-8"))
                for tc in root_node.all("testCase"):
                    inputs = {n.attrs.get("name", ""): tck_value(n) for n in tc.all("inputNode")}
                    for result in tc.all("resultNode"):
                        name = result.attrs.get("name", "")
                        checks.append(Check(group, case.name, f"{case.name}:{tc.attrs.get('id')}:{name}", name, inputs,
                                            tck_value(result.find("expected")),
                                            result.attrs.get("errorResult") == "true",
                                            tc.attrs.get("invocableName", "") if tc.attrs.get("type") in
                                            ("decisionService", "bkm") else ""))
            yield case, checks


# -- running -------------------------------------------------------------------------------------------
def agree(expected: Any, got: Any) -> bool:
    """Whether our value is the expected one (numbers to 1e-8 relative: the TCK writes some results of log,
    exp and sqrt to 9 digits)."""
    if isinstance(expected, Unrepresentable):
        return False
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, Decimal) and isinstance(got, Decimal):
        return expected == got or abs(expected - got) <= abs(expected) * Decimal("1e-8")
    if isinstance(expected, list) and isinstance(got, list):
        return len(expected) == len(got) and all(agree(a, b) for a, b in zip(expected, got))
    if isinstance(expected, dict) and isinstance(got, dict):
        return set(expected) <= set(got) and all(agree(v, got[k]) for k, v in expected.items())
    return equal(expected, got) is True


def run_checks(folder: Path, checks: list[Check]) -> None:
    """Evaluate each check against the models in ``folder`` (a rules folder)."""
    store = Store(folder)
    store.interval = 0.0
    with using(store):
        for check in checks:
            try:
                got = _call(store, check)
            except decisions.NotAnswered as exc:
                if check.error_expected or check.expected is None and exc.code == "ERROR":
                    check.outcome, check.detail = "right", f"error as expected: {exc}"
                else:
                    check.outcome, check.detail = "refused", f"{exc.code}: {exc}"
                continue
            except Exception as exc:  # a crash is a bug: counted, and its traceback kept
                check.outcome = "crash"
                check.detail = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-3)}"
                continue
            if agree(check.expected, got):
                check.outcome = "right"
            else:
                check.outcome = "wrong"
                check.detail = f"expected {_show(check.expected)}, got {_show(got)}"
    store.close()


def _call(store: Store, check: Check) -> Any:
    if not check.invocable:
        return decisions.evaluate(check.decision, check.inputs)
    from cellrules.dmn.drg import Run
    for name in store.names():  # any decision of the model gives the model
        loaded = store.in_force_by_name(name)
        policy = getattr(loaded, "policy", None)
        element = policy.model.by_name(check.invocable) if policy is not None and hasattr(policy, "model") else None
        if element is not None:
            run = Run(policy.model, {}, lambda t: loaded.decider.decide, policy._compiled)
            function = run.value(element)
            if not isinstance(function, Function):
                raise decisions.NotAnswered("ERROR", f"{check.invocable} is not a function")
            result = invoke(function, [], dict(check.inputs))
            if isinstance(result, dict) and element.kind == "service" and check.decision in result:
                return result[check.decision]
            return result
    raise decisions.NotAnswered("POLICY", f"no invocable '{check.invocable}'")


def _show(value: Any) -> str:
    if isinstance(value, Unrepresentable):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    text = string(value)
    return "null" if text is None else text


# -- the real-world manifest -------------------------------------------------------------------------
def real_checks(manifest: Path, roots: list[Path]) -> Iterator[tuple[Path, list[Check]]]:
    """Each model of the manifest, copied into a rules folder, with its checks."""
    import yaml
    entries = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    for entry in entries["models"]:
        repo, commit = entry["repo"], entry.get("commit", "HEAD")
        case = f"{repo}:{entry['model']}"
        folder = Path(tempfile.mkdtemp(prefix="dmn-oracle-"))
        ids: dict[str, str] = {}
        for path in [entry["model"]] + entry.get("also", []):
            data = _read(roots, repo, commit, path)
            (folder / Path(path).name).write_bytes(data)
            ids.update(_decision_ids(data))
        checks = []
        for k, test in enumerate(entry["checks"]):
            name = test.get("decision") or ids.get(test.get("decision_id", ""), test.get("decision_id", ""))
            checks.append(Check(repo, case, f"{case}#{k + 1} {name}", name, _from_yaml(test.get("inputs") or {}),
                                _from_yaml(test.get("expect")), bool(test.get("error"))))
        yield folder, checks


def _decision_ids(data: bytes) -> dict[str, str]:
    """A model's decisions: id -> name (a project's tests may call a decision by its id)."""
    try:
        root = parse(data.decode("utf-8"))
    except Exception:
        return {}
    return {d.attrs.get("id", ""): d.attrs.get("name", "") for d in root.children if d.tag == "decision"}


def _read(roots: list[Path], repo: str, commit: str, path: str) -> bytes:
    for root in roots:
        git = root / repo.replace("/", "+") / "repo"
        if git.exists():
            return subprocess.run(["git", "--git-dir", str(git), "show", f"{commit}:{path}"], check=True,
                                  capture_output=True).stdout
        plain = root / repo.replace("/", "+") / path
        if plain.exists():
            return plain.read_bytes()
    raise FileNotFoundError(f"{repo}: {path} is in none of {', '.join(map(str, roots))}")


def _from_yaml(value: Any) -> Any:
    """A manifest value as FEEL: numbers Decimal, {date: "…"} style temporal values, lists and contexts."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if isinstance(value, list):
        return [_from_yaml(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"date"}:
            return temporal.parse_date(value["date"])
        if set(value) == {"dateTime"}:
            return temporal.parse_date_time(value["dateTime"])
        if set(value) == {"duration"}:
            return temporal.parse_duration(value["duration"])
        return {str(k): _from_yaml(v) for k, v in value.items()}
    import datetime as dt
    if isinstance(value, dt.date):
        return value
    return value


# -- report ---------------------------------------------------------------------------------------------
@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)

    def add(self, outcome: str) -> None:
        self.counts[outcome] += 1

    def line(self, label: str) -> str:
        c = self.counts
        total = sum(c.values())
        answered = c["right"] + c["wrong"]
        share = f"{100 * answered / total:.0f}%" if total else "-"
        return (f"{label:<34} {total:>5} {c['right']:>6} {c['wrong']:>6} {c['refused']:>8} {c['crash']:>6}"
                f"   answered {share}")


def report(checks: list[Check], misses: bool, as_json: bool) -> int:
    tallies: dict[str, Tally] = {}
    for check in checks:
        split = "held-out" if held_out(check.case) else "tuning"
        for key in (f"{check.group} ({split})", f"all ({split})", "all"):
            tallies.setdefault(key, Tally()).add(check.outcome)
    if as_json:
        json.dump({"tallies": {k: dict(t.counts) for k, t in tallies.items()},
                   "checks": [{"label": c.label, "outcome": c.outcome, "detail": c.detail.splitlines()[0] if c.detail
                               else "", "held_out": held_out(c.case)} for c in checks]}, sys.stdout, indent=1)
        return 0
    print(f"{'':<34} {'checks':>5} {'right':>6} {'wrong':>6} {'refused':>8} {'crash':>6}")
    for key in sorted(tallies):
        print(tallies[key].line(key))
    if misses:
        for check in checks:
            if check.outcome in ("wrong", "crash", "refused") and (misses or check.outcome != "refused"):
                print(f"\n[{check.outcome}] {check.label}{' (held out)' if held_out(check.case) else ''}\n  "
                      + check.detail.strip().replace("\n", "\n  ")[:1500])
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("oracle", choices=("tck", "real"))
    parser.add_argument("source", help="the TCK's TestCases folder, or the real-world manifest")
    parser.add_argument("--root", action="append", help="where the real-world repositories are (repeatable; "
                        "default /work/.mirror and /work/dmn-extra)")
    parser.add_argument("--all", action="store_true", help="every TCK case, not only those with a table")
    parser.add_argument("--split", choices=("tune", "held", "all"), default="tune")
    parser.add_argument("--case", default="", help="only cases whose name contains this")
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    source = Path(args.source)
    roots = [Path(r) for r in (args.root or ["/work/.mirror", "/work/dmn-extra"])]
    pairs = tck_checks(source, args.all) if args.oracle == "tck" else real_checks(source, roots)
    done: list[Check] = []
    for folder, checks in pairs:
        checks = [c for c in checks if args.case in c.case and (args.split == "all" or
                                                                 held_out(c.case) == (args.split == "held"))]
        if not checks:
            continue
        with tempfile.TemporaryDirectory(prefix="dmn-oracle-") as tmp:
            rules = Path(tmp)
            for model in folder.glob("*.dmn"):
                shutil.copy(model, rules / model.name)
            run_checks(rules, checks)
        done += checks
    return report(done, args.misses, args.json)


if __name__ == "__main__":
    sys.exit(main())
