"""Hostile and broken rule files: every one is a diagnostic at its own line, never a traceback or a hang, and a
running store keeps the last good policy (and does not re-read the bad file on every call)."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from cellrules import functions as F
from cellrules import store
from cellrules.source import load_text
from conftest import ROOT, write

BOMB = "\n".join(f"{c}: &{c} [" + ",".join([f"*{p}" if p else '"lol"'] * 9) + "]"
                 for c, p in zip("abcdefghi", [None, *"abcdefgh"])) + "\n"


@pytest.mark.parametrize("text,code,line", [
    (BOMB, "YAML_ALIASES", 5),
    ("policy: x\nbase: &b {rate: 15%}\nplan:\n  <<: *b\n", "YAML_MERGE", 4),
    ("policy: x\nrate: " + "9" * 400 + "\n", "BAD_NUMBER", 2),
    ("policy: x\nrate: 1e400\n", "BAD_NUMBER", 2),
    ("policy: x\neffective_from: 2026-13-01\n", "BAD_DATE", 2),
    ("policy: x\nrows:\n" + "".join("  " * (i + 1) + "- a:\n" for i in range(60)), "YAML_SYNTAX", 22),
    ("policy: x\nrows:\n\t- a: 1\n", "YAML_SYNTAX", 3),
])
def test_each_problem_is_a_diagnostic_at_its_line(text, code, line):
    source, problems = load_text(text, "p.yaml")
    assert source is None and problems[0].code == code and problems[0].location.line == line, problems


def test_a_tab_gets_a_plain_words_hint():
    _, problems = load_text("policy: x\nrows:\n\t- a: 1\n", "p.yaml")
    assert "indent with spaces, not tabs" in problems[0].message


def test_check_prints_diagnostics_not_tracebacks_and_exits_1(tmp_path):
    write(tmp_path / "bomb.yaml", BOMB)
    write(tmp_path / "merge.yaml", "policy: merge\nbase: &b {rate: 15%}\nplan:\n  <<: *b\n")
    (tmp_path / "latin1.yaml").write_bytes("policy: x\nname: caf\xe9\n".encode("latin-1"))
    out = subprocess.run([sys.executable, "-m", "cellrules", "check", str(tmp_path)], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 1 and "Traceback" not in out.stderr + out.stdout
    assert f"{tmp_path / 'bomb.yaml'}:5:" in out.stdout and "YAML_ALIASES" in out.stdout
    assert f"{tmp_path / 'merge.yaml'}:4:3: YAML_MERGE" in out.stdout
    assert f"{tmp_path / 'latin1.yaml'}:2:10: FILE_ERROR not UTF-8" in out.stdout


def test_a_broken_edit_keeps_the_last_good_policy_and_is_not_reread_each_call(edit_store, rules_dir, monkeypatch):
    assert F.DUNNINGSTAGE(61) == "Second notice"
    write(rules_dir / "dunning.yaml", BOMB)
    reads = []
    original = store.load_file
    monkeypatch.setattr(store, "load_file", lambda path: reads.append(path) or original(path))
    for _ in range(5):
        assert F.DUNNINGSTAGE(61) == "Second notice"
    assert len(reads) == 1
    status = F.RULESTATUS()
    assert status.startswith("REFUSED") and "YAML_ALIASES" in status and "last good version in force" in status


def test_a_half_written_save_is_not_put_in_force_until_it_settles(rules_dir):
    current = store.Store(rules_dir)
    current.interval = 0.0
    with store.using(current):
        assert F.COMMISSION(150000, "new", None, "2026-06-30") == 25000
        path = rules_dir / "commission.yaml"
        full = path.read_text(encoding="utf-8")
        half = full[: len(full) // 2]
        path.write_text(half.replace("rate: 15%", "rate: 16%"), encoding="utf-8")  # written just now
        assert F.COMMISSION(150000, "new", None, "2026-06-30") == 25000  # the last good version still answers
        path.write_text(full.replace("rate: 20%", "rate: 30%"), encoding="utf-8")
        past = time.time() - 5
        os.utime(path, (past, past))  # the editor finished a while ago
        assert F.COMMISSION(150000, "new", None, "2026-06-30") == 30000
    current.close()


def test_an_empty_value_is_refused_by_check_with_its_line(rules_dir):
    path = rules_dir / "commission.yaml"
    text = path.read_text(encoding="utf-8")
    line = text[: text.index("rate: 15%")].count("\n") + 1
    write(path, text.replace("rate: 15%", "rate: ~", 1))
    out = subprocess.run([sys.executable, "-m", "cellrules", "check", str(path), str(rules_dir / "tiers.yaml")],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 1 and f"commission.yaml:{line}:" in out.stdout and "'rate'" in out.stdout
    assert "is empty" in out.stdout and "<object" not in out.stdout and "datetime" not in out.stdout
    test = subprocess.run([sys.executable, "-m", "cellrules", "test", str(rules_dir)], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert test.returncode == 1 and "skipped:" in test.stdout and "does not validate" in test.stdout


def test_a_policy_without_examples_gets_a_warning(rules_dir):
    path = rules_dir / "dunning.yaml"
    text = path.read_text(encoding="utf-8")
    write(path, text[: text.index("examples:")])
    out = subprocess.run([sys.executable, "-m", "cellrules", "check", str(path)], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 0 and "NO_EXAMPLES" in out.stdout and "1 warning" in out.stdout


def test_a_typo_gives_one_error_not_a_cascade(rules_dir):
    path = rules_dir / "commission.yaml"
    write(path, path.read_text(encoding="utf-8").replace("up_to:", "upto:", 1))
    out = subprocess.run([sys.executable, "-m", "cellrules", "check", str(path)], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    lines = [line for line in out.stdout.splitlines() if ": " in line and "checked" not in line]
    assert out.returncode == 1 and len(lines) == 1 and "did you mean 'up_to'" in lines[0], out.stdout


@pytest.mark.parametrize("cell", ["[" + " " * 3000 + "1", "[" + " " * 3000 + "1..", "(" + " " * 3000, "[1" + " " * 3000])
def test_a_bracket_and_thousands_of_spaces_is_a_bad_test_at_once(cell):
    """Such a cell once held the interval reader for seconds (a backtracking regular expression): now it is
    read without one and refused as the grammar says."""
    from cellrules.dmn.grammar import parse
    from cellrules.dmn.unary import UnaryError
    with pytest.raises(UnaryError):
        parse(cell, "number")
    assert parse("[ 1 .. 5 )", "number").closed == (True, False)


@pytest.mark.parametrize("text", ["policy: x\nextra: !!omap [a: 1]\n", "policy: x\nextra: !!set {a, b}\n"])
def test_an_ordered_map_or_a_set_is_an_unsafe_tag_not_a_traceback(text):
    _, problems = load_text(text, "p.yaml")
    assert [(d.code, d.location.line) for d in problems] == [("UNSAFE_TAG", 2)]



def _table(inputs: list[str], rules: list[str], hit_policy: str = "F", outputs: bool = True) -> str:
    return ("policy: t\nkind: decision_table\nversion: \"1\"\neffective_from: 2026-01-01\ndescription: t\n"
            f"hit_policy: {hit_policy}\ninputs:\n" + "".join(f"  - {{name: {i}}}\n" for i in inputs)
            + ("outputs:\n  - {name: out, type: text}\n" if outputs else "") + "rules:\n"
            + "".join(f"  - {r}\n" for r in rules))


_NUMBERS = ", ".join(str(i) for i in range(800))
_WORDS = ", ".join(f'"s{i}"' for i in range(10_000))
_RANGES = ", ".join(f"[{i * 10}..{i * 10 + 5}]" for i in range(16))


@pytest.mark.parametrize("text,calls", [
    (_table(["x, type: number"], [f'["{_NUMBERS}", a]', '["-", b]']), [((799,), "a"), ((800,), "b")]),
    (_table(["x, type: text"], [f"['{_WORDS}', a]", '["-", b]']), [(("S9999",), "a"), (("s10000",), "b")]),
    (_table(["x, type: number"], [f'["not({_RANGES})", a]', '["-", b]']), [((3,), "b"), ((7,), "a")]),
    (_table(["x, type: number"], ['["< 1e16", a]', '["-", b]']), [((9.9e15,), "a"), ((1e16,), "b")]),
    (_table(["x, type: date"], ["['date(\"9999-12-31\")', a]", "['date(\"0001-01-01\")', c]", '["-", b]']),
     [((2958465,), "a"), ((1,), "b")]),
    (_table([f"x{k}, type: text" for k in range(12)], [f"[v{j}, {', '.join(['x'] * 11)}, r{j}]" for j in range(1500)]
            + [f"[{', '.join(['-'] * 12)}, other]"]), [(("v1499",) + ("x",) * 11, "r1499"), (("y",) * 12, "other")]),
])
def test_what_check_accepts_loads_and_answers(rules_dir, text, calls):
    """Tables `check` once accepted but the engine could not hold (800 numbers or 10,000 words in one cell hung
    loading; not() of 16 ranges was INTERNAL), or that `check` refused wrongly (< 1e16 UNREACHABLE, dates at
    the calendar's ends a traceback, 1,500 plain rules YAML_ALIASES): each is accepted, loads, and answers."""
    write(rules_dir / "t.yaml", text)
    out = subprocess.run([sys.executable, "-m", "cellrules", "check", str(rules_dir / "t.yaml"), "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stdout + out.stderr
    with store.using(store.Store(rules_dir)):
        assert [F.DECIDE("t", *args) for args, _ in calls] == [want for _, want in calls]


@pytest.mark.parametrize("text,code", [
    (_table([f"x{k}, type: number" for k in range(300)], [f"[{', '.join(['-'] * 300)}, a]"]), "TOO_LARGE"),
    (_table(["x, type: number"], ['["[-1e400..1e400]", a]']), "BAD_TEST"),
    (_table(["x, type: number"], ['["' + "9" * 40_000 + '", a]', '["-", b]']), "BAD_TEST"),
    (_table(["x, type: number"], ['["-"]'], outputs=False), "MISSING_FIELD"),
])
def test_what_cannot_load_is_refused_by_check_with_its_reason(rules_dir, text, code):
    """300 inputs (the engine reads 255 fields), numbers beyond a double, a table without outputs: refused by
    `check` with a reason (they once passed check and then failed every call, or were refused with none)."""
    write(rules_dir / "t.yaml", text)
    out = subprocess.run([sys.executable, "-m", "cellrules", "check", str(rules_dir / "t.yaml"), "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    import json
    found = [d["code"] for d in json.loads(out.stdout)["diagnostics"] if d["severity"] == "error"]
    assert out.returncode == 1 and found == [code], out.stdout
    with store.using(store.Store(rules_dir)):
        answer = F.DECIDE("t", 1)
    assert answer.code == "#N/A" and code in answer.reason


def test_a_rate_of_5000_digits_is_a_bad_percent_not_a_traceback(rules_dir):
    path = rules_dir / "commission.yaml"
    write(path, path.read_text(encoding="utf-8").replace("rate: 15%", "rate: 0." + "1" * 5000 + "%", 1))
    out = subprocess.run([sys.executable, "-m", "cellrules", "check", str(path)], capture_output=True, text=True,
                         cwd=ROOT, timeout=600)
    assert out.returncode == 1 and "BAD_PERCENT" in out.stdout and "Traceback" not in out.stderr


@pytest.mark.parametrize("start", [1e308, 2958466, -5])
def test_a_sheet_table_dated_outside_excels_calendar_is_a_bad_date(tmp_path, start):
    """An effective-from cell of 1e308 (or past 9999-12-31, or before 1900) was a traceback in check."""
    import openpyxl
    from cellrules.templates import tables
    from cellrules.examples import check_file
    policy = check_file(ROOT / "rules" / "customer_class.yaml")[0]
    folder = tmp_path / "rules"
    folder.mkdir()
    tables.write(policy, folder / "customer_class.xlsx")
    book = openpyxl.load_workbook(folder / "customer_class.xlsx")
    book.active["F1"] = start
    book.save(folder / "customer_class.xlsx")
    out = subprocess.run([sys.executable, "-m", "cellrules", "check", str(folder)], capture_output=True, text=True,
                         cwd=ROOT, timeout=600)
    assert out.returncode == 1 and "!F1: BAD_DATE" in out.stdout and "Traceback" not in out.stderr, out.stderr


def test_a_name_scoped_to_no_sheet_is_left_out_not_a_traceback(tmp_path):
    """A defined name whose localSheetId is no sheet index (OOXML: an unsigned int) broke check."""
    import zipfile
    from cellrules.templates import tables
    from cellrules.examples import check_file
    folder = tmp_path / "rules"
    folder.mkdir()
    plain = tmp_path / "plain.xlsx"
    tables.write(check_file(ROOT / "rules" / "customer_class.yaml")[0], plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(folder / "customer_class.xlsx", "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                names = ('<definedNames><definedName name="A" localSheetId="x">customer_class!$A$1</definedName>'
                         '<definedName name="B" localSheetId="-1">customer_class!$A$1</definedName></definedNames>')
                data = data.replace(b"<definedNames />", names.encode()).replace(b"<definedNames/>", names.encode())
                assert b'localSheetId="x"' in data
            out.writestr(item, data)
    out = subprocess.run([sys.executable, "-m", "cellrules", "check", str(folder)], capture_output=True, text=True,
                         cwd=ROOT, timeout=600)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stdout + out.stderr


def _yaml_texts() -> list[str]:
    """Every shipped rule file and every YAML text written in the tests."""
    import ast
    import textwrap
    out = [p.read_text(encoding="utf-8") for p in (ROOT / "rules").glob("*.yaml")]
    for path in (ROOT / "tests").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and ":" in node.value \
                    and "\n" in node.value and "{name}" not in node.value:
                out.append(textwrap.dedent(node.value))
    return out + ["a: yes\nb: 0755\nc: 1:30\nd: 2026-1-5\ne: .5\nf: 1_000\ng: 0o17\nh: 0x1F\ni: ~\nj:\nk: 'x'\n"
                  "l: !!str 5\nm: 2026-01-01 10:00:00\nn: +.inf\no: TRUE\np: >\n  folded\n  text\n",
                  "a:\n  # note\n  b: 1\nc:   \n\n  # x\nd: 2\n", "a:\r\n  b:\r\nc: 1\r\n", "x:\n  - {a: 1, a: 2}\n"]


def test_libyaml_and_ruamel_read_every_rule_file_alike():
    """Rule files are read with libyaml (C: a 1.6 MB table in 0.2 s, 3 s with ruamel's parser alone) and
    resolved by ruamel's YAML 1.2 rules (`yes` stays text, 0755 is 755): the data, every value's place and
    every problem are the same as ruamel's own reading gives, on every YAML text we have."""
    from cellrules import source
    differ = []
    for text in _yaml_texts():
        fast, slow = source.load_text(text, "p.yaml"), source._load_ruamel(text, "p.yaml")
        if (fast[0] and (fast[0].data, fast[0].positions)) != (slow[0] and (slow[0].data, slow[0].positions)) \
                or [str(d) for d in fast[1]] != [str(d) for d in slow[1]]:
            differ.append(text[:60])
    assert differ == [] and len(_yaml_texts()) > 150
    assert source.load_text("a: yes\nb: 0755\n", "p.yaml")[0].data == {"a": "yes", "b": 755}


_ALIASED = ["base: &b {rate: 0.1, caps: [1, 2]}\nplan:\n  - *b\n  - {x: *b}\n",
            "a: &s 5\nb: *s\nc: [*s, *s]\n", "a: 1\nb:\n  c: 2\n  c: 3\n",
            "a: {b: &x 1, c: 2}\nd: [*x, {e: *x}]\n"]


def _plain(value: object) -> object:
    """ruamel's round-trip values as plain data (what a Source holds)."""
    from cellrules import source
    if isinstance(value, dict):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return source._scalar(value)


def _ruamel_places(value: object, here: tuple = ()) -> dict:
    """Each value's (key line, key column, value line, value column) as ruamel's own loader records them."""
    out: dict = {}
    if isinstance(value, dict):
        for key in value:
            kl, kc, vl, vc = value.lc.data[key]  # type: ignore[attr-defined]
            out[here + (str(key),)] = (kl + 1, kc + 1, vl + 1, vc + 1)
            out.update(_ruamel_places(value[key], here + (str(key),)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            line, col = value.lc.data[i]  # type: ignore[attr-defined]
            out[here + (i,)] = (line + 1, col + 1) * 2
            out.update(_ruamel_places(item, here + (i,)))
    return out


def test_the_event_pass_reads_what_ruamel_s_own_loader_reads():
    """An oracle the reading does not share: ruamel's own round-trip loader (its composer, constructor and
    line/column records). On every YAML text the tests hold that it accepts, the data and every value's
    place are the same as ours (aliases copied with their places, keys written as lists included)."""
    from ruamel.yaml import YAML
    from cellrules import source
    differ, compared = [], 0
    for text in _yaml_texts() + _ALIASED:
        try:
            theirs = YAML(typ="rt").load(text)
        except Exception:  # refused by ruamel: the other tests say what we say of it
            continue
        ours, problems = source.load_text(text, "p.yaml")
        if ours is None or problems:
            continue
        compared += 1
        places = {k: v for k, v in ours.positions.items() if not any(isinstance(p, str) and p.startswith("[")
                                                                     for p in k)}
        if ours.data != _plain(theirs) or places != _ruamel_places(theirs):
            differ.append(text[:60])
    assert differ == [] and compared > 100


@pytest.mark.parametrize("text,code,line,says", [
    ("a: &x [1, *x]\n", "YAML_SYNTAX", 1, "found recursive alias 'x'"),
    ("a: *nowhere\n", "YAML_SYNTAX", 1, "found undefined alias 'nowhere'"),
    ("a: 1\n---\nb: 2\n", "YAML_SYNTAX", 2, "expected a single document in the stream but found another document"),
    ("a: 1\nb: 2\na: 3\n", "DUPLICATE_KEY", 3, 'duplicate key "a" with value "3" (original value: "1")'),
    ("a: [1]\nb: 2\na: 3\n", "DUPLICATE_KEY", 3, 'duplicate key "a"')])
def test_shapes_that_are_no_rule_file_are_said_without_a_traceback(text, code, line, says):
    from cellrules import source
    got, problems = source.load_text(text, "p.yaml")
    assert got is None and len(problems) == 1, problems
    assert (problems[0].code, problems[0].location.line) == (code, line) and says in problems[0].message, problems


def test_an_aliased_value_is_a_copy():
    from cellrules import source
    got, _ = source.load_text("base: &b {rate: 0.1}\nplan: *b\n", "p.yaml")
    assert got.data == {"base": {"rate": 0.1}, "plan": {"rate": 0.1}} and got.data["base"] is not got.data["plan"]
    assert got.positions[("plan", "rate")] == got.positions[("base", "rate")]
