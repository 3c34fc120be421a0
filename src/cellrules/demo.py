"""``make demo``: the main job on the shipped sample — recalculate it headless and read the result.

Owns the demo run: ``samples/customers.xlsx`` (300 customers, a formula
column per function) is recalculated into ``build/demo/`` exactly as
``cellrules recalc`` does it, the batch summary is printed, and the
recalculated workbook is read back with pandas for a summary a sales manager
would read. A few rows are checked against the per-cell functions.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from cellrules import engine, functions, impact, impact_report  # noqa: F401  (functions fills the registry)
from cellrules.recalc.batch import command as batch
from cellrules.registry import call
from cellrules.report import table

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "customers.xlsx"
OUT = ROOT / "build" / "demo"


def run(path: Path = SAMPLE, outdir: Path = OUT) -> tuple[pd.DataFrame, str]:
    """Recalculate the sample workbook into ``outdir``; (its cached values as a DataFrame, the batch summary)."""
    started = time.perf_counter()
    outdir.mkdir(parents=True, exist_ok=True)
    reports = batch.run(batch.plan([str(path)], str(outdir), False, None, True), workers=1, show_progress=False)
    text = batch.summary(reports, time.perf_counter() - started)
    if not reports[0].ok:
        raise SystemExit(text)
    df = pd.read_excel(outdir / path.name, keep_default_na=False, na_values=[""], engine="openpyxl")
    for _, row in df.head(25).iterrows():  # the cached values are what the functions return
        assert call("COMMISSION", row["Deal"], row["Deal type"], None, row["Deal date"]) == row["Commission"]
        assert call("DUNNINGSTAGE", row["Days overdue"], row["Open invoice"]) == row["Stage"]
    return df, text


def summary(df: pd.DataFrame) -> str:
    """What the demo prints: tiers, stages and commission totals, and one explained cell."""
    total = df["Purchases"].sum()
    tiers = df.groupby("Tier", sort=False).agg(customers=("Customer", "count"), purchases=("Purchases", "sum"))
    tiers = tiers.reindex([t for t in ("VIP", "Major", "Normal", "Small") if t in tiers.index])
    rows = [(t, int(r.customers), f"{r.purchases:,.0f}", f"{r.purchases / total:.0%}") for t, r in tiers.iterrows()]
    rates = pd.to_numeric(df["Profit rate"], errors="coerce")
    losers = df[(rates < 0) & df["Tier"].isin(["VIP", "Major"])]
    stages = df["Stage"].value_counts().reindex(["Current", "First notice", "Second notice", "Legal"]).fillna(0)
    out = [f"engine: {engine.NAME}", f"{len(df)} sample customers in {OUT / SAMPLE.name}, read back with pandas:", "",
           table(["tier", "customers", "purchases", "share"], rows), "",
           f"big customers (VIP/Major) losing money after cost-to-serve: {len(losers)}"
           + (f" — e.g. {losers.iloc[0]['Customer']} at {rates[losers.index[0]]:.1%}" if len(losers) else ""),
           "invoices by dunning stage: " + ", ".join(f"{k}: {int(v)}" for k, v in stages.items()),
           f"commission due: {pd.to_numeric(df['Commission'], errors='coerce').sum():,.2f}",
           f"prospects worth a call (score ≥ 7): {(pd.to_numeric(df['Prospect score'], errors='coerce') >= 7).sum()}",
           "", "explain one cell:", "  " + call("EXPLAIN", "COMMISSION", df["Deal"][0], df["Deal type"][0], None,
                                                   df["Deal date"][0])]
    return "\n".join(out)


def raised_rate(rules: Path, into: Path, old: str = "15%", new: str = "18%") -> Path:
    """A copy of ``rules`` in ``into`` with the new-customer rate of the current plan raised (the text edit
    finance would make: the first bracket of new deals in the v2026-01 plan)."""
    shutil.copytree(rules, into)
    path = into / "commission.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("rate: " + old, text.index("version: v2026-01"))
    path.write_text(text[:at] + "rate: " + new + text[at + len("rate: " + old):], encoding="utf-8")
    return into


def impact_summary(rules: Path) -> str:
    """What raising the new-customer rate from 15% to 18% would do to the sample workbook (cellrules diff)."""
    with tempfile.TemporaryDirectory(prefix="cellrules-demo-") as scratch:
        proposed = raised_rate(rules, Path(scratch) / "proposed")
        report = impact.diff(rules, proposed, [SAMPLE])
    return impact_report.text(report).split("\ncell ")[0]


def main() -> int:
    """``python -m cellrules.demo``: the main job on the shipped sample, then the impact of a rate change."""
    df, recalc_summary = run()
    print(f"cellrules recalc {SAMPLE.relative_to(ROOT)} -o {OUT.relative_to(ROOT)}")
    print(recalc_summary + "\n")
    print(summary(df))
    print("\nBefore finance raises the new-customer rate from 15% to 18% "
          "(cellrules diff rules/ proposed/ samples/customers.xlsx):")
    print(impact_summary(ROOT / "rules"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
