"""FEEL's built-in functions, part one: the table of them, calling them, conversions and text.

Owns :data:`FUNCTIONS` (every built-in, by name; :mod:`library` adds the
list, number, date and context functions), :func:`builtin` (how a Python
function joins the table, with its parameter names so that calls by name
work: ``substring(string: "abc", start position: 2)``), :func:`invoke` (a
call of any function value) and the conversion (``date``, ``time``,
``date and time``, ``duration``, ``number``, ``string``), boolean and text
functions. A built-in given arguments of the wrong type gives null.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, Callable

from cellrules.feel import temporal
from cellrules.feel.values import Function, decimal, string, FeelError

FUNCTIONS: dict[str, Function] = {}


#: Parameters that take one value: a singleton list given there stands for its item (FEEL's conversion).
SCALARS = {"string", "match", "input", "pattern", "replacement", "flags", "n", "scale", "number", "dividend",
           "divisor", "date", "time", "year", "month", "day", "hour", "minute", "second", "offset", "start position",
           "length", "delimiter", "prefix", "suffix", "grouping separator", "decimal separator", "negand", "to",
           "from", "m"}


def builtin(name: str, *signatures: tuple[str, ...], variadic: bool = False,
            keep_lists: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a Python function as the FEEL built-in ``name``; each signature is a tuple of parameter
    names (an optional one ends in ``?``), the first signature's names are the function's. A singleton list
    given for a one-value parameter stands for its item, unless ``keep_lists``."""
    signatures = signatures or ((),)
    scalar = [p.rstrip("?") in SCALARS and not keep_lists for p in signatures[0]]

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(args: list[Any], named: dict[str, Any] | None) -> Any:
            args = [a[0] if k < len(scalar) and scalar[k] and isinstance(a, list) and len(a) == 1 else a
                    for k, a in enumerate(args)]
            try:
                return fn(*args)
            except (TypeError, ValueError, ArithmeticError, OverflowError, IndexError, re.error):
                return None
        params = tuple(p.rstrip("?") for p in signatures[0])
        FUNCTIONS[name] = Function(name, params, call, variadic, meta={"signatures": signatures})
        return fn
    return register


def invoke(function: Function, args: list[Any], named: dict[str, Any] | None) -> Any:
    """Call a function value with arguments by position or by name (a call that fits none of its
    signatures gives null)."""
    signatures = function.meta.get("signatures")
    if signatures is None:  # defined in FEEL (or a DMN function): its own call reads names
        if named is None and len(args) != len(function.params) and not function.variadic:
            return None
        return function.call(args, named)
    if named is not None:
        positional = _by_name(signatures, named)
        if positional is None:
            return None
        args = positional
    elif not function.variadic and not any(_fits(s, len(args)) for s in signatures):
        return None
    return function.call(args if function.variadic else _singleton_lists(signatures, args), None)


def _singleton_lists(signatures: tuple[tuple[str, ...], ...], args: list[Any]) -> list[Any]:
    """FEEL's conversion to a singleton list: a value given where a list parameter is declared is a list of
    one (``string join("a")`` is ``string join(["a"])``); null stays null."""
    signature = next((s for s in signatures if _fits(s, len(args))), ())
    return [[a] if p.rstrip("?") == "list" and a is not None and not isinstance(a, list) else a
            for p, a in zip(signature, args)] + args[len(signature):]


def _fits(signature: tuple[str, ...], count: int) -> bool:
    required = sum(1 for p in signature if not p.endswith("?"))
    return required <= count <= len(signature)


def _by_name(signatures: tuple[tuple[str, ...], ...], named: dict[str, Any]) -> list[Any] | None:
    given = {" ".join(k.split()) for k in named}
    for signature in signatures:
        names = [p.rstrip("?") for p in signature]
        required = {p for p in signature if not p.endswith("?")}
        if required <= given <= set(names):
            values = {" ".join(k.split()): v for k, v in named.items()}
            out = [values.get(n) for n in names]
            while out and names[len(out) - 1] not in given:
                out.pop()
            return out
    return None


