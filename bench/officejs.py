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
import shutil
import subprocess
import sys
import tempfile
import urllib.request
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


def node_column(base: str, script: Path, n: int, copies: str) -> dict:
    """One column in Node under a 1 GB heap (tests/js/column.js): Excel's calling convention without a
    browser, so the heap functions.js keeps is measured alone."""
    out = subprocess.run(["node", "--max-old-space-size=1024", str(HERE.parent / "tests" / "js" / "column.js"),
                          base, str(script), str(n), copies], capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        return {"failed": out.stderr.strip().splitlines()[-1:] or ["exit %d" % out.returncode]}
    data = json.loads(out.stdout)
    data.pop("tiers", None)
    return data


def node_section(base: str) -> dict:
    """Node figures, 1k and 10k rows, one shared range object vs a deep copy per call."""
    if shutil.which("node") is None:
        return {"skipped": "node not installed"}
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "functions.js"
        script.write_bytes(urllib.request.urlopen(base + "functions.js").read())
        res = {mode: {str(n): node_column(base, script, n, mode) for n in SIZES} for mode in ("share", "deep")}
    rows = [[mode] + [f"{by_n[str(n)].get('oursMs', '-'):,}" if "oursMs" in by_n[str(n)] else "failed"
                      for n in SIZES] + [str(by_n[str(SIZES[1])].get("heapMB", "-"))]
            for mode, by_n in res.items()]
    print("\nOffice.js in Node (1 GB heap): the same column, Excel's copies per call")
    print(table(["range handed over", "ours 1k (ms)", "ours 10k (ms)", "heap after 10k (MB)"], rows))
    print("Keeping every call's copy (the client before issue 22) used 561 MB of heap at 3k rows and ran out "
          "of a 1 GB heap at 10k.")
    return res


def main() -> dict:
    results: dict[str, dict] = {}
    reason = browser.missing()
    if reason:
        print(f"officejs browser bench skipped: {reason}")
        results["skipped"] = {"reason": reason}
    with browser.server() as (base, _):
        results["node"] = node_section(base)
        if reason:
            return results
        with browser.excel_page(base) as page:
            column(page, 200, "share")  # warm up the page, the server and the rules
            for mode in MODES:
                results[mode] = {str(n): column(page, n, mode) for n in SIZES}
    rows = []
    for mode in MODES:
        by_n = results[mode]
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
