"""Reading rule files.

Owns the only use of the YAML library in cellrules: a rule file becomes a
:class:`Source` — plain Python data (dict, list, str, int, float, bool, date,
None) plus a map from each value's path to its 1-based line and column — or a
list of diagnostics. Rule files are data: the round-trip loader never builds
Python objects, and any explicit tag (``!!python/object`` and friends) is
refused.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from cellrules.diagnostics import Diagnostic, Location

PathKey = tuple[str | int, ...]
_STANDARD_TAGS = {None, "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str",
                  "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                  "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp"}
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
    """Parse YAML text into a :class:`Source`, or return diagnostics."""
    yaml = YAML(typ="rt")
    try:
        tree = yaml.load(text)
    except DuplicateKeyError as exc:
        return None, [_marked(exc, path, "DUPLICATE_KEY", _duplicate_message(exc))]
    except MarkedYAMLError as exc:
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return None, [_marked(exc, path, "YAML_SYNTAX", message)]
    except (YAMLError, ValueError, TypeError) as exc:  # constructor errors without a mark
        return None, [Diagnostic("YAML_SYNTAX", str(exc).splitlines()[0], Location(path, 1, 1))]
    positions: dict[PathKey, tuple[int, int, int, int]] = {}
    problems: list[Diagnostic] = []
    data = _plain(tree, (), positions, problems, path)
    return Source(path, data, positions, text), problems


def load_file(path: Path) -> tuple[Source | None, list[Diagnostic]]:
    """Read and parse one rule file."""
    try:
        raw = path.read_bytes()
        if len(raw) > MAX_BYTES:
            raise OSError(f"file is larger than {MAX_BYTES} bytes")
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Diagnostic("FILE_ERROR", str(exc), Location(str(path)))]
    return load_text(text, str(path))


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
