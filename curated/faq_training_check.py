"""An FAQ way of asking must not also be a hand-written example of another
intent in nlu/: ``make train`` teaches every way of asking as the intent
``faq`` (rasa_extensions/faq_importer.py), and the same sentence under two
intents makes ``rasa data validate`` fail and the model hesitate. Reported
to the editor like any content problem, at the line of the question."""

from __future__ import annotations

from pathlib import Path

from curated import nlu_examples
from curated.content import Content
from curated.problems import Problem


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def problems(
    content: Content, content_dir: Path, nlu_dir: Path = nlu_examples.NLU_DIR
) -> list[Problem]:
    trained: dict[str, tuple[str, Path]] = {}
    for example in nlu_examples.examples(nlu_dir):
        trained.setdefault(_key(example.text), (example.intent, example.path))
    found = []
    for entry in content.faq:
        for language, questions in entry.questions.items():
            for index, question in enumerate(questions):
                if _key(question) not in trained:
                    continue
                intent, path = trained[_key(question)]
                file = entry.origin.file if entry.origin else "faq.yml"
                found.append(
                    Problem.of(
                        "faq_question_is_training_example",
                        file,
                        _line_of(
                            content_dir / file, question, entry.origin.line if entry.origin else 1
                        ),
                        f"faq.{entry.id}.questions.{language}[{index + 1}]",
                        intent=intent,
                        nlu_file=f"{nlu_dir.name}/{path.relative_to(nlu_dir)}",
                    )
                )
    return found


def _line_of(path: Path, text: str, after: int) -> int:
    """The first line at or after ``after`` that holds ``text`` (else ``after``)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return after
    for number, line in enumerate(lines[after - 1 :], start=after):
        if text in line:
            return number
    return after
