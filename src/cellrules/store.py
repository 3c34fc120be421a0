"""The rules folder in use: loading it, reloading it, and which folder and day calls use.

Owns (the folder itself is found by :mod:`cellrules.folders`) the life of each policy: a file is read, validated
and compiled on first use; on every later use a changed file (modification time or size) is read again; a file
that no longer validates is refused and the last good version stays in force, with the problem kept for status.
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from cellrules import engine
from cellrules.coerce import is_blank
from cellrules.compiler import put_in_force
from cellrules.diagnostics import Diagnostic, Location, did_you_mean
from cellrules.folders import ENV, Seen, folder_problem, places, resolve_folder, stamp as file_stamp, tables_of
from cellrules.errors import ExcelError, na_error, value_error
from cellrules.kinds import InForce
from cellrules.source import Source, load_file
from cellrules.validation import validate_versions

LOG = logging.getLogger("cellrules.store")
_NAME = re.compile(r"^[^/\\:*?\"<>|]+$")
MAX_NAME = 100  # characters in a policy name


Loaded = InForce  # a policy version in force: its model, file, decider and memo


@dataclass
class Versions:
    """Every version of one policy file, compiled, oldest first; :meth:`at` picks the one in force."""

    items: list[Loaded]

    @property
    def digest(self) -> str:
        """The sha256 of the file the versions came from."""
        return self.items[0].policy.header.digest

    @property
    def kind(self) -> str:
        """The policy kind of the file."""
        return self.items[0].policy.header.kind

    def at(self, day: dt.date) -> Loaded | None:
        """The version in force on ``day``: the latest to start on or before it (None before the first)."""
        found = None
        for item in self.items:
            start = item.policy.header.effective_from
            if start is None or start <= day:
                found = item
        return found

    def not_yet(self, name: str, day: dt.date) -> ExcelError:
        """The error for a day before the first version."""
        first = self.items[0].policy.header
        return na_error(f"policy '{name}' is not in force on {day}: its first version, {first.version}, "
                        f"starts {first.effective_from}")

    def close(self) -> None:
        """Release every version's engine rulesets."""
        for item in self.items:
            item.close()


def _compile(policies: list[Any], path: Path) -> Versions:
    """Every version put in force (oldest first); a failure releases what was already registered."""
    done: list[Loaded] = []
    try:
        for policy in sorted(policies, key=lambda p: p.header.effective_from or dt.date.min):
            done.append(put_in_force(policy, path))
    except Exception:
        Versions(done).close()
        raise
    return Versions(done)


@dataclass
class Entry:
    """One policy file of the folder: when it was last read, the versions in force, the problems of the last reading."""

    path: Path
    stamp: tuple[int, int, int] | None = None  # (mtime_ns, size, inode) of the last attempt
    checked: float = -1e9  # time.monotonic() of the last look at the file
    good: Versions | None = None
    problems: list[Diagnostic] = field(default_factory=list)
    refused: bool = False
    decision: str = ""  # the decision of a DMN file this entry is


