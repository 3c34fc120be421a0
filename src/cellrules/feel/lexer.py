"""FEEL text → tokens.

Owns :func:`tokens`: numbers, strings (with FEEL's escapes), words (the parts
of names and the keywords, told apart later by the parser), ``?`` and the
operators; comments (``//`` to the end of a line, ``/* … */``) and white space
are dropped, but each token keeps where it starts and ends so the parser can
read names that contain spaces and operators (``Monthly Income``,
``Loan-to-Value``) from the text itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


class LexError(ValueError):
    """A character or a string FEEL does not allow, with its offset."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``num``, ``str``, ``word``, ``op`` or ``eof``; its text (a string's value for ``str``) and span."""

    kind: str
    text: str
    start: int
    end: int


_OPS = ("**", "..", "<=", ">=", "!=", "=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", "{", "}", ",", ":",
        ".", "@", "'", "?")
_NUMBER = re.compile(r"(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?")
_WORD = re.compile(r"[A-Za-z_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
                   r"\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF]"
                   r"[\w\u00B7\u0300-\u036F\u203F-\u2040\u00C0-\uFFFD\U00010000-\U000EFFFF]*")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "'": "'", "b": "\b", "f": "\f"}


def tokens(text: str) -> list[Token]:
    """The tokens of a FEEL text, ending with an ``eof`` token."""
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise LexError("a comment /* has no closing */", i)
            i = end + 2
            continue
        if ch == '"':
            value, i2 = _string(text, i)
            out.append(Token("str", value, i, i2))
            i = i2
            continue
        number = _NUMBER.match(text, i)
        if number and (ch.isdigit() or not _after_value(out)):
            out.append(Token("num", number.group(0), i, number.end()))
            i = number.end()
            continue
        word = _WORD.match(text, i)
        if word:
            out.append(Token("word", word.group(0), i, word.end()))
            i = word.end()
            continue
        op = next((o for o in _OPS if text.startswith(o, i)), None)
        if op is None:
            raise LexError(f"the character {ch!r} has no meaning in FEEL", i)
        out.append(Token("op", op, i, i + len(op)))
        i += len(op)
    out.append(Token("eof", "", n, n))
    return out


def _after_value(out: list[Token]) -> bool:
    """Whether the last token ends a value (so ``.5`` after it is a path, not a number)."""
    return bool(out) and (out[-1].kind in ("num", "str", "word") or out[-1].text in (")", "]", "}"))


def _string(text: str, start: int) -> tuple[str, int]:
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            joined = "".join(chars)
            return joined.encode("utf-16", "surrogatepass").decode("utf-16", "replace"), i + 1
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in _ESCAPES:
                chars.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt == "u" and re.match(r"[0-9a-fA-F]{4}", text[i + 2:i + 6]):
                chars.append(chr(int(text[i + 2:i + 6], 16)))
                i += 6
                continue
            if nxt == "U" and re.match(r"[0-9a-fA-F]{6}", text[i + 2:i + 8]):
                chars.append(chr(int(text[i + 2:i + 8], 16)))
                i += 8
                continue
            chars.append(ch)  # an escape FEEL does not define (\s, \d in a pattern): kept as written
            i += 1
            continue
        chars.append(ch)
        i += 1
    raise LexError("a string has no closing quote", start)
