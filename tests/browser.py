"""A real Chromium (Debian's, driven by Playwright) loading the add-in page cellrules serves.

Used by the browser tests and by ``bench/officejs.py``. Microsoft's office.js is not reachable here, so
its URL is answered with ``tests/js/excel_standin.js``: a stand-in for Excel's custom-functions runtime
written from Microsoft's documentation (declared parameters, nulls, 2-D matrices, one array for a
repeating parameter, an Invocation last). Everything else — functions.html, functions.js, the call
endpoint — is the real thing, over real HTTP.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
JS = ROOT / "tests" / "js"
OFFICE_JS = "https://appsforoffice.microsoft.com/**"
CHROMIUM = os.environ.get("CELLRULES_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        return "Debian's chromium is not installed (.ci/run installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(*extra: str, rules: Path = ROOT / "rules") -> Iterator[tuple[str, subprocess.Popen]]:
    """``cellrules serve`` on a free loopback port; yields (base URL, process)."""
    port = free_port()
    env = dict(os.environ, CELLRULES_RULES=str(rules))
    proc = subprocess.Popen([sys.executable, "-m", "cellrules", "serve", "--port", str(port), *extra], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(400):
            try:
                urllib.request.urlopen(base + "health", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("server exited: " + proc.stderr.read().decode()) from None
                time.sleep(0.05)
        else:
            raise RuntimeError("server did not start")
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextlib.contextmanager
def excel_page(base: str) -> Iterator[object]:
    """A Chromium page on ``base``functions.html with the Excel stand-in in place of office.js, the
    functions associated and ``ExcelStandIn`` loaded with the served functions.json."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                                     args=FLAGS)
        try:
            page = browser.new_page()
            page.route(OFFICE_JS, lambda route: route.fulfill(path=str(JS / "excel_standin.js"),
                                                              content_type="application/javascript"))
            page.goto(base + "functions.html")
            page.add_script_tag(path=str(JS / "scenarios.js"))
            page.evaluate("""async () => {
                const meta = await (await fetch("functions.json" + location.search)).json();
                ExcelStandIn.load(meta);
                window.__requests = 0;
                const real = window.fetch;
                window.fetch = (...a) => { window.__requests += 1; return real(...a); };
            }""")
            yield page
        finally:
            browser.close()
