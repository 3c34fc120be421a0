"""docs/screenshots/impact_report.png: the impact report of the demo's proposed change (new-customer rate 15% →
18%, the Major tier widened to 9%) on samples/customers.xlsx, as Debian's Chromium draws it (`make screenshots`)."""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from cellrules.demo import raised_rate

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        proposed = raised_rate(ROOT / "rules", Path(tmp) / "proposed")
        tiers = proposed / "tiers.yaml"
        tiers.write_text(tiers.read_text(encoding="utf-8").replace("share: 5%", "share: 9%"), encoding="utf-8")
        page_file = Path(tmp) / "report.html"
        subprocess.run([sys.executable, "-m", "cellrules", "diff", "rules", str(proposed), "samples/customers.xlsx",
                        "--key", "A", "--html", str(page_file)], cwd=ROOT, check=True, capture_output=True)
        text = page_file.read_text(encoding="utf-8").replace(str(proposed), "proposed/")
        page_file.write_text(text, encoding="utf-8")
        with sync_playwright() as pw:
            chrome = pw.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = chrome.new_page(viewport={"width": 900, "height": 1100})
            page.goto(page_file.as_uri())
            page.screenshot(path=str(ROOT / "docs" / "screenshots" / "impact_report.png"))
            chrome.close()
    print(ROOT / "docs" / "screenshots" / "impact_report.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
