"""The content editor's preview per channel: what each messaging app would show of an
edited answer, through the same fitting the channels send with (fitting/).

The browser side is in tests/test_review_content_browser.py.
"""

from __future__ import annotations

from actions.answers import Reply
from review import content_preview, content_saving
from review.content_entries import Address
from review.content_saving import PREVIEW

DOGS = Address("faq", "chamonix_dogs_lifts_trails")
DOGS_FILE = "faq_mont_blanc.yml"
PHRASES = {
    "choose_by_number": "Répondez par le numéro de votre choix.",
    "list_button": "Voir les choix",
    "choose_option": "Que souhaitez-vous savoir ?",
}


def by_channel(previews: list[content_preview.ChannelPreview]) -> dict:
    return {p.channel: p for p in previews}


def long_chinese_answer(value: dict) -> dict:
    paragraph = (
        "缆车每天八点开放，冬季和夏季的时间不同，请在出发前查看官网。"  # 30 characters, 90 bytes
    )
    answer = {**value["answer"], "zh": "\n\n".join([paragraph] * 30)}
    return {**value, "answer": answer}


def test_a_long_chinese_answer_is_cut_at_wechat_s_2048_bytes_and_whole_on_telegram(content_dir):
    value = content_saving.current(content_dir, DOGS_FILE, DOGS)

    shown = content_saving.preview(content_dir, DOGS_FILE, DOGS, long_chinese_answer(value))

    channels = by_channel(shown["zh"].channels)
    wechat = channels["wechat"]
    assert wechat.cut
    assert len(wechat.messages) == 1
    assert wechat.messages[0].size <= 2048 < len(shown["zh"].text.encode("utf-8"))
    assert wechat.messages[0].text.endswith("…")
    later = "".join(m.text for m in wechat.later).replace("\n", "")
    assert later == shown["zh"].text.replace("\n", "")  # nothing lost when sent late
    assert len(wechat.later) == 2
    assert len(channels["telegram"].messages) == 1  # 1,000 characters fit Telegram's 4,096
    assert not by_channel(shown["fr"].channels)["wechat"].cut  # the French one is short


def test_a_short_answer_is_one_message_everywhere(content_dir):
    value = content_saving.current(content_dir, DOGS_FILE, DOGS)

    shown = content_saving.preview(content_dir, DOGS_FILE, DOGS, value)

    for language in ("fr", "zh", "en"):
        for channel in shown[language].channels:
            assert [m.text for m in channel.messages] == [shown[language].text], channel.channel
            assert not channel.cut


def test_a_telegram_answer_over_4096_characters_is_two_messages_cut_at_a_paragraph():
    text = "\n\n".join(f"Paragraphe {i}. " + "mot " * 200 for i in range(6))  # about 4,900

    telegram = by_channel(content_preview.channels([Reply(text, why=PREVIEW)], PHRASES.get))[
        "telegram"
    ]

    assert len(telegram.messages) == 2
    assert all(m.size <= 4096 for m in telegram.messages)
    assert telegram.messages[1].text.startswith("Paragraphe")


def test_three_buttons_are_whatsapp_reply_buttons_with_titles_cut_at_20_characters():
    buttons = [
        {"title": "Chamonix-Mont-Blanc et la vallée", "payload": "/ask_overview"},
        {"title": "Offres", "payload": "/ask_offers"},
        {"title": "Événements", "payload": "/ask_events"},
    ]

    channels = by_channel(
        content_preview.channels([Reply("Où allez-vous ?", buttons, why=PREVIEW)], PHRASES.get)
    )

    whatsapp = channels["whatsapp"].messages
    assert len(whatsapp) == 1 and whatsapp[0].text == "Où allez-vous ?"
    assert whatsapp[0].buttons == ["Chamonix-Mont-Blanc…", "Offres", "Événements"]
    assert whatsapp[0].menu == ""
    assert channels["telegram"].messages[0].buttons == [b["title"] for b in buttons]
    assert channels["webchat"].messages[0].buttons == [b["title"] for b in buttons]
    wechat = channels["wechat"]
    assert wechat.numbered and wechat.messages[0].text == (
        "Où allez-vous ?\n\n1. Chamonix-Mont-Blanc et la vallée\n2. Offres\n3. Événements"
        "\n\nRépondez par le numéro de votre choix."
    )


def test_four_buttons_are_a_whatsapp_list_opened_by_the_phrase():
    buttons = [{"title": f"Lieu {i}", "payload": f"/p{i}"} for i in range(4)]

    whatsapp = by_channel(content_preview.channels([Reply("", buttons, why=PREVIEW)], PHRASES.get))[
        "whatsapp"
    ]

    assert whatsapp.messages[0].menu == "Voir les choix"
    assert whatsapp.messages[0].text == "Que souhaitez-vous savoir ?"
    assert whatsapp.messages[0].buttons == ["Lieu 0", "Lieu 1", "Lieu 2", "Lieu 3"]
