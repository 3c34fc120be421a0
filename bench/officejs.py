"""The Office.js add-in end to end in a real browser (`make bench`, or `python bench/officejs.py`).

A column of N =CELLRULES.TIER(A{i}, A$2:A$N+1) calls through the served functions.js, in Debian's Chromium,
against a live `cellrules serve`, at N = 1,000 and 10,000 in one run, with Excel's calling convention from
the documented stand-in (tests/js/excel_standin.js). Three ways Excel may hand over the range:
- share: the same array to every call (recognised by identity);
- outer: a new array of the same rows per call;
- deep:  a full copy per call (what marshalling a range per call costs; the stand-in's copying is timed
         apart and subtracted: "ours" is functions.js + HTTP + the server).
The growth 1k→10k of "ours" is the figure: n log n predicts ~13×; comparing every call's range again in
full (as the old JSON.stringify did) is quadratic, ~100×. With deep copies each call's range must be read
once to know it is the same range (Excel's copy is itself that big), so that row is quadratic in the
data Excel passes, with a small constant.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import browser  # noqa: E402  (tests/browser.py: Chromium + the Excel stand-in + a live server)

from cellrules.report import table  # noqa: E402

SIZES = (1_000, 10_000)
MODES = ("share", "outer", "deep")


def column(page, n: int, copies: str) -> dict:
    amounts = [float((i * 7919) % 10007) for i in range(n)]
    return page.evaluate("""([a, c]) => CellrulesScenarios.tierColumn(ExcelStandIn, a, c)
        .then(o => ({ms: o.ms, marshalMs: o.marshalMs, oursMs: o.oursMs, tiers: o.tiers.length}))""",
                         [amounts, copies])


def main() -> dict:
    reason = browser.missing()
    if reason:
        print(f"officejs bench skipped: {reason}")
        return {"skipped": reason}
    results: dict[str, dict] = {}
    with browser.server() as (base, _):
        with browser.excel_page(base) as page:
            column(page, 200, "share")  # warm up the page, the server and the rules
            for mode in MODES:
                results[mode] = {str(n): column(page, n, mode) for n in SIZES}
    rows = []
    for mode, by_n in results.items():
        small, big = by_n[str(SIZES[0])], by_n[str(SIZES[1])]
        growth = big["oursMs"] / max(small["oursMs"], 1)
        by_n["growth"] = round(growth, 1)
        rows.append([mode, f"{small['oursMs']:,}", f"{big['oursMs']:,}", f"{growth:.1f}×",
                     f"{small['marshalMs']:,}", f"{big['marshalMs']:,}"])
    print("\nOffice.js in Chromium: a column of =CELLRULES.TIER(Ai, A$2:A$N+1), one recalculation")
    print(table(["range handed over", "ours 1k (ms)", "ours 10k (ms)", "growth 1k→10k", "stand-in copy 1k",
                 "stand-in copy 10k"], rows))
    print("n log n predicts 13× from 1k to 10k, n² 100×.")
    return results


if __name__ == "__main__":
    out = main()
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "officejs.json").write_text(json.dumps(out, indent=2))
