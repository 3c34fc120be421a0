"""Workbook templates sales and finance start from: ``cellrules templates [OUTDIR]``.

Owns the list of templates and writing them; one module per template builds
its sheets, formulas, formats, validation and charts with openpyxl, and
``common.save`` makes the output deterministic. Every template is then
recalculated headless (``TODAY()`` as of the templates' fixed date), so any
reader — pandas, LibreOffice, Excel without the add-in — sees values, not
empty cells; and it is written in two flavours: ``OUTDIR/`` for the xlwings
add-in (``=TIER(...)``) and ``OUTDIR/officejs/`` for the Office.js add-in
(``=CELLRULES.TIER(...)``). The committed copies in ``workbook_templates/``
are checked against a fresh build by a test.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from cellrules.recalc.batch.convert import convert_file
from cellrules.xlsx.serials import today_is
from cellrules.recalc.batch.run import recalc_file
from cellrules.templates import commission, profitability, prospects, receivables, statement, tiers
from cellrules.templates.common import FIXED

TEMPLATES = {
    "customer_tiers.xlsx": tiers.build,
    "customer_profitability.xlsx": profitability.build,
    "prospect_scoring.xlsx": prospects.build,
    "receivables_dunning.xlsx": receivables.build,
    "commission_calculator.xlsx": commission.build,
    "commission_statement.xlsx": statement.build,
}
OFFICEJS = "officejs"


class TemplateError(RuntimeError):
    """A template did not recalculate cleanly: a bug in the template or in the shipped rules."""


def finish(built: Path, target: Path) -> list[Path]:
    """Recalculate ``built`` into ``target`` (xlwings flavour) and write its Office.js twin beside it."""
    with today_is(FIXED.date()):
        report = recalc_file(str(built), str(target), audit_trail=False)  # no path of this machine in a template
    if not report.ok or report.unsupported:
        raise TemplateError(f"{target.name}: {report.problem or report.unsupported}")
    twin = target.parent / OFFICEJS / target.name
    twin.parent.mkdir(parents=True, exist_ok=True)
    convert_file(str(target), str(twin), "officejs")
    return [target, twin]


def build_all(folder: Path) -> list[Path]:
    """Write every template, recalculated, in both flavours; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, build in TEMPLATES.items():
            written += finish(build(Path(scratch) / name), folder / name)
    return written
