"""Hostile inputs, bounded (`python bench/bounded.py [--code DIR]`): each case of tests/hostile/make.py and a YAML
alias bomb, recalculated or checked in a fresh process, with its wall time, peak memory (max RSS) and outcome.

With ``--code DIR`` the cases run against another checkout's ``src`` (for example the last commit before the
bounds: ``git worktree add /tmp/before <commit>``), so before and after are measured the same way, in one run.
Each process is stopped at 60 s and 4 GB of address space, so a case that would hang or exhaust memory ends as
"stopped" instead of taking the machine with it.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path = [p for p in sys.path if Path(p).resolve() != Path(__file__).resolve().parent] + [str(Path(__file__).resolve().parent)]
from hostile import make  # noqa: E402

LIMIT_SECONDS = 60
LIMIT_BYTES = 4 << 30
CHAIN = 100_000  # cells in the chain cases
BOMB = "\n".join(f"{c}: &{c} [" + ",".join([f"*{p}" if p else '"lol"'] * 9) + "]"
                 for c, p in zip("abcdefghi", [None, *"abcdefgh"])) + "\n"
RECALC = """import sys; sys.setrecursionlimit(sys.getrecursionlimit())
from cellrules.recalc.batch.run import recalc_file
r = recalc_file(sys.argv[1], sys.argv[2]); print(('ok' if r.ok else 'refused: ' + r.problem)[:90])"""
CHECK = """import sys
from cellrules.source import load_file; from pathlib import Path
s, p = load_file(Path(sys.argv[1])); print(('loaded' if s else str(p[0]))[:90])"""


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))


def run_case(code: Path, script: str, *args: str) -> dict:
    """One case in a fresh, limited process: seconds, its own peak memory (from wait4), its last line."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=_limit, env={"PYTHONPATH": str(code / "src"), "PATH": "/usr/bin:/bin"})
    timer = threading.Timer(LIMIT_SECONDS, proc.kill)
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    out, err = proc.stdout.read().strip(), proc.stderr.read().strip()
    seconds = time.perf_counter() - started
    if seconds >= LIMIT_SECONDS:
        text = f"stopped after {LIMIT_SECONDS} s"
    else:
        text = out or (err.splitlines() or ["(nothing)"])[-1]
    return {"seconds": round(seconds, 2), "peak_mb": round(usage.ru_maxrss / 1024), "outcome": text[:90]}


def _big_table(rows: int = 2000, words: int = 78, numbers: int = 10) -> str:
    """A decision table of ``rows`` rules, ``numbers`` number inputs (ranges) and a text input (lists of
    ``words`` words): about 2 MB. With the defaults it needs more fields than the engine reads (refused as
    TOO_LARGE after reading every cell); ``numbers=60, words=8`` is a valid table of the same size."""
    import random
    pick = random.Random(1)
    head = ("policy: big\nkind: decision_table\nversion: \"1\"\neffective_from: 2026-01-01\ndescription: big\n"
            "hit_policy: F\ninputs:\n" + "".join(f"  - {{name: x{k}, type: number}}\n" for k in range(numbers))
            + "  - {name: region, type: text}\noutputs:\n  - {name: out, type: number}\nrules:\n")
    body = []
    for j in range(rows):
        cells = [f'"[{pick.randint(0, 500)}..{pick.randint(501, 1000)}]"' for _ in range(numbers)]
        cells.append('"' + ", ".join(f'\\"r{pick.randint(0, 5000)}\\"' for _ in range(words)) + '"')
        body.append(f"  - [{', '.join(cells)}, {j}]\n")
    return head + "".join(body)


def _check(text: str) -> tuple[float, str]:
    """`cellrules check` of ``text`` as big.yaml, end to end in a fresh process: seconds, and its last line."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.yaml"
        path.write_text(text, encoding="utf-8")
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "cellrules", "check", str(path)], capture_output=True,
                             text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        return time.perf_counter() - started, (out.stdout.strip().splitlines() or [""])[-1]


def _check_speed() -> None:
    """Reading and checking a 2 MB rule file: libyaml's parser against ruamel's, in this process, and
    `cellrules check` end to end, best of three (goal: ≤ 2 s on a 2 MB file)."""
    sys.path.insert(0, str(ROOT / "src"))
    from cellrules import source
    text = _big_table()
    started = time.perf_counter()
    source.load_text(text, "big.yaml")
    fast = time.perf_counter() - started
    started = time.perf_counter()
    source._load_ruamel(text, "big.yaml")
    slow = time.perf_counter() - started
    print(f"a {len(text) / 1e6:.1f} MB rule file: read in {fast:.2f} s (ruamel's parser: {slow:.2f} s, "
          f"{slow / fast:.0f}× slower)")
    for what, table in (("11 inputs, lists of 78 words (TOO_LARGE)", text),
                        ("61 inputs, lists of 8 words (valid)", _big_table(numbers=60, words=8))):
        runs = [_check(table) for _ in range(3)]
        print(f"`cellrules check`, {len(table) / 1e6:.1f} MB, {what}: {min(r[0] for r in runs):.2f} s end to end "
              f"(goal ≤ 2 s) — {runs[0][1]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--code", type=Path, default=ROOT, help="checkout whose src/ is measured")
    ap.add_argument("--check-only", action="store_true", help="only the 2 MB check figures")
    args = ap.parse_args()
    if args.check_only:
        _check_speed()
        return 0
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, build in make.ALL.items():
            if name in ("fifo", "link_to_dev_zero"):
                continue  # these hang the reader itself by design; the tests show them refused
            path = build(folder)
            rows[name] = run_case(args.code, RECALC, str(path), str(folder / f"out-{path.name}"))
        bomb = folder / "bomb.yaml"
        bomb.write_text(BOMB)
        rows["yaml_alias_bomb"] = run_case(args.code, CHECK, str(bomb))
        for name in ("forward_chain", "reverse_chain", "big_cycle"):  # 100,000 cells each: linear, like the forward one
            path = getattr(make, name)(folder, CHAIN)
            rows[f"{name}_100k"] = run_case(args.code, RECALC, str(path), str(folder / f"out-{path.name}"))
    width = max(map(len, rows))
    for name, r in rows.items():
        print(f"{name:<{width}}  {r['seconds']:>6.2f} s  {r['peak_mb']:>6} MB  {r['outcome']}")
    _check_speed()
    forward = rows["forward_chain_100k"]["seconds"] or 1.0
    print(f"reverse chain / forward chain, 100,000 cells: {rows['reverse_chain_100k']['seconds'] / forward:.2f}×; "
          f"cycle / forward chain: {rows['big_cycle_100k']['seconds'] / forward:.2f}× (quadratic was ≥ 10×)")
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    (ROOT / "bench" / "out" / f"hostile-{args.code.name}.json").write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
