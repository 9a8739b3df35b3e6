"""Selected questions as Rasa NLU training examples or as a draft FAQ entry.

The NLU file is ready to drop into ``nlu/<language>/`` (its first line says
where) and retrain; the FAQ entry is a draft for the content editors, with the
answer left to write in the three languages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import yaml

from language import LANGUAGES

INTENT = re.compile(r"^[a-z][a-z0-9_]{0,79}$")


def clean_examples(texts: Iterable[str]) -> list[str]:
    seen, examples = set(), []
    for text in texts:
        line = " ".join(str(text).split())[:300]
        if line and line not in seen and not line.startswith("/"):
            seen.add(line)
            examples.append(line)
    return examples


def nlu_yaml(language: str, intent: str, texts: Iterable[str]) -> tuple[str, str]:
    """(path in the repository, file text) of the training examples."""
    if language not in LANGUAGES:
        raise ValueError("language")
    if not INTENT.match(intent or ""):
        raise ValueError("intent")
    examples = clean_examples(texts)
    if not examples:
        raise ValueError("examples")
    path = f"nlu/{language}/review_{intent}.yml"
    document = {
        "version": "3.1",
        "nlu": [{"intent": intent, "examples": "".join(f"- {_escape(e)}\n" for e in examples)}],
    }
    body = yaml.dump(document, Dumper=_Literal, allow_unicode=True, sort_keys=False, width=1000)
    header = (
        f"# {path}: examples chosen in the review app on {dt.date.today().isoformat()}.\n"
        f"# Check them, merge them into nlu/{language}/, then retrain (make train).\n"
    )
    return path, header + body


def faq_yaml(language: str, name: str, texts: Iterable[str]) -> tuple[str, str]:
    """(suggested file name, text) of a draft entry for content/faq.yml.

    Same shape as the entries there (id, questions per language, answer in
    fr/zh/en, optional place and facts); what the reviewer cannot know is
    marked TODO for the content team.
    """
    if language not in LANGUAGES:
        raise ValueError("language")
    if name and not INTENT.match(name):
        raise ValueError("intent")
    examples = clean_examples(texts)
    if not examples:
        raise ValueError("examples")
    questions = {
        code: examples if code == language else [f"TODO: 3 to 5 ways of asking it in {code}"]
        for code in LANGUAGES
    }
    entry = {
        "id": name or f"draft_{dt.date.today().strftime('%Y%m%d')}",
        "questions": questions,
        "answer": dict.fromkeys(LANGUAGES, "TODO"),
    }
    body = yaml.safe_dump({"faq": [entry]}, allow_unicode=True, sort_keys=False, width=1000)
    header = (
        "# Draft entry for content/faq.yml from the review app: questions tourists asked that\n"
        "# the assistant could not answer. Write the ways of asking and the answer in fr, zh\n"
        "# and en (figures that change go in facts, with source and checked), then add it.\n"
    )
    return f"faq_draft_{language}.yml", header + body


def _escape(example: str) -> str:
    # "[text](entity)" is Rasa's entity markup: keep brackets from masks literal.
    return example.replace("](", "] (")


class _Literal(yaml.SafeDumper):
    pass


def _literal(dumper: yaml.SafeDumper, data: str):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Literal.add_representer(str, _literal)
