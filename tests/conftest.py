"""Shared fixtures: the shipped rules folder, and a private copy to edit."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from cellrules import engine, store

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"


def pytest_sessionstart(session: pytest.Session) -> None:
    """CI sets CELLRULES_REQUIRE_ENGINE=1: a run meant for durable-rules must not pass on the fallback."""
    if os.environ.get("CELLRULES_REQUIRE_ENGINE") == "1" and not engine.AVAILABLE and not engine.FORCED_OFF:
        pytest.exit(f"CELLRULES_REQUIRE_ENGINE=1 but {engine.NAME}", returncode=3)


def _installed(folder: Path):
    """A store over ``folder`` that looks at files on every call, current for the test's duration."""
    fresh = store.Store(folder)
    fresh.interval = 0.0
    fresh.settle = 0.0
    previous = store.use(fresh)
    yield fresh
    store.use(previous)
    fresh.close()


@pytest.fixture(autouse=True)
def no_internal_errors():
    """No test may end with a spreadsheet function answering through the registry's catch-all (a bug)."""
    from cellrules.registry import INTERNAL_ERRORS
    before = INTERNAL_ERRORS["count"]
    yield
    assert INTERNAL_ERRORS["count"] == before, "a spreadsheet function failed inside (see the log)"


@pytest.fixture(autouse=True)
def shipped_store():
    """Every test starts on a fresh store over the shipped rules."""
    yield from _installed(RULES)


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


@pytest.fixture
def edit_store(rules_dir: Path):
    """A store over a private copy of the rules, looking at files on every call."""
    yield from _installed(rules_dir)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def assert_well_formed(path: str, names: list[str]) -> None:
    """Every named XML part of the package at ``path`` parses (no raw control character, no stray token)."""
    import zipfile
    from xml.parsers import expat
    with zipfile.ZipFile(path) as z:
        present = set(z.namelist())
        for name in names:
            if name in present and name.endswith((".xml", ".rels", ".vml")):
                parser, order = expat.ParserCreate(), _CellOrder(name)
                if "/worksheets/" in name:
                    parser.StartElementHandler = order.start
                try:
                    parser.Parse(z.read(name), True)
                except expat.ExpatError as exc:
                    raise AssertionError(f"{path}: part {name} is not well-formed XML: {exc}") from None
                assert not order.problems, f"{path}: {order.problems[:3]}"


class _CellOrder:
    """Rows, and cells within a row, each once and in ascending order (Excel refuses a sheet otherwise)."""

    def __init__(self, part: str) -> None:
        self.part, self.row, self.col, self.problems = part, 0, 0, []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        import re
        local = tag.rsplit(":", 1)[-1]
        if local == "row" and attrs.get("r"):
            r = int(attrs["r"])
            if r <= self.row:
                self.problems.append(f"{self.part}: row {r} after row {self.row}")
            self.row, self.col = r, 0
        elif local == "c" and attrs.get("r"):
            letters = re.match(r"[A-Z]+", attrs["r"]).group(0)
            col = 0
            for ch in letters:
                col = col * 26 + ord(ch) - 64
            if col <= self.col:
                self.problems.append(f"{self.part}: cell {attrs['r']} repeated or out of order")
            self.col = col


@pytest.fixture(autouse=True)
def written_workbooks_are_well_formed(monkeypatch):
    """Every workbook cellrules writes during a test (in this process) has well-formed XML in each part it
    wrote: checked after the test, whatever the test itself asserts."""
    from cellrules.xlsx import writeback, zipwrite
    real = zipwrite.write_parts
    written: list[tuple[str, list[str]]] = []

    def recording(source_path, parts, target, known=None, added=None):
        real(source_path, parts, target, known, added)
        written.append((target, [*parts, *(added or {})]))
    monkeypatch.setattr(zipwrite, "write_parts", recording)
    monkeypatch.setattr(writeback, "write_parts", recording)
    yield
    for target, names in written:
        if os.path.exists(target):
            assert_well_formed(target, names)
