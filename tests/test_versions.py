"""Effective dating for every policy: a file holds versions, the date in force picks one.

A policy dated in the future is not in force today; ``versions:`` entries change only the fields they give;
``as_of`` (a function argument where there is one, ``store.dated`` / ``recalc --as-of`` otherwise) selects;
problems inside a version point at the version's own lines.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from cellrules import functions as F, store
from cellrules.source import load_text
from cellrules.validation import validate_versions
from cellrules.vector import COLUMNS
from conftest import RULES, write
from test_cli import run

LATER = """\
  - version: "2027-01"            # the new-customer rate goes from 15% to 18% in 2027
    effective_from: 2027-01-01
    deal_types:
      - deal_type: new
        brackets:
          - up_to: 100000
            rate: 18%
          - rate: 20%
      - deal_type: renewal
        brackets:
          - rate: 1%
"""
DUNNING_2025 = """
versions:
  - version: "2025-01"
    effective_from: 2025-01-01
    stages:
      - stage: Current
        days: under 45
      - stage: Legal
        days: 45+
"""


@pytest.fixture
def versioned(rules_dir: Path, edit_store) -> Path:
    path = rules_dir / "commission.yaml"  # a third plan, as an entry of the file's versions:
    write(path, path.read_text(encoding="utf-8").replace("\nversions:\n", "\nversions:\n" + LATER))
    path = rules_dir / "dunning.yaml"
    write(path, path.read_text(encoding="utf-8") + DUNNING_2025)
    return rules_dir


def test_the_date_in_force_picks_the_version(versioned):
    with store.dated(dt.date(2025, 6, 1)):
        assert F.DUNNINGSTAGE(40) == "Current" and F.DUNNINGSTAGE(50) == "Legal"
        assert "(2025-01)" in F.EXPLAIN("DUNNINGSTAGE", 40)
    assert F.DUNNINGSTAGE(40) == "First notice"  # today: the top of the file (2026-01)
    assert F.COMMISSION(150000, "new", None, "2026-06-30") == pytest.approx(25000)
    assert F.COMMISSION(150000, "new", None, "2027-02-01") == pytest.approx(28000)  # 18% × 100k + 20% × 50k
    assert F.COMMISSION(150000, "new", None, "2025-06-30") == pytest.approx(22500)  # the 2025 plan of 2026-01


def test_before_the_first_version_nothing_is_in_force(versioned):
    with store.dated(dt.date(2024, 12, 31)):
        answer = F.DUNNINGSTAGE(40)
    assert answer == "#N/A" and "not in force on 2024-12-31" in answer.reason and "2025-01" in answer.reason


def test_a_policy_dated_in_the_future_is_not_in_force_today(rules_dir, edit_store):
    path = rules_dir / "profit.yaml"
    next_year = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    write(path, path.read_text(encoding="utf-8").replace("effective_from: 2026-01-01", f"effective_from: {next_year}"))
    answer = F.PROFITRATE(100, 60)
    assert answer == "#N/A" and f"starts {next_year}" in answer.reason
    with store.dated(dt.date.fromisoformat(next_year)):
        assert F.PROFITRATE(100, 60) == pytest.approx(0.4)


def test_a_column_of_dates_spanning_versions_agrees_with_each_cell(versioned):
    rng = np.random.default_rng(3)
    days = [dt.date(2024, 6, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 1100, 300)]
    amounts = np.round(rng.uniform(-2e5, 3e5, 300), 2)
    kinds = rng.choice(["new", "renewal", "upsell"], 300)
    column = COLUMNS["COMMISSION"](amounts, kinds, None, days)
    cells = [F.COMMISSION(a, k, None, d) for a, k, d in zip(amounts.tolist(), kinds.tolist(), days)]
    assert [str(c) if isinstance(c, str) else round(c, 6) for c in cells] == \
        [str(c) if isinstance(c, str) else round(float(c), 6) for c in column]
    assert any(d.year == 2027 for d in days) and any(d.year == 2024 for d in days)


def test_a_version_changes_only_the_fields_it_gives_and_its_problems_point_at_it(tmp_path):
    text = (RULES / "dunning.yaml").read_text(encoding="utf-8") + DUNNING_2025.replace("45+", "40+")
    source, _ = load_text(text, str(tmp_path / "dunning.yaml"))
    versions, found = validate_versions(source)
    assert versions is None
    overlap = [d for d in found if d.code == "OVERLAP"]
    line = text.splitlines().index("        days: 40+") + 1
    assert len(overlap) == 1 and overlap[0].location.line == line


def test_two_versions_may_not_start_on_one_day(tmp_path):
    text = (RULES / "dunning.yaml").read_text(encoding="utf-8") + DUNNING_2025.replace("2025-01-01", "2026-01-01")
    source, _ = load_text(text, str(tmp_path / "dunning.yaml"))
    versions, found = validate_versions(source)
    assert versions is None and [d.code for d in found if d.severity == "error"] == ["OVERLAP"]
    assert "both start on 2026-01-01" in found[0].message


def test_cellrules_check_and_test_read_the_versions(versioned):
    assert run("check", str(versioned)).returncode == 0
    out = run("test", str(versioned))
    assert out.returncode == 0, out.stdout + out.stderr


def test_recalc_as_of_uses_the_versions_of_that_day(versioned, tmp_path):
    book = tmp_path / "in" / "book.xlsx"
    book.parent.mkdir()
    wb = openpyxl.Workbook()
    wb.active.append(["Days", "Stage", "Deal", "Commission"])
    wb.active.append([40, "=DUNNINGSTAGE(A2)", 150000, '=COMMISSION(C2,"new")'])
    wb.save(book)
    answers = {}
    for day in ("2025-06-01", "2026-06-01", "2027-06-01"):
        out = run("recalc", str(book), "-o", str(tmp_path / day), "--as-of", day, "--rules", str(versioned), "--json")
        assert out.returncode == 0, out.stderr
        report = json.loads(out.stdout)
        assert report["as_of"] == day
        sheet = openpyxl.load_workbook(tmp_path / day / "book.xlsx", data_only=True).active
        answers[day] = (sheet["B2"].value, sheet["D2"].value)
    assert answers == {"2025-06-01": ("Current", 22500), "2026-06-01": ("First notice", 25000),
                       "2027-06-01": ("First notice", 28000)}
    assert run("recalc", str(book), "-o", str(tmp_path / "x"), "--as-of", "June").returncode == 2


def test_a_blank_date_in_a_column_of_dates_means_today():
    dates = [dt.date(2025, 6, 1), None, ""]
    assert list(COLUMNS["COMMISSION"]([150000] * 3, ["new"] * 3, None, dates)) == \
        [F.COMMISSION(150000, "new", None, d) for d in dates] == [22500, 25000, 25000]



def test_recalc_as_of_also_pins_today_and_now(tmp_path):
    """--as-of DAY reproduces a past month-end: TODAY() is DAY and NOW() its midnight, with the policies of that
    day (DUNNINGSTAGE(TODAY()-invoice) no longer mixes the real today with the old policy); said in the output."""
    from test_cli import run
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = dt.date(2026, 11, 15)
    ws["B1"], ws["C1"], ws["D1"] = "=TODAY()-A1", "=NOW()", "=DUNNINGSTAGE(TODAY()-A1)"
    book = tmp_path / "book.xlsx"
    wb.save(book)
    out = run("recalc", str(book), "-o", str(tmp_path / "out"), "--as-of", "2026-12-31")
    assert out.returncode == 0, out.stderr
    assert "as of 2026-12-31: the policies in force that day, and TODAY() and NOW() that day" in out.stdout
    sheet = openpyxl.load_workbook(tmp_path / "out" / "book.xlsx", data_only=True).active
    assert sheet["B1"].value == 46 and sheet["C1"].value == 46387  # the serial of 2026-12-31 00:00
    with store.dated(dt.date(2026, 12, 31)):
        assert sheet["D1"].value == F.DUNNINGSTAGE(46)


@pytest.mark.parametrize("rows", [3, 40])  # row by row, and the column form of a long column
def test_the_audit_trail_names_every_version_that_computed_a_cell(versioned, tmp_path, rows):
    """COMMISSION cells dated in 2026 and in 2027 are computed by two versions: the properties and the JSON
    report list both, each with its sha256 and how many cells it computed (never only one of them)."""
    from cellrules.recalc.batch.run import recalc_file
    wb = openpyxl.Workbook()
    for r in range(1, rows + 1):
        day = dt.date(2026, 6, 30) if r % 3 else dt.date(2027, 6, 30)
        wb.active.append([150000, day, f'=COMMISSION(A{r},"new",,B{r})'])
    wb.save(tmp_path / "book.xlsx")
    with store.using(store.Store(versioned)) as rules:
        report = recalc_file(str(tmp_path / "book.xlsx"), str(tmp_path / "out.xlsx"), rules)
    used = [(p["policy"], p["version"], p["cells"]) for p in report.policies]
    later = rows // 3
    assert used == [("commission", "2027-01", later), ("commission", "v2026-01", rows - later)]
    props = {p.name: p.value for p in openpyxl.load_workbook(tmp_path / "out.xlsx").custom_doc_props.props}
    assert props["cellrules.commission"].count("sha256:") == 2 and f"({later:,} cells)" in props["cellrules.commission"]
    assert not any(str(versioned) in v for v in props.values())  # no path: the same bytes on any machine


def test_status_lists_every_version_with_its_start_day(versioned):
    """A version that starts later is shown as scheduled (dunning 2027-01 once appeared only as 2026-01 current)."""
    def states(*day: str) -> list[tuple[str, str]]:
        out = run("status", "--rules", str(versioned), "--json", *day)
        rows = {r["policy"]: r for r in json.loads(out.stdout)["policies"]}
        return [(v["version"], v["state"]) for v in rows["commission"]["versions"]]

    assert states("--as-of", "2026-12-07") == [("v2025-01", "past"), ("v2026-01", "current"), ("2027-01", "scheduled")]
    assert states("--as-of", "2027-01-01") == [("v2025-01", "past"), ("v2026-01", "past"), ("2027-01", "current")]
    assert states() == states("--as-of", dt.date.today().isoformat())  # without --as-of: today
    text = run("status", "--rules", str(versioned), "--as-of", "2026-12-07").stdout
    assert "commission: version 2027-01 scheduled from 2027-01-01" in text


OLD_COMMISSION = """\
# Commission, written the old way: its own plans: list
policy: commission
version: "2026-01"
effective_from: 2025-01-01
description: two plans
plans:
  - version: v2025-01      # last year's flat plan
    effective_from: 2025-01-01
    deal_types:
      - deal_type: new
        brackets:
          - rate: 15%
  - version: v2026-01      # this year's plan
    effective_from: 2026-01-01
    deal_types:
      - deal_type: new
        aliases: [新客户]
        brackets:
          - up_to: 100000    # the first 100,000
            rate: 15%
          - rate: 20%
