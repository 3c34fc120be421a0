"""Load test of `cellrules serve` (part of `make bench`): calls per second through the batched endpoint.

A real uvicorn server on 127.0.0.1 (a free port), 10,000 rows of each function sent the way functions.js
sends them (batches of 5,000 calls, identical ranges once per batch), against calling the Python
functions directly in this same run. Bounded: 10,000 rows per function, a few seconds in all.
"""
from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from cellrules import functions  # noqa: F401  (registers the functions)
from cellrules.registry import REGISTRY
from cellrules.report import table

ROOT = Path(__file__).resolve().parents[1]
ROWS, BATCH = 10_000, 5_000


def rows() -> dict[str, list[list]]:
    rng = np.random.default_rng(3)
    amounts = [[float(a)] for a in rng.lognormal(10, 1.5, ROWS).round(2)]
    return {
        "TIER": [[[a], {"$range": 0}] for a in amounts],
        "PROFITRATE": [[float(r), float(r) * 0.6, float(r) * 0.1] for r in rng.uniform(1, 1e6, ROWS).round(2)],
        "PROSPECTSCORE": [["Manufacturing", "CFO", "East", "merger", bool(i % 2), False, True] for i in range(ROWS)],
        "DUNNINGSTAGE": [[int(d)] for d in rng.integers(0, 200, ROWS)],
        "COMMISSION": [[float(a), "new" if i % 3 else "renewal", None, "2026-06-30"]
                       for i, a in enumerate(rng.uniform(0, 4e5, ROWS).round(2))],
    }, amounts


def direct(name: str, calls: list[list], amounts: list) -> float:
    func = REGISTRY[name].func
    frozen = tuple(tuple(a) for a in amounts)
    start = time.perf_counter()
    for args in calls:
        func(*[frozen if isinstance(a, dict) else a for a in args])
    return time.perf_counter() - start


def served(port: int, name: str, calls: list[list], amounts: list) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start = time.perf_counter()
    for first in range(0, len(calls), BATCH):
        chunk = calls[first:first + BATCH]
        ranges = [amounts] if name == "TIER" else []
        body = json.dumps({"calls": [{"function": name, "args": a} for a in chunk], "ranges": ranges})
        conn.request("POST", "/api/call", body, {"Content-Type": "application/json"})
        reply = json.loads(conn.getresponse().read())
        assert len(reply["results"]) == len(chunk) and "error" not in reply["results"][0], reply["results"][0]
    conn.close()
    return time.perf_counter() - start


def start_server() -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "cellrules", "serve", "--port", str(port)], cwd=ROOT,
                            stderr=subprocess.DEVNULL, env=dict(os.environ))
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("cellrules serve did not start")


def main() -> dict:
    data, amounts = rows()
    proc, port = start_server()
    results = []
    try:
        for name, calls in data.items():
            t_direct = direct(name, calls, amounts)
            t_served = served(port, name, calls, amounts)
            results.append({"function": name, "rows": ROWS, "direct_calls_per_s": round(ROWS / t_direct),
                            "served_calls_per_s": round(ROWS / t_served), "served_vs_direct": round(t_direct / t_served, 2)})
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"\n4. cellrules serve on 127.0.0.1: {ROWS:,} rows per function in batches of {BATCH:,},"
          " against the Python functions called directly in this run")
    print(table(["function", "direct calls/s", "served calls/s", "served ÷ direct"],
                [(r["function"], f"{r['direct_calls_per_s']:,}", f"{r['served_calls_per_s']:,}", r["served_vs_direct"])
                 for r in results]))
    return {"serve": results}


if __name__ == "__main__":
    main()
