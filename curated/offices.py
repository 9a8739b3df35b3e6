"""The tourism offices (content/offices.yml): what each one edits, and when a person
of it answers tourists in the chat.

One file, two readers:

- the review app's content editor (review/offices.py): an office's editors change
  the entries of its ``files``, and the entries of the shared files whose place
  lies within one of its ``places``;
- the hand-off to a person (actions/handoff.py, review/handoff.py): the office of
  the place a tourist asked about answers them, during its ``chat`` hours, in its
  ``time_zone``.

``make validate`` checks the file with the rest of content/ (curated/schema.py
``OFFICE``); this module reads it as it is, leaving out what the schema refuses
(the editor is told there).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

FILE = "offices.yml"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Where a tourist who asked about no place is answered from: their side of the world.
ZONE_OF_LANGUAGE = {"fr": "Europe/Paris", "en": "Europe/Paris", "zh": "Asia/Shanghai"}


@dataclass(frozen=True)
class Chat:
    """When a person of the office answers in the chat."""

    name: dict[str, str]  # the office as tourists read it in a sentence, per language
    days: tuple[str, ...]
    opens: float  # hour of the day in the office's time zone, 8.5 = 8:30
    closes: float
    hours: dict[str, str]  # the same, in words, per language


@dataclass(frozen=True)
class Office:
    id: str
    name: dict[str, str]  # language -> name (the review app's tabs)
    files: tuple[str, ...]  # content file names, with ".yml"
    places: tuple[str, ...]
    time_zone: str = ""
    chat: Chat | None = None  # None: the office does not answer in the chat

    def is_open(self, now: dt.datetime) -> bool:
        if self.chat is None:
            return False
        local = now.astimezone(ZoneInfo(self.time_zone))
        hour = local.hour + local.minute / 60
        return (
            DAYS[local.weekday()] in self.chat.days and self.chat.opens <= hour < self.chat.closes
        )

    def next_opening(self, now: dt.datetime) -> dt.datetime:
        """When someone is next at the inbox (now, when open), in the office's time zone."""
        local = now.astimezone(ZoneInfo(self.time_zone))
        if self.is_open(now):
            return local
        chat = self.chat
        for ahead in range(8):
            day = (local + dt.timedelta(days=ahead)).date()
            if chat is None or DAYS[day.weekday()] not in chat.days:
                continue
            opening = dt.datetime.combine(
                day,
                dt.time(int(chat.opens), round((chat.opens % 1) * 60)),
                tzinfo=ZoneInfo(self.time_zone),
            )
            if opening > local:
                return opening
        raise ValueError(f"office {self.id} has no opening day")


def read(content_dir: Path) -> dict[str, Office]:
    """The offices declared in ``content_dir``/offices.yml, by id (none when it is missing)."""
    path = Path(content_dir) / FILE
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    offices = {}
    for item in data.get("offices") or []:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue  # make validate names it
        time_zone = str(item.get("time_zone") or "")
        offices[item["id"]] = Office(
            id=item["id"],
            name=dict(item.get("name") or {}),
            files=tuple(f"{name}.yml" for name in item.get("files") or ()),
            places=tuple(item.get("places") or ()),
            time_zone=time_zone,
            chat=_chat(item.get("chat"), time_zone),
        )
    return offices


def _chat(raw: object, time_zone: str) -> Chat | None:
    """The office's chat hours, or None when it has none or the schema refuses them."""
    if not isinstance(raw, dict):
        return None
    try:
        ZoneInfo(time_zone)
        chat = Chat(
            name={k: str(v) for k, v in raw["name"].items()},
            days=tuple(d for d in raw["days"] if d in DAYS),
            opens=float(raw["opens"]),
            closes=float(raw["closes"]),
            hours={k: str(v) for k, v in raw["hours"].items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError, LookupError):
        return None  # reported to the editor by curated.validate
    return chat if chat.days and chat.opens < chat.closes else None


def answering(offices: Mapping[str, Office]) -> list[Office]:
    """The offices whose people answer in the chat, in the file's order."""
    return [office for office in offices.values() if office.chat is not None]


def office_for(
    offices: Mapping[str, Office], within: Sequence[str], language: str
) -> Office | None:
    """The office that answers a tourist who asked about a place (``within``: the place
    and the larger places it lies within, most precise first; empty: no place).

    The office of the place when it answers in the chat; else the first office that
    does in the same time zone (Chambéry's tourists reach Chamonix's); with no place,
    the first in the tourist's side of the world (French and English: Europe/Paris,
    Chinese: Asia/Shanghai); else the first that answers at all.
    """
    answers = answering(offices)
    zone = ZONE_OF_LANGUAGE.get(language[:2])
    for place in within:
        owner = next((o for o in offices.values() if place in o.places), None)
        if owner is not None:
            if owner.chat is not None:
                return owner
            zone = owner.time_zone
            break
    same_zone = [office for office in answers if office.time_zone == zone]
    chosen = same_zone or answers
    return chosen[0] if chosen else None
