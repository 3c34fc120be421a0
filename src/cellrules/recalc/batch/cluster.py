"""``cellrules recalc --scheduler tcp://HOST:8786``: the batch on a Dask distributed cluster.

Owns the distributed batch: one task per workbook, sent with the workbook's
bytes and its rules folder packed with its sha256 (so every worker computes
with the same policy version, shared file system or not); the results come
back as bytes and are written here, each to a temporary file renamed over
its target, so no input or output is ever half-written (a worker that dies
has its task rescheduled on another by the scheduler, up to Dask's
``allowed-failures``); a bounded number of workbooks in flight; the same
progress bar, reports, summary and exit code as a local run (see
:mod:`cellrules.recalc.batch.command`). Dask is imported only here, and only when a
scheduler is given (``pip install "cellrules[distributed]"``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from cellrules import store as stores
from cellrules.folders import is_rule_file
from cellrules.recalc.batch.plan import books_as_of
from cellrules.recalc.batch.run import Report, recalc_file
from cellrules.xlsx.zipwrite import backup_name, copy_whole, write_bytes

if TYPE_CHECKING:
    from cellrules.recalc.batch.plan import Job

ENV = "CELLRULES_SCHEDULER"
IN_FLIGHT_PER_THREAD = 2  # workbooks sent ahead per worker thread: the client never holds the whole batch


@dataclass(frozen=True)
class Rules:
    """A rules folder packed for the workers: its policy files and their sha256 together."""

    folder: str  # where it was on the machine that sent it (reported as such)
    origin: str
    files: tuple[tuple[str, bytes], ...]
    digest: str


def pack(folder: Path, origin: str) -> Rules:
    """The policy files of ``folder`` (names sorted) and one sha256 over names and contents."""
    files = tuple((p.name, p.read_bytes()) for p in sorted(folder.iterdir())
                  if is_rule_file(p) and p.is_file())
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return Rules(str(folder), origin, files, digest.hexdigest())


def unpack(rules: Rules, root: str | None = None) -> Path:
    """The packed folder on this machine, written once per version into a folder named by its hash: written
    aside, checked against the sha256, then renamed into place, so no task ever sees half of it or a copy
    that does not match."""
    home = Path(root or tempfile.gettempdir()) / f"cellrules-rules-{rules.digest[:32]}"
    if home.is_dir():
        return home
    staging = Path(tempfile.mkdtemp(prefix=".cellrules-rules-", dir=home.parent))
    for name, data in rules.files:
        (staging / Path(name).name).write_bytes(data)
    if pack(staging, "").digest != rules.digest:
        shutil.rmtree(staging, ignore_errors=True)
        raise ValueError("the rules folder changed on its way to the worker")
    try:
        os.replace(staging, home)
    except OSError:  # another task of the same version got there first
        shutil.rmtree(staging, ignore_errors=True)
    return home


def work(source: str, data: bytes, rules: Rules, as_of: dt.date | None = None) -> tuple[Report, bytes | None]:
    """On a worker: recalculate one workbook given as bytes with the packed rules, the policies in force on
    ``as_of`` (default: the worker's today); (report, result bytes)."""
    store = stores.Store(unpack(rules))
    store.origin = f"a copy of {rules.folder} ({rules.origin}), sha256 {rules.digest[:12]}"
    suffix = Path(source).suffix or ".xlsx"
    with tempfile.TemporaryDirectory(prefix="cellrules-task-") as scratch:
        given, made = Path(scratch) / f"in{suffix}", Path(scratch) / f"out{suffix}"
        given.write_bytes(data)
        try:
            with books_as_of(as_of):
                report = recalc_file(str(given), str(made), store)
        finally:
            store.close()
        result = made.read_bytes() if report.ok else None
    for p in report.policies:  # named as on the machine that sent them
        p["path"], p["folder"] = str(Path(rules.folder) / Path(p["path"]).name), rules.folder
    report = replace(report, path=source, output="", rules=f"{rules.folder} ({rules.origin}, sha256 {rules.digest[:12]})")
    return report, result


def address(given: str | None) -> str | None:
    """The scheduler: ``--scheduler``, else ``CELLRULES_SCHEDULER``, else None (a local run)."""
    return given or os.environ.get(ENV) or None


def run(jobs: list[Job], scheduler: str, progress: Any = None) -> list[Report]:
    """Every job on the cluster at ``scheduler``; reports in the order of ``jobs``."""
    from dask.distributed import Client, as_completed  # the optional extra, needed only here

    reports: dict[int, Report] = {}
    with Client(scheduler, set_as_default=False) as client:
        threads = sum(client.nthreads().values()) or 1
        packed: dict[str, Any] = {}
        pending = _submissions(client, jobs, packed, reports, lambda: progress and progress.update(1))
        window = as_completed(loop=client.loop)
        index: dict[Any, int] = {}
        for future, i in _take(pending, IN_FLIGHT_PER_THREAD * threads):
            index[future] = i
            window.add(future)
        for future in window:
            i = index.pop(future)
            reports[i] = _finish(jobs[i], future)
            future.release()
            progress and progress.update(1)
            for more, k in _take(pending, 1):
                index[more] = k
                window.add(more)
        if packed:  # the copies of the rules each worker unpacked are of this run only
            client.run(forget, [digest for _, digest in packed.values()])
    return [reports[i] for i in range(len(jobs))]


def forget(digests: list[str], root: str | None = None) -> None:
    """On a worker: remove the rules folders :func:`unpack` made for these versions."""
    for digest in digests:
        shutil.rmtree(Path(root or tempfile.gettempdir()) / f"cellrules-rules-{digest[:32]}", ignore_errors=True)


def _submissions(client: Any, jobs: list[Job], packed: dict[str, Any], reports: dict[int, Report],
                 done: Callable[[], Any]) -> Iterator[tuple[Any, int]]:
    """Each job's task, submitted when asked for; a job that cannot be sent gets its report at once."""
    for i, job in enumerate(jobs):
        folder, origin = stores.resolve_folder(job.rules, job.source)
        trouble = stores.folder_problem(folder)
        if trouble:
            reports[i] = Report(job.source, ok=False, problem=f"not sent: {trouble}", rules=f"{folder} ({origin})")
            done()
            continue
        try:
            data = Path(job.source).read_bytes()
        except OSError as exc:
            reports[i] = Report(job.source, ok=False, problem=f"not sent: cannot read the file: {exc.strerror}")
            done()
            continue
        if str(folder) not in packed:
            rules = pack(folder, origin)
            packed[str(folder)] = (client.scatter(rules, broadcast=True, hash=False), rules.digest)
        yield client.submit(work, job.source, data, packed[str(folder)][0], job.as_of, pure=False, retries=1), i


def _take(pending: Iterator[tuple[Any, int]], n: int) -> list[tuple[Any, int]]:
    out = []
    for item in pending:
        out.append(item)
        if len(out) >= n:
            break
    return out


def _finish(job: Job, future: Any) -> Report:
    """The task's report, its result written to the job's target (a backup first, for --in-place)."""
    try:
        report, data = future.result()
    except Exception as exc:  # the task failed on every worker it was given to (KilledWorker …)
        return Report(job.source, ok=False, problem=f"worker failed: {type(exc).__name__}: {exc}")
    if not report.ok or data is None:
        return report
    if job.backup and job.source == job.target and os.path.exists(job.source):
        try:
            copy_whole(job.source, backup_name(job.source))
        except OSError as exc:
            return replace(report, ok=False, problem=f"cannot keep a backup ({exc}); the file was not touched")
    try:
        write_bytes(job.target, data, job.source)
    except OSError as exc:
        return replace(report, ok=False, problem=f"cannot write {job.target}: {exc.strerror}")
    return replace(report, output=job.target)
