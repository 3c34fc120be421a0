"""cellrules benchmarks (`make bench`). Every figure is a ratio against a baseline run in this same process.

1. Per-call cost of each spreadsheet function on the engine path (µs per call; goal ≤ 30 µs).
2. The vectorised path in rows/s against a plain pandas version of the same policy (goal ≥ 5 M rows/s).
3. A column of N =TIER(Ai, A$2:A$N) calls at N = 1k, 10k, 100k: total time / (N log2 N) should stay flat.
Results are printed as tables and written to bench/out/core.json.
"""
from __future__ import annotations

import json
import os
import math
import sys
import time
import timeit
from pathlib import Path

import numpy as np
import pandas as pd

from cellrules import engine, functions as F, vector
from cellrules.kinds.tiers import RANKS
from cellrules.report import table

OUT = Path(__file__).resolve().parent / "out"
sys.path.insert(0, str(Path(__file__).resolve().parent))
ROWS = 1_000_000


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def per_call() -> list[dict]:
    amounts = tuple(float(x) for x in range(1000))
    cases = {
        "TIER": lambda: F.TIER(500.0, amounts),
        "PROFITRATE": lambda: F.PROFITRATE(100.0, 60.0, 17.0),
        "PROSPECTSCORE": lambda: F.PROSPECTSCORE("Manufacturing", "CFO", "East", "merger", True, False, True),
        "DUNNINGSTAGE": lambda: F.DUNNINGSTAGE(65.0, 1200.0),
        "DUNNINGACTIONS": lambda: F.DUNNINGACTIONS(65.0),
        "COMMISSION": lambda: F.COMMISSION(150000.0, "new", None, "2026-06-30"),
        "PAYOUT": lambda: F.PAYOUT(650000.0, 500000.0, 100000.0, None, "2026-12-31"),
        "DEALPAYOUT": lambda: F.DEALPAYOUT(50000.0, 600000.0, 500000.0, 100000.0, None, "2026-12-31"),
        "DECIDE (customer_class, F)": lambda: F.DECIDE("customer_class", 400000.0, 6.0, 0.12, 1.0),
        "CUSTOMERCLASS": lambda: F.CUSTOMERCLASS(400000.0, 6.0, 0.12, 1.0),
        "DECIDE (service_plan, 3 outputs)": lambda: F.DECIDE("service_plan", "VIP"),
        "EXPLAIN": lambda: F.EXPLAIN("COMMISSION", 150000.0, "new", None, "2026-06-30"),
        "RULESTATUS": lambda: F.RULESTATUS(),
    }
    rows = []
    for name, fn in cases.items():
        fn()
        n = 20_000
        per = min(timeit.repeat(fn, number=n, repeat=5)) / n * 1e6
        rows.append({"function": name, "us_per_call": round(per, 2), "goal_us": 30, "ok": per <= 30})
    return rows


