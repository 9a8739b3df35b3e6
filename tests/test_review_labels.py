"""The review app's words: review/labels.yml, one entry per label in fr, en and zh.

A label an editor leaves without one of the three languages (or with a language
the app does not have) stops the app when the file is read, naming the label
and the language, instead of a page that shows the key or the wrong language.
"""

from __future__ import annotations

import pytest

from review import i18n


def _write(tmp_path, text: str):
    path = tmp_path / "labels.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_shipped_label_is_in_french_english_and_chinese():
    labels = i18n.load_labels(i18n.LABELS_FILE)
    assert len(labels) > 100
    for name, texts in labels.items():
        assert set(texts) == set(i18n.UI_LANGUAGES), name
        assert all(texts[lang].strip() for lang in i18n.UI_LANGUAGES), name


def test_each_language_reads_its_own_words():
    assert i18n.translator("fr")("logout") == "Se déconnecter"
    assert i18n.translator("en")("logout") == "Log out"
    assert i18n.translator("zh")("logout") == "退出登录"
    assert i18n.translator("de")("logout") == "Se déconnecter"  # French by default


def test_a_label_missing_a_language_is_an_error_naming_both(tmp_path):
    path = _write(tmp_path, 'logout:\n  fr: "Se déconnecter"\n  en: "Log out"\n')
    with pytest.raises(i18n.LabelError, match=r"labels\.yml: label 'logout' has no zh text"):
        i18n.load_labels(path)


def test_an_empty_text_counts_as_missing(tmp_path):
    path = _write(tmp_path, 'logout:\n  fr: "Se déconnecter"\n  en: ""\n  zh: "退出登录"\n')
    with pytest.raises(i18n.LabelError, match="label 'logout' has no en text"):
        i18n.load_labels(path)


def test_a_language_the_app_does_not_have_is_an_error(tmp_path):
    path = _write(tmp_path, 'logout:\n  fr: "a"\n  en: "b"\n  zh: "c"\n  de: "d"\n')
    with pytest.raises(i18n.LabelError, match="label 'logout' has a de text"):
        i18n.load_labels(path)


def test_an_unquoted_yes_is_an_error_saying_to_quote_it(tmp_path):
    # YAML reads a bare yes: as true, and the label "yes" would be missing.
    path = _write(tmp_path, 'yes:\n  fr: "Oui"\n  en: "Yes"\n  zh: "是"\n')
    with pytest.raises(i18n.LabelError, match="quote it"):
        i18n.load_labels(path)


def test_the_app_speaks_the_assistants_languages():
    from language import LANGUAGES

    assert sorted(i18n.UI_LANGUAGES) == sorted(LANGUAGES)
