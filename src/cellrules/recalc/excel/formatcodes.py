"""Excel's number format codes read: up to four sections (positive; negative; zero; text), each with its
condition, colour, literal text and the tokens of a number, a fraction, a date or a time."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal


_CONDITION = re.compile(r"\[\s*(<=|>=|<>|<|>|=)\s*(-?\s*[\d.]+(?:[eE][+-]?\d+)?)\s*\]")
_DATE_CODES = re.compile(r"(?i)am/pm|a/p|y+|m+|d+|h+|s+|e|b")  # a run of one letter is one token: yyy is a year


@dataclass
class Section:
    """One section of a number format (``0.00;[Red]-0.00``): its tokens and condition."""

    tokens: list[tuple[str, str]] = field(default_factory=list)  # (kind, text): lit, ph, dot, comma, pct, exp, slash, at, date, elapsed
    condition: tuple[str, float] | None = None

    @property
    def kinds(self) -> set[str]:
        """The kinds of token the section holds."""
        return {k for k, _ in self.tokens}


class FormatError(ValueError):
    """A format code TEXT cannot apply."""


# -- reading a format code -------------------------------------------------------------
def _split(code: str) -> list[str]:
    parts, current, i, quoted = [], [], 0, False
    while i < len(code):
        ch = code[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "\\" and not quoted and i + 1 < len(code):
            current.append(code[i: i + 2])
            i += 2
            continue
        elif ch == ";" and not quoted:
            parts.append("".join(current))
            current = []
            i += 1
            continue
        current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def _bracket(body: str, section: Section) -> None:
    m = _CONDITION.fullmatch(f"[{body}]")
    if m:
        section.condition = (m.group(1), float(m.group(2).replace(" ", "")))
    elif re.fullmatch(r"(?i)h+|m+|s+", body):
        section.tokens.append(("elapsed", body.lower()))
    elif body.startswith("$"):
        symbol = body[1:].split("-")[0]
        if symbol:
            section.tokens.append(("lit", symbol))
    # colours ([Red], [Color10]) and other brackets change nothing in TEXT


def _parse(part: str) -> Section:
    section, i = Section(), 0
    while i < len(part):
        ch = part[i]
        if ch == '"':
            end = part.find('"', i + 1)
            end = len(part) if end < 0 else end
            section.tokens.append(("lit", part[i + 1: end]))
            i = end + 1
        elif ch == "\\" and i + 1 < len(part):
            section.tokens.append(("lit", part[i + 1]))
            i += 2
        elif ch == "[":
            end = part.find("]", i)
            if end < 0:
                raise FormatError("an unclosed [")
            _bracket(part[i + 1: end], section)
            i = end + 1
        elif ch == "_" and i + 1 < len(part):
            section.tokens.append(("lit", " "))
            i += 2
        elif ch == "*" and i + 1 < len(part):
            i += 2  # a fill character: nothing in TEXT's result
        elif part[i: i + 7].lower() == "general":
            section.tokens.append(("general", part[i: i + 7]))
            i += 7
        elif ch in "0#?":
            section.tokens.append(("ph", ch))
            i += 1
        elif ch in ".,%/@":
            section.tokens.append(({".": "dot", ",": "comma", "%": "pct", "/": "slash", "@": "at"}[ch], ch))
            i += 1
        elif ch in "eE" and i + 1 < len(part) and part[i + 1] in "+-":
            section.tokens.append(("exp", part[i: i + 2]))
            i += 2
        else:
            m = _DATE_CODES.match(part, i)
            if m and (m.group(0).lower() not in ("e", "b") or _has_date(part)):
                section.tokens.append(("date", m.group(0)))
                i = m.end()
            else:
                section.tokens.append(("lit", ch))
                i += 1
    return section


def _has_date(part: str) -> bool:
    return bool(re.search(r"(?i)[ydhs]|m", re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", part)))


def parse(code: str) -> list[Section]:
    """A number format code split into its sections."""
    sections = [_parse(p) for p in _split(code)]
    if len(sections) > 4:
        raise FormatError("more than four sections")
    return sections


_WIDE = Context(prec=400)  # room for every digit of a double (1E+300 formatted "0" has 301)


def rounded(x: float, places: int) -> Decimal:
    """x to ``places`` decimals, halves away from zero (as Excel shows numbers), exactly."""
    return Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_WIDE)
