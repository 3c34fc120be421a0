"""The commands that report, each with ``--format json`` / ``--json`` for machines: ``check``, ``test``,
``explain``, ``functions``, ``status`` and ``diff``; their exit codes (0 clean, 1 problems found, 2 usage)."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from cellrules import engine, folders, store
from cellrules.diagnostics import did_you_mean, has_errors, position
from cellrules.examples import check_file, clash_diagnostics, rule_files, run_folder
from cellrules.registry import REGISTRY, call
from cellrules.report import dump_json, paint, plural, table


def _folder(args: argparse.Namespace) -> Path:
    if getattr(args, "dir", None):
        return Path(args.dir)
    return folders.resolve_folder(args.rules)[0]


def cmd_check(args: argparse.Namespace) -> int:
    """``cellrules check``: validate rule files; exit 1 on errors."""
    targets = [Path(p) for p in args.paths] if args.paths else [_folder(args)]
    missing = [t for t in targets if not t.exists()]
    if missing:
        print(f"cellrules: {missing[0]}: no such file or folder", file=sys.stderr)
        return 2
    files = [f for t in targets for f in rule_files(t)]
    found = []
    for path in files:
        found += check_file(path)[1]
    for folder in (t for t in targets if t.is_dir()):
        rules = store.Store(folder)
        found += clash_diagnostics(rules)
        rules.close()
    found.sort(key=position)  # every problem of a file at once, in the order they stand in it
    errors = sum(d.severity == "error" for d in found)
    if args.format == "json":
        dump_json({"files": len(files), "errors": errors, "warnings": len(found) - errors,
                   "diagnostics": [d.to_dict() for d in found]})
    else:
        for d in found:
            print(paint(str(d), "red" if d.severity == "error" else "yellow"))
        summary = f"{plural(len(files), 'file')} checked: {plural(errors, 'error')}, " \
                  f"{plural(len(found) - errors, 'warning')}"
        print(paint(summary, "red" if errors else "green"))
    return 1 if has_errors(found) else 0


def cmd_test(args: argparse.Namespace) -> int:
    """``cellrules test``: run every rule file's examples; exit 1 on a failure."""
    target = _folder(args)
    if not target.exists():
        print(f"cellrules: {target}: no such file or folder", file=sys.stderr)
        return 2
    outcomes, diagnostics, skipped = run_folder(target)
    failed = [o for o in outcomes if not o.ok]
    broken = [d for d in diagnostics if d.severity == "error"]
    if args.format == "json":
        dump_json({"passed": len(outcomes) - len(failed), "failed": len(failed),
                   "failures": [o.describe() for o in failed], "invalid": [str(d) for d in broken],
                   "skipped": skipped})
    else:
        for d in broken:
            print(paint(str(d), "red"))
        for line in skipped:
            print(paint(f"skipped: {line}", "yellow"))
        for outcome in failed:
            print(paint(outcome.describe(), "red"))
        colour = "red" if failed or broken else "green"
        print(paint(f"examples: {len(outcomes) - len(failed)} passed, {len(failed)} failed", colour))
    return 1 if failed or broken else 0


def _arg(text: str) -> Any:
    stripped = text.strip()
    if stripped[:1] in "[{":
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            return text
    return text


def _explain_args(name: str, raw: list[str]) -> list[Any] | str:
    """Positional and ``name=value`` arguments in the function's order; a problem as text."""
    spec = REGISTRY.get(name.upper())
    if spec is None:
        return f"no function '{name}'{did_you_mean(name.upper(), REGISTRY)}"
    names = [a.name for a in spec.args]
    positional: list[Any] = []
    named: dict[str, Any] = {}
    for text in raw:
        key, sep, value = text.partition("=")
        if sep and key.strip() in names:
            named[key.strip()] = _arg(value)
        elif sep and key.strip().isidentifier() and not positional[len(names):]:
            return f"{spec.name} has no argument '{key.strip()}'{did_you_mean(key.strip(), names)}"
        else:
            positional.append(_arg(text))
    values: list[Any] = positional + [None] * max(len(names) - len(positional), 0)
    for key, value in named.items():
        values[names.index(key)] = value
    while values and values[-1] is None:
        values.pop()
    return values


def cmd_explain(args: argparse.Namespace) -> int:
    """``cellrules explain``: the file, line and rule behind one call's value."""
    values = _explain_args(args.function, args.args)
    if isinstance(values, str):
        print(f"cellrules: {values}", file=sys.stderr)
        return 2
    text = str(call("EXPLAIN", args.function, *values))
    if args.format == "json":
        dump_json({"function": args.function.upper(), "args": args.args, "explanation": text,
                   "value": call(args.function, *values)})
    else:
        print(text)
    return 1 if text.startswith("#") else 0


