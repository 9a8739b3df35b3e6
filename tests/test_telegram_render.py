"""Rendering for Telegram: escaped HTML, messages under the limit, cut at boundaries."""

from __future__ import annotations

from bot.channels.telegram_render import MAX_CALLBACK_BYTES, callback_data, escape, keyboard, split


def test_markup_in_answers_is_escaped():
    assert split("<b>prix</b> & horaires") == ["&lt;b&gt;prix&lt;/b&gt; &amp; horaires"]


def test_a_short_answer_is_one_message():
    assert split("Bonjour !\n\nÇa va ?") == ["Bonjour !\n\nÇa va ?"]


def test_long_answers_are_cut_at_paragraphs_never_inside_a_word():
    paragraphs = [f"paragraphe{i} " + "mot " * 300 for i in range(8)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    pieces = split(text)
    assert len(pieces) > 1
    assert all(len(p) <= 4096 for p in pieces)
    assert " ".join(pieces).split() == text.split()  # no word cut, none lost
    assert all(p.startswith("paragraphe") for p in pieces)


def test_escaping_counts_towards_the_limit():
    pieces = split("<" * 5000)
    assert all(len(p) <= 4096 for p in pieces)
    assert "".join(pieces) == escape("<" * 5000)
    assert all(not p.endswith("&") and not p.endswith("&l") for p in pieces)


def test_long_payloads_get_a_short_callback_key():
    store = {}
    short = '/ask_hours{"place": "mutianyu"}'
    long = '/ask_directions{"place": "tramway_mont_blanc", "activity": "cross_country_skiing"}'
    assert callback_data(short, store) == short
    key = callback_data(long, store)
    assert len(key.encode()) <= MAX_CALLBACK_BYTES and store[key] == long


def test_buttons_become_one_inline_button_per_row():
    markup = keyboard(
        [{"title": "勃朗峰", "payload": "/a"}, {"title": "Chongli", "payload": "/b"}], {}
    )
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [["勃朗峰"], ["Chongli"]]
