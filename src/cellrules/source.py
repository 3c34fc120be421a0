"""Reading rule files.

Owns the only use of YAML libraries in cellrules (libyaml's C parser through PyYAML reads — 12× faster than
ruamel's pure-Python one on a 1.6 MB table — and ruamel's YAML 1.2 rules resolve what it read, so ``yes``
stays text; ruamel's parser reads what libyaml refuses, and its round trip rewrites files for ``cellrules
migrate``): a rule file becomes a
:class:`Source` — plain Python data (dict, list, str, int, float, bool, date,
None) plus a map from each value's path to its 1-based line and column — or a
list of diagnostics. Rule files are data: the round-trip loader never builds
Python objects, and any explicit tag (``!!python/object`` and friends) is
refused. One pass over the parser's events (:mod:`cellrules.yamltree`) builds
the data and bounds the work a small file can ask for — aliases that would
expand past a budget (the "billion laughs"), merge keys, nesting deeper than a
policy needs — finding impossible dates and numbers beyond a double, each as a
diagnostic at its own line.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode as RuamelScalar
import yaml as libyaml  # PyYAML over libyaml: the fast C parser (ruamel's is pure Python: 5 s for 1.6 MB)

from cellrules import yamltree
from cellrules.diagnostics import Diagnostic, Location

PathKey = tuple[str | int, ...]
MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class Source:
    """A loaded rule file: its data and where each value stands."""

    path: str
    data: Any
    positions: dict[PathKey, tuple[int, int, int, int]] = field(default_factory=dict)
    text: str = ""

    def where(self, path: PathKey, key: bool = False) -> Location:
        """Location of the value at ``path`` (or of its key with ``key=True``)."""
        probe = tuple(path)
        while probe and probe not in self.positions:
            probe = probe[:-1]
            key = True
        if not probe:
            return Location(self.path, 1, 1)
        kl, kc, vl, vc = self.positions[probe]
        return Location(self.path, kl, kc) if key else Location(self.path, vl, vc)


def load_text(text: str, path: str) -> tuple[Source | None, list[Diagnostic]]:
    """Parse YAML text into a :class:`Source`, or return diagnostics: read with libyaml (C) and resolved as
    ruamel's YAML 1.2 round-trip loader resolves it (``yes`` is text, ``2026-01-31`` a date); a text libyaml
    refuses is read again by ruamel, whose messages (with their hints) are the ones given."""
    try:
        lines = text.splitlines(keepends=True)
        tree = yamltree.build(libyaml.parse(text, Loader=_Loader), path, _resolve, lambda e: _value_at(e, lines))
    except (libyaml.YAMLError, ValueError, TypeError, RecursionError):
        return _load_ruamel(text, path)
    return _made(tree, path, text)


def _made(tree: yamltree.Tree, path: str, text: str) -> tuple[Source | None, list[Diagnostic]]:
    """The source the events made, or why there is none: the bounds and scalar problems first (all of them),
    then a key given twice."""
    if tree.early:
        return None, tree.early
    if tree.duplicate:
        return None, [tree.duplicate]
    return Source(path, tree.data, tree.positions, text), tree.problems


_RT = YAML(typ="rt")  # its resolver and constructor, for one scalar at a time
_RESOLVER = _RT.resolver
_CONSTRUCT = _RT.constructor
_BUILD = {"tag:yaml.org,2002:int": _CONSTRUCT.construct_yaml_int, "tag:yaml.org,2002:float":
          _CONSTRUCT.construct_yaml_float, "tag:yaml.org,2002:bool": _CONSTRUCT.construct_yaml_bool,
          "tag:yaml.org,2002:null": _CONSTRUCT.construct_yaml_null,
          "tag:yaml.org,2002:timestamp": _CONSTRUCT.construct_yaml_timestamp}
_STR = "tag:yaml.org,2002:str"
_Loader = getattr(libyaml, "CBaseLoader", libyaml.BaseLoader)  # libyaml's C parser (PyYAML's own without it)


def _resolve(event: Any) -> tuple[Any, Any]:
    """A scalar event's tag and value, by ruamel's YAML 1.2 rules whichever parser read it (no YAML 1.1
    guesses: ``yes``, ``0755``, ``1:30`` stay text)."""
    tag = event.tag
    value = event.value.replace("\a", "") if event.style == ">" else event.value  # ruamel marks where it folded
    if (tag is None or tag == "!") and not event.implicit[0]:  # quoted: text, as the resolver would say
        return _STR, value
    if tag is None or tag == "!":
        tag = _RESOLVER.resolve(RuamelScalar, event.value, event.implicit)
        tag = getattr(tag, "value", tag)
    build = _BUILD.get(tag)
    return tag, _scalar(build(RuamelScalar(tag, value)) if build else value)


def _value_at(event: Any, text: list[str]) -> tuple[int, int]:
    """Where a mapping's value is, as ruamel places it: an empty value at the next token (the next line's key,
    or the end of the file), so a problem with it points where the reader looks."""
    mark = event.start_mark
    if not (type(event).__name__ == "ScalarEvent" and event.value == "" and event.tag is None
            and not event.style and event.implicit[0]):
        return mark.line + 1, mark.column + 1
    line, col = mark.line, mark.column
    while line < len(text):
        rest = text[line][col:]
        stripped = rest.lstrip(" \t\r\n")
        if stripped and not stripped.startswith("#"):
            return line + 1, col + len(rest) - len(stripped) + 1
        line, col = line + 1, 0
    last = text[-1] if text else ""
    return (len(text) + 1, 1) if not text or last.endswith("\n") else (len(text), len(last) + 1)


def _load_ruamel(text: str, path: str) -> tuple[Source | None, list[Diagnostic]]:
    """The same reading with ruamel's (pure Python) parser: what libyaml refused, with ruamel's messages and
    this module's hints."""
    try:
        tree = yamltree.build(YAML(typ="rt").parse(text), path, _resolve)
    except (MarkedYAMLError, yamltree.Unreadable) as exc:
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return None, [_marked(exc, path, "YAML_SYNTAX", message + _hint(text, exc))]
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:  # errors without a mark
        return None, [Diagnostic("YAML_SYNTAX", str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                                 Location(path, 1, 1))]
    return _made(tree, path, text)


