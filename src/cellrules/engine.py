"""The durable-rules engine, tamed.

Owns every use of durable-rules in cellrules. Rulesets from
:mod:`cellrules.compiler` are registered through the engine's C core
directly — no ``durable.engine.Host``, so none of its background timer threads
(which race with synchronous posts and can crash after ``delete_state``). One
event is posted per call on one session and its first-matching rule (lowest
``pri``) is read back by name — or one fact is asserted, every rule it fires
is read, and the fact is retracted; nothing is kept between calls. What an
event looks like is :mod:`cellrules.events`' business. Reloading a policy
registers the new rulesets under fresh names, then deletes the old ones.

When durable-rules cannot be imported (not installed because no C compiler
could build it, or the published build on Python 3.13), :data:`AVAILABLE` is
False, callers use the vectorised path, and :data:`HINT` says how to get it.
"""
from __future__ import annotations

import itertools
import json
import os
import sys
import threading
from typing import Any

from cellrules.events import MARK, number

#: ``CELLRULES_ENGINE=vector`` forces the engine-free path (CI runs the suite both ways).
FORCED_OFF = os.environ.get("CELLRULES_ENGINE", "").strip().lower() == "vector"
try:
    if FORCED_OFF:
        raise ImportError("CELLRULES_ENGINE=vector")
    import durable_rules_engine as _core
    AVAILABLE = True
    IMPORT_ERROR = ""
except Exception as exc:  # ImportError, or the undefined-symbol error on Python 3.13
    _core = None
    AVAILABLE = False
    IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

NAME = "durable-rules" if AVAILABLE else f"vectorised (durable-rules unavailable: {IMPORT_ERROR})"


def _hint(error: str) -> str:
    """How to get the engine, for the reason it is missing ("" when it is in use or switched off on purpose)."""
    if AVAILABLE or FORCED_OFF:
        return ""
    if "PyEval_CallObject" in error:
        return ("the published durable-rules 2.0.28 does not load on Python 3.13; install the fixed build: "
                "the durable_rules-2.0.28+cellrules1 wheel of a release (pip install --find-links WHEELS "
                "\"cellrules[engine]\"), or in a clone `make` (packaging/build_engine.py builds it)")
    return ("install it with `pip install \"cellrules[engine]\"` (it compiles: a C compiler is needed — gcc or "
            "clang, or Microsoft C++ Build Tools on Windows); the vectorised path gives the same answers meanwhile")


#: How to get durable-rules when it is missing, for ``cellrules status``
HINT = _hint(IMPORT_ERROR)
_announced = False


def announce() -> None:
    """Say once, on standard error, when answers come from the engine-free path."""
    global _announced
    if not AVAILABLE and not _announced:
        _announced = True
        sys.stderr.write(f"cellrules: engine in use: {NAME}\n")
_counter = itertools.count(1)
ANY_FACT = "_any_fact"  # the rule every fact fires (see Handle)
_lock = threading.Lock()


class EngineError(RuntimeError):
    """The engine refused a ruleset or an event (a bug in cellrules, never user input)."""


def dump(rules: Any) -> str:
    """JSON for a ruleset definition, every number in plain decimal form."""
    if isinstance(rules, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{dump(v)}" for k, v in rules.items()) + "}"
    if isinstance(rules, (list, tuple)):
        return "[" + ",".join(dump(v) for v in rules) + "]"
    if isinstance(rules, bool) or rules is None or isinstance(rules, str):
        return json.dumps(rules, ensure_ascii=False)
    if isinstance(rules, (int, float)):
        return number(rules)
    raise EngineError(f"cannot serialise {type(rules).__name__} in a ruleset")


class Handle:
    """A registered ruleset; :meth:`decide` posts one event and names the rule that fired."""

    __slots__ = ("name", "_h", "closed", "used")

    def __init__(self, prefix: str, rules: dict[str, Any], facts: bool = False) -> None:
        if not AVAILABLE:
            raise EngineError("durable-rules is not available: " + IMPORT_ERROR)
        self.name = f"{prefix}_{next(_counter)}"
        if facts:  # every fact must fire a rule: a fact no rule took makes delete_state crash the process later
            rules = {**rules, ANY_FACT: {"all": [{"m": {"$ex": {MARK: 1}}}], "pri": 1_000_000}}
        text = dump(rules)
        try:
            with _lock:
                self._h = _core.create_ruleset(self.name, text)
        except Exception as exc:
            raise EngineError(f"durable-rules refused ruleset {self.name}: {exc}") from None
        self.closed = False
        self.used = False

    def decide(self, event: str) -> str | None:
        """Post one event; return the name of the first-matching rule, or None."""
        with _lock:
            self.used = True
            result = _core.assert_event(self._h, event)
            if result[0] != 0:
                if result[0] == 1:  # no rule matched
                    return None
                raise EngineError(f"durable-rules answered {result[0]} to an event")
            state = result[1]
            fired = _core.start_action_for_state(self._h, state)
            if not fired:
                return None
            message = fired[1]
            _core.complete_and_start_action(self._h, state)
        return message[2:message.index('"', 2)]

    def every(self, fact: str) -> list[str]:
        """Assert one fact, name every rule it fires (in ``pri`` order), and retract it: the engine keeps nothing.
        The handle must have been made with ``facts=True``."""
        names = []
        with _lock:
            self.used = True
            result = _core.assert_fact(self._h, fact)
            if result[0] != 0:  # 1 (no rule fired) cannot happen with the ANY_FACT rule
                raise EngineError(f"durable-rules answered {result[0]} to a fact")
            try:
                state = result[1]
                fired = _core.start_action_for_state(self._h, state)
                message = fired[1] if fired else None
                while message:
                    names.append(message[2:message.index('"', 2)])
                    message = _core.complete_and_start_action(self._h, state)
            finally:
                _core.retract_fact(self._h, fact)
        return [name for name in names if name != ANY_FACT]

    def close(self) -> None:
        """Delete the ruleset from the engine (a reloaded policy replaces it)."""
        if not self.closed:
            with _lock:
                if self.used:  # without this, each reload leaks ~120 KB of session state
                    _core.delete_state(self._h, "0")
                _core.delete_ruleset(self._h)
            self.closed = True
