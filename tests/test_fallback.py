"""Where durable-rules cannot be imported, cellrules still answers through the vectorised path and says so once."""
from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT, RULES


def run(code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, CELLRULES_ENGINE="vector")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                          encoding="utf-8")


def test_every_example_passes_without_the_engine():
    out = run("import sys; from cellrules.cli import main; sys.exit(main(['test', %r]))" % str(RULES))
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.endswith(" passed, 0 failed\n")
    assert out.stderr.count("engine in use: vectorised") == 1


def test_functions_answer_and_the_engine_is_named_once():
    code = ("from cellrules.functions import COMMISSION, DUNNINGSTAGE, TIER; from cellrules import engine\n"
            "print(engine.AVAILABLE, COMMISSION(150000, 'new', None, '2026-06-30'), DUNNINGSTAGE(61),"
            " TIER(5, [5, 4, 3]))\nprint(DUNNINGSTAGE(1))")
    out = run(code)
    assert out.stdout.splitlines() == ["False 25000.0 Second notice VIP", "Current"]
    assert out.stderr.count("cellrules: engine in use: vectorised") == 1
