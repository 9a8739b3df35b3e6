"""Events (races, festivals, fairs) in content/: checked like any content,
shown from today until their last day, soonest first, with where their
dates were read, in the tourist's language."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from actions import answers
from actions.actions import ActionListEvents
from curated import coverage
from curated.content import Content, load
from testkit.actions import run, tracker

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 11, 29, 12, tzinfo=dt.timezone.utc)

EVENTS = """\
events:
  - id: race-2026
    place: bauges
    title: {fr: "Course de ski de fond", zh: "越野滑雪赛", en: "Cross-country ski race"}
    description: {fr: "Course populaire.", zh: "大众赛。", en: "A race open to all."}
    starts: 2027-01-17
    ends: 2027-01-17
    timezone: Europe/Paris
    source: https://www.example.org/race
    checked: 2026-11-20
  - id: festival-2027
    place: chongli
    title: {fr: "Festival de ski", zh: "滑雪节", en: "Ski festival"}
    description: {fr: "Fête de la neige.", zh: "冰雪节庆。", en: "A snow festival."}
    starts: 2026-12-05
    ends: 2027-01-10
    timezone: Asia/Shanghai
    url: https://www.example.org/festival
    source: https://www.example.org/festival-dates
    checked: 2026-11-20
  - id: summer-trail
    place: aiguille_du_midi
    title: {fr: "Trail d'été", zh: "夏季越野跑", en: "Summer trail"}
    description: {fr: "Course en montagne.", zh: "山地跑。", en: "A mountain race."}
    starts: 2027-08-23
    ends: 2027-08-29
    timezone: Europe/Paris
    when: {fr: "fin août (dates pas encore publiées)", zh: "8月下旬（日期尚未公布）", en: "late August (dates not published yet)"}
    source: https://www.example.org/trail
    checked: 2026-11-20
  - id: past-fair
    place: chambery
    title: {fr: "Foire passée", zh: "往届展会", en: "Past fair"}
    description: {fr: "Déjà passée.", zh: "已经结束。", en: "Already over."}
    starts: 2026-09-01
    ends: 2026-09-05
    timezone: Europe/Paris
    source: https://www.example.org/fair
    checked: 2025-09-01
