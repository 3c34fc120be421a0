"""Where rules folders are: ``--rules DIR``, else ``CELLRULES_RULES``, else a ``rules/`` folder beside the
workbook, else ``rules/`` in the working folder, else the packaged defaults; whether a folder can be used (a
missing folder, or one without a policy file, is an error, never "OK"); and the policies a DMN file or a
workbook holds."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cellrules.diagnostics import Diagnostic

ENV = "CELLRULES_RULES"
SUFFIXES = (".yaml", ".yml", ".dmn", ".xlsx")  # policy files; a .dmn or .xlsx file holds one per decision table


def is_rule_file(path: Path) -> bool:
    """A policy file by its name: a rule suffix, and not Excel's lock file (~$book.xlsx) nor a hidden file."""
    return path.suffix in SUFFIXES and not path.name.startswith(("~$", "."))


def packaged_rules() -> Path:
    """The default policies shipped with cellrules."""
    here = Path(__file__).resolve().parent
    installed = here / "default_rules"
    return installed if installed.is_dir() else here.parents[1] / "rules"


def resolve_folder(explicit: str | os.PathLike | None = None,
                   workbook: str | os.PathLike | None = None) -> tuple[Path, str]:
    """The rules folder and how it was chosen: --rules, CELLRULES_RULES, rules/ beside the workbook,
    rules/ in the working folder, the packaged defaults — the first that applies."""
    if explicit:
        return Path(explicit), "--rules"
    if os.environ.get(ENV):
        return Path(os.environ[ENV]), ENV
    if workbook:
        beside = Path(workbook).resolve().parent / "rules"
        if beside.is_dir():
            return beside, "beside the workbook"
    here = Path.cwd() / "rules"
    if here.is_dir() and any(is_rule_file(p) for p in here.iterdir()):
        return here, "rules/ in the working folder"
    return packaged_rules(), "packaged defaults"


def tables_of(path: Path) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The policies a DMN file or a workbook holds, by name, as Sources (the workbook read once)."""
    found: Any
    if path.suffix == ".xlsx":  # imported here: a folder of YAML files never pays for the workbook or DMN readers
        from cellrules import sheet_tables
        found, problems = sheet_tables.tables(path)
    else:
        from cellrules.dmn import load as dmn_load
        found, problems = dmn_load.decisions(path)
    return dict(found), problems


def folder_problem(folder: Path) -> str | None:
    """Why a rules folder cannot be used (missing, not a folder, no policy file), or None."""
    if not folder.exists():
        return f"the rules folder {folder} does not exist"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if not any(is_rule_file(p) for p in folder.iterdir()):
        return f"the rules folder {folder} holds no policy file (*.yaml, *.dmn, *.xlsx)"
    return None


def stamp(path: Path) -> tuple[int, int, int] | None:
    """What tells a changed file: its modification time, size and inode (None: gone)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


Seen = dict[Path, tuple[Any, list[str]]]  # a DMN file or workbook -> (its stamp when read, its policy names)


def places(folder: Path, seen: Seen) -> dict[str, list[tuple[Path, str]]]:
    """Policy name -> every (file, decision) of ``folder`` defining it: a YAML file by its stem, a DMN decision
    or a worksheet table by its name (a file read again only when it changed; ``seen`` keeps what was read)."""
    if not folder.is_dir():
        return {}
    found: dict[str, list[tuple[Path, str]]] = {}
    for path in sorted(folder.iterdir()):
        if not is_rule_file(path):
            continue
        if path.suffix in (".yaml", ".yml"):
            found.setdefault(path.stem, []).append((path, ""))
            continue
        now = stamp(path)
        if path not in seen or seen[path][0] != now:
            try:
                seen[path] = (now, list(tables_of(path)[0]))
            except OSError:
                seen[path] = (now, [])
        for decision in seen[path][1]:
            found.setdefault(decision, []).append((path, decision))
    return found
