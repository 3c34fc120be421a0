"""``cellrules recalc``: many workbooks, in worker processes, with progress and a summary.

Owns the batch: its plan (:mod:`plan`), where it runs (worker processes here, or a Dask cluster with
``--scheduler``/``CELLRULES_SCHEDULER``: :mod:`cellrules.recalc.batch.cluster`), the rules folder of each workbook (``--rules``, ``CELLRULES_RULES``,
``rules/`` beside it, ``rules/`` here, the packaged defaults; a missing or
empty folder fails that file), the worker pool, removing temporary files
that a killed run left behind, the progress bar on standard error, the
summary (files, rules folder, cells, errors by kind and the first error
cells by name) or ``--json`` (every error cell), and the exit code: 0 all
recalculated, 1 any failed (or, with ``--strict``, any cell ends in #NAME?
or a cellrules error), 2 a plan refused before anything was written.
"""
from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Iterable

from cellrules import store as stores
from cellrules.recalc.batch import cluster
from cellrules.recalc.batch.plan import Job, PlanError, books_as_of, plan  # noqa: F401  (PlanError, plan: the batch's API)
from cellrules.recalc.batch.run import Report, recalc_file
from cellrules.xlsx.zipwrite import backup_name, copy_whole
from cellrules.report import dump_json, paint, plural, table

_TEMP = re.compile(r"^\.cellrules-(\d+)-.*\.xlsx$")
SHOWN_ERRORS = 5  # error cells named per file in the text summary (all of them in --json)


def clean_stale_temporaries(folders: Iterable[Path]) -> list[Path]:
    """Remove the temporary files of runs that were killed (their process is gone); the paths removed."""
    removed = []
    for folder in set(folders):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            m = _TEMP.match(name)
            if m and not _alive(int(m.group(1))):
                try:
                    (folder / name).unlink()
                    removed.append(folder / name)
                except OSError:
                    pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _one(job: Job) -> Report:
    rules = stores.Store(job.rules, workbook=job.source)
    trouble = stores.folder_problem(rules.folder)
    if trouble:
        return Report(job.source, ok=False, problem=trouble, rules=f"{rules.folder} ({rules.origin})")
    if job.backup and job.source == job.target and os.path.exists(job.source):
        copy = backup_name(job.source)
        try:
            copy_whole(job.source, copy)  # complete or absent, never a partial .bak
        except OSError as exc:
            return Report(job.source, ok=False, problem=f"cannot keep a backup ({exc}); the file was not touched")
    try:
        with books_as_of(job.as_of):
            return recalc_file(job.source, job.target, rules)
    finally:
        rules.close()


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm
    return tqdm(total=total, unit="file", file=sys.stderr, leave=False)


def run(jobs: list[Job], workers: int, show_progress: bool | None = None) -> list[Report]:
    """Run the jobs, in worker processes when ``workers`` > 1, with a progress bar; a report per file, in order."""
    progress = _progress(len(jobs), sys.stderr.isatty() if show_progress is None else show_progress)
    reports: list[Report] = []
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            reports.append(_one(job))
            progress and progress.update(1)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_one, job): job for job in jobs}
            for future in as_completed(futures):
                try:
                    reports.append(future.result())
                except Exception as exc:  # a worker died: report the file, go on
                    reports.append(Report(futures[future].source, ok=False, problem=f"worker failed: {exc}"))
                progress and progress.update(1)
        order = {job.source: i for i, job in enumerate(jobs)}
        reports.sort(key=lambda r: order.get(r.path, 0))
    if progress:
        progress.close()
    return reports


