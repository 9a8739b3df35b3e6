"""FAQ entries (content/faq.yml): checked like any content, answered without training.

The schema accepts a good entry and points at a broken one; the matching
(actions/faq.py) finds the entry for questions worded differently in each
language and leaves unrelated ones alone; an edited answer is served after a
live reload; the actions answer FAQ questions and keep their other answers.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
from rasa_sdk.events import SlotSet

import curated.live
from actions import answers, faq
from actions.actions import ActionAnswerFaq, ActionAnswerPlace, ActionOutOfScope
from curated.content import Content, load
from curated.live import LiveContent
from testkit.actions import run, tracker

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
faq:
  - id: lake_swimming
    place: chambery
    questions:
      fr: ["Peut-on se baigner dans le lac ?", "baignade lac du Bourget"]
      zh: ["可以在湖里游泳吗？"]
      en: ["Can I swim in the lake?", "swimming in lake bourget", "is the lake ok for a swim"]
    answer:
      fr: "Oui, aux plages surveillées en été."
      zh: "可以，夏季请在有救生员的湖滩游泳。"
      en: "Yes, at the supervised beaches in summer."
"""


def read(tmp_path: Path, text: str) -> Content:
    """The real content plus a file lake.yml holding ``text``."""
    directory = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    (directory / "lake.yml").write_text(text, encoding="utf-8")
    return load(directory)


# ---------------------------------------------------------------- schema


def test_a_good_entry_is_accepted_with_different_counts_per_language(tmp_path):
    loaded = read(tmp_path, GOOD)
    assert loaded.problems == []
    [entry] = [e for e in loaded.faq if e.id == "lake_swimming"]
    assert entry.id == "lake_swimming" and entry.place == "chambery"
    assert [len(entry.questions[lang]) for lang in ("fr", "zh", "en")] == [2, 1, 3]
    assert entry.answer["zh"] == "可以，夏季请在有救生员的湖滩游泳。"


def test_a_broken_entry_is_reported_with_file_line_and_field(tmp_path):
    broken = GOOD.replace('      zh: ["可以在湖里游泳吗？"]\n', "      zh: []\n").replace(
        '      en: "Yes, at the supervised beaches in summer."\n', ""
    )
    loaded = read(tmp_path, broken)
    assert [str(p) for p in loaded.problems] == [
        "lake.yml:6: faq.lake_swimming.questions.zh: the text in this language is empty. "
        "Fix: Write the text after zh: (or ask a translator).",
        "lake.yml:8: faq.lake_swimming.answer.en: the text in this language is missing or empty. "
        "Fix: Add a en: line with the text.",
    ]
    assert "lake_swimming" not in [e.id for e in loaded.faq]  # not answered until fixed


def test_a_typo_and_an_unknown_place_are_reported(tmp_path):
    broken = GOOD.replace("    answer:", "    anwser:").replace(
        "place: chambery", "place: chamberi"
    )
    assert [str(p) for p in read(tmp_path, broken).problems] == [
        "lake.yml:8: faq.lake_swimming.anwser: is not a field the assistant knows (a typo?). "
        "Fix: Did you mean answer? Correct the spelling.",
        "lake.yml:3: faq.lake_swimming.place: points to 'chamberi', which is not the id of any place. "
        "Fix: Did you mean chambery? Use the id: of a place in content/.",
    ]


def test_the_real_faq_is_valid_and_its_places_exist(content):
    assert [str(p) for p in content.problems] == []
    assert len(content.faq) >= 6
    for entry in content.faq:
        assert entry.place is None or entry.place in content.places
        for language in ("fr", "zh", "en"):
            assert len(entry.questions[language]) >= 3, (
                entry.id,
                language,
            )  # content/faq.yml's rule


def test_the_faq_examples_of_the_editors_guide_are_valid(tmp_path):
    readme = (ROOT / "content" / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if b.startswith("faq:")]
    assert len(blocks) == 3  # fr, en, zh
    for number, block in enumerate(blocks):
        directory = Path(shutil.copytree(ROOT / "content", tmp_path / str(number)))
        (directory / "example.yml").write_text(block, encoding="utf-8")
        loaded = load(directory)
        assert [str(p) for p in loaded.problems] == []
        assert any(e.id == "lac_du_bourget_baignade" for e in loaded.faq)


