"""Reading rule files.

Owns the only use of the YAML library in cellrules: a rule file becomes a
:class:`Source` — plain Python data (dict, list, str, int, float, bool, date,
None) plus a map from each value's path to its 1-based line and column — or a
list of diagnostics. Rule files are data: the round-trip loader never builds
Python objects, and any explicit tag (``!!python/object`` and friends) is
refused. Before anything is built, one pass over the parser's events bounds
the work a small file can ask for — aliases that would expand past a budget
(the "billion laughs"), merge keys, nesting deeper than a policy needs — and
finds impossible dates and numbers beyond a double, each as a diagnostic at
its own line.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, MappingStartEvent, ScalarEvent

from cellrules.diagnostics import Diagnostic, Location

PathKey = tuple[str | int, ...]
_STANDARD_TAGS = {None, "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str",
                  "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                  "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp"}
MAX_BYTES = 2_000_000
MAX_EXPANDED = 20_000  # values a file's aliases may add once expanded
MAX_DEPTH = 40  # nesting of mappings and lists
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_INT = re.compile(r"^[-+]?\d+$")
_FLOAT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)$|^[-+]?\d+\.\d*$")


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


def _at(path: str, event: Any) -> Location:
    mark = event.start_mark
    return Location(path, mark.line + 1, mark.column + 1)


def _scalar_problem(event: ScalarEvent, path: str) -> Diagnostic | None:
    if event.style is not None or event.tag is not None:
        return None  # quoted or tagged: text, or refused later as a tag
    value = event.value
    m = _DATE.match(value)
    if m:
        try:
            dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return Diagnostic("BAD_DATE", f"{value} is not a date (year-month-day, e.g. 2026-01-31)", _at(path, event))
    digits = value.lstrip("+-").split(".")[0].split("e")[0].split("E")[0]
    if (_INT.match(value) or _FLOAT.match(value)) and len(digits) > 15:
        return Diagnostic("BAD_NUMBER", f"a number of {len(digits)} digits: rule files hold at most 15", _at(path, event))
    if _FLOAT.match(value) and abs(float(value)) in (float("inf"),):
        return Diagnostic("BAD_NUMBER", f"{value} is too large a number", _at(path, event))
    return None


def prescan(text: str, path: str) -> list[Diagnostic]:
    """Problems found from the parser's events alone, before any value is built (see the module doc)."""
    sizes: dict[str, int] = {}
    open_nodes: list[list[Any]] = []  # [anchor, values so far] per open mapping or list
    total, written, depth = 0, 0, 0
    key_next: list[bool | None] = []  # per open node: a mapping's next value is a key (True) or not; None in a list
    problems: list[Diagnostic] = []
    for event in YAML(typ="rt").parse(text):
        if isinstance(event, (ScalarEvent, AliasEvent, CollectionStartEvent)):
            is_key = bool(key_next) and key_next[-1] is True
            if key_next and key_next[-1] is not None:
                key_next[-1] = not key_next[-1]
            worth = sizes.get(event.anchor, 1) if isinstance(event, AliasEvent) else 1
            total += worth
            written += 1
            for frame in open_nodes:
                frame[1] += worth
            if total - written > MAX_EXPANDED:  # values aliases add beyond those written (a long file is fine)
                return problems + [Diagnostic("YAML_ALIASES", f"aliases here make the file expand past "
                                              f"{MAX_EXPANDED:,} values; write the values out", _at(path, event))]
            if isinstance(event, ScalarEvent):
                if is_key and event.value == "<<" and event.style is None:
                    problems.append(Diagnostic("YAML_MERGE", "merge keys (<<) are not allowed in a rule file; "
                                               "write the values out", _at(path, event)))
                found = _scalar_problem(event, path)
                if found:
                    problems.append(found)
                if event.anchor:
                    sizes[event.anchor] = 1
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return problems + [Diagnostic("YAML_SYNTAX", f"nested more than {MAX_DEPTH} levels deep",
                                              _at(path, event))]
            open_nodes.append([event.anchor, 1])
            key_next.append(True if isinstance(event, MappingStartEvent) else None)
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
            anchor, size = open_nodes.pop()
            key_next.pop()
            if anchor:
                sizes[anchor] = size
    return problems


