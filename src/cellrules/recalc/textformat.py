"""Excel's TEXT function for the common number and date formats.

Owns format codes such as ``0``, ``0.00``, ``#,##0``, ``#,##0.00``, ``0%``,
``0.0%``, ``yyyy-mm-dd``, ``dd/mm/yyyy``, ``mmm yyyy``, ``@`` and ``General``;
an unsupported code gives #VALUE! with the reason.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from cellrules.errors import ExcelError
from cellrules.recalc.values import err, general, num, text

_NUMERIC = re.compile(r"^(?P<grp>#,##)?(?P<int>0+|#)(?:\.(?P<dec>0+))?(?P<pct>%)?$")
_DATE_TOKENS = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|[^ymdhs]+", re.I)
EPOCH = dt.datetime(1899, 12, 30)


def _round_half_up(x: float, places: int) -> float:
    from decimal import ROUND_HALF_UP, Decimal
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _numeric(x: float, m: re.Match) -> str:
    places = len(m.group("dec") or "")
    if m.group("pct"):
        x *= 100
    x = _round_half_up(x, places)
    body = f"{abs(x):,.{places}f}" if m.group("grp") else f"{abs(x):.{places}f}"
    if m.group("int") == "#" and body.startswith("0") and not places:
        body = body[1:]
    return ("-" if x < 0 else "") + body + ("%" if m.group("pct") else "")


def _date(x: float, fmt: str) -> str:
    moment = EPOCH + dt.timedelta(days=x)
    out = []
    tokens = _DATE_TOKENS.findall(fmt)
    for i, tok in enumerate(tokens):
        low = tok.lower()
        minute = low in ("mm", "m") and (i > 0 and tokens[i - 1].lower().startswith("h")
                                         or i + 2 < len(tokens) and tokens[i + 2].lower().startswith("s"))
        out.append({
            "yyyy": f"{moment.year:04d}", "yy": f"{moment.year % 100:02d}", "mmmm": moment.strftime("%B"),
            "mmm": moment.strftime("%b"), "mm": f"{moment.minute:02d}" if minute else f"{moment.month:02d}",
            "m": str(moment.minute) if minute else str(moment.month), "dddd": moment.strftime("%A"),
            "ddd": moment.strftime("%a"), "dd": f"{moment.day:02d}", "d": str(moment.day),
            "hh": f"{moment.hour:02d}", "h": str(moment.hour), "ss": f"{moment.second:02d}", "s": str(moment.second),
        }.get(low, tok))
    return "".join(out)


def format_value(value: Any, fmt: Any) -> Any:
    if isinstance(value, ExcelError):
        return value
    code = text(fmt)
    if isinstance(code, ExcelError):
        return code
    if code == "@":
        return text(value)
    x = num(value)
    if isinstance(x, ExcelError):
        return text(value) if isinstance(value, str) else x
    if code.lower() == "general" or code == "":
        return general(x)
    m = _NUMERIC.match(code)
    if m:
        return _numeric(x, m)
    if re.fullmatch(r"[ymdhs/\-. :,]+", code, re.I) and re.search(r"[ymd]", code, re.I):
        return _date(x, code)
    return err("#VALUE!", f"TEXT format '{code}' is not supported")