def rewrite(text: str, change: Callable[[Any], bool]) -> str | None:
    """``text`` with ``change`` applied to its round-trip tree (mappings and lists that keep the comments and
    the order of keys; ``change`` moves them with ``insert_key``), or None when ``change`` changed nothing.
    Called only on text :func:`load_text` accepted: no tags, no aliases beyond the budget."""
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    tree = yaml.load(text)
    if not change(tree):
        return None
    out = io.StringIO()
    yaml.dump(tree, out)
    return out.getvalue()


def insert_key(mapping: Any, before: str | None, key: str, value: Any) -> None:
    """Put ``key: value`` in a round-trip mapping just before the key ``before`` (at the end when it is None or
    absent), keeping the comments of both."""
    keys = list(mapping)
    mapping.insert(keys.index(before) if before in keys else len(keys), key, value)


def take_key(target: Any, source: Any, key: str) -> None:
    """``target[key]`` set to ``source[key]`` in round-trip mappings, with the comment on that line."""
    target[key] = source[key]
    comment = source.ca.items.get(key) if isinstance(source, CommentedMap) else None
    if comment and isinstance(target, CommentedMap):
        target.ca.items[key] = comment


def load_file(path: Path) -> tuple[Source | None, list[Diagnostic]]:
    """Read and parse one rule file."""
    try:
        raw = path.read_bytes()
        if len(raw) > MAX_BYTES:
            return None, [Diagnostic("FILE_ERROR", f"the file is {len(raw):,} bytes; a rule file may hold "
                                     f"{MAX_BYTES:,}", Location(str(path), 1, 1))]
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Diagnostic("FILE_ERROR", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                                 Location(str(path), line, column))]
    except OSError as exc:
        return None, [Diagnostic("FILE_ERROR", exc.strerror or str(exc), Location(str(path), 1, 1))]
    return load_text(text, str(path))


def _hint(text: str, exc: MarkedYAMLError | yamltree.Unreadable) -> str:
    """Plain words for the usual causes of a YAML syntax error."""
    mark = exc.problem_mark or exc.context_mark
    line = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
    if "\t" in line[: len(line) - len(line.lstrip())] or "\t" in str(exc.problem or ""):
        return " — hint: indent with spaces, not tabs"
    if ": " in line.split("#")[0].split(": ", 1)[-1]:
        return " — hint: a value holding ': ' must be in quotes"
    return " — hint: check the indentation of this line against the one above, and that each 'key: value' has a space after the colon"


def _marked(exc: MarkedYAMLError | yamltree.Unreadable, path: str, code: str, message: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Diagnostic(code, message, Location(path, line, col))


def _scalar(node: Any) -> Any:
    if node is None or isinstance(node, bool):
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, dt.datetime):
        return dt.datetime(*node.timetuple()[:6])
    if isinstance(node, dt.date):
        return dt.date(node.year, node.month, node.day)
    if isinstance(node, str):
        return str(node)
    value = getattr(node, "value", node)  # tagged scalars were refused above
    return str(value)
