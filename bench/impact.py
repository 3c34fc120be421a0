"""The impact report's cost (`make bench`): `cellrules diff` of a 100,000-row workbook, as a ratio to one
recalculation of the same file in the same process.

A diff reads the workbook once, computes every formula under each rules folder in the same process and
compares the cellrules cells in memory (nothing written, nothing read back); one recalculation reads,
computes once and writes. The figure printed is the ratio (goal ≤ 1.3×). Results in bench/out/impact.json.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import recalc as bench_recalc  # noqa: E402  (bench/recalc.py: the workbook builder)
from cellrules import impact  # noqa: E402
from cellrules.demo import raised_rate  # noqa: E402
from cellrules.recalc.batch.run import recalc_file  # noqa: E402
from cellrules.store import Store  # noqa: E402

ROOT = HERE.parent
ROWS = int(os.environ.get("CELLRULES_BENCH_DIFF_ROWS", "100000"))


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        book = bench_recalc.build(Path(tmp) / "book.xlsx", ROWS)
        proposed = raised_rate(ROOT / "rules", Path(tmp) / "proposed")
        store = Store(ROOT / "rules")
        start = time.perf_counter()
        recalc_file(str(book), str(Path(tmp) / "once.xlsx"), store, audit_trail=False)
        once = time.perf_counter() - start
        store.close()
        start = time.perf_counter()
        report = impact.diff(ROOT / "rules", proposed, [book])
        both = time.perf_counter() - start
    changed = len(report["workbooks"][0]["changed"])
    result = {"rows": ROWS, "recalc_s": round(once, 2), "diff_s": round(both, 2), "ratio": round(both / once, 2),
              "changed_cells": changed}
    print(f"cellrules diff of {ROWS:,} rows: {both:.1f} s = {both / once:.2f}× one recalculation ({once:.1f} s); "
          f"{changed:,} cells change")
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "impact.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
