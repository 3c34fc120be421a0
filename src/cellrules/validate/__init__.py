"""Validation: a loaded :class:`Source` becomes a policy model plus diagnostics.

Owns the header every rule file shares (policy, kind, version,
effective_from, description, examples) and hands the rest to the file's
kind from :data:`cellrules.kinds.KINDS`. Every problem is reported at once.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from cellrules.diagnostics import Diagnostic, did_you_mean, has_errors
from cellrules.kinds import KINDS
from cellrules.model import Example, Header
from cellrules.source import Source
from cellrules.validate.base import MISSING, Checker

HEADER_FIELDS = ["policy", "version", "effective_from", "description"]
OPTIONAL_HEADER = ["kind", "hit_policy", "examples"]


def validate(source: Source) -> tuple[Any | None, list[Diagnostic]]:
    """Validate one source; the policy (its kind's model) is None when any error was found."""
    check = Checker(source)
    kind = _kind(check)
    if kind is None:
        if isinstance(source.data, dict):
            check.mapping((), HEADER_FIELDS, OPTIONAL_HEADER + [f for k in KINDS.values() for f in k.fields])
        return None, check.diagnostics
    if check.mapping((), HEADER_FIELDS, OPTIONAL_HEADER + list(KINDS[kind].fields)) is None:
        return None, check.diagnostics
    header = _header(check, kind)
    examples = _examples(check, kind)
    policy = KINDS[kind].build(check, header, examples)
    if has_errors(check.diagnostics):
        return None, check.diagnostics
    return policy, check.diagnostics


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
    if stem != name:
        check.warning("NAME_MISMATCH", f"policy '{name}' is in a file named '{stem}.yaml'; "
                      f"formulas find it by the file name '{stem}'", ("policy",))
    if check.get(("hit_policy",)) is not MISSING:
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
