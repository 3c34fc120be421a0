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
