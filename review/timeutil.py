"""Local days and date bounds in the review time zone (REVIEW_TIMEZONE)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # pragma: no cover - Python 3.8
    from backports.zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # type: ignore


@lru_cache(maxsize=8)
def zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.timezone.utc


def day_of(timestamp: float, zone_name: str) -> str:
    return dt.datetime.fromtimestamp(timestamp, zone(zone_name)).strftime("%Y-%m-%d")


def shown(timestamp: float | None, zone_name: str, seconds: bool = False) -> str:
    if timestamp is None:
        return ""
    moment = dt.datetime.fromtimestamp(timestamp, zone(zone_name))
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat(timespec="seconds")


# The days a filter may name: wide enough for any conversation, narrow enough that
# a day before or after, or a period of 3,660 days, is still a date.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)


def parse_day(text: str) -> dt.date | None:
    """A YYYY-MM-DD day from FIRST_DAY to LAST_DAY, else None."""
    try:
        day = dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def start_of(day: dt.date, zone_name: str) -> float:
    """The first instant of a local day, as a Unix timestamp."""
    return dt.datetime.combine(day, dt.time(0), zone(zone_name)).timestamp()


def today(zone_name: str) -> dt.date:
    return dt.datetime.now(zone(zone_name)).date()
