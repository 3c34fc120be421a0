"""``cellrules recalc``: many workbooks, in worker processes, with progress and a summary.

Owns the batch: where each result goes (``-o OUTDIR``, or ``--in-place`` with
a ``.bak`` copy unless ``--no-backup``), the worker pool, the progress bar on
standard error, the summary table (files, cells computed, errors by kind,
seconds) or ``--json``, and the exit code (0 all recalculated, 1 any failed).
"""
from __future__ import annotations

import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Iterable

from cellrules.recalc.run import Report, recalc_file
from cellrules.report import dump_json, paint, table


def _target(path: Path, outdir: Path | None, in_place: bool) -> Path:
    if in_place:
        return path
    assert outdir is not None
    return outdir / path.name


def _one(args: tuple[str, str, str | None, bool]) -> Report:
    source, target, rules, backup = args
    if rules:
        os.environ["CELLRULES_RULES"] = rules
        from cellrules import store
        store.use(store.Store(rules))
    if backup and source == target and os.path.exists(source):
        shutil.copy2(source, source + ".bak")
    return recalc_file(source, target)


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm
    return tqdm(total=total, unit="file", file=sys.stderr, leave=False)


def run(files: Iterable[str], outdir: str | None, in_place: bool, rules: str | None, workers: int,
        backup: bool = True, show_progress: bool | None = None) -> list[Report]:
    paths = [Path(f) for f in files]
    out = Path(outdir) if outdir else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    jobs = [(str(p), str(_target(p, out, in_place)), rules, backup) for p in paths]
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
                    reports.append(Report(futures[future][0], ok=False, problem=f"worker failed: {exc}"))
                progress and progress.update(1)
        order = {job[0]: i for i, job in enumerate(jobs)}
        reports.sort(key=lambda r: order.get(r.path, 0))
    if progress:
        progress.close()
    return reports


def summary(reports: list[Report], seconds: float) -> str:
    rows = []
    for r in reports:
        errors = ", ".join(f"{k} {v}" for k, v in sorted(r.errors.items())) or "-"
        state = paint("ok", "green") if r.ok else paint("FAILED", "red")
        rows.append((r.path, state, f"{r.cells:,}", errors, f"{r.seconds:.2f}", r.problem or ""))
    lines = [table(["file", "state", "cells", "errors by kind", "seconds", "problem"], rows, 70)]
    for r in reports:
        for name, count in sorted(r.unsupported.items()):
            lines.append(paint(f"{r.path}: unsupported function {name} in {count} cell(s) (#NAME?)", "yellow"))
    failed = sum(not r.ok for r in reports)
    cells = sum(r.cells for r in reports)
    lines.append(f"{len(reports)} files, {failed} failed, {cells:,} cells computed in {seconds:.2f} s")
    return "\n".join(lines)


def main(args: Any) -> int:
    if bool(args.outdir) == bool(args.in_place):
        print("cellrules recalc: give either -o OUTDIR or --in-place", file=sys.stderr)
        return 2
    start = time.perf_counter()
    reports = run(args.files, args.outdir, args.in_place, args.rules, args.workers, not args.no_backup)
    seconds = time.perf_counter() - start
    if args.format == "json":
        dump_json({"files": [r.to_dict() for r in reports], "failed": sum(not r.ok for r in reports),
                   "cells": sum(r.cells for r in reports), "seconds": round(seconds, 3)})
    else:
        print(summary(reports, seconds))
    return 0 if all(r.ok for r in reports) else 1
