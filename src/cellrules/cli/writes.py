"""The commands that serve or write files (no ``--json``: what they make is the output): ``serve``,
``recalc`` (its report has ``--json``: :mod:`cellrules.recalc.batch.command`), ``convert``, ``export-dmn``,
``export-xlsx``, ``templates`` and ``addin``. Each loads its heavy libraries only when it runs."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from cellrules import store
from cellrules.examples import check_file


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
    app = create_app(store.current(), token, Limits(max_calls=args.max_calls, seconds=args.max_seconds,
                                                      concurrent=max(1, args.concurrent)),
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


def cmd_migrate(args: argparse.Namespace) -> int:
    """``cellrules migrate``: rule files of the old form rewritten to today's (exit 1 when one is refused)."""
    from cellrules.examples import rule_files
    from cellrules.migrate import migrate_file
    from cellrules.report import dump_json, paint, plural, table
    targets = [Path(p) for p in args.paths] if args.paths else [store.current().folder]
    missing = [t for t in targets if not t.exists()]
    if missing:
        print(f"cellrules: {missing[0]}: no such file or folder", file=sys.stderr)
        return 2
    files = [f for t in targets for f in rule_files(t) if f.suffix in (".yaml", ".yml")]
    done = [migrate_file(f, write=not args.dry_run, keep_old=not args.no_backup) for f in files]
    refused = sum(o.state == "refused" for o in done)
    if args.format == "json":
        dump_json({"dry_run": args.dry_run, "files": [vars(o) for o in done]})
        return 1 if refused else 0
    changed = [o for o in done if o.state != "current"]
    if changed:
        print(table(["file", "state", "versions, or why not"],
                    [(o.path, "would migrate" if args.dry_run and o.state == "migrated" else o.state, o.detail)
                     for o in changed], max_width=100))
    moved = len(changed) - refused
    summary = f"{plural(len(files), 'file')}: {moved:,} {'to migrate' if args.dry_run else 'migrated'}, " \
              f"{refused:,} refused, {len(files) - len(changed):,} already current"
    print(paint(summary, "red" if refused else "green"))
    return 1 if refused else 0


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
