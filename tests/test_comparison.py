"""Two places set side by side ("Jinshanling or Simatai?", "金山岭和古北口"):
each one's passage on the topic asked, headed by its name, or the FAQ entry
written for that comparison (actions/comparison.py), through the real actions
and the real content, as tests/test_ranking.py runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk.events import SlotSet

from actions import actions
from curated import live
from curated.content import load
from language.qualifiers import joins
from testkit.actions import nearest_example, run, tracker

ROOT = Path(__file__).resolve().parent.parent

ACTION_OF = {
    "faq": actions.ActionAnswerFaq,
    "out_of_scope": actions.ActionOutOfScope,
}


@pytest.fixture(scope="module")
def content():
    return load(ROOT / "content")


@pytest.fixture(autouse=True)
def content_is_live(content, monkeypatch):
    monkeypatch.setattr(live, "current", lambda: content)


def turn(text, intent, places, language, place=None, nearest="ask_overview"):
    """The action of ``intent`` on ``text`` naming ``places`` ((id, as typed)),
    with what Rasa sends along: the nearest training example and the sentence vector."""
    state = tracker(text, intent, [("place", p, typed) for p, typed in places], language, place)
    state.latest_message["intent"]["nearest_example"] = nearest_example(nearest, 0.7, text)
    action = ACTION_OF.get(intent, actions.ActionAnswerPlace)
    return run(action(), state)


@pytest.mark.parametrize(
    "between", [" ou ", " ou à la ", " or the ", " and ", " vs ", "和", "还是", "长城和"]
)
def test_words_that_join_two_names_set_them_side_by_side(between):
    assert joins(between)


@pytest.mark.parametrize("between", [", à ", " à ", " to ", ", ", "附近的", " near "])
def test_a_place_within_another_or_a_route_sets_nothing_side_by_side(between):
    assert not joins(between)


@pytest.mark.parametrize(
    ("text", "intent", "places", "language", "topic"),
    [
        (
            "Jinshanling ou Simatai : combien coûte l'entrée ?",
            "ask_prices",
            [("jinshanling", "Jinshanling"), ("simatai", "Simatai")],
            "fr",
            "prices",
        ),
        (
            "金山岭和司马台怎么去",
            "ask_directions",
            [("jinshanling", "金山岭"), ("simatai", "司马台")],
            "zh",
            "getting_there",
        ),
        (
            "Brévent or Flégère: what are the opening hours?",
            "ask_hours",
            [("brevent", "Brévent"), ("flegere_lac_blanc", "Flégère")],
            "en",
            "hours",
        ),
    ],
)
def test_two_places_side_by_side_get_each_ones_answer_on_the_topic_asked(
    content, text, intent, places, language, topic
):
    messages, events = turn(text, intent, places, language)
    assert len(messages) == 2, [m["why"] for m in messages]
    for message, (place, _) in zip(messages, places, strict=True):
        found = content.topic(place, topic)
        assert message["text"].startswith(content.places[place].name[language])
        assert found[1].text[language] in message["text"]
        assert message["why"].compared == tuple(p for p, _ in places)
    # The place of the conversation: the first named.
    assert SlotSet("place", places[0][0]) in events


@pytest.mark.parametrize(
    ("text", "places", "language"),
    [
        (
            "Quelle différence entre la Flégère et le Brévent ?",
            [("flegere_lac_blanc", "Flégère"), ("brevent", "Brévent")],
            "fr",
        ),
        ("崇礼和霞慕尼有什么不同", [("chongli", "崇礼"), ("mont_blanc", "霞慕尼")], "zh"),
        (
            "Chongli or Chamonix for a first week of skiing?",
            [("chongli", "Chongli"), ("mont_blanc", "Chamonix")],
            "en",
        ),
    ],
)
def test_without_a_topic_each_place_gets_its_best_passage_headed_by_its_name(
    content, text, places, language
):
    from actions import ranking

    messages, _ = turn(text, "faq", places, language)
    assert len(messages) == 2, [m["why"] for m in messages]
    for message, (place, _) in zip(messages, places, strict=True):
        assert message["text"].startswith(content.places[place].name[language])
        why = message["why"]
        if why.rule == "place":
            assert why.place in ranking.lineage(content, place)
        else:
            entry = next(e for e in content.faq if e.id == why.entry)
            assert entry.place in ranking.lineage(content, place)
    assert messages[0]["text"] != messages[1]["text"]


@pytest.mark.parametrize(
    ("text", "places", "language"),
    [
        ("Badaling ou Mutianyu, combien coûte l'entrée ?", [("badaling", "Badaling"), ("mutianyu", "Mutianyu")], "fr"),
        ("八达岭和慕田峪门票多少钱", [("badaling", "八达岭"), ("mutianyu", "慕田峪")], "zh"),
        ("Badaling or Mutianyu, how much are the tickets?", [("badaling", "Badaling"), ("mutianyu", "Mutianyu")], "en"),
    ],
)  # fmt: skip
def test_a_topic_asked_of_two_places_gets_each_ones_text_not_the_entry_comparing_them(
    content, text, places, language
):
    # content/faq has an entry written to compare Mutianyu and Badaling: it
    # says which to choose, not what either costs.
    messages, _ = turn(text, "ask_prices", places, language)
    assert [(m["why"].rule, m["why"].place, m["why"].topic) for m in messages] == [
        ("place", place, "prices") for place, _ in places
    ]
    for message, (place, _) in zip(messages, places, strict=True):
        assert content.topic(place, "prices")[1].text[language] in message["text"]


@pytest.mark.parametrize(
    ("text", "places", "language"),
    [
        ("Simatai ou Jinshanling, laquelle choisir ?", [("simatai", "Simatai"), ("jinshanling", "Jinshanling")], "fr"),
        ("司马台还是金山岭，选哪个", [("simatai", "司马台"), ("jinshanling", "金山岭")], "zh"),
        ("Simatai or Jinshanling, which one for a first visit?", [("simatai", "Simatai"), ("jinshanling", "Jinshanling")], "en"),
    ],
)  # fmt: skip
def test_the_entry_written_for_that_comparison_answers_it_alone(content, text, places, language):
    messages, _ = turn(text, "faq", places, language)
    assert [(m["why"].rule, m["why"].entry) for m in messages] == [
        ("faq", "great_wall_jinshanling_or_simatai")
    ]


@pytest.mark.parametrize(
    ("text", "intent", "places", "language"),
    [
        (
            "Comment aller de Chambéry à La Féclaz ?",
            "ask_directions",
            [("chambery", "Chambéry"), ("bauges", "La Féclaz")],
            "fr",
        ),
        (
            "le Brévent, à Chamonix, c'est ouvert quand ?",
            "ask_hours",
            [("brevent", "Brévent"), ("mont_blanc", "Chamonix")],
            "fr",
        ),
        ("how to get from Chamonix to the Aiguille du Midi", "ask_directions",
         [("mont_blanc", "Chamonix"), ("aiguille_du_midi", "Aiguille du Midi")], "en"),
    ],
)  # fmt: skip
def test_a_route_or_a_place_within_another_is_one_question(text, intent, places, language):
    messages, _ = turn(text, intent, places, language)
    assert not any(m["why"].compared for m in messages)


@pytest.mark.parametrize(
    ("text", "places", "language"),
    [
        ("Chamonix ou Chongli, où manger des sushis ?", [("mont_blanc", "Chamonix"), ("chongli", "Chongli")], "fr"),
        ("霞慕尼和崇礼哪里的寿司好吃", [("mont_blanc", "霞慕尼"), ("chongli", "崇礼")], "zh"),
        ("Chamonix or Chongli, where is the best sushi?", [("mont_blanc", "Chamonix"), ("chongli", "Chongli")], "en"),
    ],
)  # fmt: skip
def test_two_places_named_in_a_question_the_content_does_not_hold_stay_refused(
    text, places, language
):
    messages, _ = turn(text, "out_of_scope", places, language, nearest="out_of_scope")
    assert messages[0]["why"].rule == "out_of_scope"


@pytest.mark.parametrize(
    ("text", "follow_up", "places", "language"),
    [
        ("Jinshanling ou Simatai : combien coûte l'entrée ?", "et comment s'y rendre en bus ?",
         [("jinshanling", "Jinshanling"), ("simatai", "Simatai")], "fr"),
        ("金山岭和司马台门票多少钱", "交通怎么走？", [("jinshanling", "金山岭"), ("simatai", "司马台")], "zh"),
        ("Jinshanling or Simatai: how much are tickets?", "and how do I get there?",
         [("jinshanling", "Jinshanling"), ("simatai", "Simatai")], "en"),
    ],
)  # fmt: skip
def test_a_follow_up_after_two_places_is_about_the_first_named_and_says_so(
    content, text, follow_up, places, language
):
    _, events = turn(text, "ask_prices", places, language)
    kept = next(e["value"] for e in events if e.get("name") == "place")
    messages, _ = turn(follow_up, "ask_directions", [], language, place=kept)
    first = content.places[places[0][0]]
    assert messages[0]["text"].startswith(first.name[language])
    assert content.topic(first.id, "getting_there")[1].text[language] in messages[0]["text"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Juyongguan ou Badaling, laquelle est la plus calme ?", "fr"),
        ("居庸关还是八达岭人少", "zh"),
        ("Juyongguan or Badaling, which one is quieter?", "en"),
    ],
)
def test_a_place_within_the_other_is_answered_with_its_own_text(content, text, language):
    # Juyongguan hangs under Badaling in content/: Badaling's texts never fill Juyongguan's side.
    names = {
        "fr": ("Juyongguan", "Badaling"),
        "zh": ("居庸关", "八达岭"),
        "en": ("Juyongguan", "Badaling"),
    }
    places = list(zip(("juyongguan", "badaling"), names[language], strict=True))
    messages, _ = turn(text, "faq", places, language)
    assert len(messages) == 2, [m["why"] for m in messages]
    juyongguan = messages[0]
    assert juyongguan["text"].startswith(content.places["juyongguan"].name[language])
    why = juyongguan["why"]
    place = (
        why.place
        if why.rule == "place"
        else next(e for e in content.faq if e.id == why.entry).place
    )
    assert place == "juyongguan"
