"""Validation: a loaded :class:`Source` becomes a policy model plus diagnostics.

Owns the header every rule file shares (policy, kind, version,
effective_from, description, examples, versions) and hands the rest to the
file's kind from :data:`cellrules.kinds.KINDS`. A file may hold several
versions of its policy: the top of the file is one, each entry of
``versions:`` another, giving its own ``version`` and ``effective_from`` and
any fields it changes (the others are read from the top). Every problem is
reported at once.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from cellrules.diagnostics import Diagnostic, did_you_mean, has_errors
from cellrules.kinds import KINDS
from cellrules.model import Example, Header
from cellrules.source import Source
from cellrules.validate.base import MISSING, Checker, VersionChecker

HEADER_FIELDS = ["policy", "version", "effective_from", "description"]
OPTIONAL_HEADER = ["kind", "hit_policy", "examples", "versions"]
VERSION_FIELDS = ["version", "effective_from"]


def validate(source: Source) -> tuple[Any | None, list[Diagnostic]]:
    """Validate one source; the policy at the top of the file (its kind's model) is None when any error was
    found, in it or in any of its other versions."""
    versions, diagnostics = validate_versions(source)
    return (versions[0] if versions else None), diagnostics


def validate_versions(source: Source) -> tuple[list[Any] | None, list[Diagnostic]]:
    """Validate one source and each entry of its ``versions:`` list; ([the top version, then the others in
    the file's order], diagnostics), or (None, diagnostics) when any error was found."""
    check = Checker(source)
    kind = _kind(check)
    if kind is None:
        if isinstance(source.data, dict):
            check.mapping((), HEADER_FIELDS, OPTIONAL_HEADER + [f for k in KINDS.values() for f in k.fields])
        return None, check.diagnostics
    if check.mapping((), HEADER_FIELDS, OPTIONAL_HEADER + list(KINDS[kind].fields)) is None:
        return None, check.diagnostics
    header = _header(check, kind)
    policies = [KINDS[kind].build(check, header, _examples(check, kind))]
    diagnostics = list(check.diagnostics)
    for i, item in enumerate(check.sequence(("versions",), non_empty=False)):
        policies.append(_version(source, i, item, header, diagnostics))
    _distinct_dates(check, policies)
    diagnostics += [d for d in check.diagnostics if d not in diagnostics]
    if has_errors(diagnostics) or any(p is None for p in policies):
        return None, diagnostics
    split = KINDS[kind].versions
    if split is not None:  # a policy that dates its own parts (commission's old plans:): one per version
        policies = [piece for policy in policies for piece in split(policy)]
        diagnostics += _clashing_starts(policies)
    return (None if has_errors(diagnostics) else policies), diagnostics


def _clashing_starts(policies: list[Any]) -> list[Diagnostic]:
    seen: dict[dt.date | None, str] = {}
    out = []
    for policy in policies:
        header = policy.header
        if header.effective_from in seen:
            out.append(Diagnostic("OVERLAP", f"versions '{seen[header.effective_from]}' and '{header.version}' "
                                  f"both start on {header.effective_from}", header.location))
        seen[header.effective_from] = header.version
    return out


def _version(source: Source, i: int, item: Any, header: Header, diagnostics: list[Diagnostic]) -> Any | None:
    """One entry of ``versions:``: its own version and start date, its own fields, the rest from the top."""
    check = VersionChecker(source, i, item if isinstance(item, dict) else ())
    kind = KINDS[header.kind]
    if check.mapping(("versions", i), VERSION_FIELDS, ["description"] + list(kind.fields)) is None:
        policy = None
    else:
        version = check.text(("version",))
        policy = kind.build(check, replace(header, version=version or "", effective_from=check.date(
            ("effective_from",)), location=check.where(("versions", i))), ())
    diagnostics += [d for d in check.diagnostics if d not in diagnostics]
    return policy


def _distinct_dates(check: Checker, policies: list[Any]) -> None:
    seen: dict[dt.date, str] = {}
    for i, policy in enumerate(policies):
        if policy is None or policy.header.effective_from is None:
            continue
        day = policy.header.effective_from
        if day in seen:
            where = ("effective_from",) if i == 0 else ("versions", i - 1, "effective_from")
            check.error("OVERLAP", f"versions '{seen[day]}' and '{policy.header.version}' both start on {day}", where)
        seen[day] = policy.header.version


def _kind(check: Checker) -> str | None:
    data = check.source.data
    if not isinstance(data, dict):
        check.error("WRONG_TYPE", "a rule file must be a mapping of field: value", ())
        return None
    path = ("kind",) if "kind" in data else ("policy",)
    kind = check.text(path)
    if kind is None:
        return None
    if kind in KINDS:
        return kind
    if path == ("policy",):
        check.error("UNKNOWN_KIND", f"policy '{kind}' is not a known kind; add 'kind:' with one of "
                    f"{', '.join(KINDS)}{did_you_mean(kind, KINDS)}", path)
    else:
        check.error("UNKNOWN_KIND", f"unknown kind '{kind}'{did_you_mean(kind, KINDS)}", path)
    return None


def _header(check: Checker, kind: str) -> Header:
    name = check.text(("policy",), default=kind) or kind
    stem = Path(check.source.path).stem
    if Path(check.source.path).suffix in (".dmn", ".xlsx"):
        stem = name  # a DMN decision, or a table on a worksheet, is found by its name
    elif stem != name:
        check.warning("NAME_MISMATCH", f"policy '{name}' is in a file named '{stem}.yaml'; "
                      f"formulas find it by the file name '{stem}'", ("policy",))
    if check.get(("hit_policy",)) is not MISSING and "hit_policy" not in KINDS[kind].fields:
        check.warning("IGNORED_FIELD", f"hit_policy has no effect on a {kind} policy: its rows never overlap "
                      "(the checks say where they would); remove the line", ("hit_policy",), key=True)
    return Header(
        name=stem, kind=kind,
        version=check.text(("version",), default="") or "",
        effective_from=check.date(("effective_from",)),
        description=check.text(("description",), default="") or "",
        location=check.where(("policy",)),
        digest=hashlib.sha256(check.source.text.encode("utf-8")).hexdigest(),
    )


def _examples(check: Checker, kind: str) -> tuple[Example, ...]:
    out = []
    for i, item in enumerate(check.sequence(("examples",), non_empty=False)):
        path = ("examples", i)
        if not isinstance(item, dict) or "expect" not in item:
            check.error("BAD_EXAMPLE", "an example is a mapping of arguments with an 'expect' value", path)
            continue
        args = {k: v for k, v in item.items() if k not in ("expect", "function", "note")}
        function = str(item.get("function", KINDS[kind].default_function)).upper()
        out.append(Example(function, args, item["expect"], check.where(path)))
    return tuple(out)


__all__ = ["validate", "MISSING", "Checker"]
