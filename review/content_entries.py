"""The entries the content editor changes, as plain values and as the editor's form.

An entry is named by an ``Address``: an FAQ entry (``faq/<id>``), a place's
topic (``topic/<place>/<topic>``), an offer, an event, or one of the assistant's
sentences in content/phrases.yml (``phrase/<key>``, its three texts as ``text``). Its ``plain`` value (texts per language,
ways of asking, facts with their source and checked date) is what the form
shows, what the history keeps and what ``version`` hashes. ``apply`` writes a
plain value into the YAML node read by content_yaml, changing only what
differs and keeping each value's style.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from language import LANGUAGES
from review.content_yaml import styled

if TYPE_CHECKING:  # curated's reader, only named in annotations here
    from curated.content import Content

Plain = dict[str, Any]
MAX_FACTS = 20
MAX_QUESTIONS = 40

# What the form edits of each kind: its texts in three languages (``when``, an event's
# dates in words, may be left out), and its other fields with the input they need.
TEXTS = {
    "faq": ("answer",),
    "topic": ("text",),
    "offer": ("title", "description", "booking"),
    "event": ("title", "description", "when"),
    "phrase": ("text",),
}
OPTIONAL = ("when", "url")
FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "faq": (),
    "topic": (),
    "offer": (
        ("price.amount", "number"),
        ("price.currency", "currency"),
        ("valid_from", "date"),
        ("valid_until", "date"),
        ("timezone", "timezone"),
        ("url", "url"),
    ),
    "event": (
        ("starts", "date"),
        ("ends", "date"),
        ("timezone", "timezone"),
        ("url", "url"),
        ("source", "url"),
        ("checked", "date"),
    ),
    "phrase": (),
}
WITH_FACTS = ("faq", "topic")
LIST_KEYS = {
    "faq": "faq",
    "topic": "places",
    "offer": "offers",
    "event": "events",
    "phrase": "phrases",
}
PHRASES_FILE = "phrases.yml"


@dataclass(frozen=True)
class Address:
    kind: str  # "faq", "topic", "offer", "event" or "phrase"
    id: str  # the entry's id, the place's, or the phrase's key
    topic: str = ""

    @property
    def key(self) -> str:
        return f"topic/{self.id}/{self.topic}" if self.kind == "topic" else f"{self.kind}/{self.id}"

    @property
    def url(self) -> str:
        return "/content/" + self.key

    @property
    def problem_prefix(self) -> str:
        """How curated names the entry's fields in its problems."""
        if self.kind == "topic":
            return f"places.{self.id}.topics.{self.topic}."
        return f"{LIST_KEYS[self.kind]}.{self.id}."

    @classmethod
    def from_key(cls, key: str) -> Address | None:
        parts = key.split("/")
        if len(parts) == 2 and parts[0] in ("faq", "offer", "event", "phrase"):
            return cls(parts[0], parts[1])
        if len(parts) == 3 and parts[0] == "topic":
            return cls("topic", parts[1], parts[2])
        return None


def located(content: Content, address: Address) -> tuple[str, str | None] | None:
    """(file, place) of the entry in the content in use; None when there is no such entry."""
    if address.kind == "phrase":  # every phrase is in phrases.yml, and no place's
        return (PHRASES_FILE, None) if address.id in content.phrases else None
    if address.kind != "topic":
        entries: list[Any] = (
            list(content.offers)
            if address.kind == "offer"
            else list(content.events)
            if address.kind == "event"
            else list(content.faq)
        )
        for entry in entries:
            if entry.id == address.id and entry.origin:
                return entry.origin.file, entry.place
        return None
    place = content.places.get(address.id)
    if place is None or place.origin is None or address.topic not in place.topics:
        return None
    return place.origin.file, place.id


def node_of(document: Any, address: Address) -> Any:
    """The entry's YAML mapping in a file's document, or None."""
    if not isinstance(document, dict):
        return None
    if address.kind == "phrase":
        phrases = document.get("phrases")
        found = phrases.get(address.id) if isinstance(phrases, dict) else None
        return found if isinstance(found, dict) else None
    if address.kind != "topic":
        return _by_id(document.get(LIST_KEYS[address.kind]), address.id)
    place = _by_id(document.get("places"), address.id)
    topics = place.get("topics") if isinstance(place, dict) else None
    return topics.get(address.topic) if isinstance(topics, dict) else None


