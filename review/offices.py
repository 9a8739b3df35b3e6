"""Which entries each tourism office's editors may change (content/offices.yml, read
by curated/offices.py, which the hand-off reads too).

An entry belongs to the office that lists its file, else to the office that
lists its place or a larger place it lies within (entries of the shared files:
faq.yml, offers.yml, events.yml...). An entry of no office is changed by an
administrator only. ``make validate`` checks offices.yml like the other files
(curated/schema.py ``OFFICE``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from curated.offices import Office, read

__all__ = ["Office", "may_edit", "owner", "read"]  # read: curated's, the one reader

if TYPE_CHECKING:  # curated's reader, only named in annotations here
    from curated.content import Content


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
