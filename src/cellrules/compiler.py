"""Compilation: a validated policy becomes a policy in force with its decider.

Owns the step from model to decisions: the policy's kind gives its rulesets
(plain dictionaries in durable-rules' JSON form) and its kernel; here, once
per policy version, the decider is chosen — :class:`EngineDecider`, which
registers the rulesets with durable-rules and posts one event (or one fact)
per call, or :class:`KernelDecider`, which answers the same question with the
kind's numpy kernel where durable-rules is unavailable. The kinds' decisions
call ``decider.decide`` and never know which one they got.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from cellrules import engine
from cellrules.events import Field, encode
from cellrules.kinds import KINDS, InForce, Kind, Ruleset


class EngineDecider:
    """Decisions by durable-rules: one registered ruleset per key, one event (or fact) per call."""

    def __init__(self, kind: Kind, rulesets: list[Ruleset]) -> None:
        self.marker, self.every = kind.marker, kind.every
        self.rows = {r.key: r.rows for r in rulesets}
        self.handles: dict[str, engine.Handle] = {}
        try:
            for ruleset in rulesets:
                self.handles[ruleset.key] = engine.Handle(f"cellrules_{kind.name}", ruleset.rules, facts=kind.every)
        except Exception:
            self.close()
            raise

    def decide(self, key: str, fields: dict[str, Field]) -> Any:
        """The row of the first rule the event fires (None: no rule), or the rows of every rule a fact fires."""
        rows, text = self.rows[key], encode(self.marker, fields)
        if self.every:  # a rule fires once per branch of an $or that holds: each rule counted once
            return list(dict.fromkeys(rows[name] for name in self.handles[key].every(text)))
        name = self.handles[key].decide(text)
        return None if name is None else rows[name]

    def close(self) -> None:
        """Delete the rulesets from the engine (a reloaded policy replaces them)."""
        for handle in self.handles.values():
            handle.close()


class KernelDecider:
    """Decisions by the kind's numpy kernel: the same answers as :class:`EngineDecider`, without the engine."""

    def __init__(self, kind: Kind, policy: Any) -> None:
        self.kernel, self.policy = kind.kernel, policy

    def decide(self, key: str, fields: dict[str, Field]) -> Any:
        """The kernel's answer for one call's fields."""
        return self.kernel(self.policy, key, fields)


def put_in_force(policy: Any, path: Path) -> InForce:
    """Compile a validated policy and choose its decider: durable-rules where it is available."""
    kind = KINDS[policy.header.kind]
    decider: EngineDecider | KernelDecider
    if engine.AVAILABLE:
        decider = EngineDecider(kind, kind.rulesets(policy))
    else:
        decider = KernelDecider(kind, policy)
    return InForce(policy, path, decider)
