"""Answers composed from content/: the right place, the right topic, the right language."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from actions import answers

NOW = dt.datetime(2026, 11, 29, 12, tzinfo=dt.timezone.utc)


def mention(value, text=None):
    return {"value": value, "text": text or value}


def test_a_place_named_in_the_question_wins(content):
    target = answers.choose_place(content, [mention("badaling")], [], "mont_blanc", "ask_prices")
    assert target == answers.Target("badaling")


def test_a_follow_up_without_a_place_uses_the_conversations_place(content):
    assert answers.choose_place(content, [], [], "bauges", "ask_prices") == answers.Target("bauges")


def test_an_activity_without_a_place_leads_to_the_place_known_for_it(content):
    assert answers.choose_place(
        content, [], ["biathlon"], None, "ask_activities"
    ) == answers.Target("bauges")


def test_a_city_of_departure_does_not_replace_the_conversations_place(content):
    target = answers.choose_place(
        content, [mention("geneva", "Genève")], [], "mont_blanc", "ask_directions"
    )
    assert target == answers.Target("mont_blanc")


def test_a_destination_not_covered_is_named_back(content):
    target = answers.choose_place(
        content, [mention("other_place", "Zermatt")], [], "mont_blanc", "ask_overview"
    )
    assert target == answers.Target(uncovered_name="Zermatt")


def test_no_place_at_all_asks_which_destination(content):
    assert answers.choose_place(content, [], [], None, "ask_hours") == answers.Target()
    reply = answers.which_place(content, "ask_hours", "zh")
    assert reply.text == content.phrases["which_place"]["zh"]
    assert {"title": "八达岭长城", "payload": '/ask_hours{"place": "badaling"}'} in reply.buttons


@pytest.mark.parametrize("language", ["fr", "zh", "en"])
def test_an_answer_is_the_topic_text_then_the_sister_destination(content, language):
    text = answers.place_answer(content, "mont_blanc", "getting_there", language).text
    place = content.places["mont_blanc"]
    assert text.startswith(place.name[language])
    assert place.topics["getting_there"].text[language] in text
    assert text.endswith(place.suggestion[language])


def test_figures_are_shown_with_their_source_and_check_date(content):
    text = answers.place_answer(content, "badaling", "prices", "fr").text
    fact = content.places["badaling"].topics["prices"].facts[0]
    assert f"{fact.text['fr']} (source : {fact.source}, vérifié le " in text
    date = fact.checked
    assert f"{date.day:02d}/{date.month:02d}/{date.year}" in text


def test_a_part_without_the_topic_answers_from_the_larger_place(content):
    # Shuiguan has no best-time text of its own: the Great Wall's is used.
    text = answers.place_answer(content, "shuiguan", "best_time", "en").text
    assert content.places["badaling"].topics["best_time"].text["en"] in text


def test_a_topic_nobody_wrote_sends_to_the_tourism_office(content):
    text = answers.place_answer(content, "chambery", "prices", "en").text
    assert text.startswith("I don't have that information for Chambéry yet.")
    assert content.places["chambery"].contact.url in text


@pytest.mark.parametrize("language", ["fr", "zh", "en"])
def test_out_of_scope_says_what_the_assistant_does_and_who_helps(content, language):
    text = answers.out_of_scope(content, language).text
    assert text.startswith(content.phrases["out_of_scope"][language].split("{")[0])
    assert "https://" in text


def offers_text(*args) -> str:
    return "\n".join(reply.text for reply in answers.offers(*args))


def test_offers_valid_today_are_shown_with_price_currency_and_end_date(content):
    text = offers_text(content, None, "en", NOW)
    assert "Olympic skiing in Chongli: CNY 2,680, valid until 2027-03-15" in text
    assert "(sample offer, to be confirmed with the tourism office)" in text
    french = offers_text(content, None, "fr", NOW)
    assert "2\u202f680 CNY, valable jusqu'au 15/03/2027" in french


def test_amounts_are_written_the_way_each_language_writes_them():
    assert [answers.format_amount(2680, lang) for lang in ("fr", "zh", "en")] == [
        "2\u202f680",
        "2,680",
        "2,680",
    ]
    assert [answers.format_amount(12.5, lang) for lang in ("fr", "zh", "en")] == [
        "12,50",
        "12.50",
        "12.50",
    ]
    assert answers.format_amount(390, "fr") == "390"


def test_each_offer_is_its_own_message_the_first_after_the_introduction(content):
    current = [o for o in content.offers if o.is_valid_on(NOW)]
    replies = answers.offers(content, None, "zh", NOW)
    assert len(replies) == len(current) >= 2
    assert replies[0].text.startswith("当前的旅游优惠：\n🎫 ")
    assert all(r.text.startswith("🎫 ") for r in replies[1:])


def test_an_expired_offer_disappears_and_a_future_one_waits_for_its_day(content):
    shown = offers_text(content, None, "en", NOW)
    assert "autumn" not in shown.lower()  # ended 2026-10-31
    assert "Mont Blanc summer" not in shown  # starts 2027-06-15
    later = offers_text(content, None, "en", dt.datetime(2027, 6, 20, tzinfo=dt.timezone.utc))
    assert content.offers[1].title["en"] in later


def test_offer_dates_follow_the_offices_time_zone(content):
    chongli = next(o for o in content.offers if o.place == "chongli")
    last_evening_in_paris = dt.datetime(2027, 3, 15, 17, 30, tzinfo=dt.timezone.utc)
    assert chongli.is_valid_on(last_evening_in_paris) is False  # already 16 March in Shanghai
    assert replace(chongli, timezone="Europe/Paris").is_valid_on(last_evening_in_paris) is True


def test_offers_for_a_place_include_its_parts(content):
    text = offers_text(content, "zhangjiakou", "zh", NOW)
    assert "崇礼冬奥滑雪之旅" in text and "双峰之旅" not in text


def test_contacts_of_the_place_or_of_every_office(content):
    one = answers.contacts(content, "aiguille_du_midi", "fr").text
    assert one.splitlines()[0] == "Pour parler à une personne :"
    assert content.places["aiguille_du_midi"].contact.url in one  # the operator
    assert content.places["mont_blanc"].contact.url in one  # the tourism office
    everyone = answers.contacts(content, None, "en").text
    assert len(everyone.splitlines()) >= 4
