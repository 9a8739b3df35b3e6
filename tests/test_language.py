"""The reply language: script rules, explicit requests, short messages, priors."""

from __future__ import annotations


import pytest

from language.decision import decide, explicit_request, normalise_client_code
from evaluation import heldout
from evaluation.language import LID as EVAL_LID


@pytest.mark.parametrize("text", ["八达岭门票多少钱", "Chamonix怎么去", "你好", "长城"])
def test_any_han_character_means_chinese(text):
    assert decide(text, previous="fr").language == "zh"


@pytest.mark.parametrize(
    "text, previous, expected",
    [
        ("in English please", "fr", "en"),
        ("can you answer in english", "zh", "en"),
        ("en français svp", "en", "fr"),
        ("parle francais", "zh", "fr"),
        ("说中文", "en", "zh"),
        ("用英语回答", "zh", "en"),
        ("请说法语", "zh", "fr"),
        ("speak chinese please", "fr", "zh"),
        ("réponds en chinois", "fr", "zh"),
        ("English", "zh", "en"),
    ],
)
def test_an_explicit_request_switches(text, previous, expected):
    decision = decide(text, previous=previous)
    assert (decision.language, decision.reason) == (expected, "explicit-request")


@pytest.mark.parametrize("text", ["ok", "👍", "Mont Blanc", "merci", "OK!!", "123", "?", "Chamonix"])
@pytest.mark.parametrize("previous", ["fr", "zh", "en"])
def test_messages_too_short_to_tell_keep_the_users_language(text, previous):
    assert decide(text, previous=previous).language == previous


def test_a_new_user_is_answered_in_the_clients_language_when_the_text_cannot_tell():
    assert decide("ok", client_code="fr-FR").language == "fr"
    assert decide("👍", client_code="zh-hans").language == "zh"
    assert decide("👍", client_code="de").language == "en"


@pytest.mark.parametrize("text", ["x", "None", "lol", "zz", "test"])
def test_a_new_users_junk_without_language_evidence_gets_the_default_language(text):
    assert decide(text).language == "en"


def test_one_everyday_word_still_tells_a_new_users_language():
    assert decide("bonjour").language == "fr"
    assert decide("merci").language == "fr"
    assert decide("hello").language == "en"


def test_client_codes_are_normalised():
    assert [normalise_client_code(c) for c in ["fr-CA", "zh_Hans", "EN", "pt-BR", None]] == [
        "fr", "zh", "en", None, None,
    ]


def test_a_clear_sentence_in_another_language_switches():
    assert decide("how do I get to the Aiguille du Midi from Geneva", previous="fr").language == "en"
    assert decide("comment aller au Mont Blanc depuis Genève", previous="en").language == "fr"


def test_one_accented_word_from_an_english_speaker_is_not_a_switch():
    assert decide("La Féclaz", previous="en").language == "en"


def test_french_accents_and_elisions_are_french_for_a_new_user():
    assert decide("c'est où").language == "fr"
    assert decide("prix télécabine").language == "fr"


def test_no_request_in_ordinary_questions():
    assert explicit_request("how much is the cable car") is None
    assert explicit_request("le ski de fond en France") is None


def test_the_same_text_always_gets_the_same_language():
    decisions = {decide("bonjour tout le monde").language for _ in range(20)}
    assert decisions == {"fr"}


def _accuracy(texts, language, previous=None):
    return sum(decide(t, previous=previous).language == language for t in texts) / len(texts)


def _lines(name):
    return [l.strip() for l in (EVAL_LID / name).read_text(encoding="utf-8").splitlines() if l.strip()]


@pytest.mark.skipif(not EVAL_LID.exists(), reason="shared/eval/lid is not beside the project")
@pytest.mark.parametrize("language", ["fr", "en", "zh"])
def test_word_pairs_are_mostly_right_without_context(language):
    # General web text, two words, nothing known about the user: the hardest case.
    assert _accuracy(_lines(f"word-pairs.{language}.txt"), language) >= 0.80


@pytest.mark.skipif(not EVAL_LID.exists(), reason="shared/eval/lid is not beside the project")
@pytest.mark.parametrize("language", ["fr", "en", "zh"])
def test_sentences_are_right_without_context(language):
    assert _accuracy(_lines(f"sentences.{language}.txt"), language) >= 0.98


@pytest.mark.parametrize("language", ["fr", "zh", "en"])
def test_held_out_tourist_messages_are_answered_in_their_language(language):
    # Requests for another language are answered in that language: left out.
    texts = [e.text for e in heldout.load(language) if e.intent != "change_language"]
    assert _accuracy(texts, language) >= 0.95
    # With the conversation's language known, short ambiguous ones keep it.
    assert _accuracy(texts, language, previous=language) >= 0.99
