"""cellrules diff: the policy change in words, the cells that change on real workbooks, never a written input."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import browser
from cellrules.demo import raised_rate
from conftest import ROOT, RULES
from test_cli import run

SAMPLE = ROOT / "samples" / "customers.xlsx"


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, Path, Path]:
    """The shipped rules; the same with the new-customer rate at 18% and Major widened to 9%; a sample copy."""
    root = tmp_path_factory.mktemp("impact")
    new = raised_rate(RULES, root / "new")
    tiers = new / "tiers.yaml"
    tiers.write_text(tiers.read_text(encoding="utf-8").replace("share: 5%", "share: 9%"), encoding="utf-8")
    book = root / "customers.xlsx"
    shutil.copy(SAMPLE, book)
    return RULES, new, book


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_change_in_words_and_every_changed_cell_on_a_real_workbook(folders):
    old, new, book = folders
    before = digest(book)
    out = run("diff", str(old), str(new), str(book), "--json")
    assert out.returncode == 0, out.stderr
    assert digest(book) == before  # the workbook is only read
    report = json.loads(out.stdout)
    words = {p["file"]: p["details"] for p in report["policies"]}
    assert "version v2026-01 › deal_types › new › brackets › row 1 › rate: 15% → 18%" in words["commission.yaml"]
    assert "schemes › customers › bands › Major › upto: 6% → 10%" in words["tiers.yaml"]
    (sheet,) = report["workbooks"]
    commission = [c for c in sheet["changed"] if c["function"] == "COMMISSION"]
    assert commission, "raising a rate changes commissions"
    for c in commission:  # 18% instead of 15% on the first 100,000 of a new deal: ×1.2 below it, +3,000 above
        old_value, new_value = abs(c["old"]), abs(c["new"])
        assert new_value == pytest.approx(old_value * 1.2) or new_value == pytest.approx(old_value + 3000), c
    totals = {t["function"]: t for t in sheet["totals"]}
    assert totals["COMMISSION"]["after"] - totals["COMMISSION"]["before"] == pytest.approx(
        sum(c["new"] - c["old"] for c in commission))
    moved = {(m["from"], m["to"]): m["count"] for m in sheet["movements"] if m["function"] == "TIER"}
    assert moved and set(moved) <= {("Normal", "Major"), ("Small", "Normal")}
    assert sum(moved.values()) == totals["TIER"]["changed"]
    assert totals["DUNNINGSTAGE"]["changed"] == 0 and totals["PROFITRATE"]["changed"] == 0
    trail = {side: {(v["policy"], v["version"]): v for v in sheet["versions"][side]} for side in ("old", "new")}
    old_c, new_c = trail["old"][("commission", "v2026-01")], trail["new"][("commission", "v2026-01")]
    assert old_c["cells"] == new_c["cells"] > 0 and [v for v in trail["old"] if v[0] == "commission"] == \
        [v for v in trail["new"] if v[0] == "commission"]
    assert old_c["sha256"] != new_c["sha256"]  # the same version name, another text: the hash tells them apart
    assert trail["old"][("dunning", "2026-01")]["sha256"] == trail["new"][("dunning", "2026-01")]["sha256"]


def test_a_change_to_an_older_version_is_a_change(tmp_path):
    """Every version of a file is compared, not only the top: last year's plan edited is reported (it was
    "no policy changed" while an example's answer moved)."""
    new = tmp_path / "new"
    shutil.copytree(RULES, new)
    path = new / "commission.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("- rate: 15%          # 15% of the whole deal", "- rate: 16%"), encoding="utf-8")
    report = json.loads(run("diff", str(RULES), str(new), "--json").stdout)
    assert report["policies"] == [{"file": "commission.yaml", "change": "changed", "details": [
        "version v2025-01 › deal_types › new › brackets › row 1 › rate: 15% → 16%"]}]


def test_without_workbooks_the_examples_that_change(folders):
    old, new, _ = folders
    report = json.loads(run("diff", str(old), str(new), "--json").stdout)
    changed = {e["example"].split(":")[0] for e in report["examples"]}
    assert changed == {"commission.yaml", "tiers.yaml"}
    assert {"old": 25000.0, "new": 28000.0} in [{k: e[k] for k in ("old", "new")} for e in report["examples"]]


def test_reports_are_byte_stable_and_the_terminal_text_is_a_table(folders, tmp_path):
    old, new, book = folders
    pages = []
    for i in range(2):
        out = run("diff", str(old), str(new), str(book), "--html", str(tmp_path / f"r{i}.html"))
        assert out.returncode == 0
        pages.append((out.stdout, (tmp_path / f"r{i}.html").read_bytes()))
    assert pages[0] == pages[1]
    assert "COMMISSION     300    " in pages[0][0] and "+8.0%" in pages[0][0]


def test_bad_folders_and_missing_workbooks_exit_2(folders, tmp_path):
    old, new, _ = folders
    assert run("diff", str(tmp_path / "nowhere"), str(new)).returncode == 2
    assert run("diff", str(old), str(new), str(tmp_path / "no.xlsx")).returncode == 2


