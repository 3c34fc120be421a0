"""Argument coercion for spreadsheet functions.

Owns how cell values become Python values: blanks, numbers typed as text
("1,200", " 30 "), booleans (TRUE/FALSE, 1/0, yes/no, y/n), dates (Excel
serial numbers, ISO text), ranges (a column, a row or a 2-D block; blanks
and text inside it ignored) and error values passed in. Nothing here raises:
a value that cannot be used becomes an :class:`ExcelError` with a reason.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any, Iterable, Iterator

from cellrules.errors import ExcelError, as_error, num_error, value_error

PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_TRUE = {"true", "yes", "y", "1", "是", "x"}
_FALSE = {"false", "no", "n", "0", "否"}
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 0 of the 1900 date system (from 1900-03-01 on)


def is_blank(value: Any) -> bool:
    """Empty cell: None, empty or all-space text, NaN, or pandas' missing values (NA, NaT)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return value != value
    return type(value).__name__ in ("NAType", "NaTType")


def first_error(*values: Any) -> ExcelError | None:
    """The first error value among scalar arguments (Excel propagates it)."""
    for value in values:
        if isinstance(value, str):
            error = as_error(value)
            if error is not None:
                return error
    return None


def number(value: Any, what: str) -> float | ExcelError:
    """A finite number from a number or unambiguous text."""
    if isinstance(value, bool):
        return value_error(f"{what} must be a number, not {str(value).upper()}")
    if isinstance(value, (int, float, Decimal)) or hasattr(value, "__float__") and not isinstance(value, str):
        try:
            result = float(value)
        except OverflowError:
            return num_error(f"{what} is too large a number")
        except (TypeError, ValueError):
            return value_error(f"{what} must be a number, not {shown(value)}")
        if not math.isfinite(result):
            return num_error(f"{what} is not a finite number ({result})")
        return result
    if isinstance(value, str):
        return _parse_number(value.strip(), what)
    return value_error(f"{what} must be a number, not {shown(value)}")


def _parse_number(text: str, what: str) -> float | ExcelError:
    percent = text.endswith("%")
    body = text[:-1].strip() if percent else text
    if _GROUPED.match(body):
        body = body.replace(",", "")
    if not PLAIN_NUMBER.match(body):
        return value_error(f"{what} must be a number, not the text '{text}'")
    result = float(body) / (100 if percent else 1)
    if not math.isfinite(result):
        return num_error(f"{what} is not a finite number ('{text}')")
    return result


def boolean(value: Any, what: str) -> bool | ExcelError:
    """TRUE/FALSE, 1/0, yes/no, y/n (blank is FALSE)."""
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return value_error(f"{what} must be yes/no (TRUE/FALSE, 1/0, y/n), not {shown(value)}")


def text(value: Any, what: str) -> str | ExcelError:
    """Text from text or a whole number (a region code typed as 7)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return value_error(f"{what} must be text, not {str(value).upper()}")
    if isinstance(value, int) or isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value_error(f"{what} must be text, not {shown(value)}")


def date(value: Any, what: str) -> dt.date | ExcelError:
    """A date from a date, an Excel serial number or ISO text (2026-06-30)."""
    if is_blank(value):
        return value_error(f"{what} is empty (a missing date)")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "astype") and "datetime64" in str(getattr(value, "dtype", "")):
        return dt.date.fromisoformat(str(value)[:10])
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    serial = number(value, what)
    if isinstance(serial, ExcelError):
        return value_error(f"{what} must be a date such as 2026-06-30, not {shown(value)}")
    if not 1 <= serial < 2958466:
        return num_error(f"{what} is not a date Excel can show ({serial:g})")
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def rows_of(block: Any) -> list[list[Any]] | None:
    """A 2-D range as its rows (a list of lists, a tuple of tuples, a 2-D array); None for anything else."""
    if hasattr(block, "ndim") and getattr(block, "ndim", 0) == 2:
        return [list(row) for row in block.tolist()]
    if isinstance(block, (list, tuple)) and block and all(isinstance(r, (list, tuple)) for r in block):
        return [list(r) for r in block]
    return None


def shown(value: Any, limit: int = 8) -> str:
    """A value as a message shows it — as Excel writes it in a formula: "text", 12.5, TRUE, and a range as an
    array constant {"VIP";"Small"} (rows by ;, columns by ,), the first ``limit`` cells then …."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    rows = rows_of(value)
    if rows is None and is_range(value):
        rows = [[v] for v in cells(value)]
    if rows is None:
        return str(value) if value is not None else "an empty cell"
    count, parts = 0, []
    for row in rows:
        items = []
        for item in row:
            if count == limit:
                items.append("…")
                break
            items.append(shown(item) if not isinstance(item, (list, tuple)) else "…")
            count += 1
        parts.append(",".join(items))
        if count >= limit:
            break
    return "{" + ";".join(parts) + "}"


def cells(block: Any) -> Iterator[Any]:
    """Every cell of a range argument, row by row (column, row, 2-D block, array, Series)."""
    if hasattr(block, "to_numpy"):
        block = block.to_numpy()
    if hasattr(block, "ravel") and hasattr(block, "dtype"):
        yield from block.ravel().tolist()
        return
    if isinstance(block, (list, tuple)):
        for item in block:
            if isinstance(item, (list, tuple)) or hasattr(item, "ravel"):
                yield from cells(item)
            else:
                yield item
        return
    yield block


def is_range(value: Any) -> bool:
    """Whether a value is a range (a list, tuple, numpy array or pandas Series), not one cell."""
    return isinstance(value, (list, tuple)) or hasattr(value, "ravel") or hasattr(value, "to_numpy")


def range_numbers(block: Iterable[Any]) -> list[float] | ExcelError:
    """The numbers of a range; blanks, text and booleans ignored; an error value propagates."""
    out = []
    for value in cells(block):
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, str):
            if value.startswith("#") and as_error(value) is not None:
                return as_error(value)  # type: ignore[return-value]
            continue
        if isinstance(value, (int, float)) or hasattr(value, "__float__"):
            number_ = float(value)
            if number_ == number_:
                if not math.isfinite(number_):
                    return num_error("the range holds an infinite number")
                out.append(number_)
    return out
