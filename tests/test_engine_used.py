"""On the durable-rules run, every per-cell decision is made by durable-rules.

Each shipped example whose answer is a decision (not an error about its input, not a blank for a blank) is run with the engine's
``Handle.decide`` counted: at least one event must reach durable-rules. Without this, a policy whose
rulesets were never registered would still pass every other test through the numpy path.
"""
from __future__ import annotations

import pytest

from cellrules import engine
from cellrules.examples import check_file, run_example
from conftest import RULES

CASES = [(path, ex) for path in sorted(RULES.glob("*.yaml")) for ex in check_file(path)[0].examples
         if not (isinstance(ex.expect, str) and (ex.expect.startswith("#") or ex.expect == ""))]  # errors, blanks


@pytest.mark.skipif(not engine.AVAILABLE, reason="the engine-free run (CELLRULES_ENGINE=vector) has no engine")
@pytest.mark.parametrize("path,example", CASES, ids=[f"{p.stem}:{e.location.line}" for p, e in CASES])
def test_each_decision_is_answered_by_durable_rules(path, example, monkeypatch):
    posted = []
    for method in ("decide", "every"):  # one event (first match) or one fact (every rule it fires)
        original = getattr(engine.Handle, method)

        def counted(self: engine.Handle, event: str, original=original) -> object:
            posted.append(event)
            return original(self, event)

        monkeypatch.setattr(engine.Handle, method, counted)
    outcome = run_example(example, path.stem)
    assert outcome.ok, outcome.describe()
    assert posted, f"{example.function} at {path.name}:{example.location.line} was answered without durable-rules"
