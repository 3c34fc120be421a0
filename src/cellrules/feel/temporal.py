"""FEEL's dates, times and durations: reading them from text, their arithmetic and their properties.

Owns the two duration types (:class:`DaysTime`, a signed number of seconds;
:class:`YearsMonths`, a signed number of months), the reading of ISO 8601
text into ``date``, ``time`` and ``date and time`` values (with an offset
``+01:00``, ``Z`` or a zone ``@Europe/Paris``), their text form, and ``+``/``-``
between temporal values. ``date`` is ``datetime.date``, ``time`` is
``datetime.time`` and ``date and time`` is ``datetime.datetime`` (naive when
no offset or zone is given, as FEEL's local values are).
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cellrules.feel.errors import FeelError

_DATE = re.compile(r"^(-?(?:[1-9]\d{4,8}|\d{4}))-(\d{2})-(\d{2})$")
_TIME = re.compile(r"^(\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:(Z|z)|([+-]\d{2}:\d{2}(?::\d{2})?)|@(.+))?$")
_DT_DURATION = re.compile(r"^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?$")
_YM_DURATION = re.compile(r"^(-)?P(?:(\d+)Y)?(?:(\d+)M)?$")
_FULL_DURATION = re.compile(r"^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


@dataclass(frozen=True, order=True)
class DaysTime:
    """A days-and-time duration: signed seconds (fractions allowed)."""

    seconds: Decimal

    def __str__(self) -> str:
        total = abs(self.seconds)
        days, rest = divmod(total, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        out = "-P" if self.seconds < 0 else "P"
        if days:
            out += f"{int(days)}D"
        clock = (f"{int(hours)}H" if hours else "") + (f"{int(minutes)}M" if minutes else "") + \
            (f"{_plain(secs)}S" if secs else "")
        if clock:
            out += "T" + clock
        return out if out not in ("P", "-P") else "PT0S"


@dataclass(frozen=True, order=True)
class YearsMonths:
    """A years-and-months duration: signed whole months."""

    months: int

    def __str__(self) -> str:
        years, months = divmod(abs(self.months), 12)
        out = ("-P" if self.months < 0 else "P") + (f"{years}Y" if years else "") + (f"{months}M" if months else "")
        return out if out not in ("P", "-P") else "P0M"


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


class Zone(dt.tzinfo):
    """A named time zone (``@Europe/Paris``): keeps its name for ``timezone`` and ``string()``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.zone = ZoneInfo(name)

    def utcoffset(self, when: dt.datetime | None) -> dt.timedelta | None:
        """The zone's offset from UTC at that moment."""
        return self.zone.utcoffset(when if when is not None else dt.datetime(2000, 1, 1))

    def dst(self, when: dt.datetime | None) -> dt.timedelta | None:
        """The zone's daylight-saving shift at that moment."""
        return self.zone.dst(when if when is not None else dt.datetime(2000, 1, 1))

    def tzname(self, when: dt.datetime | None) -> str:
        """The zone's name, as written after @."""
        return self.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Zone) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


def parse_date(text: str) -> dt.date | None:
    """``2026-01-31`` as a date (None when it is not one)."""
    found = _DATE.match(text.strip())
    if not found:
        return None
    year = int(found.group(1))
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise FeelError(f"the date {text.strip()} is outside the years 1–9999 cellrules can hold")
    try:
        return dt.date(year, int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None


def _offset(text: str) -> dt.tzinfo | None:
    sign = -1 if text[0] == "-" else 1
    parts = [int(p) for p in text[1:].split(":")]
    delta = dt.timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2] if len(parts) > 2 else 0)
    if delta > dt.timedelta(hours=18):
        return None
    return dt.timezone(sign * delta)


