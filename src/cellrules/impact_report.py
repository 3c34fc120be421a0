"""How an impact report is shown: tables for a terminal, and a self-contained HTML page.

Owns :func:`text` (what ``cellrules diff`` prints) and :func:`html` (``--html
report.html``: the policy changes, the totals before and after as bars, the
movements between categories, the changed cells — one file, no scripts, no
outside resources, the same bytes for the same report).
"""
from __future__ import annotations

from html import escape
from typing import Any

from cellrules.report import plural, table


def _pct(change: float | None) -> str:
    return "" if change is None else f"{change * 100:+.1f}%"


def _money(value: Any) -> str:
    """A number as a person reads it: thousands separated, no float noise (14,999.85, not 14999.849999999999)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    shown = float(f"{value:.10g}")
    return f"{shown:,.0f}" if shown == int(shown) and abs(shown) < 1e15 else f"{shown:,}"


def _value(cell: dict[str, Any], side: str) -> str:
    """A changed cell's old or new value as its workbook shows it (its number format), else as a number."""
    return cell.get(f"{side}_shown") or _money(cell[side])


def _total(t: dict[str, Any], side: str) -> str:
    return _money(t[side]) if t["numbers"] else "-"


VERSION_HEADERS = ["rules", "policy", "version", "sha256", "cells"]


def _versions(book: dict[str, Any]) -> list[list[Any]]:
    """The audit trail of both computations: every policy version that computed a cell, with its count."""
    return [[side, v["policy"], v["version"], v["sha256"][:12], f"{v['cells']:,}"]
            for side in ("old", "new") for v in book.get("versions", {}).get(side, [])]


def text(report: dict[str, Any]) -> str:
    """The report as a person reads it in a terminal."""
    lines = [f"Policy changes ({report['old']} → {report['new']})"]
    for p in report["policies"] or [{"file": "(none)", "change": "no policy changed", "details": []}]:
        lines.append(f"  {p['file']}: {p['change']}")
        lines += [f"    {d}" for d in p["details"]]
    for book in report.get("workbooks", []):
        lines.append("")
        if book.get("problem"):
            lines.append(f"{book['workbook']}: not recalculated: {book['problem']}")
            continue
        lines.append(f"{book['workbook']}: {len(book['changed']):,} of {plural(book['cells'], 'cellrules cell')} "
                     f"change{'s' if len(book['changed']) == 1 else ''}")
        if book["totals"]:
            lines.append(table(["function", "cells", "changed", "total before", "total after", "change"],
                               [(t["function"], t["cells"], t["changed"], _total(t, "before"), _total(t, "after"),
                                 _pct(t["change"]) if t["numbers"] else "") for t in book["totals"]]))
        if _versions(book):
            lines.append(table(VERSION_HEADERS, _versions(book)))
        if book["movements"]:
            lines.append(table(["function", "from", "to", "cells"],
                               [(m["function"], m["from"], m["to"], m["count"]) for m in book["movements"]]))
        if book["changed"]:
            lines.append(table(["cell", "row", "function", "old", "new"],
                               [(c["cell"], c.get("key", ""), c["function"], _value(c, "old"), _value(c, "new"))
                                for c in book["changed"][:50]]))
            if len(book["changed"]) > 50:
                lines.append(f"… and {len(book['changed']) - 50:,} more (--json lists them all)")
    if "examples" in report:
        lines.append("")
        lines.append(f"Examples whose answer changes: {len(report['examples'])}")
        if report["examples"]:
            lines.append(table(["example", "call", "old", "new"],
                               [(e["example"], e["call"], _money(e["old"]), _money(e["new"])) for e in report["examples"]]))
    return "\n".join(lines)


def _bars(totals: list[dict[str, Any]]) -> str:
    """Totals before and after, as pairs of horizontal bars (SVG)."""
    if not totals:
        return ""
    rows, y = [], 10
    for t in totals:  # each function on its own scale: a small total is not a sliver beside COMMISSION's
        top = max(abs(t["before"]), abs(t["after"])) or 1.0
        for label, value, colour in (("before", t["before"], "#9db4cc"), ("after", t["after"], "#1f4e78")):
            width = 420 * abs(value) / top
            rows.append(f'<text x="0" y="{y + 12}" font-size="12">{escape(t["function"])} {label}</text>'
                        f'<rect x="190" y="{y}" width="{width:.1f}" height="16" fill="{colour}"/>'
                        f'<text x="{195 + width:.1f}" y="{y + 12}" font-size="12">{_money(value)}</text>')
            y += 20
        y += 8
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="760" height="{y}" role="img">{"".join(rows)}</svg>'


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html(report: dict[str, Any]) -> str:
    """The report as one self-contained HTML page."""
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>cellrules impact report</title>",
             "<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#1f4e78;color:#fff}"
             "h1{color:#1f4e78}.up{color:#8b0000}.down{color:#006400}</style></head><body>",
             "<h1>Impact of the policy change</h1>",
             f"<p>{escape(report['old'])} → {escape(report['new'])}</p><h2>What changed in the rules</h2><ul>"]
    for p in report["policies"]:
        parts.append(f"<li><b>{escape(p['file'])}</b>: {escape(p['change'])}<ul>"
                     + "".join(f"<li>{escape(d)}</li>" for d in p["details"]) + "</ul></li>")
    parts.append("</ul>")
    for book in report.get("workbooks", []):
        parts.append(f"<h2>{escape(book['workbook'])}</h2>")
        if book.get("problem"):
            parts.append(f"<p>Not recalculated: {escape(book['problem'])}</p>")
            continue
        parts.append(f"<p>{len(book['changed'])} of {book['cells']} cellrules cells change.</p>")
        parts.append(_table(["function", "cells", "changed", "total before", "total after", "change"],
                            [[t["function"], t["cells"], t["changed"], _total(t, "before"), _total(t, "after"),
                              _pct(t["change"]) if t["numbers"] else ""] for t in book["totals"]]))
        parts.append(_bars([t for t in book["totals"] if t["numbers"]]))
        if _versions(book):
            parts.append("<h3>Policy versions that computed the cells</h3>" + _table(VERSION_HEADERS, _versions(book)))
        if book["movements"]:
            parts.append("<h3>Movements</h3>" + _table(["function", "from", "to", "cells"],
                                                       [[m["function"], m["from"], m["to"], m["count"]]
                                                        for m in book["movements"]]))
        parts.append("<h3>Cells</h3>" + _table(["cell", "row", "function", "old", "new"],
                                               [[c["cell"], c.get("key", ""), c["function"], _value(c, "old"), _value(c, "new")]
                                                for c in book["changed"][:500]]))
    if "examples" in report:
        parts.append("<h2>Examples whose answer changes</h2>" + _table(
            ["example", "call", "old", "new"], [[e["example"], e["call"], e["old"], e["new"]]
                                                for e in report["examples"]]))
    parts.append("</body></html>\n")
    return "".join(parts)
