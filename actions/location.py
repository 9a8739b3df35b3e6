"""Where a place is: its coordinates with their source, two map links, and a
map pin for the channels that can show one.

The answer is composed from the place's ``location`` (content/, with the
page the coordinates were read on) and the phrases ``location`` and
``location_unknown``. The links need no key: OpenStreetMap's marker URL for
everyone, and Amap's (高德) URI API marker, ``uri.amap.com/marker``, which
Chinese readers use (documented at lbs.amap.com/api/uri-api/guide/mobile-web/point;
``coordinate=wgs84`` because the coordinates in content/ are GPS ones, as
maps and encyclopedias publish them, and Amap draws in its own GCJ-02).

The reply carries the point itself (``Reply.pin``), sent to Rasa as a custom
payload ``{"location": {"latitude", "longitude"}}``; the Telegram channel
sends it as a location message, read from the OpenStreetMap link of the text
(bot/channels/telegram_render.py: the channel core passes text and buttons).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from actions.answers import Reply, contact_details, format_date
from actions.why import Why
from curated.content import Content
from curated.entries import Location

# The zoom of the OpenStreetMap link: a town and the roads around it.
MAP_ZOOM = 13

# Words that ask where something is, for a question that names no place
# ("c'est où ?" after Badaling): "où" is too short to be one of the marker
# words learnt from nlu/ (actions/grounding.py), "where" and "哪里" are used by
# other kinds of question too. Matched on the text in lower case.
# Not "location": in French it is a rental ("location de skis").
WHERE_WORDS = re.compile(
    r"(?:^|\W)où(?:\W|$)|\bse trouve\b|\bsitu[ée]e?s?\b|\bwhere(?:abouts)?\b"
    r"|在哪|哪里|哪儿|位置|定位|地图|坐标"
)


def asks_where(text: str) -> bool:
    """True when the message itself asks where something is."""
    return WHERE_WORDS.search(text.lower()) is not None


def degrees(value: float) -> str:
    """Decimal degrees as an editor writes them: 45.9342, 40.69, never 4.5e+01."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def osm_link(location: Location) -> str:
    lat, lon = degrees(location.lat), degrees(location.lon)
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map={MAP_ZOOM}/{lat}/{lon}"


def amap_link(location: Location, name: str) -> str:
    """Amap's marker page (no key needed), the point named in the reader's language."""
    position = f"{degrees(location.lon)},{degrees(location.lat)}"  # Amap: longitude first
    return (
        f"https://uri.amap.com/marker?position={position}&name={quote(name)}"
        "&coordinate=wgs84&callnative=0"
    )


def location_answer(content: Content, place_id: str, language: str) -> Reply:
    """Where the place is, with its map links and pin; without coordinates,
    that it is not known exactly, and whom to ask."""
    place = content.places[place_id]
    name = place.name[language]
    location = place.location
    if location is None:
        text = content.phrase(
            "location_unknown",
            language,
            place=name,
            contact=contact_details(content, place_id, language),
        )
        return Reply(
            text, why=Why("place", place=place_id, topic="location", missing=True), about=place_id
        )
    text = content.phrase(
        "location",
        language,
        place=name,
        lat=degrees(location.lat),
        lon=degrees(location.lon),
        osm=osm_link(location),
        amap=amap_link(location, name),
        source=location.source,
        checked=format_date(content, location.checked, language),
    )
    reply = Reply(text, why=Why("place", place=place_id, topic="location"), about=place_id)
    reply.pin = (location.lat, location.lon)
    return reply