def load_text(text: str, path: str) -> tuple[Source | None, list[Diagnostic]]:
    """Parse YAML text into a :class:`Source`, or return diagnostics."""
    yaml = YAML(typ="rt")
    try:
        early = prescan(text, path)
        if early:
            return None, early
        tree = yaml.load(text)
    except DuplicateKeyError as exc:
        return None, [_marked(exc, path, "DUPLICATE_KEY", _duplicate_message(exc))]
    except MarkedYAMLError as exc:
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return None, [_marked(exc, path, "YAML_SYNTAX", message + _hint(text, exc))]
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:  # constructor errors without a mark
        return None, [Diagnostic("YAML_SYNTAX", str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                                 Location(path, 1, 1))]
    positions: dict[PathKey, tuple[int, int, int, int]] = {}
    problems: list[Diagnostic] = []
    data = _plain(tree, (), positions, problems, path)
    return Source(path, data, positions, text), problems


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


def _hint(text: str, exc: MarkedYAMLError) -> str:
    """Plain words for the usual causes of a YAML syntax error."""
    mark = exc.problem_mark or exc.context_mark
    line = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
    if "\t" in line[: len(line) - len(line.lstrip())] or "\t" in str(exc.problem or ""):
        return " — hint: indent with spaces, not tabs"
    if ": " in line.split("#")[0].split(": ", 1)[-1]:
        return " — hint: a value holding ': ' must be in quotes"
    return " — hint: check the indentation of this line against the one above, and that each 'key: value' has a space after the colon"


def _marked(exc: MarkedYAMLError, path: str, code: str, message: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Diagnostic(code, message, Location(path, line, col))


def _duplicate_message(exc: MarkedYAMLError) -> str:
    problem = str(exc.problem or "duplicate key")
    return problem.replace("found duplicate key", "duplicate key")


def _check_tag(node: Any, path: str, pos: tuple[int, int], problems: list[Diagnostic]) -> bool:
    """Only the plain YAML types may appear: any other tag (!!python/object, !custom, !!binary) is refused."""
    tag = getattr(node, "tag", None)
    name = getattr(tag, "value", tag) if tag is not None else None
    if isinstance(node, (CommentedMap, CommentedSeq, AbstractSet)) and type(node) not in (CommentedMap, CommentedSeq):
        name = name or f"!!{type(node).__name__.removeprefix('Commented').lower()}"  # !!omap, !!set, !!pairs
        problems.append(Diagnostic("UNSAFE_TAG", f"tag {name} is not allowed in a rule file (plain mappings and "
                                   "lists only)", Location(path, *pos)))
        return False
    if isinstance(name, str) and name not in _STANDARD_TAGS:
        problems.append(Diagnostic("UNSAFE_TAG", f"tag {name} is not allowed in a rule file "
                                   "(rule files are data, not code)", Location(path, *pos)))
        return False
    return True


def _plain(node: Any, here: PathKey, positions: dict, problems: list[Diagnostic], path: str) -> Any:
    own = positions.get(here, (1, 1, 1, 1))[2:]
    if not _check_tag(node, path, own, problems):
        return None
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key in node:
            kl, kc = node.lc.key(key)
            vl, vc = node.lc.value(key)
            sub = here + (str(key),)
            positions[sub] = (kl + 1, kc + 1, vl + 1, vc + 1)
            out[str(key)] = _plain(node[key], sub, positions, problems, path)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, item in enumerate(node):
            line, col = node.lc.item(i)
            positions[here + (i,)] = (line + 1, col + 1, line + 1, col + 1)
            items.append(_plain(item, here + (i,), positions, problems, path))
        return items
    return _scalar(node)


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