def data(n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    return {
        "amount": np.round(rng.lognormal(10, 1.5, n), 2),
        "days": rng.integers(-10, 200, n).astype(float),
        "deal": np.round(rng.uniform(-50_000, 400_000, n), 2),
        "type": rng.choice(np.array(["new", "renewal"], dtype=object), n),
        "revenue": np.round(rng.uniform(1, 1e6, n), 2),
        "cost": np.round(rng.uniform(0, 8e5, n), 2),
        "service": np.round(rng.uniform(0, 2e5, n), 2),
        "industry": rng.choice(np.array(["Manufacturing", "Retail", "Banking"], dtype=object), n),
        "title": rng.choice(np.array(["CFO", "Purchasing Director", "Intern"], dtype=object), n),
        "region": rng.choice(np.array(["East", "South", "North"], dtype=object), n),
        "trigger": rng.choice(np.array(["merger", "", "expansion"], dtype=object), n),
        "orders": rng.integers(0, 40, n).astype(float),
        "rate": np.round(rng.uniform(-0.1, 0.4, n), 3),
        "loyalty": rng.integers(0, 10, n).astype(float),
    }


def pandas_baselines(d: dict[str, np.ndarray]) -> dict:
    def tiers():
        s = pd.Series(d["amount"])
        r = s.rank(method="min", ascending=False)
        n = len(s)
        return np.select([r <= math.ceil(n * .01), r <= math.ceil(n * .06), r <= math.ceil(n * .26)],
                         ["VIP", "Major", "Normal"], "Small")
    def dunning():
        return pd.cut(pd.Series(d["days"]), [-np.inf, 30, 60, 90, np.inf], right=False,
                      labels=["Current", "First notice", "Second notice", "Legal"])
    def commission():
        a = pd.Series(d["deal"]).abs()
        new = 0.15 * a.clip(upper=1e5) + 0.2 * (a - 1e5).clip(lower=0)
        ren = 0.01 * a.clip(upper=1e5) + 0.02 * (a - 1e5).clip(lower=0)
        return np.sign(d["deal"]) * np.where(pd.Series(d["type"]).str.lower() == "new", new, ren)
    def profit():
        r = pd.Series(d["revenue"])
        return (r - d["cost"] - d["service"]) / r
    def prospect():
        df = pd.DataFrame({k: d[k] for k in ("industry", "title", "region", "trigger")})
        ok = df.industry.isin(["Manufacturing", "Retail"]) & df.title.isin(["CFO", "Purchasing Director"]) \
            & df.region.isin(["East", "South"])
        return np.where(ok, 5 + 2 * df.trigger.isin(["merger", "new management", "expansion"]), 0)
    def customer_class():  # rules/customer_class.yaml written by hand with np.select, first match
        p, o, r, y = d["amount"], d["orders"], d["rate"], d["loyalty"]
        return np.select([p <= 0, r < 0, (p >= 1e6) & (o >= 12) & (r >= .15) & (y >= 3), (p >= 1e6) & (r < .05),
                          (p >= 3e5) & (r >= .1), (p >= 1e5) & (r >= .05)],
                         ["invalid", "invalid", "key", "maintain", "important", "general"], "maintain")
    return {"TIER": tiers, "DUNNINGSTAGE": dunning, "COMMISSION": commission, "PROFITRATE": profit,
            "PROSPECTSCORE": prospect, "DECIDE": customer_class}


def vectorised() -> list[dict]:
    d = data(ROWS)
    ours = {
        "TIER": lambda: vector.COLUMNS["TIER"](d["amount"]),
        "DUNNINGSTAGE": lambda: vector.COLUMNS["DUNNINGSTAGE"](d["days"]),
        "COMMISSION": lambda: vector.COLUMNS["COMMISSION"](d["deal"], d["type"], as_of="2026-06-30"),
        "PROFITRATE": lambda: vector.COLUMNS["PROFITRATE"](d["revenue"], d["cost"], d["service"]),
        "PROSPECTSCORE": lambda: vector.COLUMNS["PROSPECTSCORE"](d["industry"], d["title"], d["region"], d["trigger"]),
        "DECIDE (customer_class)": lambda: vector.COLUMNS["DECIDE"]("customer_class", d["amount"], d["orders"],
                                                                    d["rate"], d["loyalty"]),
        "COMMISSION (category)": lambda: vector.COLUMNS["COMMISSION"](d["deal"], cat["type"], as_of="2026-06-30"),
        "PROSPECTSCORE (category)": lambda: vector.COLUMNS["PROSPECTSCORE"](cat["industry"], cat["title"], cat["region"],
                                                                   cat["trigger"]),
    }
    cat = {k: pd.Series(d[k], dtype="category") for k in ("type", "industry", "title", "region", "trigger")}
    base = pandas_baselines(d)
    rows = []
    for name, fn in ours.items():
        t_ours, t_base = best(fn, 3), best(base[name.split(" ")[0]], 3)
        rows.append({"function": name, "rows": ROWS, "rows_per_s": round(ROWS / t_ours),
                     "pandas_rows_per_s": round(ROWS / t_base), "ratio_vs_pandas": round(t_base / t_ours, 2),
                     "goal_rows_per_s": 5_000_000, "ok": ROWS / t_ours >= 5_000_000})
    return rows


def tier_column() -> list[dict]:
    rows = []
    for n in (1_000, 10_000, 100_000):
        amounts = tuple(float(x) for x in np.random.default_rng(n).lognormal(10, 1.5, n).round(2))
        RANKS._entries.clear()
        total = best(lambda: [F.TIER(a, amounts) for a in amounts], 3 if n < 100_000 else 1)
        rows.append({"N": n, "seconds": round(total, 4), "us_per_cell": round(total / n * 1e6, 2),
                     "ns_per_NlogN": round(total / (n * math.log2(n)) * 1e9, 2)})
    return rows


def main() -> int:
    OUT.mkdir(exist_ok=True)
    print(f"engine: {engine.NAME}\n")
    calls = per_call()
    print("1. per-cell call, engine path (goal ≤ 30 µs)")
    print(table(["function", "µs/call", "ok"], [(r["function"], r["us_per_call"], r["ok"]) for r in calls]))
    vec = vectorised()
    print(f"\n2. vectorised path, {ROWS:,} rows (goal ≥ 5 M rows/s), against plain pandas in this run;"
          "\n   text columns as Python strings, and as pandas categoricals (read once per distinct value)")
    print(table(["function", "rows/s", "pandas rows/s", "× pandas", "ok"],
                [(r["function"], f"{r['rows_per_s']:,}", f"{r['pandas_rows_per_s']:,}", r["ratio_vs_pandas"], r["ok"])
                 for r in vec]))
    col = tier_column()
    print("\n3. a column of N =TIER(Ai, A$2:A$N) calls (flat ns per N·log2 N means n log n growth)")
    print(table(["N", "seconds", "µs/cell", "ns per N·log2N"],
                [(f"{r['N']:,}", r["seconds"], r["us_per_cell"], r["ns_per_NlogN"]) for r in col]))
    growth = col[-1]["seconds"] / col[0]["seconds"]
    print(f"   100k/1k time ratio: {growth:.0f}× (n log n predicts {1e5 * math.log2(1e5) / (1e3 * math.log2(1e3)):.0f}×,"
          f" n² would be 10,000×)")
    (OUT / "core.json").write_text(json.dumps({"engine": engine.NAME, "per_call": calls, "vectorised": vec,
                                               "tier_column": col}, indent=2))
    import serve  # noqa: E402  (bench/serve.py, beside this file)
    (OUT / "serve.json").write_text(json.dumps(serve.main(), indent=2))
    import officejs  # noqa: E402  (bench/officejs.py: the add-in in Chromium)
    (OUT / "officejs.json").write_text(json.dumps(officejs.main(), indent=2))
    import recalc  # noqa: E402  (bench/recalc.py)
    (OUT / "recalc.json").write_text(json.dumps(recalc.main(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
