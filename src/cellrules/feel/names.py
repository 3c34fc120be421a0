"""The names in scope of a FEEL expression: how a name is keyed (:func:`normalise`), the built-in names of
several words, and :class:`Names`, which tells the parser where a name of several words ends."""
from __future__ import annotations

import bisect
from typing import Iterable


def normalise(name: str) -> str:
    """A name as scopes key it: runs of white space as one space."""
    return " ".join(name.split())


#: Built-in names made of several words (single words need no listing: a word is always a name).
BUILTIN_NAMES = (
    "date and time", "years and months duration", "days and time duration", "string length", "upper case",
    "lower case", "substring before", "substring after", "starts with", "ends with", "string join",
    "list contains", "insert before", "index of", "distinct values", "get value", "get entries", "context put",
    "context merge", "round up", "round down", "round half up", "round half down", "day of year", "day of week",
    "month of year", "week of year", "list replace", "time offset", "start included", "end included",
    "overlaps before", "overlaps after", "met by", "started by", "finished by", "string join",
)


class Names:
    """The names in scope, for telling where a name of several words ends (prefix look-ups by bisection)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.known = {normalise(n) for n in names if n} | set(BUILTIN_NAMES)
        self.sorted = sorted(self.known)

    def with_(self, more: Iterable[str]) -> "Names":
        """These names and more (a loop's variable, a context's entries)."""
        return Names(self.known | {normalise(n) for n in more})

    def prefix(self, text: str) -> bool:
        """Whether some known name starts with ``text``."""
        i = bisect.bisect_left(self.sorted, text)
        return i < len(self.sorted) and self.sorted[i].startswith(text)
