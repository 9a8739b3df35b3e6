"""Every mistake an editor can make in content/ gets its exact message.

One deliberately broken file per kind of mistake lives in
tests/content_fixtures/; each must give exactly one problem, with its line,
field, message and fix. Also: the real content validates clean, and
``python -m curated.validate`` / ``python -m curated.coverage`` behave as
the editors' instructions (content/README.md) say.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from curated import coverage, faq_training_check
from curated.content import combine, load
from curated.problems import MESSAGE_LANGUAGES, catalogue
from curated.reading import read_file

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "content_fixtures"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable

# fixture file -> the problem it must give, after "file:"
EXPECTED = {
    "angle_bracket.yml": '8: places.lac.topics.overview.text.fr: contains a < or > sign, which messaging apps read as markup. Fix: Write it in words ("less than", "more than") or use → for an arrow.',
    "bad_id.yml": "3: places[1].id: 'Lac du Bourget' cannot be used as an id. Fix: Use only lower-case letters a-z, digits, _ and -, for example lac_du_bourget.",
    "checked_in_future.yml": "11: places.lac.topics.getting_there.facts[1].checked: 2062-11-29 is later than today. Fix: Write the date you checked the source, not a future date.",
    "duplicate_key.yml": "7: places.lac.name.fr: appears twice in the same entry; only the last one would be used. Fix: Keep one fr: and delete the other.",
    "empty_text.yml": "7: places.lac.name.en: the text in this language is empty. Fix: Write the text after en: (or ask a translator).",
    "faq_question_in_two_entries.yml": "19: faq.lake_lifeguards.questions.fr[2]: this way of asking is already a way of asking the entry lake_swimming, at faq_question_in_two_entries.yml:8 (the same once case, accents and punctuation are set aside): the assistant cannot tell which of the two entries answers it. Fix: Keep it in the entry whose answer fits it and delete it from the other, or reword one of them so that each asks its own question.",
    "faq_question_is_training_example.yml": "8: faq.lake_swimming.questions.fr[2]: this way of asking is also a training example of another kind of question (greet, in nlu/fr/chitchat.yml): the assistant cannot learn it as both. Fix: Write this question more precisely (what exactly is asked), or remove it; if it really is that other kind of question, leave it out of the FAQ.",
    "file_empty.yml": "1: (file): the file is empty or does not start with places:, offers:, events:, faq:, phrases: or assistant:. Fix: Start the file with places:, offers:, events:, faq:, phrases: or assistant: at the beginning of a line.",
    "event_ends_before_start.yml": "12: events.lac-fireworks-2027.ends: is before starts. Fix: Check the two dates: the event must end on or after the day it starts (the same day for a one-day event).",
    "file_unreadable.yml": "1: (file): the file cannot be read as text. Fix: Save it as UTF-8 text (in your editor: Save as, encoding UTF-8).",
    "html_tag.yml": "4: places.lac.name.fr: contains the markup <b>; texts are plain text and messaging apps would show it or refuse the message. Fix: Remove <b> and write plain text.",
    "includes_lengths_differ.yml": "15: offers.lac-summer-2027.includes.zh: has 1 item(s) in zh but 2 in en. Fix: Give the same items, in the same order, in the three languages.",
    "invalid_date.yml": "11: places.lac.topics.getting_there.facts[1].checked: '2026-02-30' is not a date. Fix: Write the date as YYYY-MM-DD, for example 2027-03-31, and check the day exists in that month.",
    "missing_field.yml": '3: places.lac.name: is missing. Fix: Add name: to this entry, for example name: {fr: "...", zh: "...", en: "..."}',
    "missing_language.yml": "4: places.lac.name.zh: the text in this language is missing or empty. Fix: Add a zh: line with the text.",
    "not_email.yml": "7: places.lac.contact.email: 'info.aixlesbains.com' is not an e-mail address. Fix: Write it as name@domain, for example info@chamonix.com.",
    "not_degrees.yml": "7: places.lac.location.lon: '5,86' is not a coordinate between -180 and 180. Fix: Write decimal degrees with a point, as a map shows them, for example 6.8694 (north and east are positive).",
    "not_fields.yml": "6: places.lac.topics.overview: should be a group of fields, each on its own line, indented under it. Fix: Write one field per line (name: value), indented by two more spaces than this line.",
    "not_https.yml": "7: places.lac.contact.url: 'http://www.aixlesbains-rivieradesalpes.com' is not an https:// address. Fix: Copy the full address from the browser's address bar; it must start with https://.",
    "not_list.yml": "2: places: should be a list. Fix: Start each item on its own line with '- ', or write [item, item].",
    "not_phone.yml": "7: places.lac.contact.phone: 'see the website' is not a phone number. Fix: Write it in double quotes with the country code, for example \"+33 4 50 53 00 24\".",
    "phone_read_as_number.yml": '7: places.lac.contact.phone: is not read as a text. Fix: Put the value in double quotes, for example "0450530024".',
    "phrase_unknown_placeholder.yml": "22: phrases.topic_missing.en: uses {opening_hours}, which the assistant does not fill in. Fix: Use only {contact}, {place} (in braces), spelled exactly so.",
    "not_texts.yml": "4: places.lac.name: should have one text per language. Fix: Write it as three lines fr: ..., zh: ..., en: ... indented under it.",
    "not_yes_no.yml": "15: offers.lac-summer-2027.sample: should be true or false, not 'oui'. Fix: Write true or false.",
    "office_closes_before_opens.yml": "9: offices.lac.chat.closes: 8:30 is not after opens (9:00). Fix: Write the hour someone leaves the inbox, after the hour they arrive, in the office's time zone (17.5 for 17:30).",
    "offer_ends_before_start.yml": "12: offers.lac-summer-2027.valid_until: is before valid_from. Fix: Check the two dates: the offer must end on or after the day it starts.",
    "offer_unknown_place.yml": "7: offers.lac-summer-2027.place: points to 'aix_les_bains', which is not the id of any place. Fix: Use the id: of a place in content/, or add that place first.",
    "parent_loop.yml": "5: places.lac.parent: the parents go round in a circle: lac → aix → lac. Fix: Remove one parent: of the circle; the largest place has parent: null.",
    "phrase_broken_braces.yml": "62: phrases.price.en: has a { or } that does not belong to a {name}. Fix: Write braces only around the words the assistant fills in, like {contact}.",
    "phrase_missing_placeholder.yml": "14: phrases.fact.en: does not contain {source}, so the tourist would not see that information. Fix: Put {source} back in the sentence (you may move it).",
    "phrase_no_placeholder.yml": "26: phrases.which_place.en: uses {destination}, but the assistant fills in nothing in this sentence. Fix: Remove the braces and write plain words.",
    "phrase_placeholder_typo.yml": "28: phrases.not_covered.fr: uses {contat}, which the assistant does not fill in (a typo?). Fix: Write {contact} instead.",
    "price_not_positive.yml": "10: offers.lac-summer-2027.price.amount: is not a positive number. Fix: Write the amount as a number without currency sign, for example 390 (or 12.50).",
    "self_reference.yml": "5: places.lac.sister: points to the place itself ('lac'). Fix: Use the id of another place.",
    "text_too_long.yml": "8: places.lac.topics.overview.text.fr: is 1050 characters long; a text must stay under 1000. Fix: Shorten it to fewer than 1000 characters; move figures to facts.",
    "title_too_long.yml": "5: places.lac.name.fr: is 73 characters long; a button title must stay under 64. Fix: Use a shorter name, under 64 characters.",
    "unknown_currency.yml": "10: offers.lac-summer-2027.price.currency: 'euros' is not one of the allowed values. Fix: Did you mean EUR? Allowed: EUR, CNY, CHF, USD.",
    "unknown_key.yml": "5: places.lac.sugestion: is not a field the assistant knows (a typo?). Fix: Did you mean suggestion? Correct the spelling.",
    "unknown_reference.yml": "5: places.lac.sister: points to 'lac_d_annecy', which is not the id of any place. Fix: Did you mean lac_annecy? Use the id: of a place in content/.",
    "unknown_season.yml": "15: offers.lac-summer-2027.seasons[1]: 'sumer' is not one of the allowed values. Fix: Did you mean summer? Allowed: winter, spring, summer, autumn.",
    "unknown_timezone.yml": "13: offers.lac-summer-2027.timezone: 'Europe/London' is not one of the allowed values. Fix: Use one of: Europe/Paris, Asia/Shanghai.",
    "unknown_topic.yml": "6: places.lac.topics.restaurants: is not a field the assistant knows. Fix: Remove it, or use one of: overview, getting_there, prices, hours, best_time, activities.",
    "yaml_colon.yml": '5: (file): the file is not valid YAML, column 25: a colon here is read as a new field. Fix: Put the whole text in double quotes ("..."), or align the line with the ones above it.',
    "yaml_indentation.yml": "6: (file): the file is not valid YAML, column 6: this line is not indented like the lines around it, or text follows a closing quotation mark. Fix: Align the line with the other fields of the same entry (spaces only); write a quotation mark inside a text as ' or put the text between other quotes.",
    "yaml_syntax.yml": "4: (file): the file is not valid YAML, column 16. Fix: Check the indentation (spaces only) and put every text that contains a colon or quotes in double quotes.",
    "yaml_tab.yml": "4: (file): the file is not valid YAML, column 1: the line is indented with a tab. Fix: Replace the tab with spaces (two spaces per level).",
    "yaml_unclosed_bracket.yml": "4: (file): the file is not valid YAML, column 11: the { or [ opened here is not closed, or a comma is missing. Fix: Close it with } or ] on the same line, and separate the items with commas.",
    "yaml_unclosed_quote.yml": "7: (file): the file is not valid YAML, column 11: the quotation mark opened here is never closed. Fix: Add the closing quotation mark at the end of the text.",
}


def problems_of(fixture: str):
    """What ``python -m curated.validate`` reports for this fixture."""
    path = FIXTURES / fixture
    if path.is_dir():
        loaded, directory = load(path), path
    else:
        loaded, directory = combine([read_file(path)]), path.parent
    return loaded.problems + faq_training_check.problems(loaded, directory)


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_each_mistake_gets_its_exact_message_line_and_fix(fixture):
    assert [str(p) for p in problems_of(fixture)] == [f"{fixture}:{EXPECTED[fixture]}"]


def test_every_fixture_file_has_its_expected_message():
    assert sorted(p.name for p in FIXTURES.glob("*.yml")) == sorted(EXPECTED)


def test_an_id_used_in_two_files_names_both_places():
    assert [str(p) for p in problems_of("duplicate_id")] == [
        "b_more_lakes.yml:5: places.lac.id: 'lac' is already used at a_lakes.yml:3; this entry is ignored. "
        "Fix: Give each entry its own id: rename the new one (the software uses the old one)."
    ]


def test_a_way_of_asking_in_two_entries_of_two_files_names_both_files_and_lines():
    assert [str(p) for p in problems_of("faq_question_in_two_entries_files")] == [
        "b_lifeguards.yml:7: faq.lake_lifeguards.questions.zh[2]: this way of asking is already a "
        "way of asking the entry lake_swimming, at a_swimming.yml:7 (the same once case, accents "
        "and punctuation are set aside): the assistant cannot tell which of the two entries "
        "answers it. Fix: Keep it in the entry whose answer fits it and delete it from the other, "
        "or reword one of them so that each asks its own question."
    ]


def test_messages_are_given_in_french_and_chinese():
    [problem] = problems_of("missing_language.yml")
    assert problem.render("fr") == (
        "missing_language.yml:4: places.lac.name.zh: le texte dans cette langue manque ou est vide. "
        "Correction : Ajoutez une ligne zh: avec le texte."
    )
    assert problem.render("zh") == (
        "missing_language.yml:4: places.lac.name.zh: 缺少这种语言的文本，或文本为空。 修改方法： 请加一行 zh: 并写上文本。"
    )


def test_messages_hold_no_python_words():
    fixtures = list(EXPECTED) + ["duplicate_id", "faq_question_in_two_entries_files"]
    rendered = [
        p.render(language)
        for f in fixtures
        for p in problems_of(f)
        for language in MESSAGE_LANGUAGES
    ]
    for line in rendered:
        assert not re.search(r"None|True|False|<class|Traceback|Error\b|\{'|\\n|datetime", line), (
            line
        )


def test_every_message_exists_in_three_languages_with_the_same_placeholders():
    texts = catalogue()
    for code, languages in texts["problems"].items():
        assert set(languages) == set(MESSAGE_LANGUAGES), code
        for part in ("message", "fix"):
            names = {
                language: _placeholders(languages[language][part]) for language in MESSAGE_LANGUAGES
            }
            assert names["fr"] == names["en"] == names["zh"], (code, part, names)
    for name, languages in texts["labels"].items():
        assert set(languages) == set(MESSAGE_LANGUAGES), name
        assert (
            _placeholders(languages["fr"])
            == _placeholders(languages["en"])
            == _placeholders(languages["zh"])
        ), name


def test_every_kind_of_problem_has_a_fixture_and_every_fixture_a_known_kind():
    produced = {p.code for f in list(EXPECTED) + ["duplicate_id"] for p in problems_of(f)}
    assert produced == set(catalogue()["problems"])


def _placeholders(text: str):
    return set(re.findall(r"(?<!\{)\{(\w+)\}(?!\})", text))


def test_a_broken_entry_is_left_out_and_the_others_kept():
    loaded = combine([read_file(FIXTURES / "missing_field.yml")])
    assert list(loaded.places) == ["lac_annecy"]
    loaded = combine([read_file(FIXTURES / "offer_ends_before_start.yml")])
    assert list(loaded.places) == ["lac"] and loaded.offers == []


def test_a_wrong_optional_field_is_left_out_and_its_entry_kept():
    loaded = combine([read_file(FIXTURES / "not_https.yml")])
    assert loaded.places["lac"].contact.url is None
    loaded = combine([read_file(FIXTURES / "unknown_season.yml")])
    assert loaded.offers[0].seasons == ()


def test_the_real_content_validates_clean(content):
    assert [str(p) for p in content.problems] == []


def test_an_offer_with_seasons_runs_only_in_those_seasons(content):
    offer = replace(
        content.offers[0],
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2027, 12, 31),
        timezone="Europe/Paris",
        seasons=("winter",),
    )
    assert offer.is_valid_on(dt.datetime(2027, 2, 28, 12, tzinfo=dt.timezone.utc))
    assert not offer.is_valid_on(dt.datetime(2027, 3, 1, 12, tzinfo=dt.timezone.utc))
    # 28 February, 23:30 UTC is already 1 March (spring) in Paris.
    assert not offer.is_valid_on(dt.datetime(2027, 2, 28, 23, 30, tzinfo=dt.timezone.utc))


# ---------------------------------------------------------------- the editors' commands


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_validate_says_ok_and_exits_0_on_the_real_content():
    result = run("curated.validate")
    assert result.returncode == 0, result.stdout + result.stderr
    [line] = result.stdout.splitlines()
    files = len(list((ROOT / "content").glob("*.yml")))
    assert line.startswith(f"OK: {files} files checked (") and line.endswith("no problem found.")


def test_validate_prints_each_problem_and_exits_1_on_broken_content():
    result = run("curated.validate", "tests/content_fixtures/duplicate_id")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "tests/content_fixtures/duplicate_id/b_more_lakes.yml:5: places.lac.id: 'lac' is already used at "
        "a_lakes.yml:3; this entry is ignored. Fix: Give each entry its own id: rename the new one "
        "(the software uses the old one).",
        "1 problem(s) found. Fix them, save, and run the check again.",
    ]
    assert result.stderr == ""


def test_validate_speaks_the_editors_language(tmp_path):
    (tmp_path / "lake.yml").write_bytes((FIXTURES / "yaml_tab.yml").read_bytes())
    result = run("curated.validate", "--lang", "zh", str(tmp_path))
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        f"{tmp_path}/lake.yml:4: (file): 文件不是有效的 YAML，第 1 列：这一行用了制表符（Tab）缩进。 "
        "修改方法： 把制表符换成空格（每一级两个空格）。"
    )


def test_coverage_lists_missing_languages_and_topics_ending_offers_and_old_facts():
    content = load(FIXTURES / "coverage")
    now = dt.datetime(2027, 6, 20, 12, tzinfo=dt.timezone.utc)
    assert coverage.report(content, now).split("Places without coordinates")[0].splitlines() == [
        "Texts missing a language:",
        "  lake.yml:13: places.lac.topics.getting_there.text.zh",
        "Places with no answer for a topic:",
        "  lake.yml:7: places.lac: getting_there, hours, best_time, activities",
        "  lake.yml:23: places.port: getting_there, best_time, activities",
        "Offers ending in the next 30 days:",
        "  lake.yml:41: offers.lake-summer: ends 2027-07-10",
        "Offers that have ended (no longer shown, remove them):",
        "  lake.yml:32: offers.lake-june: ended 2027-05-31",
        "Events that are over (no longer shown: remove them, or add the next edition):",
        "  lake.yml:60: events.lake-regatta-2027: ended 2027-05-09",
        "Events whose dates are not published yet (check whether they are now):",
        "  lake.yml:69: events.lake-fireworks-2027.when: checked 2026-10-10",
        "Facts checked more than a year ago:",
        "  lake.yml:19: places.lac.topics.prices.facts[1]: checked 2026-01-15",
        "  lake.yml:60: events.lake-regatta-2027: checked 2026-03-01",
    ]


def _section(report: str, heading: str) -> list[str]:
    """The lines under ``heading`` (a line starting so), up to the next heading."""
    lines = report.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading)) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith(" ")), len(lines))
    return lines[start:end]


COVERAGE_NOW = dt.datetime(2027, 6, 20, 12, tzinfo=dt.timezone.utc)


def test_coverage_lists_the_places_without_coordinates():
    report = coverage.report(load(FIXTURES / "coverage"), COVERAGE_NOW)
    assert _section(report, "Places without coordinates") == ["  lake.yml:7: places.lac"]


def test_coverage_lists_faq_entries_with_fewer_than_five_ways_of_asking_in_a_language():
    report = coverage.report(load(FIXTURES / "coverage"), COVERAGE_NOW)
    assert _section(report, "FAQ entries with fewer than 5 ways of asking") == [
        "  lake.yml:84: faq.lake_swimming.questions.zh: 2 way(s) of asking"
    ]
    stricter = coverage.report(load(FIXTURES / "coverage"), COVERAGE_NOW, min_questions=6)
    assert len(_section(stricter, "FAQ entries with fewer than 6 ways of asking")) == 6


def test_coverage_shows_per_place_and_language_which_topics_have_a_text():
    report = coverage.report(load(FIXTURES / "coverage"), COVERAGE_NOW)
    assert _section(report, "Topics with a text, per place and language") == [
        "  place   overview  getting_there  prices    hours     best_time  activities",
        "  lac     fr zh en  fr -- en       fr zh en  --        --         --",
        "    port  --        --             --        fr zh en  --         --",
    ]


def test_coverage_counts_faq_entries_per_destination():
    report = coverage.report(load(FIXTURES / "coverage"), COVERAGE_NOW)
    # lake_swimming is about the port, which lies within the lake.
    assert _section(report, "FAQ entries per destination") == ["  lac: 1", "  (no place): 1"]


def test_coverage_shows_per_destination_which_subjects_its_faq_entries_answer():
    report = coverage.report(load(FIXTURES / "subjects"), COVERAGE_NOW)
    # port_bike_rental counts for the lake, the port's destination; orchard is
    # not "or"; an entry about no place counts for no destination.
    assert _section(report, "Subjects tourists ask about, per destination")[:1] + [
        row
        for row in _section(report, "Subjects tourists ask about, per destination")
        if row.split()[0] in ("rental_lessons", "comparison", "weather", "families")
    ] == [
        "  subject         lac  peak",
        "  families        --   --",
        "  rental_lessons  2    --",
        "  comparison      1    --",
        "  weather         --   1",
    ]


def test_coverage_runs_from_the_command_line_in_french():
    result = run(
        "curated.coverage",
        "--lang",
        "fr",
        "--today",
        "2027-06-20",
        "tests/content_fixtures/coverage",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Textes auxquels il manque une langue :"
    assert (
        "  tests/content_fixtures/coverage/lake.yml:41: offers.lake-summer: se termine le 2027-07-10"
        in lines
    )
    assert "  lieu    overview  getting_there  prices    hours     best_time  activities" in lines
    assert (
        "  tests/content_fixtures/coverage/lake.yml:84: faq.lake_swimming.questions.zh: 2 façon(s) de demander"
        in lines
    )


def test_coverage_of_the_real_content_has_no_missing_language():
    result = run("curated.coverage")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["Texts missing a language:", "  none"]


# ---------------------------------------------------------------- content/README.md


def test_the_examples_of_the_editors_guide_are_valid_and_current(tmp_path):
    readme = (ROOT / "content" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    places = [b for b in blocks if b.startswith("places:")]
    offers = [b for b in blocks if b.startswith("offers:")]
    phrases = [b for b in blocks if b.startswith("phrases:")]
    assert len(places) == len(offers) == len(phrases) == 3  # fr, en, zh
    real_phrases = load(ROOT / "content").phrases
    for place, offer, phrase in zip(places, offers, phrases, strict=True):
        directory = Path(
            shutil.copytree(ROOT / "content", tmp_path / str(len(list(tmp_path.iterdir()))))
        )
        (directory / "example.yml").write_text(place + offer, encoding="utf-8")
        loaded = load(directory)
        assert [str(p) for p in loaded.problems] == []
        assert "lac_du_bourget" in loaded.places
        for name, texts in yaml.safe_load(phrase)["phrases"].items():
            assert texts == real_phrases[name]


@pytest.mark.parametrize("language", MESSAGE_LANGUAGES)
def test_the_sample_problem_of_the_editors_guide_is_the_real_message(tmp_path, language):
    readme = (ROOT / "content" / "README.md").read_text(encoding="utf-8")
    offers = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if b.startswith("offers:")]
    place = next(
        b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if b.startswith("places:")
    )
    offer = {"fr": offers[0], "en": offers[1], "zh": offers[2]}[language]
    broken = offer.replace("currency: EUR}", "currency: euros}")
    (tmp_path / "example.yml").write_text(place + broken, encoding="utf-8")
    [problem] = [p for p in load(tmp_path).problems if p.field.endswith("currency")]
    field_and_message = problem.render(language).split(": ", 1)[1]
    assert field_and_message in readme


@pytest.mark.parametrize("language", MESSAGE_LANGUAGES)
def test_the_guides_sample_of_a_way_of_asking_in_two_entries_is_the_real_message(language):
    readme = (ROOT / "content" / "README.md").read_text(encoding="utf-8")
    [problem] = problems_of("faq_question_in_two_entries_files")
    values = tuple(
        (key, "faq_a.yml" if key == "other_file" else value) for key, value in problem.values
    )
    shown = replace(problem, file="content/faq_b.yml", values=values).render(language)
    assert f"```\n{shown}\n```" in readme


def test_the_chat_hours_examples_of_the_editors_guide_are_valid(tmp_path):
    from curated.offices import read

    readme = (ROOT / "content" / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "chat:" in b]
    assert len(blocks) == 3  # fr, en, zh
    for number, block in enumerate(blocks):
        directory = tmp_path / str(number)
        directory.mkdir()
        office = 'offices:\n  - id: lac\n    name: {fr: "Lac", zh: "湖", en: "Lake"}\n' + block
        (directory / "offices.yml").write_text(office, encoding="utf-8")
        assert [str(p) for p in load(directory).problems] == []
        assert read(directory)["lac"].chat is not None
