"""The policy kinds: one module each, registered once.

Importing this package imports every module in it, and each registers its
:class:`~cellrules.kinds.base.Kind` in :data:`KINDS`; nothing else lists the
kinds. Adding a kind is adding a module here (plus its rule file and tests).
"""
from __future__ import annotations

import importlib
import pkgutil

from cellrules.kinds.base import KINDS, Decision, Function, InForce, Kind, Param, Resolved, Ruleset

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["KINDS", "Decision", "Function", "InForce", "Kind", "Param", "Resolved", "Ruleset"]