examples:
  - {amount: 150000, deal_type: new, as_of: 2026-06-30, expect: 25000}
  - {amount: 150000, deal_type: new, as_of: 2025-06-30, expect: 22500}
"""


def _answers(folder: Path) -> list[object]:
    with store.using(store.Store(folder)):
        return [F.COMMISSION(150000, "new", None, day) for day in ("2024-06-30", "2025-06-30", "2026-06-30")]


def test_migrate_rewrites_old_plans_as_versions_keeping_comments_and_answers(tmp_path):
    """`cellrules migrate` turns commission's old plans: into versions: — same versions, same answers, the
    comments kept, the old file beside it; --dry-run writes nothing; a second run has nothing to do."""
    folder = tmp_path / "rules"
    folder.mkdir()
    write(folder / "commission.yaml", OLD_COMMISSION)
    before = _answers(folder)
    out = run("migrate", str(folder), "--dry-run")
    assert out.returncode == 0 and "would migrate" in out.stdout and "1 to migrate" in out.stdout
    assert (folder / "commission.yaml").read_text(encoding="utf-8") == OLD_COMMISSION
    out = run("migrate", str(folder))
    assert out.returncode == 0 and "v2025-01 from 2025-01-01, v2026-01 from 2026-01-01" in out.stdout, out.stdout
    text = (folder / "commission.yaml").read_text(encoding="utf-8")
    assert "\nplans:" not in text and "\nversions:" in text and "# last year's flat plan" in text
    assert "# this year's plan" in text and "# the first 100,000" in text
    assert (folder / "commission.yaml.old").read_text(encoding="utf-8") == OLD_COMMISSION
    check = run("check", str(folder / "commission.yaml"))
    assert check.returncode == 0 and "OLD_FORMAT" not in check.stdout and "0 warnings" in check.stdout
    assert run("test", str(folder)).returncode == 0
    assert _answers(folder) == before and before[0].code == "#N/A"
    again = run("migrate", str(folder), "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["files"][0]["state"] == "current"


def test_migrate_refuses_a_broken_file_and_leaves_it(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    broken = OLD_COMMISSION.replace("rate: 20%", "rate: lots")
    write(folder / "commission.yaml", broken)
    out = run("migrate", str(folder), "--json")
    assert out.returncode == 1
    assert json.loads(out.stdout)["files"][0] == {"path": str(folder / "commission.yaml"), "state": "refused",
                                                  "detail": "fix its errors first (cellrules check)"}
    assert (folder / "commission.yaml").read_text(encoding="utf-8") == broken
    assert not (folder / "commission.yaml.old").exists()


def test_an_old_plans_file_shows_every_plan_in_status(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    write(folder / "commission.yaml", OLD_COMMISSION)
    rows = json.loads(run("status", "--rules", str(folder), "--json").stdout)["policies"]
    states = [(v["version"], v["state"]) for r in rows if r["policy"] == "commission" for v in r["versions"]]
    assert states == [("v2025-01", "past"), ("v2026-01", "current")]
    check = run("check", str(folder))
    assert check.returncode == 0 and "OLD_FORMAT" in check.stdout and "cellrules migrate" in check.stdout
