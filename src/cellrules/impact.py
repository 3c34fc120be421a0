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
from fractions import Fraction
from pathlib import Path
from typing import Any

from cellrules.examples import check_file, rule_files, run_example
from cellrules.source import load_file
from cellrules.validation import validate_versions
from cellrules.xlsx import reader as xlsx
from cellrules.xlsx.addresses import col_index
from cellrules.xlsx.formats import cell_formats, shown
from cellrules.recalc.excel.textformat import format_value
from cellrules.recalc.batch.run import paused_gc, provenance
from cellrules.recalc.batch.twice import computed_twice
from cellrules.impact_cells import Column, columns_of, compare, read
from cellrules.recalc.formula.evaluator import BudgetError
from cellrules.registry import plain
from cellrules.store import Store, Used, using

SKIPPED_FIELDS = {"location", "digest", "examples", "lookup", "cache", "header"}


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
            columns: list[Column] = []

            def taken(book: Any, groups: list[Any], only: set[int] | None) -> None:
                if only is None:
                    columns.extend(columns_of(groups))
                read(book, columns, groups, only, "before" if only is None else "after")
            _, _, used_old, used_new = computed_twice(package, old_store, new_store, changed, taken)
            again_used = {name for (name, _, _) in used_new}
            kept = [v for v in _trail(used_old, old_dir) if changed is not None and v["kind"] not in changed
                    and v["policy"] not in again_used]  # computed once: the same files
            versions = {"old": _trail(used_old, old_dir), "new": sorted(_trail(used_new, new_dir) + kept,
                                                                       key=lambda v: (v["policy"], v["version"]))}
            return {**_with_rows(*compare(str(path), columns), package, key), "versions": versions}
    except (xlsx.PackageError, BudgetError) as exc:
        return {"workbook": str(path), "problem": str(exc)}
    except Exception as exc:  # one bad workbook must not stop the report
        return {"workbook": str(path), "problem": f"{type(exc).__name__}: {exc}"}
    finally:
        old_store.close()
        new_store.close()


def _with_rows(report: dict[str, Any], places: list[tuple[Column, int]], package: Any,
               key: str | None = None) -> dict[str, Any]:
    """Each changed cell (``places``: its column and its place in it, beside it) with its row's key — the
    column ``key`` (a letter, or a header of the sheet's first row), else the first text cell of the row (the
    customer's id or name) — and its values as the workbook shows them (``old_shown``/``new_shown`` in the
    cell's number format, where it has one)."""
    sheets = {s.name: s for s in package.sheets}
    columns: dict[str, int | None] = {}
    wanted: dict[str, set[tuple[int, int]]] = {}
    spans: dict[tuple[str, int, int], tuple[int, int]] = {}
    where: list[tuple[str, int, int] | None] = []
    for c, (column, k) in zip(report["changed"], places):
        sheet, row = sheets.get(column.sheet), column.r0 + k
        if column.sheet not in columns:
            columns[column.sheet] = _key_column(sheet, key)
        c["key"] = _row_key(sheet, row, columns[column.sheet])
        where.append(None if sheet is None else (sheet.part, row, column.col))
        if sheet is not None:
            wanted.setdefault(sheet.part, set()).add((row, column.col))
            span = sheet.formulas[column.cells[k]].span if k < len(column.cells) else (0, 0)
            if span != (0, 0):
                spans[(sheet.part, row, column.col)] = span
    formats = cell_formats(package.path, package.raw, wanted, spans) if wanted else {}
    for c, place in zip(report["changed"], where):
        code = formats.get(place, "General") if place else "General"
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
