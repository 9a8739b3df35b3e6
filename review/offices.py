"""The tourism offices (content/offices.yml) and which entries each one's editors may change.

An entry belongs to the office that lists its file, else to the office that
lists its place or a larger place it lies within (entries of the shared files:
faq.yml, offers.yml, events.yml...). An entry of no office is changed by an
administrator only. ``make validate`` checks offices.yml like the other files
(curated/schema.py ``OFFICE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:  # curated's reader, only named in annotations here
    from curated.content import Content


OFFICES_FILE = "offices.yml"


@dataclass(frozen=True)
class Office:
    id: str
    name: dict[str, str]  # language -> name
    files: tuple[str, ...]  # content file names, with ".yml"
    places: tuple[str, ...]


def read(content_dir: Path) -> dict[str, Office]:
    """The offices declared in ``content_dir``/offices.yml (none when it is missing)."""
    path = Path(content_dir) / OFFICES_FILE
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    offices = {}
    for item in data.get("offices") or []:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue  # make validate names it
        offices[item["id"]] = Office(
            id=item["id"],
            name=dict(item.get("name") or {}),
            files=tuple(f"{name}.yml" for name in item.get("files") or ()),
            places=tuple(item.get("places") or ()),
        )
    return offices


def owner(offices: dict[str, Office], content: Content, file: str, place: str | None) -> str | None:
    """The office an entry of ``file`` about ``place`` belongs to, or None."""
    for office in offices.values():
        if file in office.files:
            return office.id
    if place:
        within = [p.id for p in content.lineage(place)] or [place]
        for office in offices.values():
            if set(office.places) & set(within):
                return office.id
    return None


def may_edit(session: dict, office: str | None) -> bool:
    """An admin changes everything; an editor the entries of their office only."""
    if session["role"] == "admin":
        return True
    return session["role"] == "editor" and office is not None and session.get("office") == office
