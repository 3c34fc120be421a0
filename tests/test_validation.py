"""Rule-file validation: every problem at once, each with its stable code and exact position."""
from __future__ import annotations

import textwrap

import pytest

from cellrules.source import load_text
from cellrules.validation import validate, validate_versions

DUNNING = """\
policy: dunning
version: "1"
effective_from: 2026-01-01
description: test
# each number of days belongs to exactly one stage
stages:
  - stage: Current
    days: under 30
  - stage: First notice
    days: 30-59
  - stage: Legal
    days: 60+
"""


def problems(text: str, name: str = "dunning.yaml") -> list[tuple[str, int, int]]:
    source, found = load_text(textwrap.dedent(text), name)
    if source is not None:
        found = found + validate(source)[1]
    return [(d.code, d.location.line, d.location.column) for d in found]


def messages(text: str, name: str = "dunning.yaml") -> list[str]:
    source, found = load_text(textwrap.dedent(text), name)
    if source is not None:
        found = found + validate(source)[1]
    return [str(d) for d in found]


def test_a_clean_file_has_no_problems():
    assert problems(DUNNING) == []


def test_malformed_yaml_is_one_diagnostic_with_position():
    assert problems("policy: dunning\nstages: [1, 2\n") == [("YAML_SYNTAX", 3, 1)]


def test_duplicate_keys_are_refused():
    assert problems(DUNNING + "minimum_amount: 1\nminimum_amount: 2\n") == [("DUPLICATE_KEY", 14, 1)]


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system [echo hi]", "!!python/name:os.system ''",
                                 "!custom x"])
def test_python_and_custom_tags_are_refused_without_running_anything(tag):
    found = problems(DUNNING + f"minimum_amount: {tag}\n")
    assert found[0][:2] == ("UNSAFE_TAG", 13)


def test_unknown_field_points_at_the_key_and_suggests():
    text = DUNNING.replace("    days: 30-59", "    dayz: 30-59")
    found = messages(text)
    assert "dunning.yaml:10:5: UNKNOWN_FIELD unknown field 'dayz' in stages/1 (did you mean 'days'?)" in found
    assert any("MISSING_FIELD" in m and ":9:5:" in m for m in found)


def test_every_problem_is_reported_at_once():
    text = DUNNING.replace("under 30", "under thirty").replace("description: test", "description: [a, b]")
    text = text.replace("  - stage: Legal\n    days: 60+", "  - stage: Legal\n    days: 60+\n    colour: red")
    codes = [c for c, _, _ in problems(text)]
    assert codes.count("UNKNOWN_FIELD") == 1 and "BAD_RANGE" in codes and "WRONG_TYPE" in codes


def test_gap_between_stages():
    text = DUNNING.replace("days: 30-59", "days: 30-49")
    assert ("GAP", 7, 3) in problems(text)
    assert any("no stage covers 50-59 days overdue" in m for m in messages(text))


def test_overlapping_stages_are_an_error():
    text = DUNNING.replace("days: 60+", "days: 50+")
    assert ("OVERLAP", 12, 11) in problems(text)
    assert any("each number of days belongs to exactly one stage" in m for m in messages(text))


def test_hit_policy_is_no_longer_read_and_says_so():
    """Rows of the fixed kinds never overlap (the checks above make sure), so a hit policy means nothing:
    an old file that still has one loads, with a warning pointing at the line."""
    text = DUNNING.replace("# each number of days belongs to exactly one stage", "hit_policy: first")
    source, _ = load_text(text, "dunning.yaml")
    policy, found = validate(source)
    assert policy is not None
    assert [(d.code, d.severity, d.location.line) for d in found] == [("IGNORED_FIELD", "warning", 5)]


def test_a_stage_covered_by_earlier_ones_is_unreachable():
    text = DUNNING + "  - stage: Later\n    days: 70-80\n"
    assert ("UNREACHABLE_RULE", 14, 11) in problems(text)


def test_stage_names_must_be_unique():
    text = DUNNING.replace("stage: Legal", "stage: Current")
    assert ("DUPLICATE_NAME", 11, 12) in problems(text)


def test_missing_open_end_is_a_gap():
    text = DUNNING.replace("days: 60+", "days: 60-365")
    assert any("366 days and more" in m for m in messages(text))


COMMISSION = """\
policy: commission
version: "1"
effective_from: 2026-01-01
description: test
deal_types:
  - deal_type: new
    aliases: [新客户]
    brackets:
      - up_to: 100000
        rate: 15%
      - rate: 20%
"""


def test_commission_clean():
    assert problems(COMMISSION, "commission.yaml") == []


def test_percent_must_be_written_as_percent():
    found = messages(COMMISSION.replace("rate: 15%", "rate: 0.15"), "commission.yaml")
    assert found == ["commission.yaml:10:15: BAD_PERCENT 'rate' must be a percentage such as 15%, not 0.15"]


def test_percent_out_of_range():
    assert problems(COMMISSION.replace("rate: 20%", "rate: 120%"), "commission.yaml") == [("BAD_PERCENT", 11, 15)]


def test_brackets_must_increase():
    text = COMMISSION.replace("      - rate: 20%", "      - up_to: 50000\n        rate: 20%\n      - rate: 25%")
    assert ("NOT_INCREASING", 11, 16) in problems(text, "commission.yaml")


def test_brackets_need_an_open_end():
    text = COMMISSION.replace("      - rate: 20%", "      - up_to: 200000\n        rate: 20%")
    assert ("GAP", 9, 7) in problems(text, "commission.yaml")


