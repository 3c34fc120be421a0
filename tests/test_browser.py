"""The Office.js add-in in a real browser: Debian's Chromium loads the served functions.html, whose
functions.js calls the real server over HTTP with Excel's documented calling convention (tests/browser.py).
Required where CELLRULES_REQUIRE_BROWSER=1 (.ci/run sets it), skipped with the reason elsewhere."""
from __future__ import annotations

import os

import pytest

import browser
from cellrules import functions  # noqa: F401  (fills the registry)
from cellrules.registry import REGISTRY

REASON = browser.missing()
if REASON and os.environ.get("CELLRULES_REQUIRE_BROWSER") == "1":
    raise RuntimeError(f"the browser tests are required here: {REASON}")
pytestmark = [pytest.mark.skipif(REASON is not None, reason=REASON or ""), pytest.mark.slow]  # a real Chromium


@pytest.fixture(scope="module")
def served():
    with browser.server() as (base, proc):
        yield base, proc


def test_every_function_with_excels_calling_convention(served):
    base, _ = served
    with browser.excel_page(base) as page:
        registered = page.evaluate("Object.keys(ExcelStandIn.registered).sort()")
        r = page.evaluate("CellrulesScenarios.runScenarios(ExcelStandIn)")
        requests = page.evaluate("window.__requests")
    assert registered == sorted(REGISTRY)
    assert requests == 1
    assert r["tier_vip"] == {"value": [["VIP"]]} and r["tier_column"] == {"value": [["VIP"], ["Small"]]}
    assert r["commission"] == {"value": 25000}
    assert r["commission_unknown"]["error"] == "#N/A" and "upsell" in r["commission_unknown"]["message"]
    assert r["profit_div0"] == {"error": "#DIV/0!"} and r["profit_num"] == {"error": "#NUM!"}
    assert r["actions"]["value"][0] == ["lawyer's letter"] and r["no_actions"] == {"value": [[""]]}
    # a row of outputs spills across: one rectangular row, never an array inside a cell
    assert r["decide_row"] == {"value": [[12, True, "regular visits and greetings; an account manager; "
                                              "retention first"]]}
    assert r["decide_class"] == {"value": [["key"]]}
    assert r["prospect"] == {"value": 10} and r["bad_bool"]["error"] == "#VALUE!"
    assert r["explain"]["value"].startswith("commission.yaml:")
    assert r["explain_tier"]["value"].startswith("tiers.yaml:")
    assert r["unknown_policy"]["error"] == "#N/A"


def test_a_10000_row_tier_column_is_one_request_with_every_tier_right(served):
    base, _ = served
    amounts = [float((i * 7919) % 10007) for i in range(10_000)]
    with browser.excel_page(base) as page:
        # every call gets its own array of the range's rows, so identical ranges are found by content
        out = page.evaluate("([a]) => CellrulesScenarios.tierColumn(ExcelStandIn, a, 'outer')", [amounts])
        requests = page.evaluate("window.__requests")
    want = REGISTRY["TIER"].func([[a] for a in amounts])
    assert requests == 1
    assert [t[0][0] for t in out["tiers"]] == want
    assert want.count("VIP") == 100


def test_the_server_down_gives_a_readable_na_in_every_cell():
    with browser.server() as (base, proc):
        with browser.excel_page(base) as page:
            proc.terminate()
            proc.wait(timeout=10)
            r = page.evaluate("CellrulesScenarios.runScenarios(ExcelStandIn)")
    assert all(v["error"] == "#N/A" and "not reachable" in v["message"] for v in r.values()), r
