"""Output a person reads.

Owns plain-text tables, colour (only where the terminal supports it and
NO_COLOR is not set) and the JSON form of CLI output.
"""
from __future__ import annotations

import json
import os
import sys
import unicodedata
from typing import Any, Iterable, TextIO

_COLOURS = {"red": "31", "green": "32", "yellow": "33", "bold": "1", "dim": "2"}


def colour_enabled(stream: TextIO | None = None) -> bool:
    """Colours only on a terminal (standard output as it is now, unless told), never with NO_COLOR."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    target = stream or sys.stdout
    try:
        return bool(getattr(target, "isatty", lambda: False)())
    except ValueError:  # a closed stream
        return False


def paint(text: str, colour: str, stream: TextIO | None = None) -> str:
    """``text`` in colour where the stream is a terminal that shows colour (and NO_COLOR is not set)."""
    return f"\033[{_COLOURS[colour]}m{text}\033[0m" if colour_enabled(stream) else text


def width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: list[str], rows: Iterable[Iterable[Any]], max_width: int = 60) -> str:
    """Rows as an aligned text table for a person to read."""
    body = [[_cell(v, max_width) for v in row] for row in rows]
    widths = [max([width(h)] + [width(r[i]) for r in body]) for i, h in enumerate(headers)]
    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths)).rstrip()
    out = [line(headers), line(["-" * w for w in widths])] + [line(r) for r in body]
    return "\n".join(out)


def _cell(value: Any, max_width: int) -> str:
    text = "" if value is None else str(value)
    if width(text) <= max_width:
        return text
    while width(text) > max_width - 1:  # cut by display width: a CJK character takes two columns
        text = text[:-1]
    return text + "…"


def dump_json(data: Any, stream: TextIO | None = None) -> None:
    """``data`` as indented JSON on ``stream`` (standard output as it is at the time of the call)."""
    (stream or sys.stdout).write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 file``, ``2 files``, ``1,500 errors``: a count with its thousands separated and the word agreeing."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