class Store:
    """Policies of one rules folder, reloaded when their files change."""

    #: Seconds between two looks at a file's modification time: an edit is in force
    #: for the first call after that (0 looks on every call).
    interval: float = 0.1
    #: A changed file is read only once it has been left alone this long (seconds since its last write): an
    #: editor's half-written save is never put in force. The first reading of a file does not wait.
    settle: float = 0.5

    def __init__(self, folder: str | os.PathLike | None = None, workbook: str | os.PathLike | None = None) -> None:
        self.folder, self.origin = resolve_folder(folder, workbook)
        engine.announce()
        self._entries: dict[str, Entry] = {}
        self._lock = threading.RLock()
        self._status: tuple[float, dt.date, list[dict[str, Any]]] | None = None
        self._dmn: Seen = {}

    def names(self) -> list[str]:
        """The policy names of the folder: YAML files by their stem, DMN files' decisions by their name."""
        return sorted(self._places())

    def _places(self) -> dict[str, list[tuple[Path, str]]]:
        """Policy name -> every (file, decision) defining it (:func:`folders.places`)."""
        return places(self.folder, self._dmn)

    def clashes(self) -> dict[str, list[tuple[Path, str]]]:
        """Names defined more than once (two .dmn files, a decision named like a YAML policy …): none is used."""
        return {name: where for name, where in self._places().items() if len(where) > 1}

    def get(self, name: str, kind: str, day: dt.date | None = None) -> Loaded | ExcelError:
        """The policy in force under ``name`` on ``day`` (default today), checked to be of ``kind``."""
        if len(name) > MAX_NAME:
            return na_error(f"'{name[:40]}…' is not a policy name (at most {MAX_NAME} characters)")
        if not _NAME.match(name) or name in (".", ".."):
            return na_error(f"'{name}' is not a policy name")
        entry = self._entries.get(name)
        if entry is None:
            where = self._places().get(name, [])  # the folder read once: what defines the name, and how often
            if len(where) > 1:
                files = ", ".join(p.name + (f" ({d})" if d else "") for p, d in where)
                return na_error(f"policy '{name}' is defined {len(where)} times ({files}): DUPLICATE_NAME, rename one")
            if not where:
                return na_error(f"no policy '{name}' in {self.folder}{did_you_mean(name, self.names())}")
            entry = self._entries.setdefault(name, Entry(where[0][0], decision=where[0][1]))
        self._refresh(entry)
        if entry.good is None:
            first = entry.problems[0] if entry.problems else f"{entry.path} cannot be read"
            return na_error(f"policy '{name}' is refused: {first}")
        if entry.good.kind != kind:
            return na_error(f"policy '{name}' is a {entry.good.kind} policy, not a {kind} policy")
        day = day or as_of()
        loaded = entry.good.at(day)
        if loaded is None:
            return entry.good.not_yet(name, day)
        note_cells(loaded, 1)
        return loaded

    def _refresh(self, entry: Entry) -> None:
        now = time.monotonic()
        if entry.stamp is not None and now - entry.checked < self.interval:
            return
        stamp = file_stamp(entry.path)
        if self.settle > 0 and stamp is not None and stamp != entry.stamp and entry.good is not None and \
                time.time() - stamp[0] / 1e9 < self.settle:
            return  # still being written: the last good version stays until the file settles
        if stamp is None or stamp != entry.stamp:
            with self._lock:  # one thread reloads; the others wait and then see the result
                if stamp is None or stamp != entry.stamp:
                    self._reload(entry, stamp)
        entry.checked = now

    def _reload(self, entry: Entry, stamp: tuple[int, int, int] | None) -> None:
        try:
            policy, problems = self._read(entry)
            if policy is not None and (entry.good is None or entry.good.digest != policy[0].header.digest):
                fresh = _compile(policy, entry.path)
                old, entry.good = entry.good, fresh
                if old is not None:
                    old.close()
        except Exception as exc:  # a bug reading or compiling: refused with the reason, the last good stays
            LOG.exception("reading %s failed", entry.path)
            policy, problems = None, [Diagnostic("INTERNAL", f"{type(exc).__name__}: {exc}", Location(str(entry.path), 1, 1))]
        entry.problems = problems
        entry.refused = policy is None
        entry.stamp = stamp  # last: other threads only skip the lock once the entry is complete

    @staticmethod
    def _read(entry: Entry) -> tuple[list[Any] | None, list[Diagnostic]]:
        if entry.decision:
            found, problems = tables_of(entry.path)
            if entry.decision not in found:
                return None, problems or [Diagnostic("FILE_ERROR", f"no decision '{entry.decision}' any more",
                                                     Location(str(entry.path), 1, 1))]
            item = found[entry.decision]
            if isinstance(item, list):  # a DMN decision refused: the diagnostics that say why
                return None, item
            if not isinstance(item, Source):  # a DMN decision, read and checked with its file
                return [item], []
            return validate_versions(item)
        source, problems = load_file(entry.path)
        if source is None:
            return None, problems
        policies, more = validate_versions(source)
        return policies, problems + more

    def refresh_all(self) -> None:
        """Read every policy file of the folder now (for status and the CLI)."""
        for entry in self._entries.values():
            entry.checked = -1e9
        for name in self.names():
            self.get(name, kind="")

    def in_force_by_name(self, name: str) -> Loaded | None:
        """The version in force of the policy ``name``, whatever its kind (None when it cannot be used)."""
        found = self.get(name, kind="")
        entry = self._entries.get(name)
        if entry is None or entry.good is None or not isinstance(found, ExcelError):
            return None
        return entry.good.at(as_of())

    def in_force(self) -> list[Loaded]:
        """The version in force of every policy file of the folder that validates (none for a folder that
        cannot be used)."""
        if folder_problem(self.folder):
            return []
        self.refresh_all()
        day = as_of()
        found = [entry.good.at(day) for name in self.names() for entry in [self._entries.get(name)]
                 if entry is not None and entry.good is not None]
        return [loaded for loaded in found if loaded is not None]

    def status(self) -> list[dict[str, Any]]:
        """One row per policy file: version in force, hash, problems, every version (looked at again at most
        every :attr:`interval` seconds: RULESTATUS in many cells costs one look)."""
        now, day = time.monotonic(), as_of()
        cached = self._status
        if cached is not None and now - cached[0] < self.interval and cached[1] == day:
            return [dict(row) for row in cached[2]]
        rows = self._status_rows(day)
        self._status = (now, day, rows)
        return [dict(row) for row in rows]

    def _status_rows(self, day: dt.date) -> list[dict[str, Any]]:
        self.refresh_all()
        rows = []
        for name in self.names():
            entry = self._entries.get(name)
            if entry is None:
                continue
            shown = (entry.good.at(day) or entry.good.items[0]) if entry.good else None
            header = shown.policy.header if shown else None
            rows.append({
                "policy": name, "path": str(entry.path),
                "kind": header.kind if header else "", "version": header.version if header else "",
                "sha256": header.digest[:12] if header else "",
                "state": "refused" if entry.refused else "ok",
                "in_force": "last good version" if entry.refused and entry.good else ("none" if not entry.good else "current"),
                "problems": [str(d) for d in entry.problems],
                "versions": _timeline(entry.good, shown, day),
            })
        return rows

    def close(self) -> None:
        """Release every policy's engine rulesets and forget the files."""
        for entry in self._entries.values():
            if entry.good is not None:
                entry.good.close()
        self._entries.clear()


