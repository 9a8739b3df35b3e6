"""Answers found in the whole content: the ranking of passages with the pipeline's signals.

Conversations as a tourist has them (the real actions, the real content), and
the pure parts (qualifiers, place constraints, the sentence vector's transport).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy
import pytest

from actions import actions, ranking
from actions.passages import passages_of
from actions.retrieval import index_of
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


def ranked_ids(content, text, language, place, now, **asked):
    question = ranking.Question(
        text, language, place=place, vector=meaning.encode([text])[0], **asked
    )
    return [r.passage.id for r in ranking.rank(content, question, now)]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Semaine nordique au Petit Canada", "fr"),
        ("「小加拿大」北欧滑雪周", "zh"),
        ("Nordic week in Little Canada", "en"),
    ],
)
def test_an_offer_is_ranked_while_it_runs_and_never_after(content, text, language):
    offer = "offer winter-nordic-bauges-2027"  # valid 2026-12-15 to 2027-03-15
    running = dt.datetime(2027, 1, 10, 12, tzinfo=dt.timezone.utc)
    expired = dt.datetime(2027, 3, 20, 12, tzinfo=dt.timezone.utc)
    assert ranked_ids(content, text, language, "bauges", running)[0] == offer
    assert offer not in ranked_ids(content, text, language, "bauges", expired)
    assert offer not in ranked_ids(content, text, language, None, expired)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Marché de Noël de Chambéry", "fr"),
        ("尚贝里圣诞市集", "zh"),
        ("Chambéry Christmas Market", "en"),
    ],
)
def test_an_event_is_ranked_until_its_last_day_where_it_takes_place(content, text, language):
    event = "event marche-de-noel-chambery-2026"  # ends 2026-12-24, in Chambéry
    last_evening = dt.datetime(2026, 12, 24, 22, 30, tzinfo=dt.timezone.utc)  # 23:30 there
    next_day = dt.datetime(2026, 12, 24, 23, 30, tzinfo=dt.timezone.utc)  # 00:30 there
    assert ranked_ids(content, text, language, "chambery", last_evening)[0] == event
    assert event not in ranked_ids(content, text, language, "chambery", next_day)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("combien coûte l'entrée ?", "fr"),
        ("门票多少钱", "zh"),
        ("how much is the ticket?", "en"),
    ],
)
def test_the_same_question_after_another_place_keeps_to_that_place(content, text, language):
    for place in ("badaling", "mutianyu", "aiguille_du_midi", "badaling"):
        near = ranking.lineage(content, place)
        question = ranking.Question(text, language, topic="prices", confidence=0.9, place=place)
        ranked = ranking.rank(content, question, NOW)
        assert ranked
        assert all(r.passage.place is None or r.passage.place in near for r in ranked)
        first_price = next(r.passage for r in ranked if r.passage.topic == "prices")
        assert first_price.place == content.topic(place, "prices")[0].id


def documented_ranking(content, question, now):
    """The module docstring's score, one passage at a time, and ``allowed``:
    what ``rank`` computes for all passages at once."""
    found = []
    near = ranking.lineage(content, question.place) if question.place else set()
    for scored in index_of(content).search(question.text, question.vector):
        passage = scored.passage
        if not ranking.allowed(content, question, passage, now):
            continue
        spoken = question.qualifiers & passage.qualifiers
        score = (
            ranking.W_LEXICAL * scored.lexical
            + ranking.W_MEANING * scored.meaning
            + ranking.W_TOPIC
            * (passage.topic is not None and passage.topic == question.topic)
            * question.confidence
            + ranking.W_QUALIFIER * bool(spoken)
            + ranking.W_PLACE * (passage.place == question.place and question.place is not None)
            + ranking.W_PLACE * 0.5 * (passage.place in near and passage.place != question.place)
        )
        found.append((passage.id, score, scored.lexical, scored.meaning, spoken))
    return sorted(found, key=lambda r: -r[1])


@pytest.mark.parametrize(
    ("text", "language", "topic", "place"),
    [
        ("peut-on louer des raquettes en hiver ?", "fr", None, "bauges"),
        ("Le numéro d'urgence en France ?", "fr", None, "badaling"),
        ("门票多少钱", "zh", "prices", "mutianyu"),
        ("冬天去合适吗", "zh", "best_time", None),
        ("is it good with a toddler?", "en", None, "chamonix"),
        ("how do I get there from Geneva?", "en", "getting_there", "chamonix"),
    ],
)
def test_the_ranking_is_the_documented_score_best_first(content, text, language, topic, place):
    question = ranking.Question(
        text, language, "ask", 0.8, topic, place, vector=meaning.encode([text])[0]
    )
    spring = dt.datetime(2027, 5, 25, 12, tzinfo=dt.timezone.utc)  # another set of offers, events
    for now in (NOW, spring):
        ranked = [
            (r.passage.id, r.score, r.lexical, r.meaning, r.qualifiers)
            for r in ranking.rank(content, question, now)
        ]
        assert ranked == documented_ranking(content, question, now)


def test_an_offer_removed_by_a_live_reload_is_no_longer_ranked(content):
    text = "Olympic skiing in Chongli"
    assert "offer winter-ski-chongli-2027" in ranked_ids(content, text, "en", "chongli", NOW)
    reloaded = replace(content, offers=[o for o in content.offers if o.place != "chongli"])
    assert "offer winter-ski-chongli-2027" not in ranked_ids(reloaded, text, "en", "chongli", NOW)


def test_a_terms_scores_are_rank_bm25s(content):
    index = index_of(content)
    terms = sorted(index.bm25.idf)[::7] + ["南针", "chamonix", "not-a-term"]
    for term in terms:
        expected = numpy.asarray(index.bm25.get_scores([term]), dtype=float)
        assert numpy.array_equal(index._term_scores(term), expected), term


def test_passages_scored_alike_keep_the_contents_order(content):
    # No word of the content and no vector (a button): every passage scores 0,
    # and the order stays the content's, as a stable sort keeps it.
    question = ranking.Question("zzzz qqqq", "en", place="bauges")
    ranked = ranking.rank(content, question, NOW)
    assert {r.score for r in ranked} == {0.0}
    assert [(r.passage.id, r.score) for r in ranked] == [
        (i, s) for i, s, *_ in documented_ranking(content, question, NOW)
    ]
