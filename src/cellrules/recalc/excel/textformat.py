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

import math
from typing import Any

from cellrules.errors import ExcelError
from cellrules.recalc.values.scalars import err, num, text
from cellrules.recalc.excel.formatcodes import FormatError, Section, parse, rounded
from cellrules.recalc.excel.dateformat import datetime_text, is_date

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
    value = rounded(x, len(dec_phs))
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
        numer = int(rounded(rest * den, 0))
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


# -- General and text ---------------------------------------------------------------------------
def general11(x: float) -> str:
    """General as TEXT shows it: at most 11 characters (sign aside), scientific beyond."""
    a = abs(x)
    sign = "-" if x < 0 else ""
    if a == 0:
        return "0"
    mantissa, exponent = f"{a:.5E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".")
    scientific = f"{sign}{mantissa}E{exponent[0]}{int(exponent[1:]):02d}"
    if 1e-9 <= a < 1e11:
        int_digits = len(str(int(a))) if a >= 1 else 1
        places = max(0, 10 - int_digits)
        shown = f"{rounded(a, places):f}"
        shown = shown.rstrip("0").rstrip(".") if "." in shown else shown
        if len(shown) <= 11 and float(shown) != 0 and _significant(shown) >= _significant(mantissa):
            return sign + shown  # fixed unless it shows fewer digits than scientific (2.5E-09, not 0.000000003)
    return scientific


def _significant(digits: str) -> int:
    return len(digits.replace(".", "").lstrip("0").rstrip("0")) if "." in digits else len(digits.strip("0"))


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
        if is_date(section):
            if any(k == "ph" and t in "#?" for k, t in section.tokens):
                raise FormatError("a date or time format with number placeholders")
            return datetime_text(section, -shown_value if minus else shown_value)
        if "general" in section.kinds:
            return ("-" if minus else "") + "".join(general11(shown_value) if k == "general" else t
                                                    for k, t in section.tokens if k in ("lit", "general"))
        if not section.kinds & {"ph"} and "at" not in section.kinds:
            return ("-" if minus else "") + "".join(t for k, t in section.tokens if k == "lit")
        body = _number(section, shown_value)
        return ("-" if minus and body != _number(section, 0.0) else "") + body  # -0.3 as "0" has no sign
    except (FormatError, IndexError, KeyError, ValueError, ArithmeticError) as exc:
        return err("#VALUE!", f"TEXT format '{code}' is not supported ({exc})")
