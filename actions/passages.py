"""Every answerable unit of content/ as a passage, for the search (actions/retrieval.py).

A passage is what a reply can be made of, as written by a tourism office: a
place's topic text (with its facts), an FAQ answer (its ways of asking as
extra keys to find it by), an event, an offer. Each carries its place, the
country it is in, its topic, the qualifiers it speaks of (season, audience,
rental...: language/qualifiers.py) and its three languages.

Built from one version of the content; ``passages_of(content)`` keeps the list
of the content object it was built from, so a live reload builds it anew.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from curated.content import Content
from language.qualifiers import countries_of, qualifiers_of


@dataclass(frozen=True)
class Passage:
    id: str  # "topic badaling prices", "faq paying_in_china", "event utmb", "offer x"
    kind: str  # topic | faq | event | offer
    place: str | None  # the place of content/ it is about (None: a country-wide matter)
    topic: str | None  # a place topic (overview, prices...) or None
    texts: dict[str, str]  # language -> what is searched (the answer, the place's name)
    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)  # FAQ ways of asking
    country: str | None = None
    qualifiers: frozenset[str] = frozenset()
    entry: str = ""  # the id of the content entry it comes from (place, FAQ entry...)

    def searched(self, language: str | None = None) -> list[str]:
        """Its texts and keys, in one language or all."""
        languages = [language] if language else sorted(self.texts)
        found = [self.texts[lang] for lang in languages if lang in self.texts]
        for lang in languages:
            found.extend(self.keys.get(lang, ()))
        return found


def build(content: Content) -> list[Passage]:
    countries = _place_countries(content)
    found: list[Passage] = []
    for place in content.places.values():
        for topic, body in place.topics.items():
            texts = {
                lang: " ".join([place.name[lang], text, *(f.text[lang] for f in body.facts)])
                for lang, text in body.text.items()
            }
            found.append(
                Passage(
                    f"topic {place.id} {topic}", "topic", place.id, topic, texts,
                    country=countries.get(place.id), qualifiers=_qualifiers(texts.values()),
                    entry=place.id,
                )
            )  # fmt: skip
    for entry in content.faq:
        texts = dict(entry.answer)
        keys = {lang: tuple(questions) for lang, questions in entry.questions.items()}
        every = [*texts.values(), *(q for qs in keys.values() for q in qs)]
        country = countries.get(entry.place) if entry.place else _one_country(every)
        found.append(
            Passage(
                f"faq {entry.id}", "faq", entry.place, None, texts, keys, country,
                _qualifiers(q for asked in keys.values() for q in asked),
                entry=entry.id,
            )
        )  # fmt: skip
    # Events and offers: their title and description, about their place.
    for kind, items in (("event", content.events), ("offer", content.offers)):
        for item in items:
            texts = {lang: f"{item.title[lang]} {item.description[lang]}" for lang in item.title}
            found.append(
                Passage(
                    f"{kind} {item.id}", kind, item.place, None, texts,
                    country=countries.get(item.place), qualifiers=_qualifiers(texts.values()),
                    entry=item.id,
                )
            )  # fmt: skip
    return found


def _qualifiers(texts: Iterable[str]) -> frozenset[str]:
    """The qualifiers a passage speaks of, in any of its texts."""
    found: set[str] = set()
    for text in texts:
        found |= qualifiers_of(text)
    return frozenset(found)


def _one_country(texts: Iterable[str]) -> str | None:
    named: set[str] = set()
    for text in texts:
        named |= countries_of(text)
    return next(iter(named)) if len(named) == 1 else None


def _place_countries(content: Content) -> dict[str, str]:
    """Each place's country: the one its destination's overview names (the
    destination being the place's farthest ancestor), for all its places."""
    found: dict[str, str] = {}
    for place in content.places.values():
        root = content.lineage(place.id)[-1]
        overview = root.topics.get("overview")
        texts = list(overview.text.values()) if overview else []
        country = _one_country(texts) or _one_country(
            [t for body in root.topics.values() for t in body.text.values()]
        )
        if country:
            found[place.id] = country
    return found


_cache: tuple[Content | None, list[Passage]] = (None, [])
_lock = threading.Lock()


def passages_of(content: Content) -> list[Passage]:
    """The passages of this content object (built again after a live reload)."""
    global _cache
    with _lock:
        if _cache[0] is content:
            return _cache[1]
        built = build(content)
        _cache = (content, built)
        return built