def _by_id(items: Any, wanted: str) -> Any:
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("id") == wanted:
            return item
    return None


# ---------------------------------------------------------------- plain values


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _texts(node: Any) -> dict[str, str]:
    node = node if isinstance(node, dict) else {}
    return {language: _text(node.get(language)) for language in LANGUAGES}


def _date(value: Any) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else _text(value)


def _facts(node: Any) -> list[Plain]:
    return [
        {
            "text": _texts(fact.get("text")),
            "source": _text(fact.get("source")),
            "checked": _date(fact.get("checked")),
        }
        for fact in (node if isinstance(node, list) else [])
        if isinstance(fact, dict)
    ]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _date(value)


def _parent(node: Any, key: str) -> tuple[Any, str]:
    """The mapping holding ``key`` (``price.amount``: the price) and the last name."""
    *path, last = key.split(".")
    for name in path:
        node = node.get(name) if isinstance(node, dict) else None
    return node, last


def plain(node: Any, kind: str) -> Plain:
    if kind == "phrase":  # the phrase's mapping is its texts
        return {"text": _texts(node)}
    value: Plain = {key: _texts(node.get(key)) for key in TEXTS[kind]}
    for key, _ in FIELDS[kind]:
        parent, last = _parent(node, key)
        value[key] = _scalar(parent.get(last)) if isinstance(parent, dict) else ""
    if kind == "faq":
        questions = node.get("questions") if isinstance(node.get("questions"), dict) else {}
        value["questions"] = {
            language: [_text(q) for q in questions.get(language) or []] for language in LANGUAGES
        }
    if kind in WITH_FACTS:
        value["facts"] = _facts(node.get("facts"))
    return value


def version(value: Plain) -> str:
    """A short fingerprint of an entry: saving checks it has not changed since the form opened."""
    encoded = json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()[:16]


def texts_of(value: Plain) -> dict[str, dict[str, str]]:
    """Every text of the entry in three languages, by field: {"answer": {...}, "facts.0.text": ...}."""
    found: dict[str, dict[str, str]] = {}
    for name in ("answer", "text", "title", "description", "booking", "when"):
        if name in value:
            found[name] = value[name]
    for index, fact in enumerate(value.get("facts", [])):
        found[f"facts.{index}.text"] = fact["text"]
    return found


# ---------------------------------------------------------------- writing into YAML


def apply(node: Any, value: Plain, kind: str) -> None:
    """Writes ``value`` into the entry's YAML mapping, changing only what differs."""
    if kind == "phrase":
        for language in LANGUAGES:
            if _text(node.get(language)) != value["text"][language]:
                node[language] = styled(node.get(language), value["text"][language])
        return
    for key in TEXTS[kind]:
        if key in OPTIONAL and not any(value[key].values()):
            if key in node:
                del node[key]
            continue
        _set_texts(node, key, value[key])
    for key, input_kind in FIELDS[kind]:
        parent, last = _parent(node, key)
        if not isinstance(parent, dict) or _scalar(parent.get(last)) == value[key]:
            continue
        if key in OPTIONAL and not value[key]:
            del parent[last]
        elif input_kind == "date":
            parent[last] = _as_date(value[key])
        elif input_kind == "number":
            parent[last] = _as_number(value[key])
        else:
            parent[last] = styled(parent.get(last), value[key])
    if kind == "faq":
        questions = node.get("questions")
        if not isinstance(questions, dict):
            questions = node["questions"] = CommentedMap()
        for language in LANGUAGES:
            _set_list(questions, language, value["questions"][language])
    if kind in WITH_FACTS:
        _set_facts(node, value["facts"])


def _set_texts(node: Any, key: str, texts: dict[str, str]) -> None:
    current = node.get(key)
    if not isinstance(current, dict):
        current = node[key] = CommentedMap()
    for language in LANGUAGES:
        if _text(current.get(language)) != texts[language]:
            current[language] = styled(current.get(language), texts[language])


