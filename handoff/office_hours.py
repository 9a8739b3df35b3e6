"""When a person of each tourism office answers in the chat (content/office_hours.yml).

``curated.validate`` checks the file with the rest of content/ (its schema is
``OFFICE_HOURS`` in curated/schema.py); this module reads it for the hand-off:
which office a tourist goes to, whether it is open now, and when it opens next.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

FILE = "office_hours.yml"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ZONE_OF_LANGUAGE = {"fr": "Europe/Paris", "en": "Europe/Paris", "zh": "Asia/Shanghai"}


@dataclass(frozen=True)
class Office:
    id: str
    name: dict[str, str]  # fr, zh, en
    time_zone: str
    days: tuple[str, ...]
    opens: float  # hour of the day, 8.5 = 8:30
    closes: float
    hours: dict[str, str]  # the hours in words, per language
    places: tuple[str, ...]

    def is_open(self, now: dt.datetime) -> bool:
        local = now.astimezone(ZoneInfo(self.time_zone))
        hour = local.hour + local.minute / 60
        return DAYS[local.weekday()] in self.days and self.opens <= hour < self.closes

    def next_opening(self, now: dt.datetime) -> dt.datetime:
        """When someone is next at the inbox (now, when open), in the office's time zone."""
        local = now.astimezone(ZoneInfo(self.time_zone))
        if self.is_open(now):
            return local
        for ahead in range(8):
            day = (local + dt.timedelta(days=ahead)).date()
            if DAYS[day.weekday()] not in self.days:
                continue
            opening = dt.datetime.combine(
                day,
                dt.time(int(self.opens), round((self.opens % 1) * 60)),
                tzinfo=ZoneInfo(self.time_zone),
            )
            if opening > local:
                return opening
        raise ValueError(f"office {self.id} has no opening day")


def load(content_dir: Path) -> list[Office]:
    """The offices of content/office_hours.yml; entries the schema refuses are left out."""
    path = Path(content_dir) / FILE
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    offices = []
    for entry in data.get("office_hours") or []:
        try:
            office = Office(
                id=str(entry["id"]),
                name={k: str(v) for k, v in entry["name"].items()},
                time_zone=str(entry["time_zone"]),
                days=tuple(d for d in entry["days"] if d in DAYS),
                opens=float(entry["opens"]),
                closes=float(entry["closes"]),
                hours={k: str(v) for k, v in entry["hours"].items()},
                places=tuple(str(p) for p in entry.get("places") or ()),
            )
            ZoneInfo(office.time_zone)
        except (KeyError, TypeError, ValueError, AttributeError, LookupError):
            continue  # reported to the editor by curated.validate
        if office.days:
            offices.append(office)
    return offices


def office_for(offices: list[Office], place: str | None, language: str) -> Office | None:
    """The office answering for the place; else the first in the tourist's part of the world."""
    for office in offices:
        if place and place in office.places:
            return office
    zone = ZONE_OF_LANGUAGE.get(language[:2])
    for office in offices:
        if office.time_zone == zone:
            return office
    return offices[0] if offices else None
