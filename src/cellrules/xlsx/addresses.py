"""A1 references: column letters and numbers, cell addresses."""
from __future__ import annotations

from functools import lru_cache

MAX_ROW, MAX_COL = 1_048_576, 16_384


@lru_cache(maxsize=4096)
def col_index(letters: str) -> int:
    """A column's number from its letters (A = 1)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


@lru_cache(maxsize=4096)
def col_letters(index: int) -> str:
    """A column's letters from its number (1 = A)."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def address(row: int, col: int) -> str:
    """A cell's A1 address."""
    return f"{col_letters(col)}{row}"
