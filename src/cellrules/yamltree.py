"""A YAML parser's events → a rule file's plain data, where each value stands, and what is wrong with it.

Owns the one pass over the events (libyaml's or ruamel's: the same shapes; the YAML libraries themselves are
imported by :mod:`cellrules.source` only). On the way it bounds the work a small file can ask for — aliases that
would expand past a budget (the "billion laughs"), nesting deeper than a policy needs — and finds merge keys,
impossible dates and numbers beyond a double (each a diagnostic at its own line, reported instead of the data),
tags beyond plain YAML and keys given twice. Nothing recurses: the stack is the open mappings and lists.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from cellrules.diagnostics import Diagnostic, Location

PathKey = tuple[Any, ...]
Place = tuple[int, int, int, int]
Resolve = Callable[[Any], Any]  # a scalar event → (its tag, its value)
MAX_EXPANDED = 20_000  # values a file's aliases may add once expanded
MAX_DEPTH = 40  # nesting of mappings and lists
STANDARD_TAGS = {None, "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str",
                 "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                 "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp"}
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_INT = re.compile(r"^[-+]?\d+$")
_FLOAT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)$|^[-+]?\d+\.\d*$")
_COLLECTIONS = {"MappingStartEvent": "tag:yaml.org,2002:map", "SequenceStartEvent": "tag:yaml.org,2002:seq"}


class Unreadable(ValueError):
    """The events do not make one document of data (a second document, an alias to no anchor): the parser's
    words for it (``context``, ``problem``) and where (``problem_mark``, a mark of the parser's)."""

    def __init__(self, context: str | None, problem: str, mark: Any) -> None:
        super().__init__(" ".join(p for p in (context, problem) if p))
        self.context, self.problem, self.problem_mark, self.context_mark = context, problem, mark, None


@dataclass
class Tree:
    """What the events made: the data and each value's place (key line, key column, value line, value
    column), or — when ``early`` or ``duplicate`` is set — the reasons it cannot be used."""

    data: Any = None
    positions: dict[PathKey, Place] = field(default_factory=dict)
    early: list[Diagnostic] = field(default_factory=list)  # bounds, merge keys, dates and numbers: before all else
    duplicate: Diagnostic | None = None
    problems: list[Diagnostic] = field(default_factory=list)  # tags: reported beside the data


@dataclass
class _Open:
    """An open mapping or list: its value so far, its path, and what the pass needs to finish it."""

    out: Any
    here: PathKey
    anchor: str | None
    mark: Any
    since: int  # how many places were recorded before it opened (an anchor's own places follow)
    total_at: int  # values counted (aliases expanded) when it opened: its size is what is counted since
    key: Any = None  # a mapping's key waiting for its value (None: the next event is a key)
    key_at: tuple[int, int] = (0, 0)
    seen: dict[str, Any] = field(default_factory=dict)  # a mapping's keys → their first value's text
    as_key: bool = False  # a mapping or list written as a key (its places are not kept)
    is_map: bool = False
    refused: bool = False  # tagged beyond plain YAML: its value is None


@dataclass
class _Anchor:
    value: Any
    mark: Any
    size: int
    places: list[tuple[PathKey, Place]]  # relative to the anchored value
    text: str | None  # a scalar's text (for the duplicate-key message)


def _mark(event: Any) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


class _Pass:
    """One pass over the events of one document (see the module doc)."""

    def __init__(self, path: str, resolve: Resolve, empty_at: Callable[[Any], tuple[int, int]]) -> None:
        self.path, self.resolve, self.empty_at = path, resolve, empty_at
        self.tree = Tree()
        self.stack: list[_Open] = []
        self.anchors: dict[str, _Anchor] = {}
        self.order: list[PathKey] = []  # the places in the order recorded (an anchor's are a slice)
        self.total = self.written = 0
        self.documents = 0
        self.pending: tuple[int, str, str | None] | None = None  # the duplicate reported: (mapping, key, first)

    def at(self, event: Any) -> Location:
        return Location(self.path, *_mark(event))

    def run(self, events: Iterable[Any]) -> Tree:
        for event in events:
            name = type(event).__name__
            if name == "DocumentStartEvent":
                self.documents += 1
                if self.documents > 1:
                    raise Unreadable("expected a single document in the stream", "but found another document",
                                     event.start_mark)
            elif name in ("ScalarEvent", "AliasEvent", "MappingStartEvent", "SequenceStartEvent"):
                if not self.node(name, event):
                    break
            elif name in ("MappingEndEvent", "SequenceEndEvent"):
                self.close()
        return self.tree

    def node(self, name: str, event: Any) -> bool:
        """One value begins: counted against the budgets, then placed; False when a budget stops the pass."""
        top = self.stack[-1] if self.stack else None
        is_key = top is not None and top.is_map and top.key is None
        anchor = self._alias(event) if name == "AliasEvent" else None
        worth = anchor.size if anchor else 1
        self.total += worth
        self.written += 1
        if self.total - self.written > MAX_EXPANDED:  # values aliases add beyond those written
            return self._stop("YAML_ALIASES", f"aliases here make the file expand past {MAX_EXPANDED:,} values; "
                              "write the values out", event)
        if name == "ScalarEvent":
            self.scalar(event, is_key)
        elif anchor is not None:
            self.place(event, copy.deepcopy(anchor.value), anchor.mark, anchor.text, anchor)
        else:
            if len(self.stack) >= MAX_DEPTH:
                return self._stop("YAML_SYNTAX", f"nested more than {MAX_DEPTH} levels deep", event)
            self.open(name, event, is_key)
        return True

    def _stop(self, code: str, message: str, event: Any) -> bool:
        self.tree.early.append(Diagnostic(code, message, self.at(event)))
        return False

    def _alias(self, event: Any) -> _Anchor:
        found = self.anchors.get(event.anchor)
        if found is None:
            problem = "found recursive alias" if any(f.anchor == event.anchor for f in self.stack) else \
                "found undefined alias"
            raise Unreadable(None, f"{problem} {event.anchor!r}", event.start_mark)
        return found

    def scalar(self, event: Any, is_key: bool) -> None:
        if is_key and event.value == "<<" and not event.style:
            self.tree.early.append(Diagnostic("YAML_MERGE", "merge keys (<<) are not allowed in a rule file; "
                                              "write the values out", self.at(event)))
        found = scalar_problem(event, self.path)
        if found:
            self.tree.early.append(found)  # nothing will be built: the value is not made
        tag, value = (None, None) if self.tree.early else self.resolve(event)
        if tag not in STANDARD_TAGS:
            self._refused(str(tag), event)
            value = None
        if event.anchor:
            self.anchors[event.anchor] = _Anchor(value, event, 1, [], event.value)
        top = self.stack[-1] if self.stack else None
        if top is not None and not top.is_map and not top.as_key:  # an item of a list (a table's cell): at once
            sub = top.here + (len(top.out),)
            mark = event.start_mark
            self.tree.positions[sub] = (mark.line + 1, mark.column + 1) * 2
            self.order.append(sub)
            top.out.append(value)
            return
        self.place(event, value, event, event.value, None)

    def _refused(self, tag: str, event: Any) -> None:
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        self.tree.problems.append(Diagnostic("UNSAFE_TAG", f"tag {shown} is not allowed in a rule file (rule files "
                                             "are data, not code)", self.at(event)))

    def open(self, name: str, event: Any, is_key: bool) -> None:
        tag = event.tag if event.tag not in (None, "!") else _COLLECTIONS[name]
        if tag not in STANDARD_TAGS:
            self._refused(tag, event)
        top = self.stack[-1] if self.stack else None
        here = () if top is None else top.here if is_key else self._child(top)
        if not is_key and top is not None:
            self._record(top, event, event)
        self.stack.append(_Open({} if name == "MappingStartEvent" else [], here, event.anchor, event,
                                len(self.order), self.total, as_key=is_key or bool(top and top.as_key),
                                is_map=name == "MappingStartEvent",
                                refused=tag not in STANDARD_TAGS))

    def close(self) -> None:
        done = self.stack.pop()
        value = None if done.refused else done.out
        if done.anchor:
            base = len(done.here)
            self.anchors[done.anchor] = _Anchor(value, done.mark, 1 + self.total - done.total_at, [
                (p[base:], self.tree.positions[p]) for p in self.order[done.since:]], None)
        self._attach(value, done.as_key and not (self.stack and self.stack[-1].as_key), done.mark)

    def _child(self, top: _Open) -> PathKey:
        return top.here + ((top.key,) if top.is_map else (len(top.out),))

    def _record(self, top: _Open, event: Any, mark_event: Any) -> None:
        """The place of the value that begins with ``event`` in ``top``: (its key's, its own) line and column."""
        if top.as_key:
            return
        sub = self._child(top)
        place = (top.key_at + self.empty_at(mark_event)) if top.is_map else _mark(mark_event) * 2
        self.tree.positions[sub] = place
        self.order.append(sub)

    def place(self, event: Any, value: Any, mark_event: Any, text: str | None, anchor: _Anchor | None) -> None:
        """A whole value (a scalar, or an alias's copy) in the open mapping or list."""
        top = self.stack[-1] if self.stack else None
        if top is None:
            self.tree.data = value
            return
        if top.is_map and top.key is None:
            self._key(top, value, event)
            return
        self._record(top, event, mark_event)
        if anchor is not None and anchor.places and not top.as_key:
            sub = self._child(top)
            for rel, where in anchor.places:
                self.tree.positions[sub + rel] = where
                self.order.append(sub + rel)
        self._store(top, value, text)

    def _attach(self, value: Any, was_key: bool, mark: Any) -> None:
        """A mapping or list just closed, in the one it was written in (as a key there, from ``mark``)."""
        top = self.stack[-1] if self.stack else None
        if top is None:
            self.tree.data = value
        elif was_key:
            self._key(top, value, mark)
        else:
            self._store(top, value, None)

    def _key(self, top: _Open, value: Any, mark: Any) -> None:
        key = str(value)
        top.key, top.key_at = key, _mark(mark)
        if key in top.seen and self.tree.duplicate is None and not top.as_key:
            self.tree.duplicate = Diagnostic("DUPLICATE_KEY", f'duplicate key "{key}"', self.at(mark))
            self.pending = (id(top), key, top.seen[key])

    def _store(self, top: _Open, value: Any, text: str | None) -> None:
        if isinstance(top.out, list):
            top.out.append(value)
            return
        if self.pending and self.pending[:2] == (id(top), top.key):  # both scalars: named, in ruamel's words
            first, self.pending = self.pending[2], None
            if text is not None and first is not None and self.tree.duplicate is not None:
                self.tree.duplicate = Diagnostic("DUPLICATE_KEY", f'duplicate key "{top.key}" with value "{text}" '
                                                 f'(original value: "{first}")', self.tree.duplicate.location)
        top.seen.setdefault(top.key, text)
        top.out[top.key] = value
        top.key = None


def build(events: Iterable[Any], path: str, resolve: Resolve,
          empty_at: Callable[[Any], tuple[int, int]] = _mark) -> Tree:
    """The document the events make (see the module doc); ``resolve`` gives a scalar event's tag and value,
    ``empty_at`` where an empty value is placed. Raises :class:`Unreadable`."""
    return _Pass(path, resolve, empty_at).run(events)


def scalar_problem(event: Any, path: str) -> Diagnostic | None:
    """A plain scalar that looks like a date but is none, or a number beyond what a rule file holds."""
    if event.style or event.tag is not None:  # ruamel's plain style is None, libyaml's ""
        return None  # quoted or tagged: text, or refused as a tag
    value = event.value
    if not value or value[0] not in "0123456789+-.":
        return None  # neither a date nor a number
    where = Location(path, *_mark(event))
    m = _DATE.match(value)
    if m:
        try:
            dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return Diagnostic("BAD_DATE", f"{value} is not a date (year-month-day, e.g. 2026-01-31)", where)
    digits = value.lstrip("+-").split(".")[0].split("e")[0].split("E")[0]
    if (_INT.match(value) or _FLOAT.match(value)) and len(digits) > 15:
        return Diagnostic("BAD_NUMBER", f"a number of {len(digits)} digits: rule files hold at most 15", where)
    if _FLOAT.match(value) and abs(float(value)) in (float("inf"),):
        return Diagnostic("BAD_NUMBER", f"{value} is too large a number", where)
    return None
