"""Recalculation benchmarks (part of `make bench`), each a ratio against a baseline in this same run.

A. 100,000 rows, five formula columns (TIER, PROFITRATE, DUNNINGSTAGE, COMMISSION and an ordinary IF):
   cellrules recalc against the floor of openpyxl loading and saving the same file (which writes no
   values at all). Goal ≤ 1.5× the floor; more than 3× is a failure to report.
B. The same workbook with native formulas only (linear thresholds, no per-cell rank): cellrules recalc
   against LibreOffice headless (UNO calculateAll, load and save), when LibreOffice is installed.
C. 1,000 and 10,000 rows with the custom functions: cellrules against the `formulas` package and pycel,
   each given the cellrules functions as custom functions (bounded: a run longer than LIMIT seconds is
   stopped and reported as "> LIMIT s").
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

from cellrules.recalc.run import recalc_file
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


def floor(path: Path, out: Path) -> float:
    def work():
        openpyxl.load_workbook(path).save(out)
    return timed(work)


def ours(path: Path, out: Path) -> float:
    def work():
        report = recalc_file(str(path), str(out))
        assert report.ok and not report.errors, report.to_dict()
    return timed(work)


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


def main(sizes: tuple[int, ...] = (1_000, 10_000)) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="cellrules-bench-"))
    out: dict = {}
    try:
        big = build(tmp / "custom100k.xlsx", 100_000)
        t_floor, t_ours = floor(big, tmp / "floor.xlsx"), ours(big, tmp / "ours.xlsx")
        ratio = t_ours / t_floor
        verdict = "ok" if ratio <= 1.5 else ("over goal" if ratio <= 3 else "FAILURE (> 3×)")
        out["A"] = {"rows": 100_000, "openpyxl_load_save_s": round(t_floor, 2), "cellrules_s": round(t_ours, 2),
                    "ratio": round(ratio, 2), "verdict": verdict}
        print("\nA. recalc of 100,000 rows × 5 formula columns, against openpyxl load+save of the same file")
        print(table(["rows", "openpyxl load+save s", "cellrules recalc s", "ratio", "goal ≤ 1.5×"],
                    [("100,000", f"{t_floor:.2f}", f"{t_ours:.2f}", f"{ratio:.2f}", verdict)]))
        native = build(tmp / "native100k.xlsx", 100_000, native=True)
        t_native = ours(native, tmp / "ours_native.xlsx")
        t_lo = libreoffice(native, tmp / "lo_native.xlsx")
        out["B"] = {"rows": 100_000, "cellrules_s": round(t_native, 2), "libreoffice_s": t_lo and round(t_lo, 2)}
        print("\nB. the native-formula equivalent, against LibreOffice headless (load, calculateAll, save)")
        print(table(["rows", "cellrules s", "LibreOffice s", "LibreOffice ÷ cellrules"],
                    [("100,000", f"{t_native:.2f}", f"{t_lo:.2f}" if t_lo else "not installed",
                      f"{t_lo / t_native:.1f}×" if t_lo else "-")]))
        rows = []
        for n in sizes:
            path = build(tmp / f"custom{n}.xlsx", n)
            t = ours(path, tmp / f"ours{n}.xlsx")
            rows.append((f"{n:,}", f"{t:.2f}", peer("formulas", path), peer("pycel", path)))
        out["C"] = [dict(zip(["rows", "cellrules_s", "formulas_s", "pycel_s"], r)) for r in rows]
        print(f"\nC. custom-function workbooks against peer engines (seconds; stopped at {LIMIT:.0f} s)")
        print(table(["rows", "cellrules", "formulas", "pycel"], rows))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"recalc": out}


if __name__ == "__main__":
    json.dump(main(), sys.stdout, indent=2)
