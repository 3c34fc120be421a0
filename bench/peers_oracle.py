"""cellrules recalc and its peers against Excel's own answers, on the same workbooks and the same cells.

For each Excel-saved workbook: tests/excel_oracle.py recalculates it with cellrules and names the formula cells
compared (volatile cells and their dependents left out); each peer — IronCalc (``pip install ironcalc``),
formualizer (``pip install formualizer``), LibreOffice headless (tests/lo_recalc.py over UNO) — recalculates the
same file in a separate process (a crash or a time-out costs that peer the file's cells), its output is read
back, and the same cells are compared with the same rule (numbers to 1e-9 relative, text exactly, error codes).

    python bench/peers_oracle.py DIR [DIR ...] [--peers ironcalc,formualizer,libreoffice] [--json] [--timeout S]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import excel_oracle  # noqa: E402

from cellrules.xlsx import reader  # noqa: E402

PEERS: dict[str, list[str]] = {
    "ironcalc": [sys.executable, "-c", "import ironcalc, sys; m = ironcalc.load_from_xlsx(sys.argv[1], 'en', 'UTC'); "
                 "m.evaluate(); m.save_to_xlsx(sys.argv[2])"],
    "formualizer": [sys.executable, "-c", "import formualizer, sys; formualizer.recalculate_xlsx_file(sys.argv[1], "
                    "sys.argv[2])"],
    "libreoffice": ["/usr/bin/python3", str(ROOT / "tests" / "lo_recalc.py")],
}


def peer_values(peer: str, path: Path, timeout: float) -> tuple[dict[tuple[str, int, int], Any] | None, str]:
    """The peer's value of every cell of its recalculated copy of ``path`` (None and why, when it failed)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.xlsx"
        try:
            done = subprocess.run([*PEERS[peer], str(path), str(out)], capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, f"timed out after {timeout:g} s"
        if done.returncode != 0 or not out.exists():
            return None, (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["failed"])[-1][:120]
        try:
            package = reader.read(str(out))
        except Exception as exc:  # a peer's output we cannot read counts as its failure
            return None, f"its output is unreadable: {exc}"[:120]
        values: dict[tuple[str, int, int], Any] = {}
        for sheet in package.sheets:
            values.update({(sheet.name, r, c): sheet.values.get((r, c)) for r, c in sheet.values})
            for cell in [*sheet.formulas, *sheet.array_members]:  # a formula cell's value is its cached one
                values[(sheet.name, cell.row, cell.col)] = cell.cached
        return values, ""


def run(folders: list[Path], peers: list[str], timeout: float) -> dict[str, Any]:
    files = sorted(p for folder in folders for p in folder.glob("*.xls[xm]"))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_source: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    failures: dict[str, list[str]] = defaultdict(list)
    for i, path in enumerate(files, 1):
        ours = excel_oracle.check(path, keep_misses=0)
        source = path.name.split("__")[0]
        for engine in ["cellrules", *peers]:
            if engine == "cellrules":
                agree = ours.agree
            else:
                values, why = peer_values(engine, path, timeout)
                if values is None:
                    failures[engine].append(f"{path.name}: {why}")
                agree = 0 if values is None else sum(excel_oracle.same(values.get(cell), want)
                                                     for cell, want in ours.compared.items())
            for bucket in (totals[engine], by_source[(engine, source)]):
                bucket[0] += ours.cells
                bucket[1] += agree
        print(f"\r{i}/{len(files)} {path.name[:60]:60}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return {"files": len(files), "totals": {e: {"cells": c, "agree": a, "share": a / c if c else 1.0}
                                             for e, (c, a) in totals.items()},
            "by_source": {f"{e} {s}": {"cells": c, "agree": a} for (e, s), (c, a) in sorted(by_source.items())},
            "failures": {e: len(v) for e, v in failures.items()}, "failed_files": dict(failures)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--peers", default="ironcalc,formualizer,libreoffice")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    out = run(args.dirs, [p for p in args.peers.split(",") if p], args.timeout)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    from cellrules.report import table
    print(table(["engine", "formula cells", "agree with Excel", "share", "files it failed"],
                [(e, f"{t['cells']:,}", f"{t['agree']:,}", f"{t['share']:.2%}", out["failures"].get(e, 0))
                 for e, t in out["totals"].items()]))
    print(f"{out['files']} workbooks, {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
