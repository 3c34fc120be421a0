"""Excel-conformance harness: cellrules recalc against workbooks last saved by Microsoft Excel.

Every formula cell of an Excel-saved workbook caches Excel's own answer. For each workbook: read it,
forget every formula cell's cached value (formula cells, and every cell of a multi-cell array formula),
recalculate, and compare each cell with Excel's value — numbers to 1e-9 relative, text exactly,
booleans, error codes. Volatile cells (NOW, TODAY, RAND, RANDBETWEEN, OFFSET, INDIRECT, CELL, INFO) and
every cell that depends on one are skipped. Prints per-file and total agreement and the functions we do
not support, by cell count.

    python tests/excel_oracle.py [DIR ...] [--json] [--misses N] [--file NAME]

``make oracle`` runs it over ../shared/oracle; tests/test_excel_oracle.py asserts the total.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cellrules.errors import ExcelError
from cellrules.xlsx import reader as xlsx
from cellrules.recalc.formula.book import Book
from cellrules.recalc.formula.graph import edges
from cellrules.xlsx.addresses import col_index
from cellrules.recalc.batch.run import compute

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "oracle"
VOLATILE = re.compile(r"\b(?:NOW|TODAY|RAND|RANDBETWEEN|RANDARRAY|OFFSET|INDIRECT|CELL|INFO)\s*\(", re.I)
_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")


@dataclass
class FileResult:
    name: str
    cells: int = 0
    agree: int = 0
    skipped: int = 0
    problem: str = ""
    seconds: float = 0.0
    misses: list[dict[str, Any]] = field(default_factory=list)
    unsupported: Counter = field(default_factory=Counter)
    compared: dict[tuple[str, int, int], Any] = field(default_factory=dict)  # cell -> Excel's value (bench/peers)

    @property
    def share(self) -> float:
        return self.agree / self.cells if self.cells else 1.0


def same(ours: Any, excel: Any) -> bool:
    """Our value against Excel's cached one."""
    if isinstance(excel, ExcelError) or isinstance(ours, ExcelError):
        return isinstance(excel, ExcelError) and isinstance(ours, ExcelError) and excel.code == ours.code
    if isinstance(excel, bool) or isinstance(ours, bool):
        return isinstance(excel, bool) and isinstance(ours, bool) and excel == ours
    if excel is None or excel == "":
        return ours is None or ours == ""
    if isinstance(excel, float):
        if isinstance(ours, (int, float)):
            return math.isclose(float(ours), excel, rel_tol=1e-9, abs_tol=1e-12)
        return False
    return isinstance(ours, str) and ours == excel


def _cells_of(ref: str) -> list[tuple[int, int]]:
    parts = [_REF.fullmatch(p) for p in ref.upper().split(":")]
    if not all(parts):
        return []
    (c1, r1), (c2, r2) = [(col_index(m.group(1)), int(m.group(2))) for m in (parts + parts)[:: max(1, len(parts) - 1)][:2]]
    return [(r, c) for r in range(min(r1, r2), max(r1, r2) + 1) for c in range(min(c1, c2), max(c1, c2) + 1)]


def _array_cells(package: xlsx.Package) -> dict[str, dict[tuple[int, int], Any]]:
    """Cells inside multi-cell array formulas (other than the master), with Excel's cached values."""
    out: dict[str, dict[tuple[int, int], Any]] = {}
    for sheet in package.sheets:
        xml = package.raw[sheet.part]
        masters = {(f.row, f.col) for f in sheet.formulas}
        extra: dict[tuple[int, int], Any] = {}
        for m in re.finditer(rb'<(?:\w+:)?f\b[^>]*\bt="array"[^>]*\bref="([^"]+)"', xml):
            for cell in _cells_of(m.group(1).decode()):
                if cell not in masters:
                    extra[cell] = sheet.values.get(cell)
        out[sheet.name] = extra
    return out


def _volatile(all_groups: list, book: Book) -> set[tuple[str, int, int]]:
    """Cells that are volatile or depend on a volatile cell (group granularity)."""
    deps, _ = edges(all_groups, book)
    hot = {i for i, g in enumerate(all_groups) if VOLATILE.search(g.source)}
    changed = True
    while changed:
        changed = False
        for i in range(len(all_groups)):
            if i not in hot and deps.get(i, set()) & hot:
                hot.add(i)
                changed = True
    cells = {(all_groups[i].sheet.upper(), r, all_groups[i].col) for i in hot
             for r in range(all_groups[i].r0, all_groups[i].r1 + 1)}
    for i in hot:  # every cell of a volatile array formula's range, not its anchor alone
        area = all_groups[i].array
        if area is not None:
            cells |= {(all_groups[i].sheet.upper(), r, c) for r in range(area[0], area[2] + 1)
                      for c in range(area[1], area[3] + 1)}
    return cells


