"""durable-rules' sharp edges, each guarded and each with a regression test (see shared notes)."""
from __future__ import annotations

import resource
import threading

import pytest

from cellrules import engine, events, functions as F
from cellrules.kinds import KINDS
from cellrules.examples import check_file
from conftest import RULES

pytestmark = pytest.mark.skipif(not engine.AVAILABLE, reason="runs where durable-rules is installed; "
                                "the engine-free run is tests/test_fallback.py")


def test_no_background_threads_are_started():
    before = threading.active_count()
    handle = engine.Handle("t", {"a": {"all": [{"m": {"fn": "X"}}], "pri": 1}})
    for _ in range(100):
        assert handle.decide('{"fn":"X"}') == "a"
    handle.close()
    assert threading.active_count() == before


def test_first_match_wins_by_priority():
    handle = engine.Handle("t", {
        "wide": {"all": [{"m": {"$and": [{"fn": "X"}, {"$lt": {"d": 100}}]}}], "pri": 2},
        "narrow": {"all": [{"m": {"$and": [{"fn": "X"}, {"$lt": {"d": 10}}]}}], "pri": 1},
    })
    assert handle.decide('{"fn":"X","d":5}') == "narrow"
    assert handle.decide('{"fn":"X","d":50}') == "wide"
    assert handle.decide('{"fn":"X","d":500}') is None
    handle.close()


def test_numbers_never_reach_the_engine_in_exponent_form():
    assert events.number(1e-05) == "0.00001" and events.number(1e16) == "10000000000000000"
    handle = engine.Handle("t", {"tiny": {"all": [{"m": {"$and": [{"fn": "X"}, {"$lt": {"d": 1e-05}}]}}],
                                          "pri": 1}})
    assert handle.decide(events.encode("X", {"d": 1e-06})) == "tiny"
    assert handle.decide(events.encode("X", {"d": 2e-05})) is None
    handle.close()
    assert F.COMMISSION(1e-7, "new", None, "2026-06-30") == pytest.approx(1.5e-8)
    assert F.COMMISSION(1e16, "renewal", None, "2026-06-30") == pytest.approx(2e14)


def test_non_finite_numbers_and_odd_types_are_refused_before_the_engine():
    with pytest.raises(events.EventError):
        events.number(float("nan"))
    with pytest.raises(events.EventError):
        events.encode("X", {"flag": True})


def test_text_never_passes_for_a_number():
    # durable-rules compares numeric-looking strings as numbers: "1e5" would equal 100000.
    assert F.PROSPECTSCORE("100000", "CFO", "East") == 0
    assert F.COMMISSION(10, "1e5") == "#N/A"


def test_a_rule_can_never_match_the_engines_own_state():
    # Every compiled rule carries the positive `fn` marker: no all-negative rule can loop on the state fact.
    for path in RULES.glob("*.yaml"):
        for ruleset in (lambda p: KINDS[p.header.kind].rulesets(p))(check_file(path)[0]):
            for rule in ruleset.rules.values():
                text = engine.dump(rule)
                assert '"fn":' in text, (path, rule)


def test_calls_are_stateless_and_memory_stays_flat():
    amounts = list(range(1000))
    for _ in range(2000):
        F.DUNNINGSTAGE(45)
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for i in range(60_000):
        assert F.DUNNINGSTAGE(i % 120) in ("Current", "First notice", "Second notice", "Legal")
        F.TIER(i % 1000, amounts)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start
    assert grown_kb < 20_000, f"max RSS grew by {grown_kb} KB over 120,000 calls"
    assert F.DUNNINGSTAGE(45) == "First notice"  # nothing left pending from earlier calls


def test_threads_share_the_engine_safely():
    errors = []
    def work(offset: int) -> None:
        for i in range(2000):
            days = (i + offset) % 120
            want = ["Current", "First notice", "Second notice", "Legal"][min(days // 30, 3)]
            if F.DUNNINGSTAGE(days) != want:
                errors.append((days, F.DUNNINGSTAGE(days)))
    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_closing_a_ruleset_removes_it_and_reloads_do_not_leak():
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rules = KINDS["dunning"].rulesets(check_file(RULES / "dunning.yaml")[0])[0].rules
    for _ in range(3000):
        handle = engine.Handle("reload", rules)
        assert handle.decide(events.encode("DUNNING", {"d": 61})) == "s2"
        handle.close()
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start < 30_000
    handle.close()  # closing twice is harmless


def test_unicode_text_reaches_the_engine_intact():
    assert F.PROSPECTSCORE("零售", "采购总监", "华南", "expansion", "是") == 8


def test_every_names_each_rule_a_fact_fires_and_keeps_nothing():
    rules = {"low": {"all": [{"m": {"$and": [{"fn": "X"}, {"$lt": {"d": 10}}]}}], "pri": 2},
             "any": {"all": [{"m": {"$and": [{"fn": "X"}, {"$lt": {"d": 100}}]}}], "pri": 1}}
    handle = engine.Handle("t", rules, facts=True)
    assert handle.every(events.encode("X", {"d": 5})) == ["any", "low"]
    assert handle.every(events.encode("X", {"d": 5})) == ["any", "low"]  # retracted: the same fact fires again
    assert handle.every(events.encode("X", {"d": 500})) == []
    handle.close()


def test_a_fact_no_rule_takes_does_not_crash_the_process_on_close():
    """durable-rules aborts in delete_state after a fact that fired no rule (found when PROSPECTSCORE with a
    blank trigger crashed the suite); every fact handle carries a rule every fact fires. Run in a child
    process: the crash would take pytest down with it."""
    import subprocess
    import sys
    code = ("from cellrules import engine, events\n"
            "rules = {'hit': {'all': [{'m': {'$and': [{'fn': 'X'}, {'t': 's:yes'}]}}], 'pri': 1}}\n"
            "for i in range(3000):\n"
            "    h = engine.Handle('t', rules, facts=True)\n"
            "    assert h.every(events.encode('X', {'t': ''})) == []\n"
            "    h.close()\n"
            "print('done')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "done", out.stderr[-500:]
