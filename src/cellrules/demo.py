"""``make demo``: the policies at work on the shipped sample customers.

Owns the demo run: reads ``samples/customers.csv``, computes every
function's column through the vectorised path, checks a few rows against the
per-cell functions, and prints a summary a sales manager would read.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from cellrules import engine, functions as F
from cellrules.frame import compute
from cellrules.report import table

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "customers.csv"


def run(path: Path = SAMPLE) -> pd.DataFrame:
    df = pd.read_csv(path, keep_default_na=False, na_values=[""])
    df["Tier"] = compute(df, "TIER", amount="Purchases")
    df["Profit rate"] = compute(df, "PROFITRATE", revenue="Purchases", product_cost="Product cost",
                                service_cost="Service cost")
    df["Stage"] = compute(df, "DUNNINGSTAGE", days_overdue="Days overdue", amount="Open invoice")
    df["Commission"] = compute(df, "COMMISSION", amount="Deal", deal_type="Deal type", as_of="Deal date")
    df["Prospect score"] = compute(df, "PROSPECTSCORE", industry="Industry", title="Contact title",
                                   region="Region", trigger="Trigger")
    for _, row in df.head(25).iterrows():  # the per-cell engine agrees with the column path
        assert F.COMMISSION(row["Deal"], row["Deal type"], None, row["Deal date"]) == row["Commission"]
        assert F.DUNNINGSTAGE(row["Days overdue"], row["Open invoice"]) == row["Stage"]
    return df


def summary(df: pd.DataFrame) -> str:
    total = df["Purchases"].sum()
    tiers = df.groupby("Tier", sort=False).agg(customers=("Customer", "count"), purchases=("Purchases", "sum"))
    tiers = tiers.reindex([t for t in ("VIP", "Major", "Normal", "Small") if t in tiers.index])
    rows = [(t, int(r.customers), f"{r.purchases:,.0f}", f"{r.purchases / total:.0%}") for t, r in tiers.iterrows()]
    rates = pd.to_numeric(df["Profit rate"], errors="coerce")
    losers = df[(rates < 0) & df["Tier"].isin(["VIP", "Major"])]
    stages = df["Stage"].value_counts().reindex(["Current", "First notice", "Second notice", "Legal"]).fillna(0)
    out = [f"engine: {engine.NAME}", f"{len(df)} sample customers from {SAMPLE.name}", "",
           table(["tier", "customers", "purchases", "share"], rows), "",
           f"big customers (VIP/Major) losing money after cost-to-serve: {len(losers)}"
           + (f" — e.g. {losers.iloc[0]['Customer']} at {rates[losers.index[0]]:.1%}" if len(losers) else ""),
           "invoices by dunning stage: " + ", ".join(f"{k}: {int(v)}" for k, v in stages.items()),
           f"commission due: {pd.to_numeric(df['Commission'], errors='coerce').sum():,.2f}",
           f"prospects worth a call (score ≥ 7): {(pd.to_numeric(df['Prospect score'], errors='coerce') >= 7).sum()}",
           "", "explain one cell:", "  " + F.EXPLAIN("COMMISSION", df["Deal"][0], df["Deal type"][0], None,
                                                   df["Deal date"][0])]
    return "\n".join(out)


def main() -> int:
    print(summary(run()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
