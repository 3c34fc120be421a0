"""The rules folder: where it is found, edits picked up, broken files refused with the last good policy kept."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cellrules import engine, folders, functions as F, store
from conftest import ROOT, RULES, write


def bump(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


def test_an_edited_rate_is_used_on_the_next_call(edit_store, rules_dir):
    assert F.COMMISSION(150000, "new", None, "2026-06-30") == 25000
    path = rules_dir / "commission.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("rate: 20%", "rate: 25%"), encoding="utf-8")
    bump(path)
    assert F.COMMISSION(150000, "new", None, "2026-06-30") == 27500


def test_a_broken_file_is_refused_and_the_last_good_policy_stays(edit_store, rules_dir):
    path = rules_dir / "dunning.yaml"
    good = path.read_text(encoding="utf-8")
    assert F.DUNNINGSTAGE(45) == "First notice"
    write(path, good.replace("days: 30-59", "days: 30-49"))
    bump(path)
    assert F.DUNNINGSTAGE(45) == "First notice"  # still the last good version
    status = F.RULESTATUS()
    assert status.startswith("REFUSED") and "dunning.yaml:" in status and "GAP" in status
    assert "last good version in force" in status
    row = next(r for r in edit_store.status() if r["policy"] == "dunning")
    assert row["state"] == "refused" and row["in_force"] == "last good version"
    write(path, good.replace("days: 60-89", "days: 60-99").replace("days: 90+", "days: 100+"))
    bump(path)
    assert F.DUNNINGSTAGE(95) == "Second notice"
    assert F.RULESTATUS().startswith("OK")


def test_yaml_garbage_never_raises(edit_store, rules_dir):
    path = rules_dir / "profit.yaml"
    assert F.PROFITRATE(100, 50) == 0.5
    write(path, "policy: profit\n  : : [\n\x00")
    bump(path)
    assert F.PROFITRATE(100, 50) == 0.5
    assert "profit.yaml" in F.RULESTATUS()


def test_a_file_broken_from_the_start_gives_na_with_the_reason(edit_store, rules_dir):
    write(rules_dir / "odd.yaml", "policy: commission\nversion: 1\n")
    result = F.COMMISSION(1, "new", "odd")
    assert result == "#N/A" and "refused" in result.reason and "odd.yaml:" in result.reason


def test_unknown_policy_suggests(edit_store):
    result = F.COMMISSION(1, "new", "comission")
    assert result == "#N/A" and "did you mean 'commission'" in result.reason


def test_a_second_policy_file_of_the_same_kind(edit_store, rules_dir):
    text = (rules_dir / "commission.yaml").read_text(encoding="utf-8").replace("rate: 20%", "rate: 30%")
    write(rules_dir / "commission_eu.yaml", text.replace("policy: commission", "policy: commission_eu\nkind: commission"))
    assert F.COMMISSION(150000, "new", "commission_eu", "2026-06-30") == 30000
    assert F.COMMISSION(150000, "new", None, "2026-06-30") == 25000


def test_folder_resolution_order(tmp_path, monkeypatch):
    book = tmp_path / "book.xlsx"
    (tmp_path / "rules").mkdir()
    monkeypatch.delenv(folders.ENV, raising=False)
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    assert folders.resolve_folder(None, book) == (tmp_path / "rules", "beside the workbook")
    assert folders.resolve_folder(None, tmp_path / "elsewhere" / "b.xlsx")[1] == "packaged defaults"
    (tmp_path / "cwd" / "rules").mkdir()
    assert folders.resolve_folder(None, None)[1] == "packaged defaults"  # an empty rules/ is not a rules folder
    (tmp_path / "cwd" / "rules" / "tiers.yaml").write_text("policy: tiers\n", encoding="utf-8")
    assert folders.resolve_folder(None, None) == (tmp_path / "cwd" / "rules", "rules/ in the working folder")
    assert folders.resolve_folder(None, book)[1] == "beside the workbook"
    monkeypatch.setenv(folders.ENV, str(tmp_path / "env"))
    assert folders.resolve_folder(None, book) == (tmp_path / "env", folders.ENV)
    assert folders.resolve_folder(tmp_path / "cli", book) == (tmp_path / "cli", "--rules")


def test_packaged_defaults_are_the_shipped_rules():
    assert folders.packaged_rules().resolve() == RULES.resolve() or \
        sorted(p.name for p in folders.packaged_rules().glob("*.yaml")) == sorted(p.name for p in RULES.glob("*.yaml"))


def test_environment_variable_is_used_by_a_fresh_process(rules_dir):
    path = rules_dir / "commission.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("rate: 20%", "rate: 40%"), encoding="utf-8")
    code = "from cellrules.functions import COMMISSION; print(COMMISSION(150000, 'new', None, '2026-06-30'))"
    env = dict(os.environ, CELLRULES_RULES=str(rules_dir))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "35000.0", out.stderr


def test_a_reload_replaces_the_ruleset_in_the_engine(edit_store, rules_dir):
    F.DUNNINGSTAGE(1)
    first = edit_store.get("dunning", "dunning")
    path = rules_dir / "dunning.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("30-59", "30-59 "), encoding="utf-8")
    bump(path)
    second = edit_store.get("dunning", "dunning")
    assert second is not first
    handles = getattr(first.decider, "handles", {})
    assert bool(handles) == engine.AVAILABLE  # on durable-rules, the old rulesets were registered …
    assert all(h.closed for h in handles.values())  # … and are closed now
    assert F.DUNNINGSTAGE(31) == "First notice"
