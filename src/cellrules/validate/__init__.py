"""Validation: a loaded :class:`Source` becomes a policy model plus diagnostics.

Owns the header every rule file shares (policy, kind, version,
effective_from, description, hit_policy, examples) and dispatches the rest to
one module per policy kind. Every problem is reported at once.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

from cellrules.diagnostics import Diagnostic, did_you_mean, has_errors
from cellrules.model import KINDS, Example, Header, Policy
from cellrules.source import Source
from cellrules.validate import commission, dunning, profit, prospect, tiers
from cellrules.validate.base import MISSING, Checker

HEADER_FIELDS = ["policy", "version", "effective_from", "description"]
OPTIONAL_HEADER = ["kind", "hit_policy", "examples"]
HIT_POLICIES = ("first", "unique")
DEFAULT_FUNCTION = {"tiers": "TIER", "profit": "PROFITRATE", "prospect": "PROSPECTSCORE",
                    "dunning": "DUNNINGSTAGE", "commission": "COMMISSION"}
_KIND_MODULES: dict[str, tuple[list[str], Callable]] = {
    "tiers": (tiers.FIELDS, tiers.build),
    "profit": (profit.FIELDS, profit.build),
    "prospect": (prospect.FIELDS, prospect.build),
    "dunning": (dunning.FIELDS, dunning.build),
    "commission": (commission.FIELDS, commission.build),
}


def validate(source: Source) -> tuple[Policy | None, list[Diagnostic]]:
    """Validate one source; the policy is None when any error was found."""
    check = Checker(source)
    kind = _kind(check)
    if kind is None:
        if isinstance(source.data, dict):
            check.mapping((), HEADER_FIELDS, OPTIONAL_HEADER + sum((f for f, _ in _KIND_MODULES.values()), []))
        return None, check.diagnostics
    fields, build = _KIND_MODULES[kind]
    if check.mapping((), HEADER_FIELDS, OPTIONAL_HEADER + fields) is None:
        return None, check.diagnostics
    header = _header(check, kind)
    examples = _examples(check, kind)
    policy = build(check, header, examples)
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
    hit = check.text(("hit_policy",), default="first") or "first"
    if hit not in HIT_POLICIES:
        check.error("WRONG_TYPE", f"hit_policy must be one of {', '.join(HIT_POLICIES)}, not '{hit}'"
                    f"{did_you_mean(hit, HIT_POLICIES)}", ("hit_policy",))
    return Header(
        name=stem, kind=kind,
        version=check.text(("version",), default="") or "",
        effective_from=check.date(("effective_from",)),
        description=check.text(("description",), default="") or "",
        hit_policy=hit, location=check.where(("policy",)),
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
        function = str(item.get("function", DEFAULT_FUNCTION[kind])).upper()
        out.append(Example(function, args, item["expect"], check.where(path)))
    return tuple(out)


__all__ = ["validate", "MISSING", "Checker"]
