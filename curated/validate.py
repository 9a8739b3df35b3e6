"""Checks content/ and prints every problem, worded for the tourism-office editors.

    python -m curated.validate [--lang fr|en|zh] [DIR]

Content problems (``content``) and FAQ ways of asking that are also
training examples of nlu/ (``faq_training_check``).
One line per problem, ``file:line: field: message Fix: ...``, in the chosen
language (default en), then a count; or a one-line OK summary. Exits 1 when
anything is wrong, 0 otherwise. ``make validate`` runs it with
``rasa data validate``.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

import settings
from curated import faq_training_check
from curated.content import combine
from curated.problems import MESSAGE_LANGUAGES, Problem, label
from curated.reading import content_files, read_file


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    directory = Path(args.directory or settings.from_environment().content_dir)
    files = content_files(directory)
    if not files:
        print(label("no_content", args.lang, directory=shown(directory)))
        return 1
    content = combine(read_file(path) for path in files)
    content.problems.extend(faq_training_check.problems(content, directory))
    if not content.problems:
        print(
            label(
                "ok",
                args.lang,
                files=len(files),
                places=len(content.places),
                offers=len(content.offers),
                events=len(content.events),
                faq=len(content.faq),
                phrases=len(content.phrases),
            )
        )
        return 0
    for problem in sorted(content.problems, key=lambda p: (p.file, p.line)):
        print(located(problem, directory).render(args.lang))
    print(label("problems_found", args.lang, count=len(content.problems)))
    return 1


def located(problem: Problem, directory: Path) -> Problem:
    """The problem with its file shown as a path the editor can open."""
    return replace(problem, file=shown(directory / problem.file))


def shown(path: Path) -> str:
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m curated.validate", description="Check content/ files."
    )
    parser.add_argument(
        "--lang", choices=MESSAGE_LANGUAGES, default="en", help="language of the messages"
    )
    parser.add_argument(
        "directory",
        nargs="?",
        help="content folder (default: CONTENT_DIR or content/)",
        default=None,
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
