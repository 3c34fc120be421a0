"""Load test of `cellrules serve` (part of `make bench`): calls per second through the batched endpoint, and
a crowd.

A real uvicorn server on 127.0.0.1 (a free port), 10,000 rows of each function sent the way functions.js
sends them (batches of 5,000 calls, identical ranges once per batch), against calling the Python
functions directly in this same run. Then a crowd: CLIENTS workbooks recalculating at once, each one
request of a 10,000-row TIER column (10,000 calls and the 10,000-cell range), sent again after Retry-After
while the server says it is busy (as functions.js does) — the server's peak memory (VmHWM) against its
memory at rest, the answers, and how long /health takes to answer meanwhile. `python bench/serve.py [--clients N]`.
"""
from __future__ import annotations

import argparse
import http.client
import json
import threading
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


def _memory(pid: int) -> tuple[float, float]:
    """A process's resident memory now and at its peak, in MB (Linux /proc)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _post(port: int, body: bytes, answers: list[int], turns: list[int]) -> None:
    """One workbook's request, sent again after Retry-After (and as much again at random) while the server is
    busy, as functions.js does; its last status in ``answers``, its 503s in ``turns``."""
    import random
    busy = 0
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        try:
            conn.request("POST", "/api/call", body, {"Content-Type": "application/json"})
            reply = conn.getresponse()
            reply.read()
            after = reply.getheader("Retry-After")
        except OSError:
            answers.append(0)
            return
        finally:
            conn.close()
        if after is None and reply.status == 503 and "json" not in (reply.getheader("Content-Type") or ""):
            after = "1"  # uvicorn's own 503 (its connections all taken), as functions.js reads it
        if reply.status != 503 or after is None:
            answers.append(reply.status)
            turns.append(busy)
            return
        busy += 1
        time.sleep(float(after) * (1 + random.random()))


def crowd(port: int, pid: int, clients: int, amounts: list) -> dict:
    """``clients`` TIER columns of ROWS rows sent at once; /health asked every 0.2 s meanwhile."""
    body = json.dumps({"calls": [{"function": "TIER", "args": [a, {"$range": 0}]} for a in amounts],
                       "ranges": [amounts]}).encode()
    at_rest = _memory(pid)[0]
    answers: list[int] = []
    turns: list[int] = []
    threads = [threading.Thread(target=_post, args=(port, body, answers, turns)) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    health = []
    while any(t.is_alive() for t in threads):
        asked = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/health")
        conn.getresponse().read()
        conn.close()
        health.append(time.perf_counter() - asked)
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    return {"clients": clients, "rows": ROWS, "body_mb": round(len(body) / 1e6, 2), "seconds": round(seconds, 1),
            "ok": answers.count(200), "busy_503_then_retried": sum(turns), "most_turns": max(turns, default=0),
            "other": len(answers) - answers.count(200),
            "other_statuses": sorted({a for a in answers if a != 200}), "rss_at_rest_mb": round(at_rest), "peak_mb": round(_memory(pid)[1]),
            "health_max_s": round(max(health), 3), "health_median_s": round(sorted(health)[len(health) // 2], 3)}


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


def main(clients: int = 200) -> dict:
    data, amounts = rows()
    proc, port = start_server()
    results = []
    try:
        for name, calls in data.items():
            t_direct = direct(name, calls, amounts)
            t_served = served(port, name, calls, amounts)
            results.append({"function": name, "rows": ROWS, "direct_calls_per_s": round(ROWS / t_direct),
                            "served_calls_per_s": round(ROWS / t_served), "served_vs_direct": round(t_direct / t_served, 2)})
        many = crowd(port, proc.pid, clients, amounts)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"\n4. cellrules serve on 127.0.0.1: {ROWS:,} rows per function in batches of {BATCH:,},"
          " against the Python functions called directly in this run")
    print(table(["function", "direct calls/s", "served calls/s", "served ÷ direct"],
                [(r["function"], f"{r['direct_calls_per_s']:,}", f"{r['served_calls_per_s']:,}", r["served_vs_direct"])
                 for r in results]))
    print(f"\n   A crowd: {many['clients']} clients at once, each a {ROWS:,}-row TIER column in one request "
          f"({many['body_mb']} MB):")
    if many["other"]:
        print(f"   (other answers: {many['other_statuses']}; 0 = the connection failed)")
    print(table(["answered 200", "503 busy (asked again)", "most by one", "other", "seconds", "server at rest",
                 "server peak", "/health median", "/health slowest"],
                [(many["ok"], many["busy_503_then_retried"], many["most_turns"], many["other"], many["seconds"],
                  f"{many['rss_at_rest_mb']} MB",
                  f"{many['peak_mb']} MB", f"{many['health_median_s']} s", f"{many['health_max_s']} s")]))
    return {"serve": results, "crowd": many}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=200)
    main(ap.parse_args().clients)