def _timeline(good: Versions | None, shown: Loaded | None, day: dt.date) -> list[dict[str, str]]:
    """Every version of a policy with its start day and whether it is past, current or scheduled on ``day``."""
    out = []
    for item in good.items if good else []:
        start = item.policy.header.effective_from
        state = "current" if item is shown else ("scheduled" if start is not None and start > day else "past")
        out.append({"version": str(item.policy.header.version), "effective_from": start.isoformat() if start else "",
                    "state": state})
    return out


def resolve(policy: Any, kind: str, day: dt.date | None = None) -> tuple[Loaded | ExcelError, str]:
    """A function's policy argument — blank, "name" or "name:scheme" — as (the version in force on ``day``,
    default :func:`as_of`, or an error; scheme)."""
    if is_blank(policy):
        name, sub = kind, ""
    elif isinstance(policy, str):
        name, _, sub = policy.strip().partition(":")
    else:
        return value_error(f"policy must be the name of a policy file, not {policy!r}"), ""
    return current().get(name.strip(), kind, day or as_of()), sub.strip()


_as_of: contextvars.ContextVar[dt.date | None] = contextvars.ContextVar("cellrules_as_of", default=None)


def as_of() -> dt.date:
    """The day whose policies are in force: the one :func:`dated` set here, else today."""
    return _as_of.get() or dt.date.today()


@contextlib.contextmanager
def dated(day: dt.date | None) -> Iterator[None]:
    """Policies as they stood on ``day`` (None: today) for this block, in this thread or task."""
    token = _as_of.set(day)
    try:
        yield
    finally:
        _as_of.reset(token)


_current: Store | None = None
_current_env: str | None = None  # CELLRULES_RULES when the default store was made from the environment
_current_lock = threading.Lock()
_scoped: contextvars.ContextVar[Store | None] = contextvars.ContextVar("cellrules_store", default=None)
_hooks: list[Callable[[Store], object]] = []


def on_use(hook: Callable[[Store], object]) -> None:
    """Call ``hook`` with each rules folder as it is put in use (:func:`use`, :func:`using`, the default): the
    spreadsheet functions a folder declares are registered then, never at import."""
    _hooks.append(hook)


def _in_use(store: Store) -> Store:
    for hook in _hooks:
        hook(store)
    return store


def current() -> Store:
    """The store functions use: the one :func:`using` put in force here, else the process default (set by
    :func:`use`, or made from the environment — made again when ``CELLRULES_RULES`` changes)."""
    scoped = _scoped.get()
    if scoped is not None:
        return scoped
    global _current, _current_env
    env = os.environ.get(ENV) or ""
    if _current is None or _current_env is not None and env != _current_env:
        with _current_lock:
            if _current is None or _current_env is not None and env != _current_env:
                _current, _current_env = Store(), env
                _in_use(_current)
    return _current


def use(store: Store | None) -> Store | None:
    """Make ``store`` the process default; return the previous one."""
    global _current, _current_env
    previous, _current, _current_env = _current, store, None
    if store is not None:
        _in_use(store)
    return previous


Used = dict[tuple[str, str, str], list[Any]]  # (policy, version, sha256) -> [the Loaded, cells it computed]
_used: contextvars.ContextVar[Used | None] = contextvars.ContextVar("cellrules_used", default=None)


@contextlib.contextmanager
def recording() -> Iterator[Used]:
    """Every policy version a function takes from a store inside this block (here and in threads started with
    this context), with how many cells it computed: what produced a recalculated workbook's numbers — two
    versions when the cells' dates fall in two."""
    used: Used = {}
    token = _used.set(used)
    try:
        yield used
    finally:
        _used.reset(token)


def note_cells(loaded: Loaded, cells: int) -> None:
    """Count ``cells`` computed by the policy version ``loaded`` (a lookup counts one; a column form adds its
    other rows)."""
    used = _used.get()
    if used is not None and cells:
        header = loaded.policy.header
        used.setdefault((header.name, str(header.version), str(header.digest)), [loaded, 0])[1] += cells


@contextlib.contextmanager
def using(store: Store) -> Iterator[Store]:
    """``store`` in force for this block, in this thread or task only."""
    _in_use(store)
    token = _scoped.set(store)
    try:
        yield store
    finally:
        _scoped.reset(token)
