"""Place names found in any language, and Chinese cut into words."""

from __future__ import annotations

import pytest

from language.names import Gazetteer, synonyms
from language.text import fold, fold_indexed, has_han


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.from_pairs((form, "place", value) for form, value in synonyms().items())


def values(gazetteer, text):
    return [(f["value"], text[f["start"] : f["end"]]) for f in gazetteer.find(text)]


def test_folding_ignores_case_accents_and_hyphens():
    assert fold("La Féclaz") == fold("la feclaz") == fold("LA-FECLAZ") == "la feclaz"


def test_folding_keeps_the_position_of_each_character():
    assert fold_indexed("l'Aiguille") == ("l aiguille", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])


@pytest.mark.parametrize("text", ["长城", "\u3400", "\uf900", "𠀀", "𪚥", "𰀀"])
def test_every_han_block_counts_as_chinese_extension_blocks_included(text):
    assert has_han(text)


@pytest.mark.parametrize("text", ["Mont Blanc", "ゆき", "한국", "🏔"])
def test_other_scripts_are_not_han(text):
    assert not has_han(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("comment aller a la feclaz", [("bauges", "la feclaz")]),
        ("MONT-BLANC prix", [("mont_blanc", "MONT-BLANC")]),
        ("Chamonix怎么去", [("mont_blanc", "Chamonix")]),
        ("八达岭长城门票", [("badaling", "八达岭长城")]),
        ("去崇礼滑雪", [("chongli", "崇礼"), ("skiing", "滑雪")]),
        ("tramway du mont-blanc horaires", [("tramway_mont_blanc", "tramway du mont-blanc")]),
        ("Université Savoie Mont Blanc", [("usmb", "Université Savoie Mont Blanc")]),
    ],
)
def test_names_are_found_in_every_language(gazetteer, text, expected):
    assert values(gazetteer, text) == expected


def test_latin_names_must_stand_as_whole_words(gazetteer):
    assert values(gazetteer, "chamonixsuperstore and bigbadaling") == []


def test_the_longest_name_wins(gazetteer):
    assert values(gazetteer, "ski de fond") == [("cross_country_skiing", "ski de fond")]


def test_tokens_keep_offsets_and_cut_chinese_with_the_place_dictionary():
    from rasa_extensions.tokenizer import _load_dictionaries, tokenize

    _load_dictionaries("nlu/jieba")
    text = "Chamonix怎么去八达岭长城"
    tokens = tokenize(text)
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert "八达岭长城" in [t.text for t in tokens]
    assert [t.text for t in tokenize("c'est où, la Féclaz ?")] == ["c", "est", "où", "la", "Féclaz"]


def test_a_message_of_emoji_or_punctuation_still_has_a_token():
    from rasa_extensions.tokenizer import tokenize

    assert [t.text for t in tokenize(" 🏔️🏯👍 ")] == ["🏔️🏯👍"]
    assert [t.text for t in tokenize("???")] == ["???"]


def test_every_place_of_entities_yml_is_found_even_without_an_annotated_example():
    # Editors add a place's names to nlu/entities.yml; no training sentence
    # needs to name it for "how do I get to Gubeikou" to find it.
    from rasa.shared.importers.importer import TrainingDataImporter

    from language.names import ENTITIES_FILE
    from rasa_extensions.gazetteer import names_in

    root = ENTITIES_FILE.parent.parent
    training = TrainingDataImporter.load_from_config(
        str(root / "config.yml"), str(root / "domain.yml"), [str(root / "nlu")]
    ).get_nlu_data()
    found = Gazetteer.from_pairs(names_in(training, {"place", "activity"}))
    assert [(f["entity"], f["value"]) for f in found.find("how do I get to Gubeikou")] == [
        ("place", "gubeikou")
    ]
    assert [(f["entity"], f["value"]) for f in found.find("草原天路好玩吗")] == [
        ("place", "zhangbei")
    ]
    assert [
        (f["entity"], f["value"]) for f in found.find("ski de fond à Saint-François-de-Sales")
    ] == [
        ("activity", "cross_country_skiing"),
        ("place", "saint_francois_de_sales"),
    ]


@pytest.mark.parametrize(
    ("typed", "place"),
    [
        ("mutianyou tickets", "mutianyu"),
        ("how to get to badaleng", "badaling"),
        ("ba da ling opening hours", "badaling"),
        ("horaires de mu tian yu", "mutianyu"),
        ("jinshanlin en octobre", "jinshanling"),
    ],
)
def test_a_place_typed_with_a_slip_or_spaces_moved_is_found(typed, place):
    from actions.grounding import _gazetteer

    assert place in [f["value"] for f in _gazetteer().find(typed)]


@pytest.mark.parametrize(
    "text",
    ["la montagne en hiver", "I love the mountains", "réservation obligatoire", "opening hours"],
)
def test_ordinary_words_never_become_places(text):
    from actions.grounding import _gazetteer

    assert [f for f in _gazetteer().find(text) if f["confidence_entity"] < 1.0] == []
