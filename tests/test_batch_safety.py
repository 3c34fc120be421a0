"""cellrules recalc never overwrites silently, names every error cell, and cleans up after itself."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT
from recalc_helpers import sales_book


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``cellrules ARGS`` run in this process (so coverage sees the batch code), as a finished process."""
    import contextlib
    import io
    from cellrules import cli as command
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = command.main(list(args))
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(["cellrules", *args], code, out.getvalue(), err.getvalue())


def test_two_inputs_with_one_name_are_refused_before_anything_is_written(tmp_path):
    a, b = sales_book(tmp_path / "a" / "book.xlsx", n=3), sales_book(tmp_path / "b" / "book.xlsx", n=4)
    out = cli("recalc", str(a), str(b), "-o", str(tmp_path / "out"))
    assert out.returncode == 2 and "both be written" in out.stderr
    assert not (tmp_path / "out").exists()


def test_an_output_folder_holding_the_input_is_refused(tmp_path):
    book = sales_book(tmp_path / "book.xlsx", n=3)
    before = book.read_bytes()
    out = cli("recalc", str(book), "-o", str(tmp_path))
    assert out.returncode == 2 and "would replace the input" in out.stderr and "--in-place" in out.stderr
    assert book.read_bytes() == before and not list(tmp_path.glob("*.bak*"))


def test_in_place_backups_are_numbered_never_replaced(tmp_path):
    book = sales_book(tmp_path / "book.xlsx", n=3)
    original = book.read_bytes()
    assert cli("recalc", str(book), "--in-place").returncode == 0
    first = (tmp_path / "book.xlsx.bak").read_bytes()
    assert first == original
    assert cli("recalc", str(book), "--in-place").returncode == 0
    assert (tmp_path / "book.xlsx.bak").read_bytes() == original  # the first backup is kept
    assert (tmp_path / "book.xlsx.bak2").exists()


def test_a_backup_failure_is_reported_not_raised(tmp_path, monkeypatch):
    """Disk full or read-only while copying the backup: that file fails with the reason, nothing half-written."""
    from cellrules.recalc.batch import command as batch
    book = sales_book(tmp_path / "book.xlsx", n=3)
    before = book.read_bytes()

    from cellrules.xlsx import zipwrite

    def full(src, dst, **_):
        Path(dst).write_bytes(b"partial")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(zipwrite.shutil, "copyfile", full)
    [report] = batch.run(batch.plan([str(book)], None, True, None, True), workers=1, show_progress=False)
    assert not report.ok and "No space left" in report.problem and "not touched" in report.problem
    assert book.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_a_full_disk_at_the_write_leaves_the_input_as_it_was_with_its_whole_backup(tmp_path, monkeypatch):
    """--in-place on two books, the disk full when the second result is flushed: that book is unchanged, its
    .bak complete, no temporary left; the first book is done (fault injected at fsync, where a full disk or a
    failing device shows)."""
    from cellrules.recalc.batch import command as batch
    from cellrules.xlsx import zipwrite
    books = [sales_book(tmp_path / f"book{i}.xlsx", n=5, seed=i) for i in range(2)]
    before = [b.read_bytes() for b in books]
    flushed: list[str] = []
    real = zipwrite._flush

    def flush(path: str) -> None:
        flushed.append(path)
        if len(flushed) == 4:  # backup 1, result 1, backup 2, result 2: the fourth fails
            raise OSError(28, "No space left on device")
        real(path)
    monkeypatch.setattr(zipwrite, "_flush", flush)
    reports = batch.run(batch.plan([str(b) for b in books], None, True, None, True), workers=1, show_progress=False)
    assert [r.ok for r in reports] == [True, False] and "No space left" in reports[1].problem
    assert books[1].read_bytes() == before[1] and (tmp_path / "book1.xlsx.bak").read_bytes() == before[1]
    assert books[0].read_bytes() != before[0] and (tmp_path / "book0.xlsx.bak").read_bytes() == before[0]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".cellrules-")]


def test_a_kill_while_the_backup_is_written_leaves_no_partial_backup(tmp_path):
    """kill -9 in the middle of copying the backup: no .bak at all (a user never restores from half a file),
    only a temporary that the next run removes."""
    big = tmp_path / "book.xlsx"
    big.write_bytes(os.urandom(4_000_000))
    script = (f"import shutil, time, sys\nsys.path.insert(0, {str(ROOT / 'src')!r})\n"
              "from cellrules.xlsx import zipwrite\n"
              "def slow(src, dst, **_):\n"
              "    with open(src, 'rb') as a, open(dst, 'wb') as b:\n"
              "        while chunk := a.read(65536):\n"
              "            b.write(chunk); b.flush(); print('.', flush=True); time.sleep(0.05)\n"
              "zipwrite.shutil.copyfile = slow\n"
              f"zipwrite.copy_whole({str(big)!r}, {str(big) + '.bak'!r})\n")
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    for _ in range(5):
        child.stdout.readline()  # a few chunks are on disk
    child.kill()
    child.wait()
    assert not (tmp_path / "book.xlsx.bak").exists()
    from cellrules.recalc.batch import command as batch
    assert [p.name.startswith(".cellrules-") for p in batch.clean_stale_temporaries([tmp_path])] == [True]


def test_temporaries_of_a_killed_run_are_removed_and_live_ones_kept(tmp_path):
    from cellrules.recalc.batch import command as batch
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".cellrules-{dead.stdout.strip()}-abc.xlsx"
    live = tmp_path / f".cellrules-{os.getpid()}-def.xlsx"
    stale.write_bytes(b"x")
    live.write_bytes(b"x")
    assert batch.clean_stale_temporaries([tmp_path]) == [stale]
    assert not stale.exists() and live.exists()
    book = sales_book(tmp_path / "in" / "book.xlsx", n=3)
    stale.write_bytes(b"x")
    out = cli("recalc", str(book), "-o", str(tmp_path))
    assert out.returncode == 0 and "left by a run that was stopped" in out.stderr and not stale.exists()