# ---------------------------------------------------------------- matching


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("fr", "il me faut un visa pour aller en France ?", "travel_documents"),
        (
            "fr",
            "mon fils de 4 ans peut monter à l'aiguille du midi ?",
            "aiguille_du_midi_children_altitude",
        ),
        ("fr", "s'habiller comment pour la grande muraille l'hiver", "great_wall_winter_clothing"),
        ("zh", "去法国要不要签证", "travel_documents"),
        ("zh", "冬天去长城穿什么衣服好", "great_wall_winter_clothing"),
        ("zh", "崇礼一月冷吗", "chongli_january_cold"),
        (
            "en",
            "do kids get altitude sickness at the aiguille du midi",
            "aiguille_du_midi_children_altitude",
        ),
        ("en", "is la feclaz good for beginner cross country skiers", "feclaz_beginners"),
        ("en", "can I use my foreign credit card in china", "paying_in_china"),
    ],
)
def test_questions_worded_differently_find_their_entry(content, language, text, expected):
    match = faq.answer_for(content, text, language)
    assert match is not None and match.entry.id == expected, match


@pytest.mark.parametrize(
    "language, text, intent",
    [
        ("fr", "raconte-moi une histoire drôle", "out_of_scope"),
        ("fr", "quel est le prix du train du Montenvers", "ask_prices"),
        ("zh", "帮我写一首诗", "out_of_scope"),
        ("zh", "八达岭几点关门", "ask_hours"),
        ("en", "what is the capital of Australia", "out_of_scope"),
        ("en", "how do I get to the mer de glace", "ask_directions"),
    ],
)
def test_unrelated_questions_get_no_entry(content, language, text, intent):
    # As the actions decide, with the intent the model gives these messages.
    assert faq.decide(content, text, language, intent) is None


def test_the_index_follows_the_content_it_is_given(content):
    first = faq.index_of(content)
    assert faq.index_of(content) is first
    other = Content(places=content.places, faq=content.faq[:1], phrases=content.phrases)
    assert len(faq.index_of(other).rows) < len(first.rows)


# ---------------------------------------------------------------- live edits, no training


@pytest.fixture
def directory(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(curated.live, "CHECK_EVERY_SECONDS", 0.0)
    return Path(shutil.copytree(ROOT / "content", tmp_path / "content"))


def faq_text(live: LiveContent, question: str, language: str) -> str:
    content = live.get()
    match = faq.answer_for(content, question, language)
    return answers.faq_answer(content, match.entry, language).text if match else ""


def test_an_edited_answer_and_a_new_entry_are_served_after_a_live_reload(directory):
    live = LiveContent(directory)
    question = "what should I wear on the great wall in winter"
    assert faq_text(live, question, "en").startswith("Winter in Beijing is cold and dry")
    path = directory / "faq.yml"
    text = path.read_text(encoding="utf-8")
    old = "        Winter in Beijing is cold and dry, and the Great Wall"
    assert text.count(old) == 1
    path.write_text(
        text.replace(old, "        EDITED. Winter in Beijing is cold and dry, and the Great Wall"),
        encoding="utf-8",
    )
    assert faq_text(live, question, "en").startswith("EDITED. Winter in Beijing")

    (directory / "more_faq.yml").write_text(GOOD, encoding="utf-8")
    assert faq_text(live, "can we swim in the lake", "en").startswith(
        "Yes, at the supervised beaches"
    )


def test_a_broken_edit_keeps_the_last_valid_answer(directory):
    live = LiveContent(directory)
    question = "how cold is chongli in january"
    before = faq_text(live, question, "en")
    path = directory / "faq.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("  - id: chongli_january_cold", "  - id: Chongli January"), encoding="utf-8"
    )
    assert faq_text(live, question, "en") == before != ""


# ---------------------------------------------------------------- the actions


@pytest.fixture
def faq_yml(content, monkeypatch):
    """The content with the FAQ of content/faq.yml only, answered from by the
    actions too: the scores the tests below rely on (which entry is close,
    which is not) are those of its entries."""
    only = dataclasses.replace(content, faq=[e for e in content.faq if e.origin.file == "faq.yml"])
    monkeypatch.setattr(curated.live, "current", lambda: only)
    return only