def cmd_functions(args: argparse.Namespace) -> int:
    """``cellrules functions``: every spreadsheet function with its arguments and help (``--excel``: Microsoft's
    functions, implemented or not)."""
    if getattr(args, "excel", False):
        return _excel_functions(args)
    specs = sorted(REGISTRY.values(), key=lambda s: s.name)
    if args.format == "json":
        dump_json([{"name": s.name, "signature": s.signature, "help": s.help, "returns": s.returns,
                    "spills": s.spills, "args": [vars(a) for a in s.args]} for s in specs])
    else:
        print(table(["function", "returns", "help"],
                    [(s.signature, s.returns + (", spills" if s.spills else ""), s.help) for s in specs], 90))
    return 0


def _excel_functions(args: argparse.Namespace) -> int:
    from cellrules.recalc.formula.catalogue import EXCEL_FUNCTIONS, coverage
    split = coverage()
    done, missing = split["implemented"], split["unsupported"]
    if args.format == "json":
        dump_json({"excel_functions": len(EXCEL_FUNCTIONS), "implemented": done, "unsupported": missing})
        return 0
    print(table(["function", "in cellrules recalc"], [(name, "yes" if name in done else paint("not supported", "yellow"))
                                                      for name in sorted(EXCEL_FUNCTIONS)]))
    print(f"{len(done):,} of {len(EXCEL_FUNCTIONS):,} Excel functions implemented; {len(missing):,} not supported "
          "(a cell calling one is #NAME?, named in recalc's report)")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """``cellrules status``: the rules folder, the engine, and each policy in force or refused."""
    current = store.current()
    trouble = folders.folder_problem(current.folder)
    if trouble:
        if args.format == "json":
            dump_json({"folder": str(current.folder), "origin": current.origin, "engine": engine.NAME,
                       "problem": trouble, "policies": []})
        print(f"cellrules: {trouble} ({current.origin})", file=sys.stderr)
        return 1
    with store.dated(args.as_of):
        rows = current.status()
    if args.format == "json":
        dump_json({"folder": str(current.folder), "origin": current.origin, "engine": engine.NAME,
                   "engine_hint": engine.HINT, "policies": rows})
    else:
        print(f"rules folder: {current.folder} ({current.origin})")
        print(f"engine: {engine.NAME}")
        if engine.HINT:
            print(paint(f"  to run on durable-rules: {engine.HINT}", "yellow"))
        print(table(["policy", "kind", "version", "sha256", "state", "in force"],
                    [(r["policy"], r["kind"], r["version"], r["sha256"],
                      paint(r["state"], "green" if r["state"] == "ok" else "red"), r["in_force"]) for r in rows]))
        for r in rows:
            for v in r.get("versions", []):
                if v["state"] == "scheduled":
                    print(paint(f"{r['policy']}: version {v['version']} scheduled from {v['effective_from']}", "green"))
            for problem in r["problems"]:
                print(paint(problem, "red" if r["state"] == "refused" else "yellow"))
    return 1 if any(r["state"] != "ok" for r in rows) else 0


def cmd_diff(args: argparse.Namespace) -> int:
    """``cellrules diff``: what a policy change changes, in the rules and in the numbers (never writes a workbook)."""
    from cellrules import impact, impact_report
    old, new = Path(args.old), Path(args.new)
    for folder in (old, new):
        trouble = folders.folder_problem(folder)
        if trouble:
            print(f"cellrules diff: {trouble}", file=sys.stderr)
            return 2
    missing = [w for w in args.workbooks if not Path(w).is_file()]
    if missing:
        print(f"cellrules diff: no workbook {missing[0]}", file=sys.stderr)
        return 2
    clash = _overwrites_input(Path(args.html), args.workbooks) if args.html else None
    if clash:
        print(f"cellrules diff: --html {args.html} {clash}; give the report another name", file=sys.stderr)
        return 2
    report = impact.diff(old, new, [Path(w) for w in args.workbooks], args.key)
    if args.html:
        try:
            write_text(Path(args.html), impact_report.html(report))
        except OSError as exc:
            print(f"cellrules diff: cannot write {args.html}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    if args.format == "json":
        dump_json(report)
    else:
        print(impact_report.text(report))
    return 1 if any("problem" in w for w in report.get("workbooks", [])) else 0


def _overwrites_input(target: Path, workbooks: list[str]) -> str | None:
    """Why writing the HTML report at ``target`` would destroy an input (a workbook compared, any workbook or
    rule file), or None."""
    here = target.resolve()
    if any(here == Path(w).resolve() for w in workbooks):
        return "is a workbook being compared"
    if here.suffix.lower() in (".xlsx", ".xlsm", ".yaml", ".yml", ".dmn"):
        return "would overwrite a rule file or a workbook"
    return None


def write_text(path: Path, text: str) -> None:
    """``text`` written to ``path`` whole or not at all (its folder made if missing): a temporary file renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".cellrules-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
