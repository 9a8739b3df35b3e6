"""The curated content: complete, factual, in three languages, and forgiving of mistakes."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from curated.content import load
from curated.schema import TOPICS

REQUIRED_PLACES = {
    "mont_blanc",
    "aiguille_du_midi",
    "mer_de_glace",
    "tramway_mont_blanc",
    "badaling",
    "juyongguan",
    "mutianyu",
    "shuiguan",
    "yanqing",
    "bauges",
    "zhangjiakou",
    "chongli",
    "chambery",
    "usmb",
}


def test_the_content_loads_without_a_single_problem(content):
    assert [str(p) for p in content.problems] == []


def test_every_subject_of_the_mission_is_covered(content):
    assert set(content.places) >= REQUIRED_PLACES


@pytest.mark.parametrize(
    "place_id, topics",
    [
        ("mont_blanc", TOPICS),
        ("badaling", TOPICS),
        ("bauges", TOPICS),
        ("chongli", ("overview", "getting_there", "prices", "best_time", "activities")),
        ("zhangjiakou", ("overview", "getting_there", "best_time", "activities")),
        ("yanqing", ("overview", "getting_there", "best_time", "activities")),
    ],
)
def test_main_destinations_answer_their_topics_in_three_languages(content, place_id, topics):
    for topic in topics:
        found = content.topic(place_id, topic)
        assert found, f"{place_id} has no {topic}"
        assert set(found[1].text) == {"fr", "zh", "en"}


def test_every_place_leads_to_a_sister_destination(content):
    for place_id in content.places:
        assert content.inherited(place_id, "suggestion"), place_id
        sister = content.inherited(place_id, "sister")
        assert sister in content.places and sister != place_id, place_id


def test_the_symbols_are_sisters(content):
    assert content.places["mont_blanc"].sister == "badaling"
    assert content.places["badaling"].sister == "mont_blanc"
    assert content.places["bauges"].sister in ("chongli", "zhangjiakou")


def test_every_changeable_figure_has_a_source_and_a_check_date(content):
    facts = [f for p in content.places.values() for t in p.topics.values() for f in t.facts]
    assert facts
    for fact in facts:
        assert fact.source.startswith("https://")
        assert dt.date(2020, 1, 1) <= fact.checked <= dt.date.today()


def test_offers_are_marked_as_samples_until_an_office_replaces_them(content):
    assert content.offers and all(o.sample for o in content.offers)


def write(tmp_path, name, text):
    (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return load(tmp_path)


def test_a_yaml_syntax_error_is_reported_with_file_line_and_column(tmp_path):
    loaded = write(
        tmp_path,
        "broken.yml",
        """\
        places:
          - id: x
            name: {fr: "a", zh: "b", en: "c"
        """,
    )
    [problem] = loaded.problems
    assert (problem.file, problem.field) == ("broken.yml", "(file)")
    assert "not valid YAML, column" in problem.message and problem.line >= 3


def test_a_missing_translation_names_the_field_and_the_language(tmp_path):
    loaded = write(
        tmp_path,
        "places.yml",
        """\
        places:
          - id: lac
            name:
              fr: "Lac du Bourget"
              en: "Lake Bourget"
        """,
    )
    assert [(p.line, p.field, p.message) for p in loaded.problems] == [
        (3, "places.lac.name.zh", "the text in this language is missing or empty.")
    ]


def test_an_offer_ending_before_it_starts_is_refused(tmp_path):
    loaded = write(
        tmp_path,
        "offers.yml",
        """\
        offers:
          - id: bad
            place: nowhere
            title: {fr: a, zh: b, en: c}
            description: {fr: a, zh: b, en: c}
            booking: {fr: a, zh: b, en: c}
            price: {amount: -5, currency: EUR}
            valid_from: 2027-03-01
            valid_until: 2027-01-01
            timezone: Europe/Paris
        """,
    )
    fields = {p.field: p.message for p in loaded.problems}
    assert fields["offers.bad.valid_until"] == "is before valid_from."
    assert fields["offers.bad.price.amount"] == "is not a positive number."
    assert loaded.offers == []


def test_one_broken_file_does_not_lose_the_others(tmp_path):
    (tmp_path / "a.yml").write_text("places: [\n", encoding="utf-8")
    loaded = write(
        tmp_path,
        "b.yml",
        """\
        places:
          - id: ok
            name: {fr: a, zh: b, en: c}
        """,
    )
    assert list(loaded.places) == ["ok"]
    assert [p.file for p in loaded.problems] == ["a.yml"]
