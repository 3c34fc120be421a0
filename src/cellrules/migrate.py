"""``cellrules migrate``: rule files written the old way rewritten to today's form.

Owns the step from an old rule file to the same policy written as today's files are (commission's
``plans:`` list becomes ``versions:``): each kind says how through its ``migrate`` hook; the rewritten
text keeps the comments and is written only when it reads back without errors **and** every version of
it (name, start day, rows) is what the old file meant — otherwise the file is left as it was and the
reason is reported. The old file is kept beside it as ``NAME.yaml.old`` unless told not to.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

from cellrules.diagnostics import Location, has_errors
from cellrules.kinds import KINDS
from cellrules.source import load_file, load_text, rewrite
from cellrules.validation import validate_versions


@dataclass(frozen=True)
class Outcome:
    """What migrating one file did: ``migrated``, ``current`` (nothing to do) or ``refused`` (why)."""

    path: str
    state: str
    detail: str = ""


def migrate_file(path: Path, write: bool = True, keep_old: bool = True) -> Outcome:
    """Rewrite one rule file to today's form (with ``write=False``, only say whether it would change)."""
    source, problems = load_file(path)
    if source is None or has_errors(problems):
        return Outcome(str(path), "refused", "fix its errors first (cellrules check)")
    before, diagnostics = validate_versions(source)
    if before is None:
        return Outcome(str(path), "refused", "fix its errors first (cellrules check)")
    kind = KINDS[before[0].header.kind]
    if kind.migrate is None:
        return Outcome(str(path), "current")
    text = rewrite(source.text, kind.migrate)
    if text is None:
        return Outcome(str(path), "current")
    why = _differs(before, text, str(path))
    if why:
        return Outcome(str(path), "refused", why)
    if write:
        _replace(path, text, keep_old)
    return Outcome(str(path), "migrated", ", ".join(f"{p.header.version} from {p.header.effective_from}"
                                                    for p in sorted(before, key=_start)))


def _start(policy: Any) -> Any:
    return policy.header.effective_from


def _differs(before: list[Any], text: str, path: str) -> str:
    """Why the rewritten text would not mean what the old file meant ("" when it does)."""
    source, problems = load_text(text, path)
    after, diagnostics = validate_versions(source) if source is not None else (None, problems)
    if after is None:
        return "the rewritten file would not load: " + "; ".join(str(d) for d in diagnostics[:3])
    if any(d.code == "OLD_FORMAT" for d in diagnostics):
        return "the rewritten file is still of the old form"
    old = {(p.header.version, p.header.effective_from): _body(p) for p in before}
    new = {(p.header.version, p.header.effective_from): _body(p) for p in after}
    if old != new:
        return "the versions would change: " + _names(old) + " → " + _names(new) if set(old) != set(new) else \
            "the rewritten versions would not hold the same brackets"
    return ""


def _names(versions: dict[Any, Any]) -> str:
    return ", ".join(f"{name} from {day}" for name, day in sorted(versions, key=lambda v: str(v[1])))


def _body(policy: Any) -> Any:
    """A policy version's content, without where its lines are (they move) and without its header."""
    return _content({f.name: getattr(policy, f.name) for f in fields(policy) if f.name not in ("header",
                                                                                               "examples")})


def _content(value: Any) -> Any:
    """``value`` as plain comparable data, every :class:`Location` left out."""
    if isinstance(value, Location):
        return None
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, _content({f.name: getattr(value, f.name) for f in fields(value)}))
    if isinstance(value, dict):
        return tuple(sorted((repr(k), _content(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_content(v) for v in value)
    return value


def _replace(path: Path, text: str, keep_old: bool) -> None:
    """The new text in place of the old, whole or not at all (temporary file, flushed, renamed)."""
    temporary = path.with_name(f".{path.name}.migrating")
    with open(temporary, "w", encoding="utf-8", newline="") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    if keep_old:
        old = path.with_name(path.name + ".old")
        old.write_bytes(path.read_bytes())
    os.replace(temporary, path)
