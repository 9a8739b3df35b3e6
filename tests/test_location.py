""" "Where is it?": the place's coordinates with their source and map links,
in the tourist's language, and the map pin the channels can show."""

from __future__ import annotations

from rasa_sdk.events import SlotSet

from actions.actions import ActionAnswerLocation
from testkit.actions import run, tracker

BREVENT_OSM = "https://www.openstreetmap.org/?mlat=45.9342&mlon=6.8378#map=13/45.9342/6.8378"


def test_where_is_a_named_place_gives_its_coordinates_map_links_and_source(content):
    messages, events = run(
        ActionAnswerLocation(),
        tracker("c'est où le Brévent ?", "ask_location", [("place", "brevent", "Brévent")]),
    )
    [message] = messages
    lines = message["text"].splitlines()
    assert lines[0] == "📍 Le Brévent : 45.9342, 6.8378 (latitude, longitude)"
    assert lines[1] == f"Carte OpenStreetMap : {BREVENT_OSM}"
    assert lines[2].startswith(
        "Carte chinoise Amap : https://uri.amap.com/marker?position=6.8378,45.9342&name=Le%20Br%C3%A9vent"
    )
    assert content.places["brevent"].location.source in lines[3]
    assert events == [SlotSet("place", "brevent")]


def test_the_reply_carries_the_point_for_a_map_pin(content):
    [message], _ = run(
        ActionAnswerLocation(),
        tracker("where is brevent", "ask_location", [("place", "brevent", "brevent")], "en"),
    )
    assert message["custom"] == {"location": {"latitude": 45.9342, "longitude": 6.8378}}


def test_where_is_it_after_badaling_is_answered_for_badaling_with_amap_first_in_chinese(content):
    [message], events = run(
        ActionAnswerLocation(), tracker("在哪里？", "ask_location", language="zh", place="badaling")
    )
    lines = message["text"].splitlines()
    assert lines[0] == "📍 八达岭长城：40.35417, 116.00694（纬度, 经度）"
    assert lines[1].startswith("高德地图：https://uri.amap.com/marker?position=116.00694,40.35417&")
    assert "coordinate=wgs84" in lines[1]
    assert lines[2].startswith("OpenStreetMap 地图：https://www.openstreetmap.org/?mlat=40.35417")
    assert events == [SlotSet("place", "badaling")]


def test_cest_ou_after_a_place_is_grounded_by_the_word_ou(content):
    [message], _ = run(
        ActionAnswerLocation(), tracker("C'est où ?", "ask_location", place="mutianyu")
    )
    assert message["text"].startswith("📍 Grande Muraille de Mutianyu : 40.43568, 116.56187")


def test_a_place_without_coordinates_is_said_honestly_with_its_contact(content):
    [message], events = run(
        ActionAnswerLocation(),
        tracker("where is jiankou?", "ask_location", [("place", "jiankou", "jiankou")], "en"),
    )
    assert message["text"] == (
        "I don't have the exact location of Jiankou Great Wall. To find it, ask: "
        "Visit Beijing (official Beijing tourism), https://english.visitbeijing.com.cn"
    )
    assert "custom" not in message or not message["custom"]
    assert events == [SlotSet("place", "jiankou")]


def test_where_is_it_without_any_place_asks_which_one(content):
    [message], events = run(
        ActionAnswerLocation(), tracker("where is it?", "ask_location", language="en")
    )
    assert message["text"] == content.phrase("which_place", "en")
    assert message["buttons"][0]["payload"].startswith("/ask_location{")
    assert events == []


def test_a_message_without_a_place_or_a_where_word_is_not_answered_with_a_location(content):
    [message], events = run(
        ActionAnswerLocation(),
        tracker("cancel all my reminders", "ask_location", language="en", place="badaling"),
    )
    assert "📍" not in message["text"] and "openstreetmap" not in message["text"]
    assert message["why"].rule == "out_of_scope"
    assert events == []


def test_a_place_the_assistant_does_not_cover_is_named_back(content):
    [message], _ = run(
        ActionAnswerLocation(),
        tracker(
            "where is courchevel", "ask_location", [("place", "other_place", "courchevel")], "en"
        ),
    )
    assert message["text"].startswith("I can't help with courchevel:")


def test_a_ski_rental_question_after_a_place_is_not_taken_for_where_is_it(content):
    [message], _ = run(
        ActionAnswerLocation(), tracker("location de skis ?", "ask_location", place="mont_blanc")
    )
    assert "📍" not in message["text"]