def slots(events):
    return [e["name"] for e in events]


def test_out_of_scope_answers_an_faq_question_with_facts_and_sister_destination(content):
    entry = next(e for e in content.faq if e.id == "aiguille_du_midi_children_altitude")
    messages, events = run(
        ActionOutOfScope(),
        tracker("on peut emmener un enfant de 3 ans à l'aiguille du midi ?", "nlu_fallback"),
    )
    [message] = messages
    assert message["text"].startswith(entry.answer["fr"])
    assert "(source : https://www.tourisme-haute-savoie.com/" in message["text"]
    assert content.places["mont_blanc"].suggestion["fr"] in message["text"]  # from its parent
    assert slots(events) == ["suggested"]  # the sister destination, once


def test_out_of_scope_in_chinese_and_without_a_place(content):
    entry = next(e for e in content.faq if e.id == "paying_in_china")
    messages, _ = run(ActionOutOfScope(), tracker("在中国怎么付款", "out_of_scope", language="zh"))
    assert messages[0]["text"] == entry.answer["zh"]


def test_out_of_scope_still_answers_what_is_not_in_the_faq():
    messages, _ = run(
        ActionOutOfScope(), tracker("write me a poem about cats", "out_of_scope", language="en")
    )
    assert messages[0]["text"].startswith("I'm the Mont Blanc – Great Wall tourism assistant")


def test_a_place_question_that_copies_an_faq_question_gets_the_faq_answer(content):
    entry = next(e for e in content.faq if e.id == "chongli_january_cold")
    messages, events = run(
        ActionAnswerPlace(),
        tracker(
            "How cold is Chongli in January?",
            "ask_best_time",
            [("place", "chongli", "Chongli")],
            "en",
        ),
    )
    assert messages[0]["text"].startswith(entry.answer["en"])
    assert slots(events) == ["suggested"]  # the sister destination, once


def test_an_ordinary_place_question_still_gets_the_topic(content):
    messages, events = run(
        ActionAnswerPlace(),
        tracker(
            "combien coûte l'Aiguille du Midi ?",
            "ask_prices",
            [("place", "aiguille_du_midi", "Aiguille du Midi")],
        ),
    )
    assert content.places["aiguille_du_midi"].topics["prices"].text["fr"] in messages[0]["text"]
    assert events[0] == SlotSet("place", "aiguille_du_midi") and slots(events) == [
        "place",
        "suggested",
    ]


def test_the_models_faq_intent_gets_the_closest_entry(faq_yml):
    content = faq_yml
    entry = next(e for e in content.faq if e.id == "great_wall_winter_clothing")
    messages, events = run(
        ActionAnswerFaq(),
        tracker(
            "any tips on clothing for a freezing great wall visit",
            "faq",
            [("place", "badaling", "great wall")],
            "en",
        ),
    )
    assert messages[0]["text"].startswith(entry.answer["en"])
    assert slots(events) == ["suggested"]  # the sister destination, once


def test_a_confident_faq_prediction_takes_the_closest_entry_at_a_lower_score(content):
    text = "do chinese taxis take foreign cards"  # paying_in_china, below the English threshold
    score = faq.best_match(content, text, "en").score
    assert faq.ROUTED_THRESHOLD <= score < faq.THRESHOLDS["en"]

    def decide(intent, confidence):
        match = faq.decide(content, text, "en", intent, confidence=confidence)
        return match.entry.id if match else None

    assert decide("faq", faq.ROUTED_CONFIDENCE) == "paying_in_china"
    assert decide("faq", faq.ROUTED_CONFIDENCE - 0.1) is None  # less sure: the language's threshold
    assert decide("out_of_scope", 1.0) is None  # only the model's own faq intent


