"""The checks of ``make validate``, run on an edited file before it is written.

The content is read with curated's own reader and validation (``read_file``,
``combine``, and the FAQ ways of asking checked against nlu/), once with the
file as it is and once with the edited text. A problem the edit brings (one
that the content does not have now) refuses the edit; problems already there
are not the editor's. Files are read again only when they change on disk.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from curated import faq_training_check
from curated.content import Content, combine
from curated.problems import Problem
from curated.reading import FileContent, content_files, read_file

Stamp = tuple[int, int]

_lock = threading.Lock()
_files: dict[Path, tuple[Stamp, FileContent]] = {}
_checked: dict[tuple, tuple[Content, list[Problem]]] = {}
# The last edits checked, kept until one is written: (path, text) -> its reading
_candidates: dict[tuple[Path, str], tuple[dict[str, FileContent], Content, list[Problem]]] = {}


def _stamp(path: Path) -> Stamp:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def _read(path: Path) -> FileContent:
    stamp = _stamp(path)
    with _lock:
        cached = _files.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    read = read_file(path)
    with _lock:
        _files[path] = (stamp, read)
    return read


def _files_now(content_dir: Path) -> dict[str, FileContent]:
    return {path.name: _read(path) for path in content_files(content_dir)}


def _problems(content: Content, content_dir: Path) -> list[Problem]:
    return content.problems + faq_training_check.problems(content, content_dir)


def current(content_dir: Path) -> tuple[Content, list[Problem]]:
    """The content as the files are now, and its problems (as ``make validate`` finds them)."""
    files = _files_now(Path(content_dir))
    key = (str(Path(content_dir)), tuple((n, id(f)) for n, f in sorted(files.items())))
    with _lock:
        found = _checked.get(key)
    if found is None:
        content = combine(files[n] for n in sorted(files))
        found = (content, _problems(content, Path(content_dir)))
        with _lock:
            _checked.clear()
            _checked[key] = found
    return found


TRAINING_EXAMPLE = "faq_question_is_training_example"


def new_problems(
    content_dir: Path, file_name: str, text: str, questions_changed: bool = True
) -> list[Problem]:
    """The problems the content would have with ``text`` as ``file_name``, and has not now.

    ``questions_changed`` False: no FAQ way of asking changed, so the check of the ways
    of asking against nlu/ (reading every training file) would find what it finds now."""
    content_dir = Path(content_dir)
    _, before = current(content_dir)
    files, trial = _trial(content_dir, file_name, text)
    if questions_changed:
        problems = _problems(trial, content_dir)
    else:
        problems = trial.problems + [p for p in before if p.code == TRAINING_EXAMPLE]
    with _lock:
        if len(_candidates) >= 8:
            _candidates.clear()
        _candidates[(content_dir / file_name, text)] = (files, trial, problems)
    known = {p.identity for p in before}
    return [p for p in problems if p.identity not in known]


def _trial(content_dir: Path, file_name: str, text: str) -> tuple[dict[str, FileContent], Content]:
    files = _files_now(content_dir)
    with tempfile.TemporaryDirectory() as scratch:
        candidate = Path(scratch) / file_name
        candidate.write_text(text, encoding="utf-8")
        files[file_name] = read_file(candidate)
    return files, combine(files[n] for n in sorted(files))


def trial(content_dir: Path, file_name: str, text: str) -> Content:
    """The content as it would be with ``text`` as ``file_name`` (for a preview)."""
    return _trial(Path(content_dir), file_name, text)[1]


def written(path: Path, text: str) -> None:
    """``text`` checked by ``new_problems`` is now the file: its reading is the content now."""
    with _lock:
        found = _candidates.pop((Path(path), text), None)
        _candidates.clear()
    if found is None:
        return
    files, trial, problems = found
    with _lock:
        _files[Path(path)] = (_stamp(Path(path)), files[Path(path).name])
        key = (str(Path(path).parent), tuple((n, id(f)) for n, f in sorted(files.items())))
        _checked.clear()
        _checked[key] = (trial, problems)


def message(problem: Problem, language: str) -> str:
    """The problem's message and fix in ``language``, without its file and line."""
    line = problem.render(language)
    prefix = f"{problem.file}:{problem.line}: {problem.field}: "
    return line[len(prefix) :] if line.startswith(prefix) else line
