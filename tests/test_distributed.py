"""The batch on a real Dask cluster (a LocalCluster of worker processes on this machine) and Dask DataFrames.

A distributed run must give the files a local run gives, use the rules folder it was sent (hash and all),
survive a worker killed in the middle, never leave an input or output half-written, and report exactly as a
local run does. ``cellrules.frame`` on a Dask DataFrame must equal pandas, TIER's cut-offs included.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from cellrules import cli
from cellrules.frame import compute
from cellrules.recalc.batch import cluster
from recalc_helpers import sales_book
from test_dmn_tck import TCK

distributed = pytest.importorskip("distributed")  # in the test extra: installed by `make test`
dd = pytest.importorskip("dask.dataframe")


@pytest.fixture(scope="module")
def scheduler():  # one cluster for the module: every test that uses it is marked slow
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("books")
    return [sales_book(folder / f"book{i}.xlsx", n=300 + 50 * i, seed=i) for i in range(4)]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sheets(path: Path) -> dict[str, bytes]:
    """Every member, the custom properties (the audit trail) included: they name policies by version and hash,
    never by the folder a run read them from."""
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _run(args: list[str], capsys) -> tuple[int, dict]:
    code = cli.main(["recalc", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_a_cluster_run_writes_what_a_local_run_writes(scheduler, books, tmp_path, capsys):
    before = {p: _digest(p) for p in books}
    code, local = _run([*map(str, books), "-o", str(tmp_path / "local")], capsys)
    assert code == 0
    code, remote = _run([*map(str, books), "-o", str(tmp_path / "remote"), "--scheduler", scheduler], capsys)
    assert code == 0 and remote["failed"] == 0 and remote["cells"] == local["cells"] > 0
    for p in books:
        assert _sheets(tmp_path / "remote" / p.name) == _sheets(tmp_path / "local" / p.name)
        assert _digest(p) == before[p]  # inputs untouched
    assert [f["path"] for f in remote["files"]] == [str(p) for p in books]  # the order given, not of completion
    assert all("sha256" in f["rules"] for f in remote["files"])
    for mine, theirs in zip(local["files"], remote["files"]):  # the same policy files, named as here
        assert mine["policies"] == theirs["policies"] and mine["policies"]
    assert not [n for n in os.listdir(tmp_path / "remote") if n.startswith(".cellrules-")]
    from conftest import RULES
    shipped = Path(tempfile.gettempdir()) / f"cellrules-rules-{cluster.pack(RULES, '').digest[:32]}"
    assert not shipped.exists()  # the workers' copy of the rules is gone


@pytest.mark.slow
def test_decision_tables_of_every_format_travel_to_the_workers(scheduler, rules_dir, tmp_path, capsys):
    """A rules folder holding a .dmn file and a worksheet table: both are shipped (not only *.yaml), so DECIDE
    answers on the cluster as it does here."""
    shutil.copy(TCK / "0004-simpletable-U" / "0004-simpletable-U.dmn", rules_dir / "approval.dmn")
    wb = openpyxl.Workbook()
    wb.active.append(["hit policy", "F", "version", "1", "effective from", "2026-01-01", "description", "x"])
    wb.active.append(["in: n (number)", "out: size (text)"])
    wb.active.append([None, None])
    wb.active.append(["< 10", "small"])
    wb.active.append(["-", "big"])
    wb.active.title = "size_of"
    wb.save(rules_dir / "sheets.xlsx")
    book = openpyxl.Workbook()
    for r in range(1, 21):
        book.active.append([r, f'=DECIDE("Approval Status",30,"Medium",TRUE)', f'=DECIDE("size_of",A{r})'])
    book.save(tmp_path / "book.xlsx")
    args = [str(tmp_path / "book.xlsx"), "--rules", str(rules_dir)]
    assert _run([*args, "-o", str(tmp_path / "local")], capsys)[0] == 0
    code, out = _run([*args, "-o", str(tmp_path / "remote"), "--scheduler", scheduler], capsys)
    assert code == 0 and out["failed"] == 0
    assert _sheets(tmp_path / "remote" / "book.xlsx") == _sheets(tmp_path / "local" / "book.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "remote" / "book.xlsx", data_only=True).active
    assert [sheet.cell(r, 2).value for r in (1, 20)] == ["Approved"] * 2
    assert [sheet.cell(r, 3).value for r in (9, 10)] == ["small", "big"]


@pytest.mark.slow
def test_the_scheduler_from_the_environment_and_a_bad_file_among_good_ones(scheduler, books, tmp_path, capsys,
                                                                            monkeypatch):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    monkeypatch.setenv(cluster.ENV, scheduler)
    code, out = _run([str(books[0]), str(broken), str(tmp_path / "absent.xlsx"), "-o", str(tmp_path / "out")], capsys)
    assert code == 1 and out["failed"] == 2
    states = {Path(f["path"]).name: (f["ok"], f["problem"]) for f in out["files"]}
    assert states[books[0].name][0] and (tmp_path / "out" / books[0].name).exists()
    assert "not an .xlsx package" in states["broken.xlsx"][1]
    assert "cannot read the file" in states["absent.xlsx"][1]
    assert not (tmp_path / "out" / "broken.xlsx").exists()


@pytest.mark.slow
def test_the_rules_folder_and_its_hash_travel_with_the_job(scheduler, books, rules_dir, tmp_path, capsys):
    text = (rules_dir / "commission.yaml").read_text(encoding="utf-8").replace("rate: 15%", "rate: 18%")
    (rules_dir / "commission.yaml").write_text(text, encoding="utf-8")
    code, shipped = _run([str(books[1]), "-o", str(tmp_path / "a"), "--scheduler", scheduler], capsys)
    code2, edited = _run([str(books[1]), "-o", str(tmp_path / "b"), "--scheduler", scheduler, "--rules",
                          str(rules_dir)], capsys)
    assert code == code2 == 0
    assert shipped["files"][0]["rules"] != edited["files"][0]["rules"]
    assert cluster.pack(rules_dir, "").digest[:12] in edited["files"][0]["rules"]
    a = pd.read_excel(tmp_path / "a" / books[1].name, engine="calamine")["Commission"]
    b = pd.read_excel(tmp_path / "b" / books[1].name, engine="calamine")["Commission"]
    numeric = pd.to_numeric(a, errors="coerce").notna() & (a != 0)
    old, new = pd.to_numeric(a[numeric]).abs(), pd.to_numeric(b[numeric]).abs()  # clawbacks are negative
    assert numeric.sum() > 0 and (new >= old - 1e-9).all() and (new > old).any()


def test_unpacked_rules_are_checked_against_their_hash(rules_dir, tmp_path):
    packed = cluster.pack(rules_dir, "test")
    home = cluster.unpack(packed, str(tmp_path))
    assert cluster.pack(home, "").digest == packed.digest
    assert cluster.unpack(packed, str(tmp_path)) == home  # once per version
    forged = cluster.Rules(packed.folder, "x", packed.files[:-1], "0" * 64)
    with pytest.raises(ValueError, match="changed on its way"):
        cluster.unpack(forged, str(tmp_path))
    assert not list(tmp_path.glob("*0000000*")) and not list(tmp_path.glob(".cellrules-rules-*"))  # nothing left


@pytest.mark.slow
def test_a_worker_killed_mid_run_has_its_files_done_elsewhere(scheduler, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    books = [sales_book(folder / f"big{i}.xlsx", n=5000, seed=10 + i) for i in range(6)]
    before = {p: _digest(p) for p in books}
    result: dict = {}
    runner = threading.Thread(target=lambda: result.update(code=cli.main(
        ["recalc", *map(str, books), "-o", str(tmp_path / "out"), "--scheduler", scheduler, "--json"])))
    with distributed.Client(scheduler, set_as_default=False) as client:
        pids = client.run(os.getpid)
        runner.start()
        victim = None
        for _ in range(3000):  # until a worker holds a task (at most a minute)
            busy = [w for w, keys in client.processing().items() if keys]
            if busy:
                victim = busy[0]
                break
            time.sleep(0.02)
        assert victim is not None, "no task ever started"
        os.kill(pids[victim], signal.SIGKILL)
        runner.join(timeout=600)
    out = json.loads(capsys.readouterr().out)
    assert result["code"] == 0 and out["failed"] == 0, out
    for p in books:
        assert _digest(p) == before[p]
        with zipfile.ZipFile(tmp_path / "out" / p.name) as zf:
            assert zf.testzip() is None
    assert not [n for n in os.listdir(tmp_path / "out") if n.startswith(".cellrules-")]


def test_an_unreachable_scheduler_is_a_clear_error(books, tmp_path, capsys):
    import dask
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = cli.main(["recalc", str(books[0]), "-o", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot use the Dask scheduler tcp://127.0.0.1:9" in err
    assert not (tmp_path / "o" / books[0].name).exists()


@settings(max_examples=8, deadline=None)
@given(st.integers(1, 9), st.integers(0, 2**32 - 1), st.integers(50, 3000))
def test_tiers_of_a_dask_dataframe_are_cut_against_the_whole_column(partitions, seed, n):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"Amount": rng.lognormal(10, 1.5, n).round(2), "Days": rng.integers(-5, 200, n),
                       "Deal": rng.uniform(0, 4e5, n).round(2), "Type": rng.choice(["new", "renewal", "x"], n)})
    lazy = dd.from_pandas(df, npartitions=partitions)
    for name, kwargs in [("TIER", {"amount": "Amount"}), ("TIER", {"amount": "Deal", "amounts": "Amount"}),
                         ("DUNNINGSTAGE", {"days_overdue": "Days"}),
                         ("COMMISSION", {"amount": "Deal", "deal_type": "Type", "as_of": "2026-06-30"})]:
        expected = compute(df, name, **kwargs)
        got = compute(lazy, name, **kwargs)
        assert isinstance(got, dd.Series)
        pd.testing.assert_series_equal(got.compute(), expected, check_names=False)
