"""Recalculation benchmarks (part of `make bench`), each figure a ratio against a baseline run in this same script.

A. Custom-function workbooks (TIER, PROFITRATE, DUNNINGSTAGE, COMMISSION and an ordinary IF: five formula
   columns) at 20,000 / 100,000 / 400,000 rows: cellrules recalc (in a fresh process: seconds, stage split,
   peak memory) against `pandas.read_excel(engine="calamine")` merely reading the same file (goal: ≤ 3×) and
   openpyxl loading and saving it. openpyxl is not a floor: it computes nothing and writes no values, and
   cellrules is faster than it; it is shown for scale only.
B. The native-formula equivalent (IF thresholds, MIN/MAX brackets) at the same sizes: cellrules against
   LibreOffice headless end to end (start, load, calculateAll, save; goal: LibreOffice ≥ 2× our time).
C. 1,000 and 10,000 rows with the custom functions against the `formulas` package and pycel, each given the
   cellrules functions as custom functions (a run longer than LIMIT seconds is stopped: "> LIMIT s").
D. (CELLRULES_BENCH_MAX_ROWS=1) Excel's maximum, 1,048,575 rows of A's workbook, once: seconds, peak memory
   (goal ≤ 1.5 GB) and seconds per 100k rows beside A's sizes (time linear in rows). Building the file takes
   about four minutes and the run needs several GB today.
Sizes up to 100,000 rows are run CELLRULES_BENCH_REPEATS times (default 3; ours and the baseline in turn) and
the medians compared; 400,000 rows once. Set CELLRULES_BENCH_SIZES=20000,100000 to leave out the largest size.
"""
from __future__ import annotations

import json
import math
import multiprocessing as mp
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from cellrules.report import table

ROOT = Path(__file__).resolve().parents[1]
LIMIT = float(os.environ.get("CELLRULES_BENCH_LIMIT", "300"))
TYPES = ["new", "renewal"]


