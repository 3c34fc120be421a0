"""Impact of a policy change: what changed in the rules, and what it does to the numbers.

Owns ``cellrules diff OLD_RULES NEW_RULES [WORKBOOKS…]``'s logic: the change
of each policy file in plain words (fields of the validated models compared,
rows matched by their names — not a text diff); then, on the workbooks given,
every cellrules cell whose value changes (each workbook read once and computed
under each rules folder in the same process, compared in memory: nothing is
written), with totals per function before and after and the movements
between categories (customers changing tier, invoices changing stage); or,
without workbooks, every example of the rule files whose answer changes.
"""
from __future__ import annotations

import dataclasses
import re
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from cellrules.examples import check_file, rule_files, run_example
from cellrules.source import load_file
from cellrules.validation import validate_versions
from cellrules.functions import decider
from cellrules.xlsx import reader as xlsx
from cellrules.xlsx.addresses import address, col_index
from cellrules.xlsx.formats import cell_formats, shown
from cellrules.recalc.excel.textformat import format_value
from cellrules.recalc.batch.run import paused_gc, provenance
from cellrules.recalc.batch.twice import computed_twice
from cellrules.recalc.formula.evaluator import BudgetError
from cellrules.registry import REGISTRY, plain
from cellrules.store import Store, Used, using

SKIPPED_FIELDS = {"location", "digest", "examples", "lookup", "cache", "header"}
UNSTABLE = {"EXPLAIN", "RULESTATUS"}  # their text names versions and hashes: always different, never a number


def _shown(value: Any) -> str:
    if hasattr(value, "shown"):  # a value that says how it reads (a quota plan's multiplier: ×1.5)
        return str(value.shown())
    if isinstance(value, Fraction):
        return f"{float(value) * 100:g}%"
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return str(value)


def _key(item: Any, i: int) -> str:
    for attr in ("name", "version", "deal_type"):
        value = getattr(item, attr, None)
        if isinstance(value, str) and value:
            return value
    return f"row {i + 1}"


def model_changes(old: Any, new: Any, where: str = "") -> list[str]:
    """The differences between two validated models, one sentence each (``where › field: old → new``)."""
    if dataclasses.is_dataclass(old) and type(old) is type(new):
        out = []
        for f in dataclasses.fields(old):
            if f.name not in SKIPPED_FIELDS:
                out += model_changes(getattr(old, f.name), getattr(new, f.name), _join(where, f.name))
        return out
    if isinstance(old, dict) and isinstance(new, dict):
        return _keyed(dict(old), dict(new), where)
    if isinstance(old, tuple) and isinstance(new, tuple) and (old or new) and all(
            dataclasses.is_dataclass(x) for x in old + new):
        if len(old) == len(new) == 1 and _key(old[0], 0) == _key(new[0], 0) and f" {_key(old[0], 0)} ›" in where:
            return model_changes(old[0], new[0], where.rsplit(" › ", 1)[0])  # the version named once
        return _keyed({_key(x, i): x for i, x in enumerate(old)}, {_key(x, i): x for i, x in enumerate(new)}, where)
    if old != new:
        return [f"{where}: {_shown(old)} → {_shown(new)}"]
    return []


def _keyed(old: dict[Any, Any], new: dict[Any, Any], where: str) -> list[str]:
    out = [f"{_join(where, str(k))}: removed" for k in old if k not in new]
    out += [f"{_join(where, str(k))}: added" for k in new if k not in old]
    for k in old:
        if k in new:
            out += model_changes(old[k], new[k], _join(where, str(k)))
    return out


def _join(where: str, part: str) -> str:
    return f"{where} › {part}" if where else part


def policy_changes(old_dir: Path, new_dir: Path) -> list[dict[str, Any]]:
    """Per rule file: added, removed, or the changes of its versions in words (every version of the file, not
    only the top: a change to last year's plan is a change)."""
    old = {p.name: p for p in rule_files(old_dir)}
    new = {p.name: p for p in rule_files(new_dir)}
    out = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            out.append({"file": name, "change": "removed", "details": []})
        elif name not in old:
            out.append({"file": name, "change": "added", "details": []})
        else:
            before, after = _versions_of(old[name]), _versions_of(new[name])
            if before is None or after is None:
                out.append({"file": name, "change": "does not validate", "details": []})
                continue
            details = version_changes(before, after)
            if details:
                out.append({"file": name, "change": "changed", "details": details})
    return out