def parse_time(text: str) -> dt.time | None:
    """``13:20:00``, ``13:20:00.5``, ``13:20:00+01:00``, ``13:20:00Z`` or ``13:20:00@Europe/Paris`` as a time."""
    found = _TIME.match(text.strip())
    if not found:
        return None
    hour, minute, second = int(found.group(1)), int(found.group(2)), int(found.group(3))
    fraction = (found.group(4) or ".0")[1:]
    if len(fraction.rstrip("0")) > 6:
        raise FeelError(f"the time {text.strip()} has fractions of a second finer than cellrules holds "
                        "(microseconds)")
    micro = int(fraction[:6].ljust(6, "0"))
    tz: dt.tzinfo | None = None
    if found.group(5):
        tz = dt.timezone.utc
    elif found.group(6):
        tz = _offset(found.group(6))
        if tz is None:
            return None
    elif found.group(7):
        try:
            tz = Zone(found.group(7))
        except (ZoneInfoNotFoundError, ValueError):
            return None
    if hour == 24 and minute == 0 and second == 0 and micro == 0:
        hour = 0
    try:
        return dt.time(hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        return None


def parse_date_time(text: str) -> dt.datetime | dt.date | None:
    """``2026-01-31T13:20:00`` (with an offset or zone) as a date and time; a bare date is midnight."""
    text = text.strip()
    if "T" not in text:
        day = parse_date(text)
        return dt.datetime(day.year, day.month, day.day) if day else None
    day_text, _, time_text = text.partition("T")
    day, clock = parse_date(day_text), parse_time(time_text)
    if day is None or clock is None:
        return None
    if time_text.startswith("24:"):  # 24:00:00 is the midnight that ends the day
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, clock.replace(tzinfo=None), tzinfo=clock.tzinfo)


def parse_duration(text: str) -> DaysTime | YearsMonths | None:
    """``P1DT2H`` (days and time) or ``P1Y2M`` (years and months) as a duration."""
    text = text.strip()
    found = _YM_DURATION.match(text)
    if found and (found.group(2) or found.group(3)):
        months = int(found.group(2) or 0) * 12 + int(found.group(3) or 0)
        return YearsMonths(-months if found.group(1) else months)
    found = _DT_DURATION.match(text)
    if found and any(found.group(k) for k in (2, 3, 4, 5)) and not text.endswith("T"):
        seconds = Decimal(found.group(2) or 0) * 86400 + Decimal(found.group(3) or 0) * 3600 + \
            Decimal(found.group(4) or 0) * 60 + Decimal(found.group(5) or 0)
        return DaysTime(-seconds if found.group(1) else seconds)
    found = _FULL_DURATION.match(text)
    if found and (found.group(2) or found.group(3)) and any(found.group(k) for k in (4, 5, 6, 7)):
        return None  # years and days together: neither of FEEL's two duration types
    return None


def time_offset(value: dt.time | dt.datetime) -> DaysTime | None:
    """The offset from UTC of a time or date and time, as a duration (None when it has none)."""
    if value.tzinfo is None:
        return None
    when = value if isinstance(value, dt.datetime) else dt.datetime.combine(dt.date(2000, 1, 1), value)
    delta = value.tzinfo.utcoffset(when)
    return None if delta is None else DaysTime(Decimal(int(delta.total_seconds())))


def timezone(value: dt.time | dt.datetime) -> str | None:
    """The zone name of a time or date and time given with ``@zone`` (None otherwise)."""
    return value.tzinfo.name if isinstance(value.tzinfo, Zone) else None


def _clock(value: dt.time) -> str:
    text = value.replace(tzinfo=None).isoformat()
    return text.rstrip("0") if "." in text else text


def show_time(value: dt.time) -> str:
    """A time in FEEL's text form."""
    return _clock(value) + _zone_text(value.tzinfo, dt.datetime.combine(dt.date(2000, 1, 1), value))


def show_date_time(value: dt.datetime) -> str:
    """A date and time in FEEL's text form."""
    return value.date().isoformat() + "T" + _clock(value.time()) + _zone_text(value.tzinfo, value)


def _zone_text(tz: dt.tzinfo | None, when: dt.datetime) -> str:
    if tz is None:
        return ""
    if isinstance(tz, Zone):
        return "@" + tz.name
    delta = tz.utcoffset(when)
    if not delta:
        return "Z"
    seconds = int(delta.total_seconds())
    sign, seconds = ("-" if seconds < 0 else "+"), abs(seconds)
    text = f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
    return text + (f":{seconds % 60:02d}" if seconds % 60 else "")


