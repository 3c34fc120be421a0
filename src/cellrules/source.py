"""Reading rule files.

Owns the only use of YAML libraries in cellrules (libyaml's C parser through PyYAML reads — 12× faster than
ruamel's pure-Python one on a 1.6 MB table — and ruamel's YAML 1.2 rules resolve what it read, so ``yes``
stays text; ruamel's parser reads what libyaml refuses, and its round trip rewrites files for ``cellrules
migrate``): a rule file becomes a
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode as RuamelScalar
import yaml as libyaml  # PyYAML over libyaml: the fast C parser (ruamel's is pure Python: 5 s for 1.6 MB)

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


_OPENING = ("ScalarEvent", "AliasEvent", "MappingStartEvent", "SequenceStartEvent")


def _scalar_problem(event: Any, path: str) -> Diagnostic | None:
    if event.style or event.tag is not None:  # ruamel's plain style is None, libyaml's ""
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


def prescan(text: str, path: str, events: Any = None) -> list[Diagnostic]:
    """Problems found from the parser's events alone, before any value is built (see the module doc);
    ``events``: libyaml's for the same text (ruamel's parser by default)."""
    sizes: dict[str, int] = {}
    open_nodes: list[list[Any]] = []  # [anchor, values so far] per open mapping or list
    total, written, depth = 0, 0, 0
    key_next: list[bool | None] = []  # per open node: a mapping's next value is a key (True) or not; None in a list
    problems: list[Diagnostic] = []
    for event in YAML(typ="rt").parse(text) if events is None else events:
        name = type(event).__name__
        if name in _OPENING:
            is_key = bool(key_next) and key_next[-1] is True
            if key_next and key_next[-1] is not None:
                key_next[-1] = not key_next[-1]
            worth = sizes.get(event.anchor, 1) if name == "AliasEvent" else 1
            total += worth
            written += 1
            for frame in open_nodes:
                frame[1] += worth
            if total - written > MAX_EXPANDED:  # values aliases add beyond those written (a long file is fine)
                return problems + [Diagnostic("YAML_ALIASES", f"aliases here make the file expand past "
                                              f"{MAX_EXPANDED:,} values; write the values out", _at(path, event))]
            if name == "ScalarEvent":
                if is_key and event.value == "<<" and not event.style:
                    problems.append(Diagnostic("YAML_MERGE", "merge keys (<<) are not allowed in a rule file; "
                                               "write the values out", _at(path, event)))
                found = _scalar_problem(event, path)
                if found:
                    problems.append(found)
                if event.anchor:
                    sizes[event.anchor] = 1
        if name in ("MappingStartEvent", "SequenceStartEvent"):
            depth += 1
            if depth > MAX_DEPTH:
                return problems + [Diagnostic("YAML_SYNTAX", f"nested more than {MAX_DEPTH} levels deep",
                                              _at(path, event))]
            open_nodes.append([event.anchor, 1])
            key_next.append(True if name == "MappingStartEvent" else None)
        elif name in ("MappingEndEvent", "SequenceEndEvent"):
            depth -= 1
            anchor, size = open_nodes.pop()
            key_next.pop()
            if anchor:
                sizes[anchor] = size
    return problems


def load_text(text: str, path: str) -> tuple[Source | None, list[Diagnostic]]:
    """Parse YAML text into a :class:`Source`, or return diagnostics: read with libyaml (C) and resolved as
    ruamel's YAML 1.2 round-trip loader resolves it (``yes`` is text, ``2026-01-31`` a date); a text libyaml
    refuses is read again by ruamel, whose messages (with their hints) are the ones given."""
    try:
        early = prescan(text, path, libyaml.parse(text, Loader=_Loader))
        if early:
            return None, early
        tree = libyaml.compose(text, Loader=_Loader)
        positions: dict[PathKey, tuple[int, int, int, int]] = {}
        problems: list[Diagnostic] = []
        lines = text.splitlines(keepends=True)
        data = _from_node(tree, (), positions, problems, path, lines) if tree is not None else None
    except _Duplicate as exc:
        return None, [exc.args[0]]
    except (libyaml.YAMLError, ValueError, TypeError, RecursionError):
        return _load_ruamel(text, path)
    return Source(path, data, positions, text), problems


_PLAIN = "\0plain"  # the tag libyaml's composer gives a plain scalar here: resolved as ruamel resolves it
_RT = YAML(typ="rt")  # its resolver and constructor, for one scalar at a time
_RESOLVER = _RT.resolver
_CONSTRUCT = _RT.constructor
_BUILD = {"tag:yaml.org,2002:int": _CONSTRUCT.construct_yaml_int, "tag:yaml.org,2002:float":
          _CONSTRUCT.construct_yaml_float, "tag:yaml.org,2002:bool": _CONSTRUCT.construct_yaml_bool,
          "tag:yaml.org,2002:null": _CONSTRUCT.construct_yaml_null,
          "tag:yaml.org,2002:timestamp": _CONSTRUCT.construct_yaml_timestamp}


class _Resolver(libyaml.resolver.BaseResolver):
    """No YAML 1.1 guesses (``yes``, ``0755``, ``1:30``): a plain scalar is marked, and resolved later by
    ruamel's YAML 1.2 rules, so a file reads the same whichever parser read it."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is libyaml.ScalarNode and implicit[0]:
            return _PLAIN
        return super().resolve(kind, value, implicit)


