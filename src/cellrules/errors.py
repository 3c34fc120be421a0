"""Excel error values.

Owns the error values every spreadsheet function returns instead of raising:
they compare equal to their Excel text (``COMMISSION(1, "x") == "#N/A"``) and
carry a readable reason.
"""
from __future__ import annotations

from typing import Final

CODES: Final = ("#VALUE!", "#N/A", "#NUM!", "#DIV/0!", "#REF!", "#NAME?", "#NULL!", "#GETTING_DATA", "#SPILL!", "#CALC!")


class ExcelError(str):
    """An Excel error value (a ``str`` equal to its code) with a reason."""

    reason: str

    def __new__(cls, code: str, reason: str = "") -> "ExcelError":
        if code not in CODES:
            raise ValueError(f"not an Excel error code: {code!r}")
        obj = super().__new__(cls, code)
        obj.reason = reason
        return obj

    @property
    def code(self) -> str:
        """The error value Excel shows: ``#VALUE!``, ``#N/A``, ``#NUM!``, ``#DIV/0!``."""
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"ExcelError({self.code!r}, {self.reason!r})"

    def __reduce__(self):  # keep the reason through pickling (worker processes)
        return (ExcelError, (self.code, self.reason))


def value_error(reason: str) -> ExcelError:
    """``#VALUE!`` with a reason: an argument of the wrong type."""
    return ExcelError("#VALUE!", reason)


def na_error(reason: str) -> ExcelError:
    """``#N/A`` with a reason: a name or a value the policy does not know, or no policy."""
    return ExcelError("#N/A", reason)


def num_error(reason: str) -> ExcelError:
    """``#NUM!`` with a reason: a number out of range."""
    return ExcelError("#NUM!", reason)


def div0_error(reason: str) -> ExcelError:
    """``#DIV/0!`` with a reason: a zero divisor."""
    return ExcelError("#DIV/0!", reason)


def as_error(value: object) -> ExcelError | None:
    """Return ``value`` as an ExcelError when it is one (or its text), else None."""
    if isinstance(value, ExcelError):
        return value
    if isinstance(value, str) and value.strip().upper() in CODES:
        return ExcelError(value.strip().upper(), "error value passed in as an argument")
    return None
