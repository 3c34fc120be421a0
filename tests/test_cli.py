"""The command line, judged on (exit code, stdout, stderr)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, RULES, write


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the CLI; the one-line engine notice of the engine-free run is not counted as stderr output."""
    full_env = {k: v for k, v in os.environ.items() if k != "CELLRULES_RULES"}
    full_env.update(NO_COLOR="1", **(env or {}))
    out = subprocess.run([sys.executable, "-m", "cellrules", *args], capture_output=True, text=True,
                         cwd=ROOT, env=full_env, encoding="utf-8")
    notice = [l for l in out.stderr.splitlines(True) if l.startswith("cellrules: engine in use: vectorised")]
    assert len(notice) <= 1
    out.stderr = "".join(l for l in out.stderr.splitlines(True) if l not in notice)
    return out


def test_check_clean_folder():
    out = run("check", str(RULES))
    shipped = len(list(RULES.glob("*.yaml")))
    assert (out.returncode, out.stdout, out.stderr) == (0, f"{shipped} files checked: 0 errors, 0 warnings\n", "")


def test_check_reports_every_problem_with_position_and_exits_1(rules_dir):
    path = rules_dir / "dunning.yaml"
    text = path.read_text(encoding="utf-8").replace("days: 30-59", "days: 30-49").replace("    actions: []",
                                                                                       "    acts: []")
    write(path, text)
    write(rules_dir / "broken.yaml", "policy: tiers\nschemes: [\n")
    out = run("check", str(rules_dir))
    assert out.returncode == 1 and out.stderr == ""
    lines = out.stdout.splitlines()
    assert f"{rules_dir / 'broken.yaml'}:3:1: YAML_SYNTAX" in lines[0]
    assert any(l.startswith(f"{path}:") and "UNKNOWN_FIELD unknown field 'acts'" in l and "did you mean 'actions'" in l
               for l in lines)
    assert any("GAP no stage covers 50-59 days overdue" in l for l in lines)
    assert lines[-1] == f"{len(list(RULES.glob('*.yaml'))) + 1} files checked: 3 errors, 0 warnings"


def test_check_json(rules_dir):
    write(rules_dir / "commission.yaml", (RULES / "commission.yaml").read_text(encoding="utf-8")
          .replace("rate: 20%", "rate: twenty"))
    out = run("check", str(rules_dir), "--format", "json")
    data = json.loads(out.stdout)
    assert out.returncode == 1 and data["errors"] == 1
    diag = data["diagnostics"][0]
    assert diag["code"] == "BAD_PERCENT" and diag["severity"] == "error"
    assert diag["location"]["line"] == 26 and diag["location"]["column"] == 15


def test_check_missing_folder_is_a_usage_error():
    out = run("check", "/no/such/folder")
    assert out.returncode == 2 and out.stdout == "" and "no such file or folder" in out.stderr


def test_test_passes_on_shipped_rules():
    out = run("test", str(RULES))
    assert out.returncode == 0 and out.stderr == ""
    assert out.stdout.startswith("examples: ") and out.stdout.endswith(" passed, 0 failed\n")


def test_test_failing_example_prints_file_line_got_and_want(rules_dir):
    path = rules_dir / "dunning.yaml"
    write(path, path.read_text(encoding="utf-8").replace("{days_overdue: 29, expect: Current}",
                                                         "{days_overdue: 29, expect: Legal}"))
    out = run("test", str(rules_dir))
    assert out.returncode == 1
    line = next(l for l in out.stdout.splitlines() if "got" in l)
    assert line.startswith(f"{path}:") and "DUNNINGSTAGE(days_overdue=29)" in line
    assert "got \"Current\", want \"Legal\"" in line
    assert out.stdout.splitlines()[-1].endswith("passed, 1 failed")


def test_explain():
    out = run("explain", "COMMISSION", "150000", "new", "", "2026-06-30")
    assert out.returncode == 0 and out.stderr == ""
    assert out.stdout.startswith("commission.yaml:") and out.stdout.endswith(
        "new (v2026-01): 15% × 100,000 + 20% × 50,000 = 25,000\n")


