"""cellrules: spreadsheet functions backed by editable policy files.

This module owns only the package's public surface — :func:`use_rules`, :class:`ExcelError` — every stage
lives in its own module (docs/ARCHITECTURE.md: source → validation → compiler → store → functions →
recalc, add-ins, command line).
"""
from __future__ import annotations

import os
from pathlib import Path

from cellrules.errors import ExcelError
from cellrules.folders import folder_problem
from cellrules.store import Store, use

__version__ = "0.1.0"
__all__ = ["ExcelError", "RulesFolderError", "use_rules", "__version__"]


class RulesFolderError(ValueError):
    """A rules folder that cannot be used: missing, not a folder, or holding no policy file."""


class use_rules:  # noqa: N801  (a function to the user: cellrules.use_rules(folder))
    """Put a rules folder in use for this process: every function, recalculation and explanation reads its
    policies (and the functions its tables declare are registered). Used as ``with
    cellrules.use_rules(folder):`` the previous folder is back in use on exit. A missing folder, or one
    without a policy file, raises :class:`RulesFolderError` at once."""

    def __init__(self, folder: str | os.PathLike) -> None:
        trouble = folder_problem(Path(folder))
        if trouble:
            raise RulesFolderError(trouble)
        self.store = Store(Path(folder).resolve())
        self.store.origin = "cellrules.use_rules"
        self.previous = use(self.store)

    def __enter__(self) -> Store:
        return self.store

    def __exit__(self, *exc: object) -> None:
        use(self.previous)
        self.store.close()
