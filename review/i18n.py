"""The app's words in French, English and Chinese (review/labels.yml).

The language comes from the ``lang`` cookie (set by the menu), else from the
browser's Accept-Language, else French. The labels are read once, when the app
first needs them (``make_app`` reads them at start-up), and checked then: every
label has a text in each of the three languages, and nothing else.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import yaml

# The assistant's languages (language.LANGUAGES), in the order of the app's menu
# and of ``texts``' tuples; tests/test_review_labels.py checks they are the same.
UI_LANGUAGES = ("fr", "en", "zh")
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "zh": "中文"}
DEFAULT = "fr"
LABELS_FILE = Path(__file__).resolve().with_name("labels.yml")

Labels = dict[str, dict[str, str]]  # label: {language: text}


class LabelError(ValueError):
    """labels.yml cannot be used; the message names the label and the language."""


def load_labels(path: Path) -> Labels:
    """The labels of ``path``, each checked to have a text in fr, en and zh."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise LabelError(f"{path.name}: expected one entry per label, each with fr, en and zh")
    labels: Labels = {}
    for name, texts in data.items():
        if not isinstance(name, str):
            raise LabelError(
                f"{path.name}: label {name!r} is read by YAML as a {type(name).__name__}:"
                f' quote it ("{str(name).lower()}":)'
            )
        if not isinstance(texts, dict):
            raise LabelError(f"{path.name}: label {name!r} needs fr, en and zh texts")
        for language in UI_LANGUAGES:
            text = texts.get(language)
            if not isinstance(text, str) or not text.strip():
                raise LabelError(f"{path.name}: label {name!r} has no {language} text")
        for language in texts:
            if language not in UI_LANGUAGES:
                raise LabelError(
                    f"{path.name}: label {name!r} has a {language} text;"
                    f" the app's languages are {', '.join(UI_LANGUAGES)}"
                )
        labels[name] = {language: texts[language] for language in UI_LANGUAGES}
    return labels


@functools.cache
def labels() -> Labels:
    """The shipped labels, read and checked once."""
    return load_labels(LABELS_FILE)


def translator(language: str) -> Callable[[str], str]:
    """``t(label)``: the label's text in ``language`` (French for another language);
    a name that is no label reads as itself."""
    if language not in UI_LANGUAGES:
        language = DEFAULT
    table = labels()

    def t(key: str) -> str:
        texts = table.get(key)
        if texts is None:
            return key
        return texts[language]

    return t


def choose(cookie: str | None, accept_language: str | None) -> str:
    if cookie in UI_LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in UI_LANGUAGES:
            return code
    return DEFAULT


def words() -> dict[str, tuple[str, ...]]:
    """Each label's texts, in the order of ``UI_LANGUAGES``."""
    return {name: tuple(texts[lang] for lang in UI_LANGUAGES) for name, texts in labels().items()}
