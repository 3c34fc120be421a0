"""The ``cellrules`` command line: every command's arguments (:func:`parser`) and :func:`main`.

The commands: ``check``, ``test``, ``explain``, ``functions``, ``status``, ``diff`` (they report, as tidy
text or with ``--json``: :mod:`.reports`), and ``serve``, ``recalc``, ``convert``, ``export-dmn``,
``export-xlsx``, ``templates``, ``addin`` (they serve or write files: :mod:`.writes`). Exit codes: 0 done,
1 problems found, 2 a usage error (a bad ``--rules`` folder included, never a traceback).
"""
from __future__ import annotations

import argparse
import datetime as dt
import glob
import os
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from cellrules import __version__, folders, store
from cellrules.cli.reports import cmd_check, cmd_diff, cmd_explain, cmd_functions, cmd_status, cmd_test
from cellrules.cli.writes import (cmd_addin, cmd_convert, cmd_export_dmn, cmd_export_xlsx, cmd_migrate, cmd_recalc,
                                  cmd_serve, cmd_templates)


def _day(text: str) -> dt.date:
    """A --as-of date: YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date of the form 2026-06-30") from None


Add = Callable[..., argparse.ArgumentParser]  # (name, func, help, reports=True): one subcommand


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
    for commands in (_reporting, _serving, _recalculating, _writing):
        commands(add)
    return p


def _reporting(add: Add) -> None:
    """check, test, explain, functions, status, diff."""
    add("check", cmd_check, "validate rule files; exit 1 on errors").add_argument(
        "paths", nargs="*", metavar="PATH", help="rule files or folders (default: the rules folder in force)")
    add("test", cmd_test, "run every rule file's examples; exit 1 on failures").add_argument(
        "dir", nargs="?", help="a rules folder or one rule file (default: the rules folder in force)")
    explain = add("explain", cmd_explain, "which policy line produces a function's value")
    explain.add_argument("function", help="a spreadsheet function, e.g. COMMISSION")
    explain.add_argument("args", nargs="*", help="arguments in order, or by name (as_of=2025-06-30); a range as "
                         "JSON, e.g. '[200, 190, 180]'")
    add("functions", cmd_functions, "list the spreadsheet functions").add_argument(
        "--excel", action="store_true", help="instead, Microsoft's Excel functions: which ones recalc computes, "
        "which not (a cell calling one is #NAME?)")
    add("status", cmd_status, "the rules folder, the engine and each policy in force").add_argument(
        "--as-of", type=_day, metavar="YYYY-MM-DD", help="the versions past, current and scheduled on that day "
        "(default today)")
    diff = add("diff", cmd_diff, "what changing the rules changes: the policies in words, and every cellrules "
               "cell of the workbooks given (or every example) whose value changes; writes no workbook")
    diff.add_argument("old", metavar="OLD_RULES", help="the rules folder in force")
    diff.add_argument("new", metavar="NEW_RULES", help="the rules folder proposed")
    diff.add_argument("workbooks", nargs="*", metavar="WORKBOOK.xlsx", help="workbooks to recalculate both ways")
    diff.add_argument("--html", metavar="REPORT.html", help="also write the report as a self-contained web page")
    diff.add_argument("--key", metavar="COL", help="name each changed cell's row by this column (a letter, or a "
                      "header in the sheet's first row); default: the row's first text cell")


def _serving(add: Add) -> None:
    """serve."""
    serve = add("serve", cmd_serve, "serve the Office.js add-in (Excel on the web, Mac and Windows)", reports=False)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (beyond loopback needs a token)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument("--certfile", help="TLS certificate (Excel needs HTTPS except on localhost)")
    serve.add_argument("--keyfile", help="TLS private key")
    serve.add_argument("--token", help="required when --host is not a loopback address; prefer --token-file or "
                       "CELLRULES_TOKEN, which do not show in the process list")
    serve.add_argument("--token-file", help="read the token from this file (first line)")
    serve.add_argument("--public-url", help="the URL Excel reaches the server at, if not the one it is bound to")
    serve.add_argument("--max-calls", type=int, default=20_000, help="most calls in one batch")
    serve.add_argument("--concurrent", type=int, default=4, help="batches computed at once (the others wait their "
                       "turn, up to --max-seconds; memory stays bounded)")
    serve.add_argument("--max-seconds", type=float, default=30.0,
                       help="longest computation of one request (the add-in waits this plus 5 s, then shows #N/A)")


def _recalculating(add: Add) -> None:
    """recalc and convert."""
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


def _writing(add: Add) -> None:
    """export-xlsx, export-dmn, migrate, templates, addin."""
    sheet = add("export-xlsx", cmd_export_xlsx, "write a decision table as a worksheet (a rules folder reads it "
                "back)", reports=False)
    sheet.add_argument("table", metavar="TABLE", help="the decision table's rule file (.yaml or .dmn)")
    sheet.add_argument("-o", "--output", required=True, metavar="OUT.xlsx", help="the workbook to write")
    export = add("export-dmn", cmd_export_dmn, "write a YAML decision table as DMN 1.3 XML (a DMN modeller opens "
                 "it)", reports=False)
    export.add_argument("table", metavar="TABLE.yaml", help="the decision table's rule file")
    export.add_argument("-o", "--output", required=True, metavar="OUT.dmn", help="the DMN file to write")
    templates = add("templates", cmd_templates, "write the workbook templates (tiers, profitability, prospects, "
                    "receivables, commission, statement)", reports=False)
    templates.add_argument("outdir", nargs="?", default="workbook_templates", help="folder to write them to")
    migrate = add("migrate", cmd_migrate, "rewrite rule files of the old form as today's (commission's plans: "
                  "becomes versions:), keeping comments; each old file kept as NAME.yaml.old")
    migrate.add_argument("paths", nargs="*", metavar="PATH", help="rule files or folders (default: the rules "
                         "folder in force)")
    migrate.add_argument("--dry-run", action="store_true", help="say what would change; write nothing")
    migrate.add_argument("--no-backup", action="store_true", help="keep no NAME.yaml.old copy")
    addin = add("addin", cmd_addin, "regenerate the Excel add-in files (VBA module, xlwings.conf, manifest, demo)",
                reports=False)
    addin.add_argument("outdir", nargs="?", default="addin", help="folder to write them to")


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
        trouble = folders.folder_problem(Path(args.rules))
        if trouble:  # a typo in --rules must not quietly fill every cell with #N/A
            print(f"cellrules: --rules: {trouble}", file=sys.stderr)
            return 2
        store.use(store.Store(args.rules))
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
