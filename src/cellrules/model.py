"""The validated policy model: what every kind shares.

Owns the header every rule file has (name, kind, version, dates, digest),
the examples it carries, the :class:`Policy` protocol each kind's model
satisfies, and how names are matched. Each kind's own model lives in its
module under :mod:`cellrules.kinds`. Later stages read only models, never
YAML; every row keeps the :class:`Location` it came from so a decision can say
which line produced it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from cellrules.diagnostics import Location


@dataclass(frozen=True)
class Header:
    """The fields every rule file shares, and the sha256 of its text."""

    name: str
    kind: str
    version: str
    effective_from: dt.date | None
    description: str
    location: Location
    digest: str  # sha256 of the file text: tells reloads and servers apart


@dataclass(frozen=True)
class Example:
    """One ``examples:`` entry: a function's arguments and the value it must give."""

    function: str
    args: dict[str, Any]
    expect: Any
    location: Location


class Policy(Protocol):
    """What every kind's validated policy has; each kind's module defines the rest."""

    @property
    def header(self) -> Header:
        """The shared header: name, kind, version, dates, digest."""

    @property
    def examples(self) -> tuple[Example, ...]:
        """The file's examples."""


def normalise(text: str) -> str:
    """How names are matched: case-insensitive, surrounding and repeated spaces ignored."""
    return " ".join(str(text).split()).casefold()