def _versions_of(path: Path) -> list[Any] | None:
    """Every version a rule file holds (the top first), or None when it does not validate."""
    found, _ = check_file(path)
    if found is None:
        return None
    if path.suffix not in (".yaml", ".yml"):
        return [found]
    source, _ = load_file(path)
    return validate_versions(source)[0] if source is not None else None


def version_changes(before: list[Any], after: list[Any]) -> list[str]:
    """The changes between two files' versions: a file of one version each, its changes (and a new version
    name); otherwise each version's, by name (``version v2025-01 › …``), with versions added and removed."""
    if len(before) == len(after) == 1:
        details = model_changes(before[0], after[0])
        if before[0].header.version != after[0].header.version:
            details.insert(0, f"version: {before[0].header.version} → {after[0].header.version}")
        return details
    old = {str(p.header.version): p for p in before}
    new = {str(p.header.version): p for p in after}
    out = [f"version {v}: removed" for v in old if v not in new]
    out += [f"version {v}: added (from {new[v].header.effective_from})" for v in new if v not in old]
    for v in old:
        if v in new:
            out += model_changes(old[v], new[v], f"version {v}")
            if old[v].header.effective_from != new[v].header.effective_from:
                out.append(f"version {v} › effective_from: {old[v].header.effective_from} → "
                           f"{new[v].header.effective_from}")
    return out


def _calls(names: set[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.])(?:_xldudf_CELLRULES_|CELLRULES\.)?(" + "|".join(sorted(names, key=len,
                                                                                        reverse=True)) + r")\(", re.I)


Key = tuple[str, int, int]  # (sheet, row, column)


def _cellrules_cells(package: xlsx.Package) -> dict[Key, tuple[str, Any]]:
    """(sheet, row, col) -> (function, cached value) of every formula cell whose formula is a cellrules call."""
    search = _calls(set(REGISTRY) - UNSTABLE).search
    out: dict[tuple[str, int, int], tuple[str, Any]] = {}
    for sheet in package.sheets:
        shared: dict[str, str] = {}
        name = sheet.name
        for f in sheet.formulas:
            text = f.text
            if text is None:
                text = shared.get(f.shared or "", "")
            elif f.shared:
                shared[f.shared] = text
            found = search(text)
            if found:
                out[(name, f.row, f.col)] = (found.group(1).upper(), f.cached)
    return out


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _reader(cells: dict[Key, tuple[str, Any]]) -> Any:
    """What the report reads from a computed book: each cellrules cell's value as the written file would
    hold it (a spilling answer: its first value); ``within``: only those cells."""
    def read(book: Any, within: set[Key] | None) -> dict[Key, tuple[str, Any]]:
        out: dict[Key, tuple[str, Any]] = {}
        columns: dict[tuple[str, int], Any] = {}
        for key, (function, _) in cells.items():
            if within is not None and key not in within:
                continue
            column = columns.get(key[::2])
            if column is None:
                column = columns[key[::2]] = book.sheets[key[0].upper()].values.reader(key[2])
            value = column.get(key[1])
            if type(value) is not float:
                while isinstance(value, (list, tuple, np.ndarray)):
                    value = value[0] if len(value) else ""
                value = plain(value) if value is not None else None
            out[key] = (function, value)
        return out
    return read


def _trail(used: Used, folder: Path) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in ("path", "folder")} for row in provenance(used, folder)]


