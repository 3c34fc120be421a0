"""The ``cellrules`` command line.

Owns the commands ``check``, ``test``, ``explain``, ``functions`` and
``status``: their arguments, exit codes (0 clean, 1 problems found, 2 usage)
and output (tidy text by default, ``--format json`` for machines).
"""
from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from cellrules import __version__, engine, store
from cellrules.diagnostics import did_you_mean, has_errors
from cellrules.examples import check_file, rule_files, run_folder
from cellrules.registry import REGISTRY, call
from cellrules.report import dump_json, paint, table


def _folder(args: argparse.Namespace) -> Path:
    if getattr(args, "dir", None):
        return Path(args.dir)
    return store.resolve_folder(args.rules)[0]


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
    errors = sum(d.severity == "error" for d in found)
    if args.format == "json":
        dump_json({"files": len(files), "errors": errors, "warnings": len(found) - errors,
                   "diagnostics": [d.to_dict() for d in found]})
    else:
        for d in found:
            print(paint(str(d), "red" if d.severity == "error" else "yellow"))
        summary = f"{len(files)} files checked: {errors} errors, {len(found) - errors} warnings"
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
    """``cellrules functions``: every spreadsheet function with its arguments and help."""
    specs = sorted(REGISTRY.values(), key=lambda s: s.name)
    if args.format == "json":
        dump_json([{"name": s.name, "signature": s.signature, "help": s.help, "returns": s.returns,
                    "spills": s.spills, "args": [vars(a) for a in s.args]} for s in specs])
    else:
        print(table(["function", "returns", "help"],
                    [(s.signature, s.returns + (", spills" if s.spills else ""), s.help) for s in specs], 90))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """``cellrules status``: the rules folder, the engine, and each policy in force or refused."""
    current = store.current()
    trouble = store.folder_problem(current.folder)
    if trouble:
        if args.format == "json":
            dump_json({"folder": str(current.folder), "origin": current.origin, "engine": engine.NAME,
                       "problem": trouble, "policies": []})
        print(f"cellrules: {trouble} ({current.origin})", file=sys.stderr)
        return 1
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
            for problem in r["problems"]:
                print(paint(problem, "red" if r["state"] == "refused" else "yellow"))
    return 1 if any(r["state"] != "ok" for r in rows) else 0


