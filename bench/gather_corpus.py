"""Gather Excel-saved workbooks from other projects' repositories into a conformance corpus, split once.

    python bench/gather_corpus.py OUT_DIR LABEL=REPO_GIT_DIR...     (e.g. pycel=/src/pycel/.git)

Each repository is a git directory (a clone, or a mirror) of one of the projects below, its files named
LABEL__path__in__repo.xlsx; every .xlsx/.xlsm
at its HEAD that Microsoft Excel saved last (docProps/app.xml says so), that holds a formula cell with a
cached value, and that is not in ../shared/oracle or tests/oracle, is written to OUT_DIR/tune or
OUT_DIR/held — held out when the first byte of the sha256 of its file name is below 0x4D (about 30%), a
rule fixed before anything was tuned — and listed in OUT_DIR/SOURCES.txt with its repository and sha256.
The corpus is not vendored (ten licences, 40 MB); `python tests/excel_oracle.py OUT_DIR/held` and
`python bench/peers_oracle.py OUT_DIR/held` measure on it. The corpus of docs/recalc.md came from:

- IronCalc (MIT/Apache-2.0), pycel (GPL-3.0), formulas (EUPL-1.1), koala (GPL-3.0), ClosedXML (MIT),
  EPPlus (Polyform NC, test data only), NPOI (Apache-2.0), calamine (MIT), Apache POI (Apache-2.0),
  PhpSpreadsheet (MIT).
"""
from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KNOWN = [ROOT.parent / "shared" / "oracle", ROOT / "tests" / "oracle"]
EXCEL = ("<Application>Microsoft Excel", "<Application>Microsoft Macintosh Excel")


def excel_saved_with_formulas(data: bytes) -> bool:
    """Whether a package was saved by Excel and holds a formula cell with a cached value."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            app = z.read("docProps/app.xml").decode("utf-8", "replace") if "docProps/app.xml" in names else ""
            sheets = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            return any(a in app for a in EXCEL) and any(b"</f><v>" in z.read(s) for s in sheets)
    except (zipfile.BadZipFile, KeyError, OSError):
        return False


def held_out(name: str) -> bool:
    """The split, decided by the file name alone."""
    return hashlib.sha256(name.encode()).digest()[0] < 0x4D


def gather(out: Path, repos: dict[str, Path]) -> int:
    """Write the workbooks of ``repos`` (by label) into ``out``; how many."""
    have = {hashlib.sha256(p.read_bytes()).hexdigest() for d in KNOWN if d.is_dir() for p in d.glob("*.xls*")}
    rows, count = [], 0
    for label, repo in repos.items():
        listing = subprocess.run(["git", f"--git-dir={repo}", "ls-tree", "-r", "HEAD"], capture_output=True,
                                 text=True, check=True).stdout.splitlines()
        for line in listing:
            meta, path = line.split("\t", 1)
            if not re.search(r"\.xls[xm]$", path, re.I):
                continue
            blob = subprocess.run(["git", f"--git-dir={repo}", "cat-file", "-p", meta.split()[2]],
                                  capture_output=True)
            if blob.returncode:  # a snapshot may list a file it does not hold (its largest files)
                continue
            data = blob.stdout
            digest = hashlib.sha256(data).hexdigest()
            if digest in have or not excel_saved_with_formulas(data):
                continue
            have.add(digest)
            name = f"{label}__{path.replace('/', '__')}"
            folder = out / ("held" if held_out(name) else "tune")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
            rows.append(f"{name} | {repo} | {digest}")
            count += 1
    (out / "SOURCES.txt").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return count


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    print(gather(Path(sys.argv[1]), {a.split("=", 1)[0]: Path(a.split("=", 1)[1]) for a in sys.argv[2:]}), "workbooks")