def test_the_html_report_never_overwrites_an_input_and_a_broken_workbook_fails_the_run(folders, tmp_path):
    """--html onto a compared workbook or a rule file is refused (exit 2, the file untouched); a missing folder
    for the report is made; a corrupt workbook among the compared ones makes the exit 1."""
    old, new, book = folders
    kept = book.read_bytes()
    for target in (book, old / "commission.yaml"):
        before = target.read_bytes()
        out = run("diff", str(old), str(new), str(book), "--html", str(target))
        assert out.returncode == 2 and "give the report another name" in out.stderr and target.read_bytes() == before
    assert book.read_bytes() == kept
    page = tmp_path / "not" / "yet" / "report.html"
    assert run("diff", str(old), str(new), str(book), "--html", str(page)).returncode == 0 and page.stat().st_size
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    out = run("diff", str(old), str(new), str(book), str(broken))
    assert out.returncode == 1 and "broken.xlsx" in out.stdout


REASON = browser.missing()
if REASON and os.environ.get("CELLRULES_REQUIRE_BROWSER") == "1":
    raise RuntimeError(f"the browser tests are required here: {REASON}")


@pytest.mark.skipif(REASON is not None, reason=REASON or "")
@pytest.mark.slow  # a real Chromium
def test_the_html_report_renders_in_chromium(folders, tmp_path):
    """The page is self-contained (no script, nothing fetched) and a real browser draws its tables and bars."""
    from playwright.sync_api import sync_playwright
    old, new, book = folders
    page_file = tmp_path / "report.html"
    assert run("diff", str(old), str(new), str(book), "--html", str(page_file)).returncode == 0
    text = page_file.read_text(encoding="utf-8")
    assert "<script" not in text and "src=" not in text and "href=" not in text
    with sync_playwright() as pw:
        chrome = pw.chromium.launch(executable_path=browser.CHROMIUM if Path(browser.CHROMIUM).exists()
                                    else shutil.which("chromium"), args=browser.FLAGS)
        page = chrome.new_page(viewport={"width": 900, "height": 1200})
        page.goto(page_file.as_uri())
        shot = page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
        bars = page.locator("svg rect").count()
        heading = page.locator("h1").inner_text()
        rows = page.locator("table").first.locator("tbody tr").count()
        chrome.close()
    assert heading == "Impact of the policy change" and bars == 2 and rows == 5  # COMMISSION before and after: the one amount
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 20_000  # a drawn page, not a blank one


def test_a_workbook_that_cannot_be_recalculated_is_reported_and_left_as_it_is(folders, tmp_path):
    old, new, _ = folders
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip at all")
    out = run("diff", str(old), str(new), str(broken), "--json")
    (book,) = json.loads(out.stdout)["workbooks"]
    assert out.returncode == 1 and "not an .xlsx package" in book["problem"]  # reported, and the run fails
    assert broken.read_bytes() == b"not a zip at all"


def test_totals_only_for_amounts_rows_named_by_their_key_and_numbers_as_people_read_them(folders):
    """PROFITRATE's rates and PROSPECTSCORE's scores have no total (a sum of 300 rates means nothing); COMMISSION,
    an amount, has; each changed cell names its row by the row's first text (the customer); no float noise; "1 of
    1,500" style counts."""
    from cellrules.impact_report import _money
    old, new, book = folders
    report = json.loads(run("diff", str(old), str(new), str(book), "--json").stdout)
    (sheet,) = report["workbooks"]
    totals = {t["function"]: t for t in sheet["totals"]}
    assert totals["COMMISSION"]["numbers"] and not totals["PROFITRATE"]["numbers"]
    assert not totals.get("PROSPECTSCORE", {"numbers": False})["numbers"]
    assert all(c["key"].startswith("C") for c in sheet["changed"])  # the customer ids of sales_book
    assert _money(14999.849999999999) == "14,999.85" and _money(25000.0) == "25,000" and _money(0.2345) == "0.2345"
    text = run("diff", str(old), str(new), str(book)).stdout
    assert "PROFITRATE" not in [line.split()[0] for line in text.splitlines() if line.split() and "%" in line]


