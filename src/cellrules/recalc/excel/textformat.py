"""Excel's number formats, as the TEXT function applies them.

Owns the reading of a format code — up to four sections (positive;
negative; zero; text), conditions such as ``[<10]``, colours and locales
(ignored), quoted and escaped literals, ``_x`` spaces and ``*x`` fills — and
the rendering of a value through it: digit placeholders ``0 # ?`` with
thousands separators, scaling commas and percent signs, decimals, scientific
notation (``0.0E+00``, exponents in multiples of the integer placeholders),
simple fractions (``# ?/?``), dates and times (``yyyy mmm dd hh:mm:ss.000
AM/PM``), elapsed times (``[h]:mm``, ``[m]``, ``[s]``), the text section
(``@``) and Excel's 11-character General. What it cannot read is #VALUE!
with the reason.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from cellrules.errors import ExcelError
from cellrules.recalc.excel.dates import to_date
from cellrules.recalc.values.scalars import err, num, text

_CONDITION = re.compile(r"\[\s*(<=|>=|<>|<|>|=)\s*(-?\s*[\d.]+(?:[eE][+-]?\d+)?)\s*\]")
_DATE_CODES = re.compile(r"(?i)yyyy|yy|y|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|e|b")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


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


# -- choosing a section -------------------------------------------------------------------
def _meets(cond: tuple[str, float], x: float) -> bool:
    op, v = cond
    return {"<": x < v, ">": x > v, "=": x == v, "<=": x <= v, ">=": x >= v, "<>": x != v}[op]


def _choose(sections: list[Section], x: float) -> tuple[Section | None, float, bool]:
    """(section, value to show, prefix a minus?) for a number."""
    numeric = sections[:3]
    if any(s.condition for s in numeric):
        for s in numeric:
            if s.condition is None or _meets(s.condition, x):
                return s, abs(x), x < 0
        return None, x, False
    if len(numeric) == 1 or x > 0 or x == 0 and len(numeric) < 3:
        return numeric[0], abs(x), x < 0 and len(numeric) == 1
    if x < 0:
        return numeric[1], abs(x), False
    return numeric[2], 0.0, False


# -- numbers ---------------------------------------------------------------------------
_WIDE = Context(prec=400)  # room for every digit of a double (1E+300 formatted "0" has 301)


def _round(x: float, places: int) -> Decimal:
    return Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_WIDE)


def _integer_field(digits: str, phs: list[str], group: bool) -> str:
    """The integer digits right-aligned into the placeholders (extra digits go left), padded per
    placeholder ('0' zero, '?' space, '#' nothing), with thousands separators when ``group``."""
    digits = "" if digits == "0" and phs and all(p == "#" for p in phs) else digits
    cells = list(digits)
    pads = [{"0": "0", "?": " ", "#": ""}[p] for p in phs[: max(len(phs) - len(digits), 0)]]
    full = pads + cells  # left to right; pads may be ''
    if not group:
        return "".join(full)
    out: list[str] = []
    for k, ch in enumerate(reversed(full)):
        if k and k % 3 == 0:
            left = ch
            out.append("," if left.isdigit() else (" " if left == " " else ""))
        out.append(ch)
    return "".join(reversed(out))


def _decimals(frac: str, phs: list[str]) -> str:
    out = list(frac)
    for k in range(len(phs) - 1, -1, -1):  # trailing zeros: '#' drops them, '?' makes them spaces
        if out[k] != "0" or phs[k] == "0":
            break
        out[k] = "" if phs[k] == "#" else " "
    return "".join(out)


def _number(section: Section, x: float) -> str:
    toks = section.tokens
    kinds = [k for k, _ in toks]
    if "slash" in kinds and kinds.count("ph") > 1:
        return _fraction(section, x)
    exp_at = kinds.index("exp") if "exp" in kinds else len(toks)
    dot_at = kinds.index("dot") if "dot" in kinds[:exp_at] else exp_at
    phs_all = [i for i, k in enumerate(kinds[:exp_at]) if k == "ph"]
    last_ph = phs_all[-1] if phs_all else -1
    scientific = exp_at < len(toks)
    x *= 1 if scientific else 100 ** kinds.count("pct")
    scale_commas = sum(1 for i in range(last_ph + 1, exp_at) if kinds[i] == "comma") if last_ph >= 0 else 0
    if last_ph >= 0 and last_ph < dot_at:  # commas right after the integer digits, before the point
        scale_commas = 0
        j = last_ph + 1
        while j < len(kinds) and kinds[j] == "comma":
            scale_commas += 1
            j += 1
    x /= 1 if scientific else 1000 ** scale_commas
    int_phs = [toks[i][1] for i in phs_all if i < dot_at]
    if scientific and x == 0:
        int_phs = ["0"] * len(int_phs)  # Excel shows every integer place of a zero mantissa
    dec_phs = [toks[i][1] for i in phs_all if i > dot_at]
    first_ph = phs_all[0] if phs_all else None
    group = first_ph is not None and any(
        kinds[i] == "comma" for i in range(first_ph + 1, dot_at)
        if i <= (max(p for p in phs_all if p < dot_at) if int_phs else -1))
    exponent_text = ""
    if exp_at < len(toks):
        x, exponent_text = _scientific(x, len(int_phs), toks[exp_at][1], [t for k, t in toks[exp_at + 1:] if k == "ph"])
    value = _round(x, len(dec_phs))
    whole, _, frac = f"{value:f}".partition(".")
    if not int_phs and whole == "0":
        whole = ""  # .00 shows 0.12 as .12
    int_at = [i for i in range(dot_at) if kinds[i] == "ph"]
    if int_at and any(kinds[i] == "lit" for i in range(int_at[0], int_at[-1])):
        return _interleaved(toks, int_at, whole, exp_at, dot_at, frac, dec_phs, exponent_text)
    body = _integer_field(whole, int_phs, group) + ("." if "dot" in kinds[:exp_at] else "") + \
        _decimals(frac.ljust(len(dec_phs), "0")[: len(dec_phs)], dec_phs)
    return _assemble(toks, exp_at, body, exponent_text)


def _interleaved(toks: list[tuple[str, str]], int_at: list[int], whole: str, exp_at: int, dot_at: int, frac: str,
                 dec_phs: list[str], exponent_text: str) -> str:
    """Integer digits filled right to left into placeholders that have literals between them (000-0000)."""
    digits, filled = list(whole if whole != "0" or toks[int_at[-1]][1] == "0" else ""), {}
    for k, i in enumerate(reversed(int_at)):
        pad = {"0": "0", "?": " ", "#": ""}[toks[i][1]]
        filled[i] = digits.pop() if digits else pad
        if k == len(int_at) - 1 and digits:  # the leftmost placeholder takes every extra digit
            filled[i] = "".join(digits) + filled[i]
    head = "".join(filled.get(i, t if kind == "lit" else "") for i, (kind, t) in enumerate(toks[:dot_at]))
    tail = _assemble(toks[dot_at:], exp_at - dot_at, ("." if dot_at < exp_at else "") +
                     _decimals(frac.ljust(len(dec_phs), "0")[: len(dec_phs)], dec_phs), exponent_text)
    return head + tail


def _assemble(toks: list[tuple[str, str]], exp_at: int, body: str, exponent_text: str) -> str:
    """Literals before the first placeholder, the number, literals between, the exponent, literals after."""
    out, placed, exp_placed = [], False, False
    for i, (kind, t) in enumerate(toks):
        if kind in ("ph", "dot", "comma") and i < exp_at:
            if not placed:
                out.append(body)
                placed = True
        elif kind == "exp":
            out.append(t[0])
        elif kind == "ph" and i > exp_at:
            if not exp_placed:
                out.append(exponent_text)
                exp_placed = True
        elif kind == "pct":
            out.append("%")
        elif kind in ("lit", "slash"):
            out.append(t)
        elif kind == "date":
            out.append(t)
    return "".join(out) if placed else "".join(out) + body


def _scientific(x: float, int_places: int, sign_code: str, exp_phs: list[str]) -> tuple[float, str]:
    step = max(int_places, 1)
    exponent = 0 if x == 0 else math.floor(math.log10(abs(x)) / step) * step
    if x and abs(x) / 10.0 ** exponent >= 10.0 ** step:
        exponent += step
    mantissa = x / 10.0 ** exponent if x else 0.0
    digits = str(abs(exponent))
    zeros = sum(1 for p in exp_phs if p == "0")
    spaces = sum(1 for p in exp_phs if p == "?")
    digits = digits.rjust(zeros, "0")
    digits = digits.rjust(zeros + spaces, " ") if spaces else digits
    sign = "-" if exponent < 0 else ("+" if sign_code[1] == "+" else "")
    return mantissa, sign + digits


def _fraction(section: Section, x: float) -> str:
    """``# ?/?``-style fractions: a whole part when the code has one, the closest fraction whose
    denominator fits its placeholders (or the fixed denominator written)."""
    toks = section.tokens
    kinds = [k for k, _ in toks]
    slash = kinds.index("slash")
    den_text = "".join(t for k, t in toks[slash + 1:] if k in ("ph", "lit") and (k == "ph" or t.isdigit()))
    num_end = max(i for i in range(slash) if kinds[i] == "ph")
    num_start = num_end
    while num_start - 1 >= 0 and kinds[num_start - 1] == "ph":
        num_start -= 1
    has_whole = any(k == "ph" for k in kinds[:num_start])
    whole = int(x) if has_whole else 0
    rest = x - whole
    if den_text.isdigit() and den_text.strip("0?#") == den_text and "?" not in den_text:
        den = int(den_text)
        numer = int(_round(rest * den, 0))
    else:
        limit = 10 ** sum(1 for k, t in toks[slash + 1:] if k == "ph") - 1
        numer, den = _closest(rest, max(limit, 1))
    if numer == den and has_whole:
        whole, numer = whole + 1, 0
    parts = [str(whole) if has_whole and (whole or numer == 0) else "", f"{numer}/{den}" if numer else ""]
    if not has_whole and numer == 0:
        parts[1] = f"0/{den}" if den else "0"
    first_ph = kinds.index("ph")
    return "".join(t for k, t in toks[:first_ph] if k == "lit") + (" ".join(p for p in parts if p) or "0") + \
        "".join(t for k, t in toks[slash + 1:] if k == "lit" and not t.isdigit())


def _closest(x: float, limit: int) -> tuple[int, int]:
    best = (round(x), 1)
    for den in range(1, limit + 1):
        numer = round(x * den)
        if abs(x - numer / den) < abs(x - best[0] / best[1]) - 1e-12:
            best = (numer, den)
    return best


# -- dates and times -------------------------------------------------------------------------
def _moment(x: float) -> dt.datetime | ExcelError:
    if not 0 <= x < 2958466:
        return err("#VALUE!", "not a date Excel can show")
    day = to_date(math.floor(x))
    if isinstance(day, ExcelError):
        return day
    return dt.datetime(day.year, day.month, day.day) + dt.timedelta(seconds=(x - math.floor(x)) * 86400)


def _datetime(section: Section, x: float) -> str:
    toks = section.tokens
    frac_places = 0
    for i, (kind, t) in enumerate(toks):
        if kind == "dot" and i + 1 < len(toks) and toks[i + 1] == ("ph", "0"):
            j = i + 1
            while j < len(toks) and toks[j] == ("ph", "0"):
                j += 1
            frac_places = j - i - 1
    seconds = abs(x) * 86400
    seconds = float(_round(seconds, frac_places)) if frac_places else float(_round(seconds, 0))
    negative = x < 0
    elapsed = {t.lower()[0] for k, t in toks if k == "elapsed"}
    if negative and not elapsed:
        raise FormatError("a negative date or time")
    moment = _moment(seconds / 86400) if not negative else None
    if isinstance(moment, ExcelError):
        raise FormatError(moment.reason)
    ampm = any(k == "date" and t.lower() in ("am/pm", "a/p") for k, t in toks)
    out: list[str] = []
    for i, (kind, t) in enumerate(toks):
        if kind == "date" and t.lower()[0] in elapsed and t.lower()[0] in "hs" or \
                kind == "date" and "m" in elapsed and t.lower() in ("m", "mm") and _minute_context(i, toks):
            kind = "elapsed"  # beside [h] an h shows the total hours too (and [m], [s] likewise)
        out.append(_date_token(kind, t, i, toks, moment, seconds, ampm, frac_places))
    return ("-" if negative else "") + "".join(out)


def _minute_context(i: int, toks: list[tuple[str, str]]) -> bool:
    before = [t.lower() for k, t in toks[:i] if k in ("date", "elapsed")]
    after = [t.lower() for k, t in toks[i + 1:] if k in ("date", "elapsed")]
    return bool(before and before[-1][0] in "hs" or after and after[0][0] == "s")


def _date_token(kind: str, t: str, i: int, toks: list[tuple[str, str]], moment: dt.datetime | None,
                seconds: float, ampm: bool, frac_places: int) -> str:
    low = t.lower()
    whole_seconds = int(seconds)
    if kind == "elapsed":
        total = {"h": whole_seconds // 3600, "m": whole_seconds // 60, "s": whole_seconds}[low[0]]
        return str(total).rjust(len(low), "0")
    if kind == "dot":
        return "." if frac_places and i + 1 < len(toks) and toks[i + 1] == ("ph", "0") else t
    if kind == "ph":
        before = "".join(tt for _, tt in toks[:i])
        dot = before.rfind(".")
        position = len(before) - dot
        if dot >= 0 and frac_places:
            fraction = f"{seconds - whole_seconds:.{frac_places}f}".split(".")[1]
            return fraction[position - 1] if position - 1 < len(fraction) else "0"
        return t
    if kind != "date":
        return {"pct": "%", "comma": ",", "slash": "/", "at": "@"}.get(kind, t)
    h, mi, s = whole_seconds // 3600 % 24, whole_seconds // 60 % 60, whole_seconds % 60
    if moment is None and low[0] not in "hms":
        raise FormatError("a negative date")
    if low in ("am/pm", "a/p"):
        mark = "AM" if h < 12 else "PM"
        return (mark if low == "am/pm" else mark[0]) if t[0].isupper() else (mark.lower() if low == "am/pm" else mark[0].lower())
    if low[0] == "h":
        hour = (h % 12 or 12) if ampm else h
        return str(hour).rjust(len(low[:2]), "0")
    if low[0] == "s":
        return str(s).rjust(len(low[:2]), "0")
    if low[0] == "m" and len(low) <= 2 and _minute_context(i, toks):
        return str(mi).rjust(len(low), "0")
    if low[0] == "m" and moment is not None:
        return {1: str(moment.month), 2: f"{moment.month:02d}", 3: _MONTHS[moment.month - 1][:3],
                4: _MONTHS[moment.month - 1], 5: _MONTHS[moment.month - 1][0]}[len(low)]
    if moment is None:
        raise FormatError("a negative date")
    if low[0] == "y" or low == "e":
        return f"{moment.year % 100:02d}" if len(low) <= 2 and low != "e" else str(moment.year)
    if low[0] == "d":
        return {1: str(moment.day), 2: f"{moment.day:02d}", 3: _DAYS[moment.weekday()][:3]}.get(len(low),
                                                                                                _DAYS[moment.weekday()])
    return t


def _is_date(section: Section) -> bool:
    return any(k in ("date", "elapsed") for k, _ in section.tokens)


# -- General and text ---------------------------------------------------------------------------
def general11(x: float) -> str:
    """General as TEXT shows it: at most 11 characters (sign aside), scientific beyond."""
    a = abs(x)
    sign = "-" if x < 0 else ""
    if a == 0:
        return "0"
    if 1e-9 <= a < 1e11:
        int_digits = len(str(int(a))) if a >= 1 else 1
        places = max(0, 10 - int_digits)
        shown = f"{_round(a, places):f}"
        shown = shown.rstrip("0").rstrip(".") if "." in shown else shown
        if len(shown) <= 11 and float(shown) != 0:
            return sign + shown
    mantissa, exponent = f"{a:.5E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{sign}{mantissa}E{exponent[0]}{int(exponent[1:]):02d}"


def _text_section(section: Section, value: str) -> str:
    return "".join(value if k in ("at", "general") else ({"pct": "%", "comma": ",", "slash": "/", "dot": "."}.get(k, t))
                   for k, t in section.tokens)


def _for_text(sections: list[Section], value: str) -> str:
    if len(sections) == 4:
        return _text_section(sections[3], value)
    first = sections[0]
    if len(sections) == 1 and ("at" in first.kinds or not first.kinds & {"ph", "date", "elapsed", "exp", "general"}):
        return _text_section(first, value)
    return value


def format_value(value: Any, fmt: Any) -> Any:
    """TEXT(value, fmt)."""
    if isinstance(value, ExcelError):
        return value
    code = text(fmt)
    if isinstance(code, ExcelError):
        return code
    try:
        sections = parse(code)
        if isinstance(value, (str, bool)) or value is None and False:
            shown = text(value)
            x = num(value) if isinstance(value, str) else shown
            if isinstance(value, bool) or isinstance(x, ExcelError):
                return _for_text(sections, shown)
            value = x
        x = num(value)
        if isinstance(x, ExcelError):
            return x
        if code.strip().lower() == "general" or code == "":
            return general11(x) if code else ""
        section, shown_value, minus = _choose(sections, x)
        if section is None or section.kinds <= {"lit"} and "general" in code.lower():
            return general11(x)
        if _is_date(section):
            out = _datetime(section, -shown_value if minus else shown_value)
            return out
        if "general" in section.kinds:
            return ("-" if minus else "") + "".join(general11(shown_value) if k == "general" else t
                                                    for k, t in section.tokens if k in ("lit", "general"))
        if not section.kinds & {"ph"} and "at" not in section.kinds:
            return ("-" if minus else "") + "".join(t for k, t in section.tokens if k == "lit")
        return ("-" if minus else "") + _number(section, shown_value)
    except (FormatError, IndexError, KeyError, ValueError, ArithmeticError) as exc:
        return err("#VALUE!", f"TEXT format '{code}' is not supported ({exc})")
