"""Answers found in the whole content: the ranking of passages with the pipeline's signals.

Conversations as a tourist has them (the real actions, the real content), and
the pure parts (qualifiers, place constraints, the sentence vector's transport).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy
import pytest

from actions import actions, ranking
from actions.passages import passages_of
from curated import live
from curated.content import load
from language import meaning
from language.qualifiers import countries_of, qualifiers_of
from testkit.actions import run, tracker

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 12, 6, 12, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def content():
    return load(ROOT / "content")


@pytest.fixture(autouse=True)
def content_is_live(content, monkeypatch):
    monkeypatch.setattr(live, "current", lambda: content)


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("Peut-on louer des skis de fond sur place ?", "rental"),
        ("可以租滑雪板吗", "rental"),
        ("Can we hire snowshoes there?", "rental"),
        ("C'est ouvert en hiver ?", "winter"),
        ("冬天去合适吗", "winter"),
        ("Is it good with a toddler?", "children"),
        ("带孩子去可以吗", "children"),
        ("Il faut réserver à l'avance ?", "booking"),
        ("How long does the drive take?", "duration"),
    ],
)
def test_a_detail_asked_is_read_in_each_language(text, qualifier):
    assert qualifier in qualifiers_of(text)


def test_a_place_name_is_no_detail():
    assert qualifiers_of("Longqing Gorge") == frozenset()
    assert qualifiers_of("la Grande Muraille de Badaling") == frozenset()


@pytest.mark.parametrize(
    "text",
    [
        "冬奥会的比赛场馆还能参观吗",
        "les sites des Jeux olympiques d'hiver",
        "the Winter Olympics venues",
        "冬季两项体验课",
    ],
)
def test_the_winter_olympics_and_biathlon_are_no_season_asked(text):
    assert "winter" not in qualifiers_of(text)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("冬奥会的跳台滑雪比赛在崇礼哪里举行", "zh"),
        ("Où a eu lieu le saut à ski des JO d'hiver à Chongli ?", "fr"),
        ("where did the ski jumping of the winter olympics take place in chongli", "en"),
    ],
)
def test_a_question_about_the_olympic_venues_finds_their_entry(content, text, language):
    vector = meaning.encode([text])[0]
    question = ranking.Question(text, language, place="chongli", named=True, vector=vector)
    assert ranking.rank(content, question, NOW)[0].passage.id == "faq zhangjiakou_olympic_venues"


def test_a_chinese_name_jieba_cuts_apart_still_finds_its_place():
    # jieba cuts 南针峰 (the Aiguille du Midi) as 南 / 针峰; pairs of characters still meet.
    from actions.retrieval import tokens

    assert "南针" in tokens("南针峰缆车几点开") and "针峰" in tokens("南针峰缆车几点开")


def test_the_country_a_question_names_is_read():
    assert countries_of("le numéro d'urgence en France") == {"france"}
    assert countries_of("中国的紧急电话是多少") == {"china"}


def test_the_sentence_vector_travels_packed_and_keeps_its_direction():
    vector = numpy.random.default_rng(1).normal(size=meaning.DIMENSIONS).astype(numpy.float32)
    vector /= numpy.linalg.norm(vector)
    unpacked = meaning.unpack(meaning.pack(vector))
    assert unpacked is not None
    assert float(unpacked @ vector) > 0.99
    assert meaning.unpack("not base64!") is None
    assert meaning.unpack(12) is None


def test_every_answerable_unit_is_a_passage(content):
    kinds = {p.kind for p in passages_of(content)}
    assert {"topic", "faq", "event", "offer"} <= kinds
    topics = [p for p in passages_of(content) if p.kind == "topic"]
    assert len(topics) == sum(len(place.topics) for place in content.places.values())


@pytest.mark.parametrize(
    ("text", "language", "place"),
    [
        ("tarifs et horaires à Badaling", "fr", "badaling"),
        ("南针峰门票多少钱", "zh", "aiguille_du_midi"),
        ("how much is a ski pass at Genting", "en", "genting"),
    ],
)
def test_a_question_naming_a_place_never_ranks_another_places_passage(
    content, text, language, place
):
    question = ranking.Question(text, language, place=place, named=True)
    allowed = ranking.lineage(content, place)
    ranked = ranking.rank(content, question, NOW)
    assert ranked
    assert all(r.passage.place is None or r.passage.place in allowed for r in ranked)


def test_a_section_named_is_never_answered_with_another_section(content):
    question = ranking.Question("八达岭长城门票多少钱", "zh", place="badaling", named=True)
    sections = {"mutianyu", "jinshanling", "simatai", "gubeikou", "jiankou", "juyongguan"}
    assert not {r.passage.place for r in ranking.rank(content, question, NOW)} & sections


def test_a_question_naming_france_never_ranks_a_chinese_passage(content):
    question = ranking.Question("quel est le numéro d'urgence en France", "fr")
    assert all(r.passage.country != "china" for r in ranking.rank(content, question, NOW))


def refused_turn(text, language, place, intent="out_of_scope", nearest="ask_prices"):
    """The out-of-scope action on ``text`` after ``place``, with what Rasa
    sends along: the nearest training example and the sentence vector."""
    state = tracker(text, intent, [], language, place)
    state.latest_message["intent"]["nearest_example"] = {
        "intent": nearest,
        "similarity": 0.7,
        "vector": meaning.pack(meaning.encode([text])[0]),
    }
    return run(actions.ActionOutOfScope(), state)


@pytest.mark.parametrize(
    ("text", "language", "place", "expected"),
    [
        ("et on peut louer le matériel sur place ?", "fr", "bauges", "lou"),
        ("那里可以租装备吗", "zh", "bauges", "租"),
        ("can we rent the equipment there?", "en", "bauges", "rent"),
    ],
)
def test_a_detail_asked_after_a_place_is_answered_from_that_place(
    content, text, language, place, expected
):
    messages, _ = refused_turn(text, language, place)
    why = messages[0]["why"]
    assert not why.refused, why
    assert why.place is None or why.place in ranking.lineage(content, place)
    assert expected in messages[0]["text"].lower()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("un bon restaurant de sushis à Chamonix ?", "fr"),
        ("霞慕尼有好吃的寿司店吗", "zh"),
        ("a good sushi bar in Chamonix?", "en"),
    ],
)
def test_a_question_the_content_does_not_hold_stays_refused(text, language):
    messages, _ = refused_turn(text, language, "mont_blanc", nearest="out_of_scope")
    assert messages[0]["why"].rule == "out_of_scope"


def test_a_message_with_no_word_of_the_content_is_refused_not_crashed():
    messages, _ = refused_turn("zzzz qqqq", "en", "mont_blanc")
    assert messages[0]["why"].rule == "out_of_scope"


def test_a_larger_places_text_answers_only_where_the_place_has_none(content):
    question = ranking.Question(
        "慕田峪长城门票", "zh", topic="prices", place="mutianyu", named=True
    )
    topics = [r.passage for r in ranking.rank(content, question, NOW) if r.passage.kind == "topic"]
    assert {p.place for p in topics if p.topic == "prices"} == {"mutianyu"}
    # Mutianyu has no best-time text of its own: the Great Wall's (its parent's) answers.
    assert content.topic("mutianyu", "best_time")[0].id == "badaling"
    assert {p.place for p in topics if p.topic == "best_time"} == {"badaling"}


def faq_turn(text, language):
    """The FAQ action on ``text``, with the sentence vector Rasa sends along."""
    state = tracker(text, "faq", [], language)
    state.latest_message["intent"]["nearest_example"] = {
        "intent": "faq",
        "similarity": 0.7,
        "vector": meaning.pack(meaning.encode([text])[0]),
    }
    return run(actions.ActionAnswerFaq(), state)


def answer_of(content, entry_id, language):
    return next(e for e in content.faq if e.id == entry_id).answer[language]


@pytest.mark.parametrize(
    ("text", "language", "first", "second"),
    [
        ("Quel adaptateur électrique pour la France ?", "fr",
         "electricity_plugs_voltage", "china_plugs_voltage"),
        ("在中国用什么手机卡", "zh", "mobile_data_sim_esim", "china_sim_esim_data"),
        ("Which SIM card should I buy in China?", "en", "china_sim_esim_data", "mobile_data_sim_esim"),
    ],
)  # fmt: skip
def test_when_the_first_is_not_clearly_ahead_the_second_is_given_after_it(
    content, text, language, first, second
):
    messages, _ = faq_turn(text, language)
    reply = messages[0]["text"]
    one, two = answer_of(content, first, language), answer_of(content, second, language)
    assert one in reply and two in reply
    assert reply.index(one) < reply.index(two)
    assert [s.passage for s in messages[0]["why"].ranked] == [f"faq {first}", f"faq {second}"]


@pytest.mark.parametrize(
    ("text", "language", "entry"),
    [
        ("Faut-il laisser un pourboire en France ?", "fr", "tipping_in_france"),
        ("法国要给小费吗", "zh", "tipping_in_france"),
        ("What plugs do they use in France?", "en", "electricity_plugs_voltage"),
    ],
)
def test_a_first_clearly_ahead_is_given_alone(content, text, language, entry):
    messages, _ = faq_turn(text, language)
    why = messages[0]["why"]
    assert (why.rule, why.entry) == ("faq", entry)
    assert len(why.ranked) <= 1  # given alone: nothing close behind
    assert answer_of(content, entry, language) in messages[0]["text"]
