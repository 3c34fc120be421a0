"""Build durable-rules, the rules engine cellrules runs on, as a wheel that loads on Python 3.11–3.13.

durable-rules 2.0.28 (MIT, github.com/jruizgit/rules) is published as source only. Its C extension calls
``PyEval_CallObject``, which Python 3.13 removed: on 3.13 the published source compiles, then fails to load
(``undefined symbol: PyEval_CallObject``). This script takes that exact source from PyPI (checked against its
SHA-256, so nothing else is ever built), applies the one fix below and builds a wheel versioned
``2.0.28+cellrules1`` (a local version: a downstream build, never confused with the author's release):

    PyEval_CallObject(callback, arglist)  ->  PyObject_CallObject(callback, arglist)

``PyEval_CallObject(f, a)`` was a macro for ``PyEval_CallObjectWithKeywords(f, a, NULL)``, which calls
``PyObject_Call``/``_PyObject_CallNoArg`` exactly as ``PyObject_CallObject(f, a)`` does (stable ABI since
Python 3.0), so the fixed build behaves the same on 3.11 and 3.12 and is used there too: one build everywhere.

    python packaging/build_engine.py WHEELHOUSE     # the wheel for this interpreter, into WHEELHOUSE

Exit status 0 with the wheel's path printed (an existing wheel for this interpreter is kept), 1 with the
reason when it cannot be built (no C compiler: install one, or use cellrules without the engine — the
vectorised path gives the same answers). Standard library only: it runs before anything is installed.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "2.0.28"
LOCAL = "cellrules1"
SHA256 = "053b26f5e48d312d4fa27995243f954671be6eece477f150c059c364eb4d7d61"
#: (file, text, replacement, how many times the text must occur) — the whole fix, checked as it is applied
FIXES = [
    ("src/rulespy/rules.c", "PyEval_CallObject(callback, arglist)", "PyObject_CallObject(callback, arglist)", 5),
    ("setup.py", f"version = '{VERSION}'", f"version = '{VERSION}+{LOCAL}'", 1),
]


def tag() -> str:
    """This interpreter's wheel tag prefix, e.g. cp313."""
    return f"cp{sys.version_info.major}{sys.version_info.minor}"


def existing(wheelhouse: Path) -> Path | None:
    return next(iter(sorted(wheelhouse.glob(f"durable_rules-{VERSION}+{LOCAL}-{tag()}-*.whl"))), None)


def download(into: Path) -> Path:
    """The published source, checked against its SHA-256."""
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", f"durable-rules=={VERSION}", "--no-deps",
                    "--no-binary", ":all:", "-d", str(into)], check=True, capture_output=True, text=True)
    archive = next(into.glob("durable*rules-*.tar.gz"))
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"build_engine: {archive.name} has SHA-256 {digest}, expected {SHA256}: not built")
    return archive


def patch(root: Path) -> None:
    """Apply FIXES, refusing a source that does not hold each text the expected number of times."""
    for name, old, new, count in FIXES:
        path = root / name
        text = path.read_text(encoding="utf-8")
        if text.count(old) != count:
            raise SystemExit(f"build_engine: {name} holds {old!r} {text.count(old)} times, expected {count}")
        path.write_text(text.replace(old, new), encoding="utf-8")


def build(wheelhouse: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with tarfile.open(download(work)) as tar:
            tar.extractall(work, filter="data")
        root = next(p for p in work.iterdir() if p.is_dir())
        patch(root)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheelhouse), str(root)],
                       check=True, capture_output=True, text=True)
    found = existing(wheelhouse)
    if found is None:
        raise SystemExit("build_engine: pip built no wheel")
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.split("\n\n")[3], file=sys.stderr)
        return 2
    wheelhouse = Path(argv[0]).resolve()
    wheelhouse.mkdir(parents=True, exist_ok=True)
    try:
        print(existing(wheelhouse) or build(wheelhouse))
    except subprocess.CalledProcessError as exc:
        detail = [line for line in (exc.stderr or "").splitlines() if "error" in line.lower()][-3:]
        print(f"build_engine: durable-rules could not be built here (pip {exc.cmd[3]} failed"
              + (": " + " | ".join(d.strip() for d in detail) if detail else "") + "). A C compiler is needed "
              "(gcc, clang, or Microsoft C++ Build Tools); cellrules runs on its vectorised path without it.",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
