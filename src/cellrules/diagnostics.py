"""Diagnostics as data.

Owns :class:`Location` (file, 1-based line and column) and :class:`Diagnostic`
(stable code, severity, message, location), their text form
``path:line:column: CODE message`` and the catalogue of stable codes.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass
from typing import Iterable

#: Stable diagnostic codes; tests and users may rely on these names.
CODES: dict[str, str] = {
    "YAML_SYNTAX": "the file is not valid YAML",
    "DUPLICATE_KEY": "a key appears twice in one mapping",
    "UNSAFE_TAG": "a YAML tag (such as !!python/object) that rule files may not use",
    "YAML_ALIASES": "aliases (*name) that would expand the file past its budget",
    "YAML_MERGE": "a merge key (<<), which rule files may not use",
    "INTERNAL": "cellrules failed reading the file (a bug: please report it)",
    "NO_EXAMPLES": "a policy file without examples",
    "FILE_ERROR": "the file cannot be read",
    "MISSING_FIELD": "a required field is absent",
    "UNKNOWN_FIELD": "a field this kind of policy does not know",
    "UNKNOWN_KIND": "the policy kind is not one cellrules knows",
    "WRONG_TYPE": "a value of the wrong type",
    "BAD_PERCENT": "a percentage that is not of the form 15% or is out of range",
    "BAD_NUMBER": "a number out of its allowed range",
    "BAD_DATE": "a date that is not of the form 2026-01-31",
    "BAD_RANGE": "a day range that is not of the form '30-59', '90+' or 'under 30'",
    "DUPLICATE_NAME": "two rows or values share a name",
    "GAP": "some inputs are covered by no rule",
    "OVERLAP": "some inputs are covered by more than one rule",
    "UNREACHABLE_RULE": "a rule that can never fire",
    "NOT_INCREASING": "thresholds or brackets that do not increase",
    "TOO_MANY_RULES": "more rows than the engine can hold on one field",
    "NAME_MISMATCH": "the policy name differs from the file name",
    "UNKNOWN_NAME": "a name (tier, stage, deal type) that the policy does not define",
    "BAD_EXAMPLE": "an example that is malformed",
    "IGNORED_FIELD": "a field that has no effect on this kind of policy",
    "TOO_LARGE": "a table needing more fields in one call than the rules engine reads (inputs and long cells)",
    "OLD_FORMAT": "a file written the old way (commission's plans:); read as before, `cellrules migrate` rewrites it",
    "BAD_TEST": "a decision-table cell outside the grammar of simple unary tests, or of the wrong type",
    "NOT_ALLOWED": "a value outside its column's allowed values",
    "DMN_SYNTAX": "a DMN file that is not well-formed XML, or that declares a document type or entities",
    "UNSUPPORTED": "a part of a DMN file cellrules does not run (never answered wrongly: left out)",
    "BAD_EXPRESSION": "a FEEL expression outside FEEL's grammar (in a DMN file)",
    "CONFLICT": "rules that match the same inputs with different outputs under hit policy A",
    "UNCOMPUTED": "a worksheet table cell holding a formula whose value was never saved",
    "NAME_TAKEN": "a function a policy declares under a name that is a cellrules or an Excel function",
}


@dataclass(frozen=True, slots=True)
class Location:
    """Where something came from: a file, and a 1-based line and column (0: unknown)."""

    path: str
    line: int = 0  # 1-based; 0 = unknown
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a rule file: a stable code, a message, where, and how bad."""

    code: str
    message: str
    location: Location
    severity: str = "error"  # "error" | "warning"

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered diagnostic code {self.code}")

    def __str__(self) -> str:
        return f"{self.location}: {self.code} {self.message}"

    def to_dict(self) -> dict[str, object]:
        """The diagnostic as JSON for ``--format json``."""
        data = asdict(self)
        data["location"] = asdict(self.location)
        return data


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """Whether any diagnostic is an error (warnings do not refuse a file)."""
    return any(d.severity == "error" for d in diagnostics)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""``."""
    pool = list(choices)
    lowered = {c.casefold(): c for c in pool}
    best = difflib.get_close_matches(word.casefold(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean '{lowered[best[0]]}'?)" if best else ""


_CELL = re.compile(r"!\$?([A-Z]{1,3})\$?(\d+)$")


def position(d: Diagnostic) -> tuple[str, int, int]:
    """Where a diagnostic is, for sorting: file, then line and column — a worksheet cell (``book.xlsx!Sheet!C7``)
    by its row and column."""
    loc = d.location
    cell = _CELL.search(loc.path) if not loc.line else None
    if cell is None:
        return loc.path, loc.line, loc.column
    col = 0
    for ch in cell.group(1):
        col = col * 26 + ord(ch) - 64
    return loc.path[: cell.start()].rsplit("!", 1)[0], int(cell.group(2)), col
