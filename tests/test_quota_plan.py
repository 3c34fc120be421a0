"""Quota plans (PAYOUT, DEALPAYOUT): the published worked examples are in rules/quota_plan.yaml (run by
test_examples); here, the laws that hold for any plan and any bookings (Hypothesis), the per-cell and column
paths agreeing, and validation of broken plans with their line and column."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings, strategies as st

from cellrules import functions as F, vector
from cellrules.examples import check_file
from cellrules.store import Store, using

DAY = "2026-12-31"
money = st.floats(min_value=-2e6, max_value=2e6, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 2))


def plan_text(bounds: list[int], rates: list[float], retro: list[bool], pay_on: str, cap: str = "") -> str:
    tiers = []
    edges = [0, *bounds]
    for i, rate in enumerate(rates):
        end = f", to: {edges[i + 1]}%" if i + 1 < len(edges) else ""
        pay = f"multiplier: {rate}" if pay_on == "incentive" else f"rate: {rate}%"
        tiers.append(f"  - {{from: {edges[i]}%{end}, {pay}, retroactive: {str(retro[i]).lower()}}}")
    return ("policy: qp\nkind: quota_plan\nversion: '1'\neffective_from: 2026-01-01\ndescription: generated\n"
            f"pay_on: {pay_on}\n{cap}tiers:\n" + "\n".join(tiers) + "\nexamples: []\n")


@st.composite
def plans(draw: st.DrawFn) -> str:
    n = draw(st.integers(1, 4))
    bounds = sorted(draw(st.lists(st.integers(1, 300), min_size=n - 1, max_size=n - 1, unique=True)))
    rates = draw(st.lists(st.sampled_from([0, 0.5, 1, 1.5, 2, 3, 5, 10, 20]), min_size=n, max_size=n))
    retro = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    retro = [r and rates[i] >= max(rates[:i], default=0) for i, r in enumerate(retro)]  # else refused (below)
    return plan_text(bounds, rates, retro, draw(st.sampled_from(["incentive", "bookings"])))


def store_of(tmp: Path, text: str) -> Store:
    (tmp / "qp.yaml").write_text(text, encoding="utf-8")
    store = Store(tmp)
    store.interval = 0.0
    return store


def payout(bookings: float, quota: float = 500_000, target: float | None = 100_000) -> float:
    return F.PAYOUT(bookings, quota, target, "qp", DAY)


@settings(max_examples=60, deadline=None)
@given(plans(), st.lists(money, min_size=2, max_size=8))
def test_payout_never_falls_as_bookings_rise_and_is_never_negative(tmp_path_factory, text, amounts):
    with using(store_of(tmp_path_factory.mktemp("qp"), text)):
        paid = [payout(b) for b in sorted(amounts)]
    assert all(isinstance(p, float) and p >= 0 for p in paid), paid
    assert all(a <= b for a, b in zip(paid, paid[1:])), paid


@settings(max_examples=60, deadline=None)
@given(plans(), st.lists(money, min_size=1, max_size=8), st.randoms())
def test_deal_payouts_in_any_order_add_up_to_the_period_payout(tmp_path_factory, text, deals, rnd):
    """A running SUMIF and DEALPAYOUT per deal, in any close order, pay PAYOUT(all) − PAYOUT(0)."""
    rnd.shuffle(deals)
    with using(store_of(tmp_path_factory.mktemp("qp"), text)):
        before, total = 0.0, 0.0
        for amount in deals:
            total += F.DEALPAYOUT(amount, before, 500_000, 100_000, "qp", DAY)
            before += amount
        expected = payout(before) - payout(0)
    assert abs(total - expected) <= 1e-6 * max(1.0, abs(expected)) + 1e-5 * len(deals)


@settings(max_examples=40, deadline=None)
@given(plans(), st.lists(money, min_size=1, max_size=30))
def test_the_column_forms_give_the_per_cell_answers(tmp_path_factory, text, amounts):
    with using(store_of(tmp_path_factory.mktemp("qp"), text)):
        cells = [payout(b) for b in amounts]
        column = vector.COLUMNS["PAYOUT"](amounts, [500_000] * len(amounts), [100_000] * len(amounts), "qp", DAY)
        deals = [F.DEALPAYOUT(a, 100_000.0, 500_000, 100_000, "qp", DAY) for a in amounts]
        deal_column = vector.COLUMNS["DEALPAYOUT"](amounts, [100_000.0] * len(amounts), [500_000] * len(amounts),
                                                   [100_000] * len(amounts), "qp", DAY)
    assert list(column) == cells and list(deal_column) == deals


def test_the_shipped_worked_examples_pay_what_their_sources_say():
    assert F.PAYOUT(650_000, 500_000, 100_000, None, DAY) == 145_000  # revopsmasters
    assert F.PAYOUT(40_000, 33_000, None, None, "2026-06-30") == 4_700  # QuotaPath AE plan
    assert F.EXPLAIN("PAYOUT", 650_000, 500_000, 100_000, None, DAY).endswith(
        "quota_plan (2026-10): attainment 130% — 100% × 1.0 × 100,000 + 30% × 1.5 × 100,000 = 145,000")


def test_broken_plans_are_refused_with_their_line_and_column(tmp_path):
    cases = {
        "gap": (plan_text([50], [1, 2], [False, False], "incentive").replace("from: 50%", "from: 60%"), "GAP"),
        "overlap": (plan_text([50], [1, 2], [False, False], "incentive").replace("from: 50%", "from: 40%"), "OVERLAP"),
        "start": (plan_text([50], [1, 2], [False, False], "incentive").replace("from: 0%", "from: 10%"), "GAP"),
        "negative": (plan_text([50], [1, 2], [False, False], "incentive").replace("multiplier: 2", "multiplier: -2"),
                     "BAD_NUMBER"),
        "closed": (plan_text([50], [1, 2], [False, False], "incentive").replace("multiplier: 2", "to: 90%, multiplier: 2"),
                   "GAP"),
        "cap on bookings": (plan_text([50], [5, 10], [False, False], "bookings", "cap: 200%\n"), "IGNORED_FIELD"),
        "retroactive cut": (plan_text([50], [1, 0.5], [False, True], "incentive"), "NOT_INCREASING"),
    }
    for name, (text, code) in cases.items():
        path = tmp_path / "qp.yaml"
        path.write_text(text, encoding="utf-8")
        policy, diagnostics = check_file(path)
        errors = [d for d in diagnostics if d.severity == "error"]
        assert policy is None and errors and errors[0].code == code, (name, [str(d) for d in diagnostics])
        assert errors[0].location.line > 0 and str(errors[0]).startswith(f"{path}:"), name


def test_a_cap_below_the_on_target_payout_is_warned(tmp_path):
    path = tmp_path / "qp.yaml"
    path.write_text(plan_text([100], [1, 2], [False, False], "incentive", "cap: 80%\n"), encoding="utf-8")
    policy, diagnostics = check_file(path)
    assert policy is not None and "BAD_NUMBER" in [d.code for d in diagnostics if d.severity == "warning"]


def test_a_plan_change_reads_as_multipliers_in_the_impact_report(tmp_path):
    import shutil
    from cellrules import impact
    from conftest import RULES
    shutil.copytree(RULES, tmp_path / "new")
    path = tmp_path / "new" / "quota_plan.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("to: 130%, multiplier: 1.5", "to: 130%, multiplier: 1.6"),
                    encoding="utf-8")
    changes = impact.policy_changes(RULES, tmp_path / "new")
    assert changes == [{"file": "quota_plan.yaml", "change": "changed", "details": ["version 2026-10 › tiers › row 2 › rate: ×1.5 → ×1.6"]}]