def add_months(day: dt.date, months: int) -> dt.date:
    """A date some months later (or earlier), the day clamped to the month's end."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise OverflowError("date out of range")
    last = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


def _seconds(delta: dt.timedelta) -> Decimal:
    return Decimal(delta.days) * 86400 + Decimal(delta.seconds) + Decimal(delta.microseconds) / Decimal(1_000_000)


def _delta(duration: DaysTime) -> dt.timedelta:
    return dt.timedelta(seconds=float(duration.seconds))


def _as_dt(value: dt.date, utc: bool = False) -> dt.datetime:
    """A date as a date and time: its midnight (UTC when set against a date and time, as FEEL converts it)."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc if utc else None)


def subtract(a: Any, b: Any) -> Any:
    """``a - b`` between temporal values (NotImplemented when FEEL does not define it)."""
    if isinstance(a, dt.date) and isinstance(b, dt.date):
        x, y = _as_dt(a, isinstance(b, dt.datetime)), _as_dt(b, isinstance(a, dt.datetime))
        if (x.tzinfo is None) != (y.tzinfo is None):
            return None  # one local, one with an offset or zone: FEEL gives null
        return DaysTime(_seconds(x - y))
    if isinstance(a, dt.time) and isinstance(b, dt.time):
        x = dt.datetime.combine(dt.date(2000, 1, 1), a)
        y = dt.datetime.combine(dt.date(2000, 1, 1), b)
        if (x.tzinfo is None) != (y.tzinfo is None):
            return None
        return DaysTime(_seconds(x - y))
    if isinstance(b, (DaysTime, YearsMonths)):
        return add(a, type(b)(-b.seconds) if isinstance(b, DaysTime) else YearsMonths(-b.months))
    return NotImplemented


def add(a: Any, b: Any) -> Any:
    """``a + b`` with at least one duration (NotImplemented when FEEL does not define it)."""
    if isinstance(a, (DaysTime, YearsMonths)) and not isinstance(b, (DaysTime, YearsMonths)):
        a, b = b, a
    if isinstance(a, DaysTime) and isinstance(b, DaysTime):
        return DaysTime(a.seconds + b.seconds)
    if isinstance(a, YearsMonths) and isinstance(b, YearsMonths):
        return YearsMonths(a.months + b.months)
    if isinstance(b, YearsMonths) and isinstance(a, dt.date):
        if isinstance(a, dt.datetime):
            moved = add_months(a.date(), b.months)
            return a.replace(year=moved.year, month=moved.month, day=moved.day)
        return add_months(a, b.months)
    if isinstance(b, DaysTime) and isinstance(a, dt.datetime):
        return a + _delta(b)
    if isinstance(b, DaysTime) and isinstance(a, dt.date):
        return (_as_dt(a) + _delta(b)).date()
    if isinstance(b, DaysTime) and isinstance(a, dt.time):
        moved = dt.datetime.combine(dt.date(2000, 1, 1), a) + _delta(b)
        return moved.timetz()
    return NotImplemented


def compare_key(value: Any) -> Any:
    """A value temporal comparisons can order (naive date and times as they are, aware ones in UTC)."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.time):
        return dt.datetime.combine(dt.date(2000, 1, 1), value)
    return value


def years_months_between(start: dt.date, end: dt.date) -> YearsMonths:
    """The whole years and months from one date to another (of a date and time, its date: the time of day
    does not count, as in Java's Period.between, which the TCK follows)."""
    a = start.date() if isinstance(start, dt.datetime) else start
    b = end.date() if isinstance(end, dt.datetime) else end
    months = (b.year - a.year) * 12 + (b.month - a.month)
    if months > 0 and b.day < a.day:
        months -= 1
    elif months < 0 and b.day > a.day:
        months += 1
    return YearsMonths(months)