def test_explain_with_a_range_and_utf8():
    out = run("explain", "TIER", "200", "[200, 100, 50]", "tiers:metals")
    assert out.returncode == 0 and "铂金客户" in out.stdout


def test_explain_an_error_exits_1():
    out = run("explain", "COMMISSION", "100", "upsell", "", "2026-06-30")
    assert out.returncode == 1 and out.stdout.startswith("#N/A: unknown deal type 'upsell'")


def test_functions_table_and_json():
    out = run("functions")
    assert out.returncode == 0 and "COMMISSION(amount, deal_type, [policy], [as_of])" in out.stdout
    data = json.loads(run("functions", "--json").stdout)
    assert {d["name"] for d in data} >= {"TIER", "COMMISSION", "DUNNINGACTIONS"}
    assert next(d for d in data if d["name"] == "DUNNINGACTIONS")["spills"] is True


def test_status_with_rules_option_and_refused_file(rules_dir):
    out = run("--rules", str(rules_dir), "status")
    assert out.returncode == 0 and "engine: " in out.stdout and "commission" in out.stdout
    write(rules_dir / "tiers.yaml", "policy: tiers\n")
    out = run("--rules", str(rules_dir), "status", "--json")
    data = json.loads(out.stdout)
    tiers = next(p for p in data["policies"] if p["policy"] == "tiers")
    assert out.returncode == 1 and tiers["state"] == "refused" and tiers["problems"]


def test_environment_variable_selects_the_folder(rules_dir):
    out = run("status", "--json", env={"CELLRULES_RULES": str(rules_dir)})
    assert json.loads(out.stdout)["origin"] == "CELLRULES_RULES"


def test_usage_error_exit_code():
    out = run("frobnicate")
    assert out.returncode == 2 and out.stdout == "" and "invalid choice" in out.stderr


def test_demo_runs_on_the_shipped_sample():
    out = subprocess.run([sys.executable, "-m", "cellrules.demo"], capture_output=True, text=True, cwd=ROOT,
                         encoding="utf-8", env=dict(os.environ, NO_COLOR="1"))
    assert out.returncode == 0, out.stderr
    assert "300 sample customers" in out.stdout and "VIP" in out.stdout
    assert "losing money after cost-to-serve: " in out.stdout and "commission.yaml:" in out.stdout


def test_committed_sample_workbook_is_built_from_the_csv(tmp_path):
    import openpyxl
    from cellrules.templates.sample import SAMPLES, build
    fresh = openpyxl.load_workbook(build(SAMPLES / "customers.csv", tmp_path / "c.xlsx")).active
    committed = openpyxl.load_workbook(SAMPLES / "customers.xlsx").active
    assert [[c.value for c in row] for row in fresh.iter_rows()] == [[c.value for c in row] for row in committed.iter_rows()]


def test_a_missing_rules_folder_fails_loudly_everywhere(tmp_path):
    """A typo in the rules folder must never give exit 0 and cells full of #N/A."""
    import os
    import subprocess
    import sys
    from recalc_helpers import sales_book
    book = sales_book(tmp_path / "b.xlsx", n=5)
    env = dict(os.environ, NO_COLOR="1")
    run = lambda *a, **kw: subprocess.run([sys.executable, "-m", "cellrules", *a], capture_output=True, text=True,
                                          env=kw.get("env", env), cwd=tmp_path)
    out = run("--rules", str(tmp_path / "typo"), "recalc", str(book), "-o", str(tmp_path / "out"))
    assert out.returncode == 2 and "does not exist" in out.stderr and not (tmp_path / "out").exists()
    out = run("status", env=dict(env, CELLRULES_RULES=str(tmp_path / "nonexistent")))
    assert out.returncode == 1 and "does not exist" in out.stderr
    (tmp_path / "empty").mkdir()
    out = run("recalc", str(book), "-o", str(tmp_path / "out"), env=dict(env, CELLRULES_RULES=str(tmp_path / "empty")))
    assert out.returncode == 2 and "holds no policy file" in out.stderr
    from cellrules import functions as F, store
    with store.using(store.Store(tmp_path / "nonexistent")):
        assert F.RULESTATUS().startswith("ERROR the rules folder") and "#N/A" in F.RULESTATUS()


