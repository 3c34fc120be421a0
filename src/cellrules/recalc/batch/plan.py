"""The plan of a batch: where each workbook's result goes — ``-o OUTDIR``, or ``--in-place`` with a
numbered ``.bak`` copy unless ``--no-backup`` — refusing any plan that would overwrite an input or write
two results to one file. A :class:`Job` is what a worker process or a cluster task receives, and
:func:`books_as_of` the day it is computed as."""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from cellrules import store as stores
from cellrules.xlsx.serials import NOW_VAR, TODAY_VAR


@dataclass(frozen=True)
class Job:
    """One workbook of a batch: where it is read, where its result goes, which rules, which day."""

    source: str
    target: str
    rules: str | None  # --rules or CELLRULES_RULES; None: decided per workbook
    backup: bool
    as_of: dt.date | None = None  # --as-of: the books as they stood that day (None: today)


@contextlib.contextmanager
def books_as_of(day: dt.date | None) -> Iterator[None]:
    """``--as-of DAY``: the policies in force that day, and TODAY() and NOW() evaluated as that day (NOW() at its
    midnight), so a past month-end is reproduced; without a day, today."""
    with stores.dated(day):
        if day is None:
            yield
            return
        today, now = TODAY_VAR.set(day), NOW_VAR.set(dt.datetime.combine(day, dt.time()))
        try:
            yield
        finally:
            NOW_VAR.reset(now)
            TODAY_VAR.reset(today)


class PlanError(ValueError):
    """A batch that would overwrite an input or write two results to one file."""


def plan(files: Iterable[str], outdir: str | None, in_place: bool, rules: str | None, backup: bool,
         as_of: dt.date | None = None) -> list[Job]:
    """The jobs of a batch; refuses (PlanError) a plan that would overwrite an input or write two results to one file."""
    paths = [Path(f) for f in files]
    if in_place:
        return [Job(str(p), str(p), rules, backup, as_of) for p in paths]
    assert outdir is not None
    out = Path(outdir)
    inputs = {p.resolve() for p in paths}
    targets: dict[Path, Path] = {}
    for p in paths:
        target = (out / p.name).resolve()
        if target in inputs:
            raise PlanError(f"-o {outdir} would replace the input {p}; use --in-place (which keeps a backup) "
                            "or another output folder")
        if target in targets:
            raise PlanError(f"{targets[target]} and {p} would both be written to {out / p.name}; "
                            "recalculate them into different folders")
        targets[target] = p
    return [Job(str(p), str(out / p.name), rules, backup, as_of) for p in paths]
