"""How a cellrules function is spelt in a formula, by the add-in that typed it.

Owns the three spellings of every registry function and the rewrite between
them. In the cell and in the file:

- xlwings (Windows desktop, VBA wrappers): ``TIER(...)``, saved as typed;
- Office.js typed in Excel: ``CELLRULES.TIER(...)``;
- Office.js as Excel saves it: ``_xldudf_CELLRULES_TIER(...)`` (prefix
  ``_xldudf_``, then namespace and name joined by ``_``).

``canonical`` reads any of them; ``rewrite`` turns every cellrules call in a
formula into one flavour, leaving string literals, sheet names and every
other function alone.
"""
from __future__ import annotations

import re
from typing import Iterable

NAMESPACE = "CELLRULES"
STORED_PREFIX = f"_xldudf_{NAMESPACE}_"
TYPED_PREFIX = f"{NAMESPACE}."
FLAVOURS = ("xlwings", "officejs")

# "..." strings (with "" inside) and '...' sheet names are copied as they are; a name followed by "(" is a call.
_TOKEN = re.compile(r"""(?P<text>"(?:[^"]|"")*"|'(?:[^']|'')*')|(?P<name>(?<![\w.$!])[A-Za-z_][\w.]*)(?=\s*\()""")


def canonical(raw: str, names: Iterable[str]) -> str | None:
    """The registry name ``raw`` spells (any flavour, any case), or None when it is not one of ``names``."""
    upper = raw.upper()
    for prefix in (STORED_PREFIX.upper(), TYPED_PREFIX):
        if upper.startswith(prefix):
            upper = upper[len(prefix):]
            break
    return upper if upper in set(names) else None


def spelt(name: str, flavour: str) -> str:
    """``name`` as the file stores it for ``flavour`` ("xlwings" or "officejs")."""
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown flavour {flavour!r}; one of {', '.join(FLAVOURS)}")
    return name if flavour == "xlwings" else STORED_PREFIX + name


def rewrite(formula: str, flavour: str, names: Iterable[str]) -> str:
    """``formula`` with every call of a function in ``names`` spelt for ``flavour``."""
    known = set(names)

    def one(m: re.Match[str]) -> str:
        if m.group("text") is not None:
            return m.group(0)
        name = canonical(m.group("name"), known)
        return m.group(0) if name is None else spelt(name, flavour)

    return _TOKEN.sub(one, formula)