"""


def with_events(tmp_path: Path) -> Content:
    """The real content with the events above instead of content/events.yml."""
    directory = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    (directory / "events.yml").unlink()
    (directory / "zz_events_test.yml").write_text(EVENTS, encoding="utf-8")
    loaded = load(directory)
    assert loaded.problems == []
    return loaded


def texts(replies):
    return [r.text for r in replies]


def test_coming_events_are_listed_soonest_first_and_past_ones_not(tmp_path):
    content = with_events(tmp_path)
    shown = texts(answers.events(content, None, "en", NOW))
    assert [t.split(": ")[0].split("📅 ")[1] for t in shown] == [
        "Ski festival",
        "Cross-country ski race",
        "Summer trail",
    ]
    assert shown[0].startswith(
        "Coming events:\n📅 Ski festival: 2026-12-05 to 2027-01-10\nA snow festival."
    )
    assert "(dates: https://www.example.org/festival-dates, checked 2026-11-20)" in shown[0]
    assert shown[0].endswith("\nhttps://www.example.org/festival")
    assert "Cross-country ski race: 2027-01-17\n" in shown[1]  # one day: one date
    assert "Summer trail: late August (dates not published yet)" in shown[2]
    assert not any("Past fair" in t for t in shown)


def test_events_are_written_in_the_tourists_language(tmp_path):
    content = with_events(tmp_path)
    french = texts(answers.events(content, None, "fr", NOW))
    assert french[0].startswith(
        "Événements à venir :\n📅 Festival de ski : du 05/12/2026 au 10/01/2027"
    )
    assert "(dates : https://www.example.org/festival-dates, vérifiées le 20/11/2026)" in french[0]
    chinese = texts(answers.events(content, None, "zh", NOW))
    assert chinese[0].startswith("近期赛事和节庆：\n📅 滑雪节：2026年12月05日至2027年01月10日")


def test_an_event_is_shown_until_its_last_day_in_its_own_time_zone(tmp_path):
    content = with_events(tmp_path)
    festival = next(e for e in content.events if e.id == "festival-2027")
    last_evening_in_paris = dt.datetime(2027, 1, 10, 17, 30, tzinfo=dt.timezone.utc)
    assert festival.is_over(last_evening_in_paris) is True  # already 11 January in Shanghai
    assert festival.is_over(dt.datetime(2027, 1, 10, 15, 30, tzinfo=dt.timezone.utc)) is False


def test_events_of_the_place_asked_and_of_the_places_within_it(tmp_path):
    content = with_events(tmp_path)
    shown = texts(
        answers.events(content, "mont_blanc", "en", NOW)
    )  # the trail is at the Aiguille du Midi
    assert len(shown) == 1 and "Summer trail" in shown[0]
    elsewhere = texts(answers.events(content, "badaling", "en", NOW))
    assert elsewhere[0].startswith(
        "I don't know of any coming event for Great Wall at Badaling. Elsewhere:\n📅 Ski festival"
    )
    assert len(elsewhere) == 3


def test_without_any_coming_event_the_tourism_office_is_given(content):
    replies = answers.events(
        content.__class__(choices=content.choices, phrases=content.phrases, places=content.places),
        None,
        "zh",
        NOW,
    )
    assert texts(replies) == [
        content.phrase("events_none", "zh", contact=answers.main_contact(content, "zh"))
    ]


def test_the_action_remembers_the_place_asked(tmp_path, monkeypatch):
    content = with_events(tmp_path)
    monkeypatch.setattr("curated.live.current", lambda: content)
    messages, events = run(
        ActionListEvents(),
        tracker("événements à la Féclaz ?", "ask_events", [("place", "bauges", "Féclaz")]),
    )
    assert [m["text"].split("\n")[1] for m in messages] == ["📅 Course de ski de fond : 17/01/2027"]
    assert events[0]["name"] == "place" and events[0]["value"] == "bauges"


def test_the_coverage_report_lists_past_undated_and_old_events(tmp_path):
    content = with_events(tmp_path)
    report = coverage.report(content, NOW)
    ended = report.split("Events that are over")[1].split("\n")[1]
    assert "zz_events_test.yml" in ended and "ended 2026-09-05" in ended
    undated = report.split("dates are not published yet")[1].split("\n")[1]
    assert ".when" in undated
    old = report.split("Facts checked more than a year ago:")[1]
    assert "checked 2025-09-01" in old


def test_the_event_examples_of_the_editors_guide_are_valid(tmp_path):
    import re

    readme = (ROOT / "content" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    places = [b for b in blocks if b.startswith("places:")]
    events = [b for b in blocks if b.startswith("events:")]
    assert len(places) == len(events) == 3  # fr, en, zh
    for number, (place, event) in enumerate(zip(places, events, strict=True)):
        directory = Path(shutil.copytree(ROOT / "content", tmp_path / str(number)))
        (directory / "example_place.yml").write_text(place, encoding="utf-8")
        (directory / "example_event.yml").write_text(event, encoding="utf-8")
        loaded = load(directory)
        assert [str(p) for p in loaded.problems] == []
        [example] = [e for e in loaded.events if e.place == "lac_du_bourget"]
        assert example.when["zh"] == "5月上旬（日期尚未公布）"


def test_the_real_events_are_sourced_and_say_when_dates_are_not_published(content):
    assert len(content.events) >= 5
    for event in content.events:
        assert event.source.startswith("https://") and event.checked <= dt.date.today()
        if event.when:  # an expected window: the words say the dates are not out yet
            assert (
                "pas encore publiées" in event.when["fr"]
                and "not published yet" in event.when["en"]
            )
    families = {p.id for e in content.events for p in content.lineage(e.place)}
    assert {"mont_blanc", "yanqing", "bauges", "zhangjiakou", "chambery"} <= families


def test_a_question_naming_an_event_gets_that_event(tmp_path):
    content = with_events(tmp_path)
    asked = {
        "when is the summer trail": ["Summer trail"],
        "滑雪节什么时候开始": ["Ski festival"],
        "la course de ski de fond c'est quand": ["Cross-country ski race"],
        "what's on this winter": ["Ski festival", "Cross-country ski race", "Summer trail"],
        "/ask_events": ["Ski festival", "Cross-country ski race", "Summer trail"],  # a button
    }
    for text, expected in asked.items():
        replies = answers.events(content, None, "en", NOW, text)
        assert [r.text.split("📅 ")[1].split(":")[0] for r in replies] == expected, text


def test_the_real_events_can_be_asked_for_by_name(content):
    coming = [e for e in content.events if not e.is_over(NOW)]
    assert [e.id for e in answers.named_events(coming, "when is the UTMB")] == ["utmb-2027"]
    assert [e.id for e in answers.named_events(coming, "龙庆峡冰灯几号开始")] == [
        "longqing-ice-lantern-festival-2027"
    ]
