"""Every shipped rule file's own examples, one test each (the same run as `cellrules test`)."""
from __future__ import annotations

import pytest

from cellrules.examples import check_file, run_example
from conftest import RULES

FILES = sorted(RULES.glob("*.yaml"))
CASES = [(path, ex) for path in FILES for ex in (check_file(path)[0].examples)]


def test_every_shipped_policy_is_present_and_clean():
    from cellrules.kinds import KINDS
    shipped = {check_file(p)[0].header.kind for p in FILES}
    assert shipped == set(KINDS)  # every kind ships at least one policy (with its examples)
    for path in FILES:
        policy, problems = check_file(path)
        assert policy is not None and problems == [], [str(p) for p in problems]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_file_has_at_least_eight_examples(path):
    assert len(check_file(path)[0].examples) >= 8


@pytest.mark.parametrize("path,example", CASES, ids=[f"{p.stem}:{e.location.line}" for p, e in CASES])
def test_example(path, example):
    outcome = run_example(example, path.stem)
    assert outcome.ok, outcome.describe()


def test_a_wrong_expectation_is_reported_with_file_and_line():
    path, example = CASES[0]
    from dataclasses import replace
    wrong = replace(example, expect="Nonsense")
    outcome = run_example(wrong, path.stem)
    assert not outcome.ok
    assert f"{path}:{example.location.line}" in outcome.describe()
    assert "want \"Nonsense\"" in outcome.describe()