def build(path: Path, n: int, native: bool = False) -> Path:
    rng = random.Random(n)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Customers")
    ws.append(["Customer", "Amount", "Cost", "Service", "Days", "Deal", "Type",
               "Tier", "Profit", "Stage", "Commission", "Size"])
    last = n + 1
    amounts = [round(rng.lognormvariate(10, 1.5), 2) for _ in range(n)]
    cut = sorted(amounts, reverse=True)
    k = [cut[math.ceil(n * p) - 1] for p in (0.01, 0.06, 0.26)]  # native TIER: thresholds, no per-cell rank
    for i, r in enumerate(range(2, last + 1)):
        row = [f"C{r}", amounts[i], round(amounts[i] * rng.uniform(0.4, 0.8), 2), round(rng.uniform(0, 5000), 2),
               rng.randint(0, 150), round(rng.uniform(0, 4e5), 2), rng.choice(TYPES)]
        if native:
            row += [f'=IF(B{r}>={k[0]},"VIP",IF(B{r}>={k[1]},"Major",IF(B{r}>={k[2]},"Normal","Small")))',
                    f"=(B{r}-C{r}-D{r})/B{r}",
                    f'=IF(E{r}>=90,"Legal",IF(E{r}>=60,"Second notice",IF(E{r}>=30,"First notice","Current")))',
                    f'=IF(G{r}="new",0.15*MIN(F{r},100000)+0.2*MAX(F{r}-100000,0),0.01*MIN(F{r},100000)+0.02*MAX(F{r}-100000,0))',
                    f'=IF(B{r}>100000,"large","standard")']
        else:
            row += [f"=TIER(B{r},B$2:B${last})", f"=PROFITRATE(B{r},C{r},D{r})", f"=DUNNINGSTAGE(E{r})",
                    f'=COMMISSION(F{r},G{r},,"2026-06-30")', f'=IF(B{r}>100000,"large","standard")']
        ws.append(row)
    wb.save(path)
    return path


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _child(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh Python (no warm caches, its own peak memory); it prints one JSON line."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


_OURS = """
import json, resource, sys, time
from cellrules.recalc.batch.run import recalc_file
from cellrules import store
store.current().refresh_all()  # the policies read before the clock starts (as in a batch)
report = recalc_file(sys.argv[1], sys.argv[2])
assert report.ok and not report.errors, report.to_dict()
print(json.dumps({"seconds": report.seconds, "stages": report.stages,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
_CALAMINE = """
import json, sys, time
import pandas as pd
start = time.perf_counter()
pd.read_excel(sys.argv[1], engine="calamine", sheet_name=None)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""
_OPENPYXL = """
import json, sys, time
import openpyxl
start = time.perf_counter()
openpyxl.load_workbook(sys.argv[1]).save(sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def ours(path: Path, out: Path) -> dict:
    return _child(_OURS, str(path), str(out))


def calamine(path: Path) -> float:
    return _child(_CALAMINE, str(path))["seconds"]


def floor(path: Path, out: Path) -> float:
    return _child(_OPENPYXL, str(path), str(out))["seconds"]


def libreoffice(path: Path, out: Path) -> float | None:
    if not shutil.which("soffice"):
        return None
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/python3", str(ROOT / "tests" / "lo_recalc.py"), str(path), str(out)],
                          capture_output=True, text=True)
    return time.perf_counter() - start if done.returncode == 0 else None


def _peer(kind: str, path: str, queue: mp.Queue) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import peers
    queue.put(peers.run(kind, path))


def peer(kind: str, path: Path) -> str:
    """Seconds for a peer engine, in a child process stopped at LIMIT."""
    queue: mp.Queue = mp.Queue()
    proc = mp.Process(target=_peer, args=(kind, str(path), queue))
    start = time.perf_counter()
    proc.start()
    proc.join(LIMIT)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return f"> {LIMIT:.0f}"
    result = queue.get() if not queue.empty() else "failed"
    return f"{time.perf_counter() - start:.2f}" if result == "ok" else str(result)


SIZES = tuple(int(x) for x in os.environ.get("CELLRULES_BENCH_SIZES", "20000,100000,400000").split(","))
STAGES = ("read", "group", "evaluate", "collect", "write")


def _stage_split(stages: dict) -> str:
    total = sum(stages.values()) or 1
    return " ".join(f"{k} {stages.get(k, 0):.2f} ({100 * stages.get(k, 0) / total:.0f}%)" for k in STAGES)


REPEATS = int(os.environ.get("CELLRULES_BENCH_REPEATS", "3"))  # runs per size up to 100,000 rows (median kept)


def _repeats(n: int) -> int:
    return REPEATS if n <= 100_000 else 1  # the largest size once: it shows linearity and memory


def _median_run(runs: list[dict]) -> dict:
    """The run with the median time (its stage split and memory go with it)."""
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def _median(xs: list[float]) -> float:
    return sorted(xs)[len(xs) // 2]


def custom(tmp: Path, sizes: tuple[int, ...]) -> list[dict]:
    rows = []
    for n in sizes:
        path = build(tmp / f"custom{n}.xlsx", n)
        mines, reads = [], []
        for _ in range(_repeats(n)):  # ours and calamine in turn: a busy spell on this machine hits both
            mines.append(ours(path, tmp / f"ours{n}.xlsx"))
            reads.append(calamine(path))
        mine, read = _median_run(mines), _median(reads)
        whole = floor(path, tmp / f"openpyxl{n}.xlsx")
        rows.append({"rows": n, "runs": len(mines), "cellrules_s": round(mine["seconds"], 2),
                     "cellrules_all_s": [round(m["seconds"], 2) for m in mines],
                     "stages": {k: round(v, 2) for k, v in mine["stages"].items()}, "peak_mb": round(mine["peak_mb"]),
                     "calamine_read_s": round(read, 2), "ratio_to_calamine": round(mine["seconds"] / read, 2),
                     "openpyxl_load_save_s": round(whole, 2), "openpyxl_over_cellrules": round(whole / mine["seconds"], 2),
                     "s_per_100k_rows": round(mine["seconds"] / n * 1e5, 2)})
        path.unlink()
    return rows


def native(tmp: Path, sizes: tuple[int, ...]) -> list[dict]:
    rows = []
    for n in sizes:
        path = build(tmp / f"native{n}.xlsx", n, native=True)
        mines, los = [], []
        for _ in range(_repeats(n)):
            mines.append(ours(path, tmp / f"ours_native{n}.xlsx"))
            los.append(libreoffice(path, tmp / f"lo_native{n}.xlsx"))
        mine = _median_run(mines)
        lo = _median([x for x in los if x is not None]) if None not in los else None
        rows.append({"rows": n, "runs": len(mines), "cellrules_s": round(mine["seconds"], 2),
                     "peak_mb": round(mine["peak_mb"]), "stages": {k: round(v, 2) for k, v in mine["stages"].items()},
                     "libreoffice_s": lo and round(lo, 2), "libreoffice_over_cellrules": lo and round(lo / mine["seconds"], 2)})
        path.unlink()
    return rows


MAX_ROWS = 1_048_575  # Excel's sheet, less its header row


def whole_sheet(tmp: Path, smaller: list[dict]) -> dict:
    """Section D: the custom-function workbook at Excel's maximum rows, once, beside section A's sizes."""
    path = build(tmp / "custom_max.xlsx", MAX_ROWS)
    mine = ours(path, tmp / "ours_max.xlsx")
    path.unlink()
    row = {"rows": MAX_ROWS, "cellrules_s": round(mine["seconds"], 2), "peak_mb": round(mine["peak_mb"]),
           "s_per_100k_rows": round(mine["seconds"] / MAX_ROWS * 1e5, 2),
           "stages": {k: round(v, 2) for k, v in mine["stages"].items()}}
    print("\nD. the whole sheet: 1,048,575 rows once (goal: peak ≤ 1,536 MB, time linear in rows)")
    print(table(["rows", "cellrules s", "s / 100k rows", "peak MB"],
                [(f"{r['rows']:,}", f"{r['cellrules_s']:.2f}", f"{r['s_per_100k_rows']:.2f}", r["peak_mb"])
                 for r in [*smaller, row]]))
    print(f"  stage split: {_stage_split(row['stages'])}")
    return row


def main(sizes: tuple[int, ...] = (1_000, 10_000)) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="cellrules-bench-"))
    out: dict = {}
    try:
        out["A"] = custom(tmp, SIZES)
        print("\nA. recalc of the custom-function workbook (5 formula columns); ratios in this run "
              "(medians of the runs listed)")
        print(table(["rows", "runs", "cellrules s", "s / 100k rows", "peak MB", "calamine read s", "÷ calamine (goal ≤ 3)",
                     "openpyxl load+save s", "openpyxl ÷ cellrules"],
                    [(f"{r['rows']:,}", r["runs"], f"{r['cellrules_s']:.2f}", f"{r['s_per_100k_rows']:.2f}", r["peak_mb"],
                      f"{r['calamine_read_s']:.2f}", f"{r['ratio_to_calamine']:.2f}", f"{r['openpyxl_load_save_s']:.2f}",
                      f"{r['openpyxl_over_cellrules']:.2f}") for r in out["A"]]))
        print("stage split (seconds, share):")
        for r in out["A"]:
            print(f"  {r['rows']:>7,} rows: {_stage_split(r['stages'])}")
        if os.environ.get("CELLRULES_BENCH_MAX_ROWS") == "1":
            out["D"] = whole_sheet(tmp, out["A"])
        out["B"] = native(tmp, SIZES)
        print("\nB. the native-formula equivalent against LibreOffice headless (start, load, calculateAll, save)")
        print(table(["rows", "runs", "cellrules s", "peak MB", "LibreOffice s", "LibreOffice ÷ cellrules (goal ≥ 2)"],
                    [(f"{r['rows']:,}", r["runs"], f"{r['cellrules_s']:.2f}", r["peak_mb"],
                      f"{r['libreoffice_s']:.2f}" if r["libreoffice_s"] else "not installed",
                      f"{r['libreoffice_over_cellrules']:.2f}" if r["libreoffice_s"] else "-") for r in out["B"]]))
        rows = []
        for n in sizes:
            path = build(tmp / f"custom{n}.xlsx", n)
            t = ours(path, tmp / f"ours{n}.xlsx")["seconds"]
            rows.append((f"{n:,}", f"{t:.2f}", peer("formulas", path), peer("pycel", path)))
        out["C"] = [dict(zip(["rows", "cellrules_s", "formulas_s", "pycel_s"], r)) for r in rows]
        print(f"\nC. custom-function workbooks against peer engines (seconds; stopped at {LIMIT:.0f} s)")
        print(table(["rows", "cellrules", "formulas", "pycel"], rows))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"recalc": out}


if __name__ == "__main__":
    json.dump(main(), sys.stdout, indent=2)
