"""Field-level checks shared by every policy kind.

Owns :class:`Checker`, which reads values out of a :class:`Source` by path and
records a diagnostic (with the exact line and column) for every problem
instead of stopping at the first: unknown or missing fields with "did you
mean", wrong types, percentages, numbers, dates and day ranges.
"""
from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from typing import Any, Iterable

from cellrules.diagnostics import Diagnostic, Location, did_you_mean
from cellrules.source import PathKey, Source

_PERCENT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*%\s*$")
_RANGE = re.compile(r"^\s*(?:(?P<under>under|below|<)\s*(?P<u>\d+)|(?P<lo>\d+)\s*(?:-|–|to)\s*(?P<hi>\d+)"
                    r"|(?P<from>\d+)\s*(?:\+|or more|and over))\s*$", re.IGNORECASE)
MISSING = object()


def shown(value: Any) -> str:
    """A value as the rule file writes it (never a Python repr such as datetime.date(2026, 6, 30))."""
    if value is None or value is MISSING:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "a mapping"
    return str(value)


class Checker:
    """Collects diagnostics while reading one source."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = []

    # -- reporting ---------------------------------------------------------
    def where(self, path: PathKey, key: bool = False) -> Location:
        """The location of the value (or, with ``key``, of the key) at ``path``."""
        return self.source.where(path, key)

    def error(self, code: str, message: str, path: PathKey, key: bool = False) -> None:
        """Record an error at ``path``."""
        self.diagnostics.append(Diagnostic(code, message, self.where(path, key)))

    def warning(self, code: str, message: str, path: PathKey, key: bool = False) -> None:
        """Record a warning at ``path``."""
        self.diagnostics.append(Diagnostic(code, message, self.where(path, key), "warning"))

    # -- structure ---------------------------------------------------------
    def gives(self, name: str) -> bool:
        """Whether the mapping read here (the file's top) gives the field ``name`` itself."""
        return self.get((name,)) is not MISSING

    def get(self, path: PathKey) -> Any:
        """The value at ``path``, or MISSING."""
        node: Any = self.source.data
        for part in path:
            if isinstance(node, dict) and isinstance(part, str) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                return MISSING
        return node

    def mapping(self, path: PathKey, required: Iterable[str], optional: Iterable[str] = ()) -> dict | None:
        """Check that ``path`` is a mapping with exactly the known fields."""
        node = self.get(path)
        what = "/".join(str(p) for p in path) or "the file"
        if not isinstance(node, dict):
            self.error("WRONG_TYPE", f"{what} must be a mapping of field: value", path)
            return None
        required, optional = list(required), list(optional)
        known = required + optional
        for key in node:
            if key not in known:
                self.error("UNKNOWN_FIELD", f"unknown field '{key}' in {what}{did_you_mean(key, known)}",
                           path + (key,), key=True)
        for key in required:
            if key not in node:
                self.error("MISSING_FIELD", f"{what} needs the field '{key}'", path)
            elif node[key] is None:  # `rate: ~` or `rate:` with nothing after it
                self.error("MISSING_FIELD", f"'{key}' in {what} is empty: give it a value", path + (key,))
        return node

    def named(self, path: PathKey) -> dict | None:
        """A mapping whose keys are names the file chooses (schemes)."""
        node = self.get(path)
        if not isinstance(node, dict) or not node:
            self.error("WRONG_TYPE", f"'{path[-1]}' must be a non-empty mapping of name: definition", path)
            return None
        return node

    def sequence(self, path: PathKey, non_empty: bool = True) -> list:
        """The list at ``path`` (empty when missing); a non-list, or an empty list where one is needed, is reported."""
        node = self.get(path)
        if node is MISSING:
            return []
        if not isinstance(node, list):
            self.error("WRONG_TYPE", f"'{path[-1]}' must be a list", path)
            return []
        if non_empty and not node:
            self.error("MISSING_FIELD", f"'{path[-1]}' must not be empty", path)
        return node

    # -- scalars -----------------------------------------------------------
    def text(self, path: PathKey, default: str | None = None) -> str | None:
        """The text at ``path``, ``default`` when missing; anything else is reported."""
        node = self.get(path)
        if node is MISSING or node is None:
            return default
        if isinstance(node, bool) or not isinstance(node, (str, int, float)):
            self.error("WRONG_TYPE", f"'{path[-1]}' must be text", path)
            return default
        value = str(node).strip()
        if not value:
            self.error("WRONG_TYPE", f"'{path[-1]}' must not be empty", path)
            return default
        return value

    def number(self, path: PathKey, low: float | None = None, default: float | None = None,
               integer: bool = False) -> float | None:
        """The number at ``path`` (at least ``low``, whole if ``integer``), ``default`` when missing."""
        node = self.get(path)
        if node is MISSING or node is None:
            return default
        if isinstance(node, bool) or not isinstance(node, (int, float)) or node != node:
            hint = " (write percentages where a percentage is meant, numbers without quotes)"
            self.error("WRONG_TYPE", f"'{path[-1]}' must be a number, not {shown(node)}{hint}", path)
            return default
        if integer and int(node) != node:
            self.error("WRONG_TYPE", f"'{path[-1]}' must be a whole number, not {node}", path)
            return default
        if low is not None and node < low:
            self.error("BAD_NUMBER", f"'{path[-1]}' must be at least {low:g}, not {node:g}", path)
            return default
        if abs(node) > 1e15:
            self.error("BAD_NUMBER", f"'{path[-1]}' is too large ({node:g})", path)
            return default
        return int(node) if integer else float(node)

    def percent(self, path: PathKey, default: Fraction | None = None, high: int = 100) -> Fraction | None:
        """The percentage at ``path`` (``15%``) as an exact fraction, ``default`` when missing."""
        node = self.get(path)
        if node is MISSING or node is None:
            return default
        match = _PERCENT.match(node) if isinstance(node, str) else None
        if not match:
            self.error("BAD_PERCENT", f"'{path[-1]}' must be a percentage such as 15%, not {shown(node)}", path)
            return default
        if len(match.group(1)) > 24:  # more digits than any rate needs (and a Fraction of 5,000 is an error)
            self.error("BAD_PERCENT", f"'{path[-1]}' has {len(match.group(1)):,} characters; write a percentage "
                       "such as 15% or 2.375%", path)
            return default
        value = Fraction(match.group(1)) / 100
        if value < 0 or value > Fraction(high, 100):
            self.error("BAD_PERCENT", f"'{path[-1]}' must be between 0% and {high}%, not {node}", path)
            return default
        return value

    def date(self, path: PathKey) -> dt.date | None:
        """The date at ``path`` (``2026-01-31``), or None (reported)."""
        node = self.get(path)
        if node is MISSING or node is None:
            return None
        if isinstance(node, dt.datetime):
            return node.date()
        if isinstance(node, dt.date):
            return node
        try:
            return dt.date.fromisoformat(str(node).strip())
        except ValueError:
            self.error("BAD_DATE", f"'{path[-1]}' must be a date such as 2026-01-31, not {shown(node)}", path)
            return None

    def day_range(self, path: PathKey) -> tuple[int | None, int | None] | None:
        """A range of whole days (``under 30``, ``30-59``, ``90+``) as (low, high), None for an open end."""
        node = self.get(path)
        match = _RANGE.match(str(node)) if isinstance(node, (str, int)) and not isinstance(node, bool) else None
        if not match:
            self.error("BAD_RANGE", f"'days' must look like 'under 30', '30-59' or '90+', not {shown(node)}", path)
            return None
        if match.group("under"):
            return None, int(match.group("u")) - 1
        if match.group("lo"):
            low, high = int(match.group("lo")), int(match.group("hi"))
            if high < low:
                self.error("BAD_RANGE", f"day range {shown(node)} ends before it starts", path)
                return None
            return low, high
        return int(match.group("from")), None

    def names(self, path: PathKey) -> list[str]:
        """A list of names (targets, aliases, actions): each must be non-empty text."""
        out = []
        for i, _ in enumerate(self.sequence(path, non_empty=False)):
            value = self.text(path + (i,))
            if value is not None:
                out.append(value)
        return out


class VersionChecker(Checker):
    """Reads one entry of a file's ``versions:`` list as a whole policy: a field the entry gives is read from
    the entry (and its problems point there), every other field from the top of the file."""

    def __init__(self, source: Source, index: int, fields: Iterable[str]) -> None:
        super().__init__(source)
        self.prefix: tuple[Any, ...] = ("versions", index)
        self.fields = set(fields)

    def _real(self, path: PathKey) -> PathKey:
        return self.prefix + tuple(path) if path and path[0] in self.fields else path

    def gives(self, name: str) -> bool:
        """Whether the entry itself gives the field ``name`` (not inherited from the top)."""
        return name in self.fields

    def get(self, path: PathKey) -> Any:
        """The value at ``path``: the entry's own when it gives that field, else the top of the file's."""
        return super().get(self._real(path))

    def where(self, path: PathKey, key: bool = False) -> Location:
        """Where the value at ``path`` is: in the entry when it gives that field."""
        return super().where(self._real(path), key)