def _set_list(node: Any, key: str, items: list[str]) -> None:
    current = node.get(key)
    if [_text(i) for i in current or []] == items:
        return
    if not isinstance(current, list):
        current = node[key] = CommentedSeq()
    model = current[0] if len(current) else None
    for index, item in enumerate(items):
        if index < len(current):
            if _text(current[index]) != item:
                current[index] = styled(current[index], item)
        else:
            current.append(styled(model, item))
    del current[len(items) :]


def _set_facts(node: Any, facts: list[Plain]) -> None:
    current = node.get("facts")
    if _facts(current) == facts:
        return
    if not isinstance(current, list):
        current = node["facts"] = CommentedSeq()
    for index, fact in enumerate(facts):
        if index >= len(current):
            current.append(
                CommentedMap([("text", CommentedMap()), ("source", ""), ("checked", "")])
            )
        target = current[index]
        _set_texts(target, "text", fact["text"])
        if _text(target.get("source")) != fact["source"]:
            target["source"] = styled(target.get("source"), fact["source"])
        if _date(target.get("checked")) != fact["checked"]:
            target["checked"] = _as_date(fact["checked"])
    del current[len(facts) :]
    if not current:
        del node["facts"]


def _as_number(text: str) -> Any:
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return text  # the checks name it next to its field
    return int(number) if number.is_integer() else number


def _as_date(text: str) -> Any:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return text  # the checks name it next to its field


# ---------------------------------------------------------------- the form


def _clean(text: str) -> str:
    """A text from a textarea: the browser's line ends made plain, no trailing spaces."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()


def from_form(form: dict[str, str], kind: str) -> Plain:
    """The plain value the editor's form holds (fields named as ``form_field`` names them)."""
    value: Plain = {
        key: {language: _clean(form.get(f"{key}.{language}", "")) for language in LANGUAGES}
        for key in TEXTS[kind]
    }
    for key, _ in FIELDS[kind]:
        value[key] = form.get(key, "").strip()
    if kind == "faq":
        value["questions"] = {
            language: [
                line.strip()
                for line in form.get(f"questions.{language}", "").splitlines()
                if line.strip()
            ][:MAX_QUESTIONS]
            for language in LANGUAGES
        }
    facts = []
    for index in range(MAX_FACTS):
        if f"facts.{index}.source" not in form or form.get(f"facts.{index}.remove") == "yes":
            continue
        texts = {
            language: _clean(form.get(f"facts.{index}.text.{language}", ""))
            for language in LANGUAGES
        }
        source = form.get(f"facts.{index}.source", "").strip()
        checked = form.get(f"facts.{index}.checked", "").strip()
        if any(texts.values()) or source:  # a blank new row is no fact
            facts.append({"text": texts, "source": source, "checked": checked})
    if kind in WITH_FACTS:
        value["facts"] = facts
    return value


def form_fields(value: Plain, kind: str) -> list[str]:
    """Every field name of the form for ``value``: a problem elsewhere is shown above it."""
    names = [key for key, _ in FIELDS[kind]]
    for key in TEXTS[kind]:
        names += [key] + [f"{key}.{language}" for language in LANGUAGES]
    if kind == "faq":
        names += ["questions"] + [f"questions.{language}" for language in LANGUAGES]
    for index in range(len(value.get("facts", [])) + 1 if kind in WITH_FACTS else 0):
        names += [f"facts.{index}", f"facts.{index}.text", f"facts.{index}.source"]
        names += [f"facts.{index}.checked"]
        names += [f"facts.{index}.text.{language}" for language in LANGUAGES]
    return names


_FACT = re.compile(r"facts\[(\d+)\]")
_ITEM = re.compile(r"^(questions\.\w+)\[\d+\]$")


def form_field(problem_field: str, address: Address) -> str | None:
    """The form field a problem of curated is about (``faq.x.facts[1].checked`` -> ``facts.0.checked``)."""
    if not problem_field.startswith(address.problem_prefix):
        return None
    rest = problem_field[len(address.problem_prefix) :]
    if address.kind == "phrase":  # ``phrases.fact.zh``: the phrase's Chinese text
        return f"text.{rest}"
    rest = _FACT.sub(lambda found: f"facts.{int(found[1]) - 1}", rest)
    return _ITEM.sub(r"\1", rest)
