"""How a decision's inputs travel to durable-rules.

Owns the one encoding shared by both sides of the engine: the compiler writes
rule conditions with :func:`text_key` and the marker field; a decider posts
events made by :func:`encode`. Numbers go in plain decimal form (the engine
rejects ``1e-05``); text is prefixed so it never passes for a number
(durable-rules compares numeric-looking strings as numbers); every event
carries the marker its kind's rules require, so no rule can match the
engine's own state.
"""
from __future__ import annotations

import json.encoder
import math
from decimal import Decimal

MARK = "fn"  # the field every event and every rule carries: the kind's marker
quote = json.encoder.encode_basestring  # the C string encoder, UTF-8 kept as is
Field = float | int | str


class EventError(RuntimeError):
    """A value the engine cannot take reached the encoder (a bug in cellrules, never user input)."""


def text_key(normalised: str) -> str:
    """Text as the engine sees it, in events and in rule conditions alike."""
    return "s:" + normalised


def number(value: float | int) -> str:
    """Plain decimal text for a finite number: ``1e-05`` -> ``0.00001``."""
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise EventError(f"non-finite number {value!r} reached the engine")
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def encode(marker: str, fields: dict[str, Field]) -> str:
    """One event: the marker, then each field — numbers in plain decimal form, text through :func:`text_key`."""
    parts = [f'{{"{MARK}":"{marker}"']
    for key, value in fields.items():
        if isinstance(value, str):
            parts.append(f',"{key}":{quote(text_key(value))}')
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            parts.append(f',"{key}":{number(value)}')
        else:
            raise EventError(f"event field {key} has unsupported type {type(value).__name__}")
    parts.append("}")
    return "".join(parts)
