"""Workbook templates sales and finance start from: ``cellrules templates [OUTDIR]``.

Owns the list of templates and writing them; one module per template builds
its sheets, formulas, formats, validation and charts with openpyxl, and
``common.save`` makes the output deterministic (the committed copies in
``workbook_templates/`` are checked against a fresh build by a test).
"""
from __future__ import annotations

from pathlib import Path

from cellrules.templates import commission, profitability, prospects, receivables, tiers

TEMPLATES = {
    "customer_tiers.xlsx": tiers.build,
    "customer_profitability.xlsx": profitability.build,
    "prospect_scoring.xlsx": prospects.build,
    "receivables_dunning.xlsx": receivables.build,
    "commission_calculator.xlsx": commission.build,
}


def build_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [build(folder / name) for name, build in TEMPLATES.items()]