def test_a_bracket_after_the_open_end_is_unreachable():
    text = COMMISSION + "      - rate: 30%\n"
    assert ("UNREACHABLE_RULE", 12, 9) in problems(text, "commission.yaml")


def test_an_alias_may_name_only_one_deal_type():
    text = COMMISSION + "  - deal_type: renewal\n    aliases: [新客户]\n    brackets:\n      - rate: 1%\n"
    assert ("DUPLICATE_NAME", 13, 15) in problems(text, "commission.yaml")


def test_too_many_brackets_for_the_engine():
    rows = "".join(f"      - up_to: {i * 1000}\n        rate: 1%\n" for i in range(1, 70))
    text = COMMISSION.replace("      - up_to: 100000\n        rate: 15%\n", rows)
    assert "TOO_MANY_RULES" in [c for c, _, _ in problems(text, "commission.yaml")]


def test_bad_date():
    assert problems(COMMISSION.replace("effective_from: 2026-01-01", "effective_from: someday"),
                    "commission.yaml") == [("BAD_DATE", 3, 17)]


def test_a_commission_policy_needs_deal_types():
    text = COMMISSION[: COMMISSION.index("deal_types:")]
    assert [c for c, _, _ in problems(text, "commission.yaml")] == ["MISSING_FIELD"]


OLD_PLANS = """\
policy: commission
version: "1"
effective_from: 2026-01-01
description: test
plans:
  - version: v1
    effective_from: 2026-01-01
    deal_types:
      - deal_type: new
        brackets:
          - rate: 15%
"""


def test_the_old_plans_list_is_read_with_a_warning_and_each_plan_is_a_version():
    """Commission once had its own versioning (plans:); such a file still loads, each plan a version of the
    policy (status and the audit trail see them), with OLD_FORMAT pointing at `cellrules migrate`."""
    text = OLD_PLANS.replace("  - version: v1", "  - version: v0\n    effective_from: 2025-01-01\n    deal_types:\n"
                             "      - deal_type: new\n        brackets:\n          - rate: 10%\n  - version: v1", 1)
    source, _ = load_text(text, "commission.yaml")
    found, diagnostics = validate_versions(source)
    assert [(d.code, d.severity, d.location.line) for d in diagnostics] == [("OLD_FORMAT", "warning", 5)]
    assert [(p.header.version, str(p.header.effective_from)) for p in found] == [("v0", "2025-01-01"),
                                                                                  ("v1", "2026-01-01")]
    both = text.replace("plans:\n", "deal_types: []\nplans:\n")
    assert ("OLD_FORMAT", 6, 1) in problems(both, "commission.yaml")  # both forms at once: an error


TIERS = """\
policy: tiers
version: "1"
effective_from: 2026-01-01
description: test
schemes:
  customers:
    tiers:
      - {tier: VIP, share: 1%}
      - {tier: Major, share: 5%}
      - {tier: Small, share: rest}
"""


def test_tiers_clean():
    assert problems(TIERS, "tiers.yaml") == []


def test_tiers_without_rest_leave_a_gap():
    assert problems(TIERS.replace("share: rest", "share: 20%"), "tiers.yaml") == [("GAP", 8, 7)]


def test_tier_shares_over_100_percent_overlap():
    assert ("OVERLAP", 9, 30) in problems(TIERS.replace("share: 5%", "share: 100%"), "tiers.yaml")


def test_a_tier_after_rest_is_unreachable():
    assert ("UNREACHABLE_RULE", 11, 9) in problems(TIERS + "      - {tier: Tiny, share: 1%}\n", "tiers.yaml")


def test_default_scheme_is_checked_with_a_suggestion():
    found = messages(TIERS + "default_scheme: customer\n", "tiers.yaml")
    assert found == ["tiers.yaml:11:17: UNKNOWN_NAME default_scheme 'customer' is not one of the schemes "
                     "(did you mean 'customers'?)"]


def test_unknown_kind_suggests():
    found = messages("policy: comission\nversion: '1'\neffective_from: 2026-01-01\ndescription: x\n", "comission.yaml")
    assert found[0].startswith("comission.yaml:1:9: UNKNOWN_KIND") and "did you mean 'commission'" in found[0]


def test_wrong_type_for_weight():
    text = """\
    policy: prospect
    version: "1"
    effective_from: 2026-01-01
    description: x
    criteria:
      industry: {weight: two, required: true, targets: [Retail]}
      title: {weight: 2, required: yes please, targets: [CFO]}
      region: {weight: 1, targets: [East]}
      trigger: {weight: 2, targets: [merger]}
    bonuses: {sold_in_industry: 1, has_reference: 1, involved: -2}
    """
    found = problems(text, "prospect.yaml")
    assert found == [("WRONG_TYPE", 6, 22), ("WRONG_TYPE", 7, 32), ("BAD_NUMBER", 10, 60)]


def test_name_mismatch_is_a_warning_only():
    source, _ = load_text(DUNNING, "overdue.yaml")
    policy, found = validate(source)
    assert policy is not None and policy.header.name == "overdue"
    assert [(d.code, d.severity) for d in found] == [("NAME_MISMATCH", "warning")]


def test_not_a_mapping():
    assert problems("- just\n- a list\n") == [("WRONG_TYPE", 1, 1)]


def test_examples_must_have_expect():
    assert ("BAD_EXAMPLE", 14, 5) in problems(DUNNING + "examples:\n  - {days_overdue: 3}\n")