def test_an_faq_like_place_question_without_an_entry_gets_the_place_answer(faq_yml):
    content = faq_yml
    # The model's first choice is faq, its second ask_activities; no entry is close.
    text = "延庆适合爬山的地方多吗"
    assert faq.best_match(content, text, "zh").score < faq.THRESHOLDS["zh"]
    messages, events = run(
        ActionAnswerFaq(),
        tracker(
            text,
            "faq",
            [("place", "yanqing", "延庆")],
            "zh",
            ranking=("ask_activities", "ask_best_time"),
        ),
    )
    _, activities = content.topic("yanqing", "activities")
    assert activities.text["zh"] in messages[0]["text"]
    assert events[0] == SlotSet("place", "yanqing") and slots(events) == ["place", "suggested"]


def test_an_faq_like_message_with_nothing_to_go_on_gets_the_general_answer(content):
    text = "what about the cats"  # its closest entry: the Great Wall's winter clothing
    assert faq.best_match(content, text, "en").score < faq.THRESHOLDS["en"]
    messages, events = run(
        ActionAnswerFaq(), tracker(text, "faq", language="en", ranking=("ask_activities",))
    )
    assert messages[0]["text"].startswith("I'm the Mont Blanc – Great Wall tourism assistant")
    assert events == []


# ---------------------------------------------------------------- faq.decide: one rule for actions and measurement

CLOSE_TO_CHONGLI = "how cold does it get there in january"  # chongli_january_cold, below STRONG


def test_decide_takes_a_close_question_about_the_entrys_place_family_only(faq_yml):
    content = faq_yml
    entry = next(e for e in content.faq if e.id == "chongli_january_cold")
    assert entry.place == "chongli"
    score = faq.best_match(content, CLOSE_TO_CHONGLI, "en").score
    near = 0.55
    assert near <= score < faq.STRONG_THRESHOLD

    def decide(place, intent="ask_best_time", text=CLOSE_TO_CHONGLI):
        match = faq.decide(content, text, "en", intent, place, place_threshold=near)
        return match.entry.id if match else None

    assert decide("chongli") == entry.id
    assert decide("zhangjiakou") == entry.id  # Chongli's parent: same family
    assert decide("bauges") is None  # the same words about another place
    assert decide(None) is None
    assert decide("chongli", intent="greet") is None
    assert decide("chongli", text="/ask_best_time") is None  # a button's payload
    assert decide(None, intent="out_of_scope") == entry.id  # the language's threshold
    # With the thresholds in use (docs/faq.md).
    in_use = faq.decide(content, CLOSE_TO_CHONGLI, "en", "ask_best_time", "chongli")
    assert (in_use.entry.id if in_use else None) == (
        entry.id if score >= faq.PLACE_THRESHOLD else None
    )


def test_a_place_question_about_the_faq_entrys_place_gets_the_faq_answer(faq_yml, monkeypatch):
    content = faq_yml
    monkeypatch.setattr(faq, "PLACE_THRESHOLD", 0.55)
    entry = next(e for e in content.faq if e.id == "chongli_january_cold")
    messages, events = run(
        ActionAnswerPlace(),
        tracker(CLOSE_TO_CHONGLI, "ask_best_time", language="en", place="chongli"),
    )
    assert messages[0]["text"].startswith(entry.answer["en"])
    assert slots(events) == ["suggested"]  # the sister destination, once
    # The same words about another place get that place's topic.
    messages, events = run(
        ActionAnswerPlace(),
        tracker(CLOSE_TO_CHONGLI, "ask_best_time", language="en", place="bauges"),
    )
    assert not messages[0]["text"].startswith(entry.answer["en"])
    assert content.places["bauges"].topics["best_time"].text["en"] in messages[0]["text"]
    assert events[0] == SlotSet("place", "bauges") and slots(events) == ["place", "suggested"]


@pytest.mark.slow  # about 10 minutes with 90 entries: run by make evaluate, not make test
def test_the_measurement_without_rasa_runs_and_reports_the_matcher(capsys):
    # python -m evaluation.faq_compare --skip-rasa: thresholds chosen on training
    # data, then the matcher on the held-out paraphrases (docs/faq.md).
    from evaluation import faq_compare

    assert faq_compare.main(["--skip-rasa"]) == 0
    out = capsys.readouterr().out
    assert "chosen: {" in out and "(in use: {" in out
    [total] = [line for line in out.splitlines() if line.strip().startswith("all:")]
    right = int(total.split(":")[1].split("/")[0])
    assert right >= 40  # of 63: far above what routing alone let through before (docs/faq.md)