def test_changed_cells_show_as_the_workbook_formats_them_and_are_keyed_by_the_column_asked(folders, tmp_path):
    """A changed cell reads as its number format shows it ($28,000.0, not 28000.0) and `--key` names the row
    by the column asked for (a header or a letter), not only by the row's first text cell."""
    import openpyxl
    old, new = RULES, raised_rate(RULES, tmp_path / "new")  # only commission changes: dunning is reached, not changed
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Deals"
    ws.append(["Deal", "Region", "Amount", "Commission"])
    for i, (region, fmt) in enumerate([("East", '"$"#,##0.0'), ("West", "0.00E+00"), ("North", "General")], 2):
        ws.append([f"D{i}", region, 150000, f'=COMMISSION(C{i},"new")'])
        ws[f"D{i}"].number_format = fmt
    wb.save(tmp_path / "deals.xlsx")
    out = run("diff", str(old), str(new), str(tmp_path / "deals.xlsx"), "--key", "region", "--json")
    cells = {c["cell"]: c for c in json.loads(out.stdout)["workbooks"][0]["changed"]}
    assert [cells[f"Deals!D{i}"]["key"] for i in (2, 3, 4)] == ["East", "West", "North"]
    assert (cells["Deals!D2"]["old_shown"], cells["Deals!D2"]["new_shown"]) == ("$25,000.0", "$28,000.0")
    assert cells["Deals!D3"]["new_shown"] == "2.80E+04" and "new_shown" not in cells["Deals!D4"]
    text = run("diff", str(old), str(new), str(tmp_path / "deals.xlsx"), "--key", "C").stdout
    assert "$28,000.0" in text and "2.80E+04" in text and "Deals!D3  150000  " in text


def test_the_second_pass_recomputes_what_a_change_reaches_and_agrees_with_two_whole_recalculations(tmp_path):
    """The diff computes everything once, then again only what the changed policies can reach — a DUNNINGSTAGE of
    a COMMISSION cell, one reading it through INDIRECT, a defined name calling COMMISSION — and its changed
    cells are exactly those two whole recalculations (one per folder) disagree on."""
    import openpyxl
    from openpyxl.workbook.defined_name import DefinedName
    from cellrules.recalc.batch.run import recalc_file
    from cellrules import store
    old, new = RULES, raised_rate(RULES, tmp_path / "new")  # only commission changes: dunning is reached, not changed
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Deals"
    ws.append(["Deal", "Amount", "Type", "Days", "Commission", "Tier", "Stage", "Tier again", "Bonus"])
    n = 40
    for r in range(2, n + 2):
        ws.append([f"D{r}", 20000 + 7000 * r, "new" if r % 2 else "renewal", r * 3,
                   f'=COMMISSION(B{r},C{r})', f"=DUNNINGSTAGE(E{r}/100)", f"=DUNNINGSTAGE(D{r})",
                   f'=DUNNINGSTAGE(INDIRECT("E"&ROW())/100)', f"=Bonus*{r}"])
    wb.defined_names["Bonus"] = DefinedName("Bonus", attr_text='COMMISSION(150000,"new")')
    wb.save(tmp_path / "deals.xlsx")
    report = json.loads(run("diff", str(old), str(new), str(tmp_path / "deals.xlsx"), "--json").stdout)
    got = {c["cell"]: (c["old"], c["new"]) for c in report["workbooks"][0]["changed"]}
    whole = []
    for folder in (old, new):
        out = tmp_path / f"{len(whole)}.xlsx"
        with store.using(store.Store(folder)):
            recalc_file(str(tmp_path / "deals.xlsx"), str(out))
        whole.append(openpyxl.load_workbook(out, data_only=True)["Deals"])
    want = {f"Deals!{col}{r}": (whole[0][f"{col}{r}"].value, whole[1][f"{col}{r}"].value)
            for r in range(2, n + 2) for col in "EFGHI" if whole[0][f"{col}{r}"].value != whole[1][f"{col}{r}"].value}
    assert want and set(got) == {k for k in want if k[6] in "EFH"}  # the cellrules cells the report covers
    for cell in got:
        assert got[cell] == pytest.approx(want[cell]) if isinstance(got[cell][0], float) else got[cell] == want[cell]
    assert any(k[6] == "F" for k in got) and any(k[6] == "H" for k in got)  # reached through E, and INDIRECT
    assert any(k[6] == "I" for k in want)  # the name calling COMMISSION moved too (not a cellrules cell)


def _moved_one_by_one(before, after):
    """The impact report's rule for one cell, as it was written before columns were compared at once."""
    def number(v):
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
    out = []
    for k, (x, y) in enumerate(zip(before, after)):
        if x == y and type(x) is type(y):
            continue
        a, b = number(x), number(y)
        if str(x) != str(y) and not (a is not None and b is not None and abs(a - b) <= 1e-9 * max(1, abs(a))):
            out.append(k)
    return out


_cell = st.one_of(st.floats(-1e12, 1e12), st.sampled_from([0.0, -0.0, 1.0, 1.0 + 1e-12, 2.5]), st.none(),
                  st.sampled_from(["VIP", "Small", "", "1"]), st.booleans())


@given(st.lists(st.tuples(_cell, _cell), max_size=40), st.booleans())
def test_a_column_compared_at_once_moves_exactly_the_cells_the_one_by_one_rule_moves(pairs, numbers_only):
    from cellrules.impact_cells import _moved
    if numbers_only:
        pairs = [(x, y) for x, y in pairs if type(x) is float and type(y) is float]
    before, after = [x for x, _ in pairs], [y for _, y in pairs]
    assert _moved(before, after) == _moved_one_by_one(before, after)
