"""The rasa-sdk actions with the real domain and content, as the action server runs them."""

from __future__ import annotations

from rasa_sdk.events import SlotSet

from actions.actions import (
    ActionAnswerPlace,
    ActionContact,
    ActionGreet,
    ActionListEvents,
    ActionListOffers,
    ActionOutOfScope,
)
from testkit.actions import run, tracker


def test_a_question_about_a_place_is_answered_in_the_users_language(content):
    messages, events = run(
        ActionAnswerPlace(),
        tracker("八达岭怎么去", "ask_directions", [("place", "badaling", "八达岭")], language="zh"),
    )
    [message] = messages
    assert content.places["badaling"].topics["getting_there"].text["zh"] in message["text"]
    assert content.places["badaling"].suggestion["zh"] in message["text"]
    # The sister destination is suggested once, and remembered.
    assert [e["name"] for e in events] == ["place", "suggested"]
    assert events[0] == SlotSet("place", "badaling")
    assert list(events[1]["value"]) == ["mont_blanc"]


def test_and_the_price_is_answered_for_the_place_of_the_conversation(content):
    messages, events = run(
        ActionAnswerPlace(), tracker("et le prix ?", "ask_prices", place="bauges")
    )
    assert content.places["bauges"].topics["prices"].text["fr"] in messages[0]["text"]
    assert [e["name"] for e in events] == ["place", "suggested"]
    assert events[0] == SlotSet("place", "bauges")


def test_an_uncovered_place_gets_a_helpful_answer_and_keeps_the_conversations_place(content):
    messages, events = run(
        ActionAnswerPlace(),
        tracker(
            "what about zermatt",
            "ask_overview",
            [("place", "other_place", "zermatt")],
            "en",
            "mont_blanc",
        ),
    )
    assert messages[0]["text"].startswith("I can't help with zermatt:")
    assert events == []


def test_without_any_place_the_tourist_is_asked_which_one():
    messages, events = run(ActionAnswerPlace(), tracker("horaires ?", "ask_hours"))
    assert messages[0]["text"] == "Pour quelle destination ?"
    assert len(messages[0]["buttons"]) == 4 and events == []


def test_the_language_comes_from_the_metadata_when_the_slot_is_empty(content):
    messages, _ = run(
        ActionOutOfScope(),
        tracker("???", "out_of_scope", language=None, metadata={"language": "zh"}),
    )
    assert messages[0]["text"].startswith("我是勃朗峰—长城旅游助手")


def test_the_greeting_comes_with_destination_buttons(content):
    messages, _ = run(ActionGreet(), tracker("salut", "greet"))
    [message] = messages
    assert message["text"] == content.phrases["greeting"]["fr"]
    assert [b["payload"] for b in message["buttons"]][-1] == "/ask_offers"
    assert message["buttons"][0]["title"] == "Chamonix-Mont-Blanc"


def test_offers_are_listed_in_the_users_language(content):
    messages, _ = run(ActionListOffers(), tracker("des offres ?", "ask_offers"))
    assert messages[0]["text"].startswith("Nos offres du moment :")


def test_contact_gives_the_office_of_the_conversations_place(content):
    messages, _ = run(ActionContact(), tracker("un humain svp", "contact_human", place="bauges"))
    assert content.places["bauges"].contact.name["fr"] in messages[0]["text"]


def test_the_sister_destination_is_suggested_once_per_conversation(content):
    first = tracker(
        "八达岭怎么去", "ask_directions", [("place", "badaling", "八达岭")], language="zh"
    )
    messages, events = run(ActionAnswerPlace(), first)
    assert content.places["badaling"].suggestion["zh"] in messages[0]["text"]
    suggested = events[1]["value"]
    again = tracker("门票多少钱", "ask_prices", language="zh", place="badaling")
    again.slots["suggested"] = suggested
    messages, events = run(ActionAnswerPlace(), again)
    assert content.places["badaling"].suggestion["zh"] not in messages[0]["text"]
    assert events == [SlotSet("place", "badaling")]


def test_several_questions_in_one_message_get_one_answer_each(content):
    messages, _ = run(
        ActionAnswerPlace(),
        tracker(
            "八达岭几点开门，门票多少钱？",
            "ask_prices",
            [("place", "badaling", "八达岭")],
            language="zh",
        ),
    )
    assert [str(m["why"]) for m in messages] == ["place badaling hours", "place badaling prices"]
    assert content.places["badaling"].topics["hours"].text["zh"] in messages[0]["text"]
    assert content.places["badaling"].topics["prices"].text["zh"] in messages[1]["text"]


