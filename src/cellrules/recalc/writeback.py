"""Writing computed values back into the package.

Owns the write-back: in each worksheet part that holds formulas, every
formula cell gets its cached value (``<v>``) and the matching type (``t``:
number by default, ``str`` text, ``b`` boolean, ``e`` error) next to its
unchanged ``<f>``; every other byte of the part, and every other part of the
package, is kept. The new package is written to a temporary file beside the
target and renamed over it, so a failed run never leaves half a file.
"""
from __future__ import annotations

import os
import re
import tempfile
import zipfile
from typing import Any
from xml.sax.saxutils import escape

from cellrules.errors import ExcelError
from cellrules.recalc.refs import split_cell
from cellrules.recalc.xlsx import ATTR_RE, CELL_RE, F_RE, V_RE, Package

_T_ATTR = re.compile(rb'\st="[^"]*"')


def encode(value: Any) -> tuple[bytes | None, bytes]:
    """(t attribute or None for a number, <v> content)."""
    if isinstance(value, ExcelError):
        return b"e", value.code.encode()
    if isinstance(value, bool):
        return b"b", b"1" if value else b"0"
    if isinstance(value, (int, float)):
        return None, repr(float(value)).removesuffix(".0").encode() if float(value).is_integer() and abs(value) < 1e15 \
            else repr(float(value)).encode()
    return b"str", escape(str(value)).encode("utf-8")


def patch_sheet(xml: bytes, results: dict[tuple[int, int], Any]) -> bytes:
    """The sheet XML with each computed formula cell's type and cached value set."""
    state = {"row": 0, "col": 0}

    def fix(m: re.Match) -> bytes:
        if m.group("rownum") is not None:
            state["row"], state["col"] = int(m.group("rownum")), 0
            return m.group(0)
        attrs_raw = m.group("attrs")
        attrs = dict(ATTR_RE.findall(attrs_raw))
        if b"r" in attrs:
            state["row"], state["col"] = split_cell(attrs[b"r"].decode())
        else:
            state["col"] += 1
        key = (state["row"], state["col"])
        body = m.group("body")
        if key not in results or body is None or not F_RE.search(body):
            return m.group(0)
        t, v = encode(results[key])
        prefix = m.group("p") or b""
        new_attrs = _T_ATTR.sub(b"", attrs_raw) + (b' t="' + t + b'"' if t else b"")
        formula = F_RE.search(body).group(0)
        rest = V_RE.sub(b"", body.replace(formula, b"", 1))
        rest = re.sub(rb"<(?:\w+:)?is>.*?</(?:\w+:)?is>", b"", rest, flags=re.S)
        value = b"<" + prefix + b"v>" + v + b"</" + prefix + b"v>"
        return b"<" + prefix + b"c" + new_attrs + b">" + formula + value + rest + b"</" + prefix + b"c>"

    return CELL_RE.sub(fix, xml)


def write(package: Package, results: dict[str, dict[tuple[int, int], Any]], target: str) -> None:
    """Write the package with new cached values to ``target`` (atomically)."""
    folder = os.path.dirname(os.path.abspath(target))
    handle, temp = tempfile.mkstemp(prefix=".cellrules-", suffix=".xlsx", dir=folder)
    os.close(handle)
    try:
        with zipfile.ZipFile(package.path) as source, zipfile.ZipFile(temp, "w") as out:
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename in results and results[info.filename]:
                    data = patch_sheet(data, results[info.filename])
                clone = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                clone.compress_type, clone.external_attr = info.compress_type, info.external_attr
                clone.create_system = info.create_system
                out.writestr(clone, data)
        os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