def test_explain_takes_named_arguments_and_suggests_names(tmp_path):
    out = run("explain", "COMMISSION", "150000", "new", "as_of=2025-06-30")
    assert out.returncode == 0 and "v2025-01" in out.stdout
    wrong = run("explain", "COMISSION", "1", "new")
    assert wrong.returncode == 2 and "did you mean 'COMMISSION'" in wrong.stderr
    arg = run("explain", "COMMISSION", "1", "new", "asof=2025-06-30")
    assert arg.returncode == 2 and "did you mean 'as_of'" in arg.stderr


def test_every_option_has_help_and_shows_its_default():
    from cellrules.cli import parser
    p = parser()
    commands = next(a for a in p._actions if isinstance(a, __import__("argparse")._SubParsersAction)).choices
    for name, sub in commands.items():
        for action in sub._actions:
            if action.dest in ("help",):
                continue
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"
        assert "(default:" in sub.format_help(), name


def test_a_closed_pipe_is_not_a_traceback():
    import subprocess
    import sys
    proc = subprocess.Popen(f"{sys.executable} -m cellrules functions | head -1", shell=True, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=60)
    assert out.strip() and "Traceback" not in err and "BrokenPipe" not in err


def test_wildcards_are_expanded_where_the_shell_did_not(tmp_path):
    from cellrules.cli import _expand
    for name in ("a.xlsx", "b.xlsx", "c.txt"):
        (tmp_path / name).write_bytes(b"x")
    assert _expand([str(tmp_path / "*.xlsx")]) == [str(tmp_path / "a.xlsx"), str(tmp_path / "b.xlsx")]
    assert _expand([str(tmp_path / "none-*.xlsx")]) == [str(tmp_path / "none-*.xlsx")]


@pytest.mark.parametrize("command", ["serve", "convert a.xlsx --to xlwings -o b.xlsx", "export-xlsx t.yaml -o t.xlsx",
                                     "export-dmn t.yaml -o t.dmn", "templates", "addin"])
def test_commands_that_write_files_take_no_json_option(command):
    """--json is offered only where it changes the output: elsewhere argparse refuses it (exit 2)."""
    done = run(*command.split(), "--json")
    assert done.returncode == 2 and "unrecognized arguments: --json" in done.stderr


@pytest.mark.parametrize("command", ["check", "test", "functions", "status"])
def test_commands_that_report_give_json_with_json(command):
    done = run(command, "--json")
    assert done.returncode in (0, 1)
    json.loads(done.stdout)


def test_check_reports_a_bad_cell_and_an_overlap_elsewhere_at_once_in_file_order(tmp_path):
    """A table with a typo in one rule and an overlap between two others: both reported in one run (the typo no
    longer hides the overlap), sorted by line."""
    text = (RULES / "bonus_hold.yaml").read_text(encoding="utf-8")
    text = text.replace('["< 60",     owner,        0]', '["< 60",     owner,        0]\n  - ["< 70",     owner,        0.1]')
    text = text.replace('[">= 90",    finance_lead, 0.6]', '[">= 9O",    finance_lead, 0.6]')
    (tmp_path / "bonus_hold.yaml").write_text(text, encoding="utf-8")
    out = run("check", str(tmp_path))
    codes = [line.split(": ")[1].split()[0] for line in out.stdout.splitlines() if ": " in line and "checked" not in line]
    assert out.returncode == 1 and "BAD_TEST" in codes and "OVERLAP" in codes
    lines = [int(line.split(":")[1]) for line in out.stdout.splitlines() if line.startswith(str(tmp_path))]
    assert lines == sorted(lines)
    assert out.stdout.splitlines()[-1].startswith("1 file checked: 1 error,")