def test_every_error_cell_is_named_and_strict_fails_on_them(tmp_path):
    book = sales_book(tmp_path / "book.xlsx", n=30)
    wb = openpyxl.load_workbook(book)
    wb["Customers"]["T6"] = "=NOSUCH(1)"
    wb.save(book)
    out = cli("recalc", str(book), "-o", str(tmp_path / "out"), "--json")
    data = json.loads(out.stdout)
    assert out.returncode == 0
    cells = data["files"][0]["error_cells"]
    assert len(cells) == sum(data["files"][0]["errors"].values())
    unknown = next(c for c in cells if c["cell"] == "T6")
    assert unknown == {"sheet": "Customers", "cell": "T6", "formula": "=NOSUCH(1)", "code": "#NAME?",
                       "reason": "NOSUCH is not a function cellrules recalc knows", "cellrules": False}
    deal = next(c for c in cells if c["code"] == "#N/A" and c["formula"].startswith("=COMMISSION"))
    assert "deal type" in deal["reason"] and deal["cellrules"] is True
    assert data["files"][0]["rules"].endswith("(--rules)") or "rules" in data["files"][0]["rules"]
    text = cli("recalc", str(book), "-o", str(tmp_path / "out2"))
    assert "Customers!" in text.stdout and "1 more error cell; --json lists them" in text.stdout
    strict = cli("recalc", str(book), "-o", str(tmp_path / "out3"), "--strict")
    assert strict.returncode == 1 and "--strict:" in strict.stdout


def test_each_workbook_uses_the_rules_folder_beside_it(tmp_path):
    shutil.copytree(ROOT / "rules", tmp_path / "team" / "rules")
    path = tmp_path / "team" / "rules" / "commission.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("rate: 20%", "rate: 30%"), encoding="utf-8")
    wb = openpyxl.Workbook()
    wb.active["A1"] = '=COMMISSION(150000,"new",,"2026-06-30")'
    wb.save(tmp_path / "team" / "book.xlsx")
    shutil.copy(tmp_path / "team" / "book.xlsx", tmp_path / "solo.xlsx")
    out = cli("recalc", str(tmp_path / "team" / "book.xlsx"), str(tmp_path / "solo.xlsx"), "-o", str(tmp_path / "o"),
              "--json", cwd=tmp_path)
    data = json.loads(out.stdout)
    rules = [f["rules"] for f in data["files"]]
    assert "beside the workbook" in rules[0] and "packaged defaults" in rules[1]
    assert openpyxl.load_workbook(tmp_path / "o" / "book.xlsx", data_only=True).active["A1"].value == 30000
    assert openpyxl.load_workbook(tmp_path / "o" / "solo.xlsx", data_only=True).active["A1"].value == 25000


def test_the_thread_switch_interval_is_shortened_only_while_members_stream():
    """Streaming shortens Python's switch interval (the compressing thread gets the GIL back sooner) and puts
    back the one in force, even when streams overlap on several threads and one of them fails."""
    import sys
    import threading

    from cellrules.xlsx import zipwrite
    before = sys.getswitchinterval()
    inside, go = [], threading.Barrier(3)

    def stream(fail: bool) -> None:
        try:
            with zipwrite._quick_switches():
                go.wait()
                inside.append(sys.getswitchinterval())
                go.wait()
                if fail:
                    raise OSError("disk full")
        except OSError:
            pass
    threads = [threading.Thread(target=stream, args=(k == 1,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert inside == [zipwrite.SWITCH] * 3 and sys.getswitchinterval() == before


def test_a_write_that_fails_midway_leaves_the_target_as_it_was_and_no_temporary(tmp_path):
    """The package is streamed into a temporary file beside the target: a transform failing after some chunks
    were written loses nothing, and a successful write replaces the target keeping its mode."""
    from cellrules.xlsx import zipwrite
    book = sales_book(tmp_path / "book.xlsx", n=3)
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"the old result")
    target.chmod(0o640)

    def failing(data: bytes):
        yield data[:100]
        raise OSError(28, "No space left on device")
    with pytest.raises(OSError):
        zipwrite.write_parts(str(book), {"xl/worksheets/sheet1.xml": failing}, str(target))
    assert target.read_bytes() == b"the old result"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".cellrules-")]
    zipwrite.write_bytes(str(target), b"new", str(book))
    assert target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".cellrules-")]


def test_an_output_location_that_cannot_be_written_stops_the_run_before_any_computing(tmp_path, monkeypatch):
    """-o under a file (or on a read-only disk): exit 2, the path and the reason on stderr, no traceback; an
    existing folder that refuses files is found before any workbook is computed."""
    book = sales_book(tmp_path / "book.xlsx", n=3)
    (tmp_path / "plain.txt").write_text("x")
    out = cli("recalc", str(book), "-o", str(tmp_path / "plain.txt" / "sub"))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "cannot write in" in out.stderr and "plain.txt" in out.stderr and "nothing was computed" in out.stderr
    from cellrules.recalc.batch import command as batch
    computed: list[str] = []
    monkeypatch.setattr(batch, "recalc_file", lambda *a, **k: computed.append(a[0]))

    def refuse(*_, **__):
        raise OSError(30, "Read-only file system", str(tmp_path / "ro"))
    monkeypatch.setattr(batch.tempfile, "mkstemp", refuse)
    (tmp_path / "ro").mkdir()
    out = cli("recalc", str(book), "-o", str(tmp_path / "ro"))
    assert out.returncode == 2 and "Read-only file system" in out.stderr and not computed