def _token(args: argparse.Namespace) -> str | None:
    """The token from --token-file, --token or CELLRULES_TOKEN ("" for none; None after a reported problem)."""
    if args.token_file:
        try:
            return Path(args.token_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            print(f"cellrules: cannot read the token file {args.token_file}: {exc}", file=sys.stderr)
            return None
    return args.token or os.environ.get("CELLRULES_TOKEN", "")


def cmd_serve(args: argparse.Namespace) -> int:
    """``cellrules serve``: the Office.js add-in and its call endpoint."""
    from cellrules.addin.server import Limits, create_app, is_loopback  # web libraries only for this command
    token = _token(args)
    if token is None:
        return 2
    if not is_loopback(args.host) and not token:
        print(f"cellrules: serving on {args.host} needs --token (or CELLRULES_TOKEN): "
              "anyone on the network could call the functions", file=sys.stderr)
        return 2
    if bool(args.certfile) != bool(args.keyfile):
        print("cellrules: --certfile and --keyfile go together", file=sys.stderr)
        return 2
    import uvicorn
    app = create_app(store.current(), token, Limits(max_calls=args.max_calls, seconds=args.max_seconds),
                     args.public_url or "", args.host)
    scheme = "https" if args.certfile else "http"
    print(f"cellrules: add-in manifest at {scheme}://{args.host}:{args.port}/manifest.xml"
          f"{'?token=…' if token else ''}; rules from {store.current().folder}", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, ssl_certfile=args.certfile, ssl_keyfile=args.keyfile,
                log_level="warning", timeout_keep_alive=5, limit_concurrency=200, h11_max_incomplete_event_size=65536)
    return 0


def cmd_recalc(args: argparse.Namespace) -> int:
    """``cellrules recalc``: recalculate workbooks headless (see :mod:`cellrules.recalc.batch.command`)."""
    from cellrules.recalc.batch import command as batch  # openpyxl-free package code, loaded only for this command
    return batch.main(args)


def cmd_convert(args: argparse.Namespace) -> int:
    """``cellrules convert``: spell a workbook's cellrules calls for the other add-in."""
    from cellrules.recalc.batch import convert  # package code, loaded only for this command
    from cellrules.xlsx import reader as xlsx  # package code, loaded only for this command
    source, target = Path(args.input), Path(args.output)
    if target.exists() and target.resolve() == source.resolve():
        print("cellrules: -o must name a new file; the input is never overwritten by convert", file=sys.stderr)
        return 2
    try:
        done = convert.convert_file(str(source), str(target), args.to)
    except (xlsx.PackageError, OSError) as exc:
        print(f"cellrules: {source}: {exc}", file=sys.stderr)
        return 1
    where = "CELLRULES.NAME (Office.js)" if args.to == "officejs" else "NAME (xlwings)"
    print(f"{target}: {done.formulas} formula(s) now call the functions as {where}")
    return 0


def _decision_table(path: Path, command: str) -> Any | None:
    """The validated decision table of a rule file, or None with the reason on standard error."""
    found, problems = check_file(path)
    errors = [d for d in problems if d.severity == "error"]
    if found is None or errors or not hasattr(found, "rules"):
        reason = str(errors[0]) if errors else f"{path} is not a decision table"
        print(f"cellrules {command}: {reason}", file=sys.stderr)
        return None
    return found


def cmd_export_dmn(args: argparse.Namespace) -> int:
    """``cellrules export-dmn``: a YAML decision table as a DMN file a DMN modeller opens."""
    from cellrules.dmn import xml as dmn_xml
    policy = _decision_table(Path(args.table), "export-dmn")
    if policy is None:
        return 1
    Path(args.output).write_text(dmn_xml.write(policy), encoding="utf-8")
    print(f"{args.output}: decision '{policy.header.name}' ({len(policy.rules)} rules, hit policy {policy.hit_policy})")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    """``cellrules diff``: what a policy change changes, in the rules and in the numbers (never writes a workbook)."""
    from cellrules import impact, impact_report
    old, new = Path(args.old), Path(args.new)
    for folder in (old, new):
        trouble = store.folder_problem(folder)
        if trouble:
            print(f"cellrules diff: {trouble}", file=sys.stderr)
            return 2
    missing = [w for w in args.workbooks if not Path(w).is_file()]
    if missing:
        print(f"cellrules diff: no workbook {missing[0]}", file=sys.stderr)
        return 2
    report = impact.diff(old, new, [Path(w) for w in args.workbooks])
    if args.html:
        Path(args.html).write_text(impact_report.html(report), encoding="utf-8")
    if args.format == "json":
        dump_json(report)
    else:
        print(impact_report.text(report))
    return 0


def cmd_export_xlsx(args: argparse.Namespace) -> int:
    """``cellrules export-xlsx``: a decision table as a worksheet finance edits in Excel."""
    from cellrules.templates import tables  # openpyxl only for this command
    policy = _decision_table(Path(args.table), "export-xlsx")
    if policy is None:
        return 1
    tables.write(policy, Path(args.output))
    print(f"{args.output}: sheet '{policy.header.name}' ({len(policy.rules)} rules); put it in the rules folder "
          "to use it")
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    """``cellrules templates``: write the workbook templates in both add-ins' spellings."""
    from cellrules.templates import build_all  # openpyxl only for this command
    for path in build_all(Path(args.outdir)):
        print(path)
    return 0


def cmd_addin(args: argparse.Namespace) -> int:
    """``cellrules addin``: regenerate the xlwings and Office.js add-in files."""
    from cellrules.addin.files import write_all  # xlwings and openpyxl only for this command
    for path in write_all(Path(args.outdir)):
        print(path)
    return 0


def _day(text: str) -> dt.date:
    """A --as-of date: YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date of the form 2026-06-30") from None


def parser() -> argparse.ArgumentParser:
    """The command line: every subcommand with its options."""
    p = argparse.ArgumentParser(prog="cellrules", description="Spreadsheet functions backed by policy files.")
    p.add_argument("--version", action="version", version=f"cellrules {__version__}")
    p.add_argument("--rules", metavar="DIR", help="rules folder (default: $CELLRULES_RULES, else the packaged rules)")
    sub = p.add_subparsers(dest="command", required=True)

    def add(name: str, func: Any, help_: str, reports: bool = True) -> argparse.ArgumentParser:
        """A subcommand; one that reports (``reports``) takes --format/--json, one that writes files does not."""
        cmd = sub.add_parser(name, help=help_, description=help_, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
        if reports:
            cmd.add_argument("--format", choices=["text", "json"], default="text", help="output for people or for machines")
            cmd.add_argument("--json", dest="format", action="store_const", const="json", help="same as --format json")
        cmd.add_argument("--rules", metavar="DIR", default=argparse.SUPPRESS,
                         help="rules folder (also accepted before the command)")
        cmd.set_defaults(func=func)
        return cmd
    add("check", cmd_check, "validate rule files; exit 1 on errors").add_argument(
        "paths", nargs="*", metavar="PATH", help="rule files or folders (default: the rules folder in force)")
    add("test", cmd_test, "run every rule file's examples; exit 1 on failures").add_argument(
        "dir", nargs="?", help="a rules folder or one rule file (default: the rules folder in force)")
    explain = add("explain", cmd_explain, "which policy line produces a function's value")
    explain.add_argument("function", help="a spreadsheet function, e.g. COMMISSION")
    explain.add_argument("args", nargs="*", help="arguments in order, or by name (as_of=2025-06-30); a range as "
                         "JSON, e.g. '[200, 190, 180]'")
    add("functions", cmd_functions, "list the spreadsheet functions")
    add("status", cmd_status, "the rules folder, the engine and each policy in force")
    serve = add("serve", cmd_serve, "serve the Office.js add-in (Excel on the web, Mac and Windows)", reports=False)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (beyond loopback needs a token)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument("--certfile", help="TLS certificate (Excel needs HTTPS except on localhost)")
    serve.add_argument("--keyfile", help="TLS private key")
    serve.add_argument("--token", help="required when --host is not a loopback address; prefer --token-file or "
                       "CELLRULES_TOKEN, which do not show in the process list")
    serve.add_argument("--token-file", help="read the token from this file (first line)")
    serve.add_argument("--public-url", help="the URL Excel reaches the server at, if not the one it is bound to")
    recalc = add("recalc", cmd_recalc, "recalculate workbooks headless, keeping every formula")
    recalc.add_argument("files", nargs="+", metavar="IN.xlsx", help="workbooks (wildcards such as *.xlsx work on "
                        "Windows too)")
    recalc.add_argument("-o", "--outdir", help="write the results here (the inputs stay as they are)")
    recalc.add_argument("--in-place", action="store_true", help="replace each input (a .bak copy is kept)")
    recalc.add_argument("--no-backup", action="store_true", help="with --in-place: keep no .bak copy")
    recalc.add_argument("--workers", type=int, default=1, help="worker processes")
    recalc.add_argument("--scheduler", metavar="tcp://HOST:8786",
                        help="run on this Dask distributed cluster, one task per workbook (default: "
                             "$CELLRULES_SCHEDULER; needs cellrules[distributed])")
    recalc.add_argument("--as-of", type=_day, metavar="YYYY-MM-DD",
                        help="recalculate with the policy versions in force on that day (default today)")
    recalc.add_argument("--strict", action="store_true",
                        help="exit 1 when any cell ends in #NAME? or an error from a cellrules function")
    convert = add("convert", cmd_convert, "spell a workbook's cellrules calls for the other add-in "
                  "(xlwings: TIER; Office.js: CELLRULES.TIER), keeping everything else", reports=False)
    convert.add_argument("input", metavar="IN.xlsx", help="the workbook to convert (it is not changed)")
    convert.add_argument("--to", required=True, choices=["officejs", "xlwings"], help="the add-in that will open it")
    convert.add_argument("-o", "--output", required=True, metavar="OUT.xlsx", help="the converted copy")
    diff = add("diff", cmd_diff, "what changing the rules changes: the policies in words, and every cellrules "
               "cell of the workbooks given (or every example) whose value changes; writes no workbook")
    diff.add_argument("old", metavar="OLD_RULES", help="the rules folder in force")
    diff.add_argument("new", metavar="NEW_RULES", help="the rules folder proposed")
    diff.add_argument("workbooks", nargs="*", metavar="WORKBOOK.xlsx", help="workbooks to recalculate both ways")
    diff.add_argument("--html", metavar="REPORT.html", help="also write the report as a self-contained web page")
    sheet = add("export-xlsx", cmd_export_xlsx, "write a decision table as a worksheet (a rules folder reads it "
                "back)", reports=False)
    sheet.add_argument("table", metavar="TABLE", help="the decision table's rule file (.yaml or .dmn)")
    sheet.add_argument("-o", "--output", required=True, metavar="OUT.xlsx", help="the workbook to write")
    export = add("export-dmn", cmd_export_dmn, "write a YAML decision table as DMN 1.3 XML (a DMN modeller opens "
                 "it)", reports=False)
    export.add_argument("table", metavar="TABLE.yaml", help="the decision table's rule file")
    export.add_argument("-o", "--output", required=True, metavar="OUT.dmn", help="the DMN file to write")
    templates = add("templates", cmd_templates, "write the workbook templates (tiers, profitability, prospects, "
                    "receivables, commission)", reports=False)
    templates.add_argument("outdir", nargs="?", default="workbook_templates", help="folder to write them to")
    addin = add("addin", cmd_addin, "regenerate the Excel add-in files (VBA module, xlwings.conf, manifest, demo)",
                reports=False)
    addin.add_argument("outdir", nargs="?", default="addin", help="folder to write them to")
    serve.add_argument("--max-calls", type=int, default=20_000, help="most calls in one batch")
    serve.add_argument("--max-seconds", type=float, default=30.0,
                       help="longest computation of one request (the add-in waits this plus 5 s, then shows #N/A)")
    return p


def _expand(patterns: list[str]) -> list[str]:
    """Wildcards the shell left alone (Windows' cmd.exe expands none) expanded here; a name with none kept."""
    out: list[str] = []
    for pattern in patterns:
        found = sorted(glob.glob(pattern)) if glob.has_magic(pattern) and not os.path.exists(pattern) else []
        out += found or [pattern]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit code (a bad --rules folder is 2, never a traceback)."""
    try:
        return _main(argv)
    except BrokenPipeError:  # `cellrules status | head`: the reader left, which is fine
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    for name in ("files", "paths"):
        if getattr(args, name, None):
            setattr(args, name, _expand(getattr(args, name)))
    if sys.stdout.encoding and sys.stdout.encoding.lower() not in ("utf-8", "utf8"):
        sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]
    if args.rules:
        trouble = store.folder_problem(Path(args.rules))
        if trouble:  # a typo in --rules must not quietly fill every cell with #N/A
            print(f"cellrules: --rules: {trouble}", file=sys.stderr)
            return 2
        store.use(store.Store(args.rules))
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