def test_an_unrelated_request_gets_no_offers_but_the_out_of_scope_answer(content):
    messages, events = run(
        ActionListOffers(), tracker("cancel all my reminders", "ask_offers", language="en")
    )
    [message] = messages
    assert message["text"].startswith("I'm the Mont Blanc – Great Wall tourism assistant")
    assert message["buttons"] == [{"title": "Current offers", "payload": "/ask_offers"}]
    assert events == []


def test_a_trip_announced_is_refused_but_the_place_is_kept_for_the_next_question(content):
    messages, events = run(
        ActionOutOfScope(),
        tracker(
            "we're heading to Badaling next week",
            "out_of_scope",
            [("place", "badaling", "Badaling")],
            "en",
        ),
    )
    assert messages[0]["why"].rule == "out_of_scope"
    assert events == [SlotSet("place", "badaling")]


def test_the_cable_car_after_badaling_is_badalings_and_not_the_aiguille_du_midis(content):
    messages, events = run(
        ActionAnswerPlace(),
        tracker(
            "can we take the cable car?",
            "ask_activities",
            [("activity", "cable_car", "cable car")],
            "en",
            "badaling",
        ),
    )
    assert str(messages[0]["why"]) == "place badaling activities"
    assert content.places["badaling"].topics["activities"].text["en"] in messages[0]["text"]
    assert events[0] == SlotSet("place", "badaling")


def test_a_cable_car_where_the_content_has_none_is_said_so_and_the_place_kept(content):
    messages, events = run(
        ActionAnswerPlace(),
        tracker(
            "on peut prendre le téléphérique ?",
            "ask_activities",
            [("activity", "cable_car", "téléphérique")],
            "fr",
            "chambery",
        ),
    )
    assert messages[0]["text"].startswith("Je ne connais pas de téléphérique à Chambéry.")
    assert events == [SlotSet("place", "chambery")]


def test_the_cable_car_not_understood_after_badaling_is_still_badalings(content):
    messages, events = run(
        ActionOutOfScope(),
        tracker(
            "can we take the cable car?",
            "nlu_fallback",
            [("activity", "cable_car", "cable car")],
            "en",
            "badaling",
        ),
    )
    assert str(messages[0]["why"]) == "place badaling activities"
    assert events[0] == SlotSet("place", "badaling")


def _far(state, intent="out_of_scope", similarity=0.9):
    """The message's nearest training example, as rasa_extensions/nearest_example.py adds it."""
    state.latest_message["intent"]["nearest_example"] = {
        "intent": intent,
        "similarity": similarity,
    }
    return state


def test_the_phone_number_of_a_hotel_near_no_question_of_ours_gets_no_contact_list(content):
    for text, language in [
        ("et le numéro de cet hôtel ?", "fr"),
        ("那家宾馆电话呢", "zh"),
        ("and that hotel's number?", "en"),
    ]:
        state = _far(tracker(text, "contact_human", language=language), "contact_human", 0.40)
        messages, events = run(ActionContact(), state)
        assert messages[0]["why"].rule == "out_of_scope", text
        assert events == []


def test_a_question_nearest_to_an_out_of_scope_example_gets_no_events(content):
    for text, language in [
        ("quelle est la date de sortie du film ?", "fr"),
        ("这部电影几月几号上映", "zh"),
        ("which year did that film come out", "en"),
    ]:
        state = _far(tracker(text, "ask_events", language=language), "out_of_scope", 0.70)
        messages, _ = run(ActionListEvents(), state)
        assert [m["why"].rule for m in messages] == ["out_of_scope"], text


def test_a_question_the_model_is_unsure_of_about_a_named_place_gets_its_best_guess(content):
    for text, language, typed in [
        ("à Chongli on fait quoi ?", "fr", "Chongli"),
        ("崇礼好玩吗有啥", "zh", "崇礼"),
        ("chongli, stuff to do?", "en", "chongli"),
    ]:
        state = tracker(
            text,
            "nlu_fallback",
            [("place", "chongli", typed)],
            language,
            ranking=["ask_activities"],
        )
        messages, events = run(ActionOutOfScope(), state)
        assert str(messages[0]["why"]) == "place chongli activities", text
        assert events[0] == SlotSet("place", "chongli")


def test_dialogue_rules_send_every_place_topic_intent_to_the_place_action():
    """answers.TOPIC_OF_INTENT is the one list of place-topic intents; the
    rules of dialogue/rules.yml must agree with it, both ways."""
    import yaml

    from actions.answers import TOPIC_OF_INTENT
    from rasa_extensions.command import ROOT

    rules = yaml.safe_load((ROOT / "dialogue" / "rules.yml").read_text(encoding="utf-8"))["rules"]
    answered_by_place = {
        rule["steps"][0]["intent"]
        for rule in rules
        if rule["steps"][-1].get("action") == "action_answer_place"
    }
    assert answered_by_place == set(TOPIC_OF_INTENT)