if getattr(libyaml, "__with_libyaml__", False):
    class _Loader(libyaml.cyaml.CParser, _Resolver):
        """libyaml's parser and composer (C), this module's resolution."""

        def __init__(self, stream: Any) -> None:
            libyaml.cyaml.CParser.__init__(self, stream)
            _Resolver.__init__(self)
else:  # PyYAML built without libyaml: its Python parser, the same answers
    class _Loader(libyaml.reader.Reader, libyaml.scanner.Scanner, libyaml.parser.Parser,  # type: ignore[no-redef]
                  libyaml.composer.Composer, _Resolver):
        """PyYAML's pure-Python parser and composer, this module's resolution."""

        def __init__(self, stream: Any) -> None:
            libyaml.reader.Reader.__init__(self, stream)
            libyaml.scanner.Scanner.__init__(self)
            libyaml.parser.Parser.__init__(self)
            libyaml.composer.Composer.__init__(self)
            _Resolver.__init__(self)


class _Duplicate(Exception):
    """A mapping gives a key twice (the file is refused, as ruamel refuses it)."""


def _where(node: Any) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _value_at(node: Any, text: list[str]) -> tuple[int, int]:
    """Where a mapping's value is, as ruamel places it: an empty value at the next token (the next line's key,
    or the end of the file), so a problem with it points where the reader looks."""
    if not (node.tag == _PLAIN and node.value == "" and not node.style):
        return _where(node)
    line, col = node.start_mark.line, node.start_mark.column
    while line < len(text):
        rest = text[line][col:]
        stripped = rest.lstrip(" \t\r\n")
        if stripped and not stripped.startswith("#"):
            return line + 1, col + len(rest) - len(stripped) + 1
        line, col = line + 1, 0
    last = text[-1] if text else ""
    return (len(text) + 1, 1) if not text or last.endswith("\n") else (len(text), len(last) + 1)


def _from_node(node: Any, here: PathKey, positions: dict, problems: list[Diagnostic], path: str,
               text: list[str]) -> Any:
    """A composed node (libyaml's or ruamel's) as plain Python data, each value's place recorded; a tag beyond
    the plain YAML types refused; ``text``: the file's lines, ends kept (empty: the marks as they are)."""
    tag = getattr(node.tag, "value", node.tag)  # ruamel's nodes carry a Tag
    if tag != _PLAIN and tag not in _STANDARD_TAGS:
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        problems.append(Diagnostic("UNSAFE_TAG", f"tag {shown} is not allowed in a rule file (rule files are data, "
                                   "not code)", Location(path, *_where(node))))
        return None
    kind = type(node).__name__
    if kind == "MappingNode":
        out: dict[str, Any] = {}
        seen: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(_scalar(_from_node(key_node, here, {}, problems, path, text)))
            if key in seen:
                raise _Duplicate(Diagnostic("DUPLICATE_KEY", _duplicate(key, value_node, seen[key]),
                                            Location(path, *_where(key_node))))
            seen[key] = value_node
            sub = here + (key,)
            positions[sub] = _where(key_node) + _value_at(value_node, text)
            out[key] = _from_node(value_node, sub, positions, problems, path, text)
        return out
    if kind == "SequenceNode":
        items = []
        for i, item in enumerate(node.value):
            positions[here + (i,)] = _where(item) * 2
            items.append(_from_node(item, here + (i,), positions, problems, path, text))
        return items
    if tag == _PLAIN:
        tag = _RESOLVER.resolve(RuamelScalar, node.value, (True, False))
        tag = getattr(tag, "value", tag)
    build = _BUILD.get(tag)
    value = node.value.replace("\a", "") if node.style == ">" else node.value  # ruamel marks where it folded
    return _scalar(build(RuamelScalar(tag, value)) if build else value)


def _duplicate(key: str, value: Any, first: Any) -> str:
    """ruamel's words for a key given twice."""
    if type(value).__name__ == type(first).__name__ == "ScalarNode":
        return f'duplicate key "{key}" with value "{value.value}" (original value: "{first.value}")'
    return f'duplicate key "{key}"'


def _load_ruamel(text: str, path: str) -> tuple[Source | None, list[Diagnostic]]:
    """The same reading with ruamel's (pure Python) parser and composer: what libyaml refused, with ruamel's
    messages and this module's hints."""
    try:
        early = prescan(text, path)
        if early:
            return None, early
        tree = YAML(typ="rt").compose(text)
        positions: dict[PathKey, tuple[int, int, int, int]] = {}
        problems: list[Diagnostic] = []
        data = _from_node(tree, (), positions, problems, path, []) if tree is not None else None
    except _Duplicate as exc:
        return None, [exc.args[0]]
    except MarkedYAMLError as exc:
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return None, [_marked(exc, path, "YAML_SYNTAX", message + _hint(text, exc))]
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:  # errors without a mark
        return None, [Diagnostic("YAML_SYNTAX", str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                                 Location(path, 1, 1))]
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