# -- conversions -------------------------------------------------------------------
@builtin("date", ("from",), ("year", "month", "day"))
def _date(*args: Any) -> Any:
    if len(args) == 3:
        if not all(isinstance(a, Decimal) and a == a.to_integral_value() for a in args):
            return None
        if not dt.MINYEAR <= args[0] <= dt.MAXYEAR:
            raise FeelError(f"the year {args[0]} is outside the years 1–9999 cellrules can hold")
        return dt.date(int(args[0]), int(args[1]), int(args[2]))
    value = args[0]
    if isinstance(value, str):
        return temporal.parse_date(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


@builtin("date and time", ("from",), ("date", "time"))
def _date_time(*args: Any) -> Any:
    if len(args) == 2:
        day, clock = args
        if not isinstance(day, dt.date) or not isinstance(clock, dt.time):
            return None
        base = day.date() if isinstance(day, dt.datetime) else day
        return dt.datetime.combine(base, clock.replace(tzinfo=None), tzinfo=clock.tzinfo)
    value = args[0]
    if isinstance(value, str):
        return temporal.parse_date_time(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return None


@builtin("time", ("from",), ("hour", "minute", "second", "offset?"))
def _time(*args: Any) -> Any:
    if len(args) >= 3:
        hour, minute, second = args[:3]
        if not all(isinstance(a, Decimal) for a in (hour, minute, second)):
            return None
        offset = args[3] if len(args) > 3 else None
        tz = dt.timezone(dt.timedelta(seconds=float(offset.seconds))) if isinstance(offset, temporal.DaysTime) \
            else None
        micro = int((second - int(second)) * 1_000_000)
        return dt.time(int(hour), int(minute), int(second), micro, tzinfo=tz)
    value = args[0]
    if isinstance(value, str):
        return temporal.parse_time(value)
    if isinstance(value, dt.datetime):
        return value.timetz()
    if isinstance(value, dt.time):
        return value
    if isinstance(value, dt.date):
        return dt.time(0, 0, 0, tzinfo=dt.timezone.utc)
    return None


@builtin("duration", ("from",))
def _duration(value: Any) -> Any:
    return temporal.parse_duration(value) if isinstance(value, str) else None


@builtin("years and months duration", ("from", "to"))
def _ym_duration(start: Any, end: Any) -> Any:
    if isinstance(start, dt.date) and isinstance(end, dt.date):
        return temporal.years_months_between(start, end)
    return None


@builtin("number", ("from", "grouping separator?", "decimal separator?"))
def _number(text: Any, grouping: Any = None, separator: Any = None) -> Any:
    if not isinstance(text, str):
        return None
    if grouping not in (None, " ", ",", ".") or separator not in (None, ",", ".") or \
            grouping is not None and grouping == separator:
        return None
    if grouping:
        text = text.replace(grouping, "")
    if separator:
        text = text.replace(separator, ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text.strip()):
        return None
    return decimal(text.strip())


@builtin("string", ("from",), keep_lists=True)
def _string(value: Any) -> Any:
    return string(value)


@builtin("not", ("negand",))
def _not(value: Any) -> Any:
    return (not value) if isinstance(value, bool) else None


# -- text ---------------------------------------------------------------------------
def _texts(*values: Any) -> bool:
    return all(isinstance(v, str) for v in values)


def _code_points(text: str) -> list[str]:
    return list(text)  # Python strings are sequences of code points, as FEEL's are


@builtin("substring", ("string", "start position", "length?"))
def _substring(text: Any, start: Any, length: Any = None) -> Any:
    if not isinstance(text, str) or not isinstance(start, Decimal) or length is not None and \
            not isinstance(length, Decimal):
        return None
    chars = _code_points(text)
    first = int(start)
    if first == 0 or abs(first) > len(chars) and first < 0:
        return None
    begin = first - 1 if first > 0 else len(chars) + first
    end = len(chars) if length is None else begin + int(length)
    return "".join(chars[max(begin, 0):max(end, 0)])


@builtin("string length", ("string",))
def _length(text: Any) -> Any:
    return Decimal(len(text)) if isinstance(text, str) else None


@builtin("upper case", ("string",))
def _upper(text: Any) -> Any:
    return text.upper() if isinstance(text, str) else None


@builtin("lower case", ("string",))
def _lower(text: Any) -> Any:
    return text.lower() if isinstance(text, str) else None


@builtin("substring before", ("string", "match"))
def _before(text: Any, match: Any) -> Any:
    if not _texts(text, match):
        return None
    found = text.find(match)
    return text[:found] if found >= 0 else ""


@builtin("substring after", ("string", "match"))
def _after(text: Any, match: Any) -> Any:
    if not _texts(text, match):
        return None
    found = text.find(match)
    return text[found + len(match):] if found >= 0 else ""


@builtin("contains", ("string", "match"))
def _contains(text: Any, match: Any) -> Any:
    return match in text if _texts(text, match) else None


@builtin("starts with", ("string", "match"))
def _starts(text: Any, match: Any) -> Any:
    return text.startswith(match) if _texts(text, match) else None


@builtin("ends with", ("string", "match"))
def _ends(text: Any, match: Any) -> Any:
    return text.endswith(match) if _texts(text, match) else None


_FLAGS = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE}


def _pattern(pattern: str, flags: Any) -> re.Pattern[str]:
    """An XPath regular expression (what FEEL uses) as Python's; its flags ``i s m x``."""
    if flags is not None and (not isinstance(flags, str) or set(flags) - set(_FLAGS) - {"q"}):
        raise ValueError("unknown flags")
    options = 0
    for ch in flags or "":
        options |= _FLAGS.get(ch, 0)
    if flags and "q" in flags:
        return re.compile(re.escape(pattern), options)
    if re.search(r"-\[", pattern) or re.search(r"\\[pP]\{", pattern):
        raise FeelError("a regular expression with class subtraction ([a-z-[aeiou]]) or a Unicode block (\\p{…}) "
                        "is not run by cellrules")
    if re.search(r"\[[^\]]*\\\d", pattern):
        raise ValueError("a back-reference inside a character class")  # XPath: an error, so null
    if flags and "x" in flags:  # XPath drops white space outside classes before reading the pattern
        pattern, options = _without_spaces(pattern), options & ~re.VERBOSE
    try:
        return re.compile(_xpath_dots(pattern, "s" in (flags or "")), options)
    except re.error as exc:
        raise FeelError(f"the regular expression {pattern!r} is not one cellrules can run ({exc})") from None


def _without_spaces(pattern: str) -> str:
    out, in_class = [], False
    for ch in pattern:
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        if ch.isspace() and not in_class:
            continue
        out.append(ch)
    return "".join(out)


def _xpath_dots(pattern: str, dotall: bool) -> str:
    """XPath's ``.`` matches any character but a line end (\\n or \\r); Python's matches \\r too."""
    if dotall:
        return pattern
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        out.append("[^\\n\\r]" if ch == "." and not in_class else ch)
        i += 1
    return "".join(out)


@builtin("matches", ("input", "pattern", "flags?"))
def _matches(text: Any, pattern: Any, flags: Any = None) -> Any:
    if not _texts(text, pattern):
        return None
    return _pattern(pattern, flags).search(text) is not None


@builtin("replace", ("input", "pattern", "replacement", "flags?"))
def _replace(text: Any, pattern: Any, replacement: Any, flags: Any = None) -> Any:
    if not _texts(text, pattern, replacement):
        return None
    compiled = _pattern(pattern, flags)
    if compiled.match(""):
        return None  # XPath refuses a pattern that matches the empty string
    return compiled.sub(lambda m: _expand(replacement, m), text)


def _expand(replacement: str, match: re.Match[str]) -> str:
    """An XPath replacement string for one match: ``$1`` a group, ``\\$`` and ``\\\\`` themselves."""
    out, i = [], 0
    while i < len(replacement):
        ch = replacement[i]
        if ch == "\\" and i + 1 < len(replacement):
            out.append(replacement[i + 1])
            i += 2
        elif ch == "$" and i + 1 < len(replacement) and replacement[i + 1].isdigit():
            j = i + 2
            while j < len(replacement) and replacement[j].isdigit() and int(replacement[i + 1:j + 1]) <= \
                    (match.re.groups or 0):
                j += 1
            group = int(replacement[i + 1:j])
            out.append((match.group(group) or "") if group <= (match.re.groups or 0) else "")
            i = j
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@builtin("split", ("string", "delimiter"))
def _split(text: Any, delimiter: Any) -> Any:
    if not _texts(text, delimiter) or not delimiter:
        return None
    return re.split(delimiter, text)


@builtin("string join", ("list", "delimiter?"))
def _join(items: Any, delimiter: Any = None) -> Any:
    if not isinstance(items, list) or not all(isinstance(v, str) or v is None for v in items):
        return None
    return (delimiter or "").join(v for v in items if v is not None)


@builtin("is", ("value1?", "value2?"))
def _is(a: Any = None, b: Any = None) -> Any:
    from cellrules.feel.values import equal, kind
    if kind(a) != kind(b):
        return False
    if isinstance(a, (dt.time, dt.datetime)) and a.tzinfo != b.tzinfo:
        return False
    return equal(a, b) is True


def refuse(name: str) -> None:
    """A built-in cellrules does not run: calling it is refused (never a wrong answer)."""
    def call(args: list[Any], named: dict[str, Any] | None) -> Any:
        raise FeelError(f"the function {name}() is not run by cellrules")
    FUNCTIONS[name] = Function(name, (), call, True)