def summary(reports: list[Report], seconds: float) -> str:
    """The table a person reads after a batch: files, cells, errors by kind, the first failures."""
    rows = []
    for r in reports:
        errors = ", ".join(f"{k} {v}" for k, v in sorted(r.errors.items())) or "-"
        state = paint("ok", "green") if r.ok else paint("FAILED", "red")
        rows.append((r.path, state, f"{r.cells:,}", errors, f"{r.seconds:.2f}", r.problem or ""))
    lines = [table(["file", "state", "cells", "errors by kind", "seconds", "problem"], rows, 70)]
    for r in reports:
        if r.rules:
            lines.append(f"{r.path}: rules from {r.rules}")
        for name, count in sorted(r.unsupported.items()):
            lines.append(paint(f"{r.path}: unsupported function {name} in {plural(count, 'cell')} (#NAME?)", "yellow"))
        for e in r.error_cells[:SHOWN_ERRORS]:
            lines.append(paint(f"{r.path}: {e['sheet']}!{e['cell']} {e['formula']} → {e['code']} {e['reason']}",
                               "yellow"))
        hidden = sum(r.errors.values()) - min(len(r.error_cells), SHOWN_ERRORS)
        if hidden > 0:
            lines.append(f"{r.path}: {plural(hidden, 'more error cell')}; --json lists them")
    failed = sum(not r.ok for r in reports)
    cells = sum(r.cells for r in reports)
    lines.append(f"{plural(len(reports), 'file')}, {failed:,} failed, {plural(cells, 'cell')} computed in {seconds:.2f} s")
    return "\n".join(lines)


def writable_folders(jobs: list[Job], outdir: str | None) -> str | None:
    """Make the output folder and try a file in every folder a result goes to, before anything is computed;
    the first one that fails, named with its reason (a read-only disk, a missing permission), or None."""
    folders = dict.fromkeys(Path(j.target).resolve().parent for j in jobs)
    try:
        if outdir:
            Path(outdir).mkdir(parents=True, exist_ok=True)
        for folder in folders:
            handle, probe = tempfile.mkstemp(prefix=f".cellrules-{os.getpid()}-", suffix=".probe", dir=folder)
            os.close(handle)
            os.unlink(probe)
    except OSError as exc:
        where = exc.filename or outdir or next(iter(folders), "")
        return f"cannot write in {where}: {exc.strerror or exc}"
    return None


def main(args: Any) -> int:
    """``cellrules recalc``: plan, run (here, in processes or on a Dask cluster), report; the exit code."""
    if bool(args.outdir) == bool(args.in_place):
        print("cellrules recalc: give either -o OUTDIR or --in-place", file=sys.stderr)
        return 2
    rules = args.rules or os.environ.get(stores.ENV) or None
    if rules and stores.folder_problem(Path(rules)):
        print(f"cellrules recalc: {stores.folder_problem(Path(rules))}", file=sys.stderr)
        return 2
    try:
        jobs = plan(args.files, args.outdir, args.in_place, rules, not args.no_backup, getattr(args, "as_of", None))
    except PlanError as exc:
        print(f"cellrules recalc: {exc}", file=sys.stderr)
        return 2
    unwritable = writable_folders(jobs, args.outdir)
    if unwritable:
        print(f"cellrules recalc: {unwritable}; nothing was computed", file=sys.stderr)
        return 2
    for stale in clean_stale_temporaries(Path(j.target).resolve().parent for j in jobs):
        print(f"cellrules recalc: removed {stale}, left by a run that was stopped", file=sys.stderr)
    start = time.perf_counter()
    scheduler = cluster.address(getattr(args, "scheduler", None))
    if scheduler:
        progress = _progress(len(jobs), sys.stderr.isatty())
        try:
            reports = cluster.run(jobs, scheduler, progress)
        except (ImportError, OSError, TimeoutError) as exc:
            print(f"cellrules recalc: cannot use the Dask scheduler {scheduler}: {type(exc).__name__}: {exc}"
                  + (' (pip install "cellrules[distributed]")' if isinstance(exc, ImportError) else ""),
                  file=sys.stderr)
            return 2
        finally:
            progress and progress.close()
    else:
        reports = run(jobs, args.workers)
    seconds = time.perf_counter() - start
    strict = sum(r.strict_failures for r in reports) if args.strict else 0
    if args.format == "json":
        dump_json({"files": [r.to_dict() for r in reports], "failed": sum(not r.ok for r in reports),
                   "as_of": (getattr(args, "as_of", None) or stores.as_of()).isoformat(),
                   "cells": sum(r.cells for r in reports), "strict_failures": strict, "seconds": round(seconds, 3)})
    else:
        print(summary(reports, seconds))
        if getattr(args, "as_of", None):
            print(f"as of {args.as_of.isoformat()}: the policies in force that day, and TODAY() and NOW() that day")
        if strict:
            print(paint(f"--strict: {strict} cell(s) ended in #NAME? or a cellrules error", "red"))
    return 0 if all(r.ok for r in reports) and not strict else 1
