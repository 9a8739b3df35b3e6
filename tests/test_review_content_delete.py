"""Deleting an FAQ entry in the content editor: its lines only, through the checks of
``make validate``, recorded in the history, from where it is restored.

The browser side is in tests/test_review_content_browser.py.
"""

from __future__ import annotations

import difflib

from curated.content import load
from rasa_extensions.command import ROOT
from review import content_saving
from review.content_entries import Address, version

CHILDREN = Address("faq", "chamonix_children_minimum_age")
FILE = "faq_mont_blanc.yml"


def test_a_deleted_entry_takes_only_its_lines_and_its_own_comment_out(content_dir):
    before = (content_dir / FILE).read_text(encoding="utf-8")
    value = content_saving.current(content_dir, FILE, CHILDREN)

    outcome = content_saving.delete(content_dir, FILE, CHILDREN, version(value))

    assert outcome.status == "saved"
    after = (content_dir / FILE).read_text(encoding="utf-8")
    diff = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert all(line.startswith("-") for line in diff)
    removed = "\n".join(line[1:] for line in diff)
    assert "- id: chamonix_children_minimum_age" in removed
    assert "- id: chamonix_dogs_lifts_trails" not in removed
    assert "wheelchairaccesstravel" not in removed  # the next entry's comment stays
    assert "id: chamonix_children_minimum_age" not in after
    content = load(content_dir)
    assert [e.id for e in content.faq if e.id.startswith("chamonix_")][:2] == [
        "chamonix_dogs_lifts_trails",
        "chamonix_reduced_mobility",
    ]
    assert content.problems == load(ROOT / "content").problems
    assert outcome.before == {**value, "place": "mont_blanc"}


def test_a_deleted_entry_is_written_again_as_it_was(content_dir):
    value = content_saving.current(content_dir, FILE, CHILDREN)
    deleted = content_saving.delete(content_dir, FILE, CHILDREN, version(value))
    earlier = dict(deleted.before)
    place = earlier.pop("place")

    restored = content_saving.create(content_dir, FILE, CHILDREN.id, place, earlier)

    assert restored.status == "saved"
    assert content_saving.current(content_dir, FILE, CHILDREN) == value
    entry = next(e for e in load(content_dir).faq if e.id == CHILDREN.id)
    assert entry.place == "mont_blanc"


def test_an_entry_changed_since_the_form_opened_is_not_deleted(content_dir):
    before = (content_dir / FILE).read_text(encoding="utf-8")

    outcome = content_saving.delete(content_dir, FILE, CHILDREN, "not-the-version")

    assert outcome.status == "conflict"
    assert (content_dir / FILE).read_text(encoding="utf-8") == before