def check(path: Path, keep_misses: int = 20) -> FileResult:
    result = FileResult(path.name)
    start = time.perf_counter()
    try:
        package = xlsx.read(str(path))
        arrays = _array_cells(package)
        excel: dict[tuple[str, int, int], Any] = {}
        for sheet in package.sheets:
            for f in sheet.formulas:
                excel[(sheet.name, f.row, f.col)] = f.cached
                sheet.values.pop((f.row, f.col), None)
            for cell, value in arrays[sheet.name].items():
                excel[(sheet.name, *cell)] = value
                sheet.values.pop(cell, None)
        book, evaluator, all_groups, _ = compute(package)
        hot = _volatile(all_groups, book)
        texts = {(g.sheet.upper(), r, g.col): g.source for g in all_groups for r in range(g.r0, g.r1 + 1)}
        texts.update({(s.name.upper(), f.row, f.col): f.text for s in package.sheets for f in s.formulas if f.text})
        for (sheet, row, col), want in excel.items():
            if (sheet.upper(), row, col) in hot:
                result.skipped += 1
                continue
            got = book.sheets[sheet.upper()].values.get((row, col))
            result.compared[(sheet, row, col)] = want
            result.cells += 1
            if same(got, want):
                result.agree += 1
            elif len(result.misses) < keep_misses:
                result.misses.append({"cell": f"{sheet}!{_a1(row, col)}", "formula": texts.get((sheet.upper(), row, col)),
                                      "excel": _show(want), "ours": _show(got)})
        result.unsupported.update(evaluator.unsupported)
    except Exception as exc:  # a harness run reports a failed file and goes on
        result.problem = f"{type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - start
    return result


def _a1(row: int, col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _show(value: Any) -> Any:
    if isinstance(value, ExcelError):
        return f"{value.code} {value.reason}".strip()
    return value if isinstance(value, (int, float, str, bool)) or value is None else repr(value)


def run(folders: list[Path], only: str | None = None, keep_misses: int = 20) -> dict[str, Any]:
    files = sorted(p for folder in folders for p in folder.glob("*.xls[xm]") if only is None or only in p.name)
    results = [check(p, keep_misses) for p in files]
    cells = sum(r.cells for r in results)
    agree = sum(r.agree for r in results)
    unsupported: Counter = Counter()
    for r in results:
        unsupported.update(r.unsupported)
    return {"files": len(results), "cells": cells, "agree": agree, "share": agree / cells if cells else 1.0,
            "skipped_volatile": sum(r.skipped for r in results), "failed_files": [r.name for r in results if r.problem],
            "unsupported": dict(unsupported.most_common()),
            "per_file": [{"file": r.name, "cells": r.cells, "agree": r.agree, "share": round(r.share, 4),
                          "skipped": r.skipped, "problem": r.problem, "seconds": round(r.seconds, 2),
                          "misses": r.misses} for r in results]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path, default=[CORPUS])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--file", help="only files whose name contains this")
    ap.add_argument("--misses", type=int, default=3, help="misses to print per file (default 3)")
    args = ap.parse_args(argv)
    from cellrules.report import table
    out = run(args.dirs, args.file, max(args.misses, 20))
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False, default=str))
        return 0
    rows = [[f["file"][:70], f["cells"], f"{f['share']:.1%}", f["skipped"], f["problem"][:40]]
            for f in sorted(out["per_file"], key=lambda f: f["share"]) if f["cells"] or f["problem"]]
    print(table(["file", "cells", "agree", "volatile", "problem"], rows))
    for f in out["per_file"]:
        for miss in f["misses"][: args.misses] if f["share"] < 1 else []:
            print(f"  {f['file'][:50]} {miss}")
    print(f"\nunsupported functions (cells): {out['unsupported']}")
    print(f"TOTAL {out['agree']:,} of {out['cells']:,} formula cells agree with Excel: {out['share']:.2%} "
          f"({out['files']} files, {out['skipped_volatile']:,} volatile cells skipped, "
          f"{len(out['failed_files'])} files failed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