def workbook_changes(path: Path, old_dir: Path, new_dir: Path, key: str | None = None,
                     changed: set[str] | None = None) -> dict[str, Any]:
    """One workbook computed under each rules folder in one process: read once, every formula computed,
    then again only what a changed kind of policy (``changed``; None: any) can reach, the cellrules cells
    compared in memory (the workbook itself is only read, nothing is written): the cells that change, totals
    per function, movements between categories, and each side's policy versions."""
    old_store, new_store = Store(old_dir), Store(new_dir)
    try:
        with paused_gc():  # as a recalculation does: millions of objects that live for the whole run
            package = xlsx.read(str(path))
            cells = _cellrules_cells(package)
            old, again, used_old, used_new = computed_twice(package, old_store, new_store, changed, _reader(cells))
            new = {**old, **again}  # what no change reached kept its value
            again_used = {name for (name, _, _) in used_new}
            kept = [v for v in _trail(used_old, old_dir) if changed is not None and v["kind"] not in changed
                    and v["policy"] not in again_used]  # computed once: the same files
            versions = {"old": _trail(used_old, old_dir), "new": sorted(_trail(used_new, new_dir) + kept,
                                                                       key=lambda v: (v["policy"], v["version"]))}
            return {**_with_rows(_compare(str(path), old, new), package, key), "versions": versions}
    except (xlsx.PackageError, BudgetError) as exc:
        return {"workbook": str(path), "problem": str(exc)}
    except Exception as exc:  # one bad workbook must not stop the report
        return {"workbook": str(path), "problem": f"{type(exc).__name__}: {exc}"}
    finally:
        old_store.close()
        new_store.close()


def _compare(name: str, old: dict[tuple[str, int, int], tuple[str, Any]],
             new: dict[tuple[str, int, int], tuple[str, Any]]) -> dict[str, Any]:
    changed: list[dict[str, Any]] = []
    totals: dict[str, dict[str, Any]] = {}
    moves: Counter[tuple[str, str, str]] = Counter()
    for key in _in_order(old):
        function, before = old[key]
        after = new.get(key, (function, None))[1]
        sums = totals.get(function)
        if sums is None:
            sums = totals[function] = {"function": function, "cells": 0, "before": 0.0, "after": 0.0, "changed": 0,
                                       "numbers": False, "adds_up": adds_up(function)}
        sums["cells"] += 1
        a = before if type(before) is float else _number(before)
        b = after if type(after) is float else _number(after)
        sums["before"] += a or 0.0
        sums["after"] += b or 0.0
        sums["numbers"] = sums["adds_up"] and (sums["numbers"] or a is not None or b is not None)
        if before == after and type(before) is type(after):
            continue
        if str(before) != str(after) and not (a is not None and b is not None and abs(a - b) <= 1e-9 * max(1, abs(a))):
            sums["changed"] += 1
            changed.append({"cell": f"{key[0]}!{address(key[1], key[2])}", "function": function,
                            "old": before, "new": after})
            if a is None and b is None:
                moves[(function, str(before), str(after))] += 1
    for sums in totals.values():
        sums["change"] = (sums["after"] - sums["before"]) / sums["before"] if sums["before"] else None
    return {"workbook": name, "cells": sum(t["cells"] for t in totals.values()), "changed": changed,
            "totals": list(totals.values()),
            "movements": [{"function": f, "from": a, "to": b, "count": n} for (f, a, b), n in sorted(moves.items())]}


def _with_rows(report: dict[str, Any], package: Any, key: str | None = None) -> dict[str, Any]:
    """Each changed cell with its row's key — the column ``key`` (a letter, or a header of the sheet's first
    row), else the first text cell of the row (the customer's id or name) — and its values as the workbook
    shows them (``old_shown``/``new_shown`` in the cell's number format, where it has one)."""
    sheets = {s.name: s for s in package.sheets}
    columns: dict[str, int | None] = {}
    wanted: dict[str, set[tuple[int, int]]] = {}
    places = []
    for c in report["changed"]:
        sheet_name, ref = c["cell"].rsplit("!", 1)
        sheet = sheets.get(sheet_name)
        letters = ref.rstrip("0123456789")
        row, col = int(ref[len(letters):]), col_index(letters)
        if sheet_name not in columns:
            columns[sheet_name] = _key_column(sheet, key)
        c["key"] = _row_key(sheet, row, columns[sheet_name])
        if sheet is not None:
            wanted.setdefault(sheet.part, set()).add((row, col))
            places.append((c, (sheet.part, row, col)))
    spans = {(sheet.part, f.row, f.col): f.span for sheet in package.sheets if sheet.part in wanted
             for f in sheet.formulas if f.span != (0, 0)}
    formats = cell_formats(package.path, package.raw, wanted, spans) if wanted else {}
    for c, place in places:
        code = formats.get(place, "General")
        for side in ("old", "new"):
            text = shown(c[side], code, format_value)
            if text is not None:
                c[f"{side}_shown"] = text
    return report


def _key_column(sheet: Any, key: str | None) -> int | None:
    """The column ``--key`` names on this sheet: a column letter, or the header in its first row."""
    if sheet is None or not key:
        return None
    for col in range(1, sheet.max_col + 1):
        header = sheet.values.get((1, col))
        if isinstance(header, str) and header.strip().casefold() == key.strip().casefold():
            return col
    return col_index(key.upper()) if key.isalpha() and len(key) <= 3 else None


def _row_key(sheet: Any, row: int, column: int | None) -> str:
    if sheet is None:
        return ""
    if column is not None:
        value = plain(sheet.values.get((row, column)))
        if isinstance(value, float) and value.is_integer():
            return str(int(value))  # an id 1042 reads 1042, not 1042.0
        return "" if value is None else str(value)
    return next((str(v) for col in range(1, sheet.max_col + 1)
                 if isinstance(v := sheet.values.get((row, col)), str) and v.strip()), "")


def adds_up(function: str) -> bool:
    """Whether a function's answers are amounts whose total means something (COMMISSION, PAYOUT — not a rate, a
    score or a category), as the function declares."""
    found = decider(function)
    return bool(found and found[0].adds_up)


def _in_order(cells: dict[Key, Any]) -> list[Key]:
    """The keys sorted (sheet, row, column): a sheet's cells come in row order already (a sheet's rows are
    in order in its XML), so only the sheets are sorted — unless a sheet's are not, then all of them."""
    by_sheet: dict[str, list[Key]] = {}
    for key in cells:
        by_sheet.setdefault(key[0], []).append(key)
    out: list[Key] = []
    for sheet in sorted(by_sheet):
        keys = by_sheet[sheet]
        out += keys if all(a < b for a, b in zip(keys, keys[1:])) else sorted(keys)
    return out


def example_changes(old_dir: Path, new_dir: Path) -> list[dict[str, Any]]:
    """Without workbooks: every example of the new rule files whose answer under the old rules differs."""
    out = []
    stores = Store(old_dir), Store(new_dir)
    try:
        for path in rule_files(new_dir):
            policy = check_file(path)[0]
            for example in policy.examples if policy is not None else ():
                answers = []
                for store in stores:
                    with using(store):
                        answers.append(run_example(example, path.stem).got)
                if str(answers[0]) != str(answers[1]):
                    args = ", ".join(f"{k}={v}" for k, v in example.args.items())
                    out.append({"example": f"{path.name}:{example.location.line}",
                                "call": f"{example.function}({args})", "old": answers[0], "new": answers[1]})
    finally:
        for store in stores:
            store.close()
    return out


def changed_kinds(old_dir: Path, new_dir: Path) -> set[str] | None:
    """The kinds of policy whose files differ between two folders (a file added, removed or edited); None
    when a differing file cannot be read (then everything is computed twice)."""
    old = {p.name: p for p in rule_files(old_dir)}
    new = {p.name: p for p in rule_files(new_dir)}
    kinds: set[str] = set()
    for name in set(old) | set(new):
        sides = [d[name] for d in (old, new) if name in d]
        if len(sides) == 2 and sides[0].read_bytes() == sides[1].read_bytes():
            continue
        for path in sides:
            if path.suffix in (".dmn", ".xlsx"):
                kinds.add("decision_table")
                continue
            found = check_file(path)[0]
            if found is None:
                return None
            kinds.add(found.header.kind)
    return kinds


def diff(old_dir: Path, new_dir: Path, workbooks: list[Path], key: str | None = None) -> dict[str, Any]:
    """The whole report: the policy changes, then the workbooks' (or the examples') changes."""
    report: dict[str, Any] = {"old": str(old_dir), "new": str(new_dir), "policies": policy_changes(old_dir, new_dir)}
    if workbooks:
        changed = changed_kinds(old_dir, new_dir)
        report["workbooks"] = [workbook_changes(p, old_dir, new_dir, key, changed) for p in workbooks]
    else:
        report["examples"] = example_changes(old_dir, new_dir)
    return report
