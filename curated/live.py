"""The content the actions answer from, reloaded when an editor saves a file.

At most once a second the files' modification times are compared with the
ones loaded; the files that changed are read again, one by one. An edit that
brings problems is refused for that file only: the assistant keeps that
file's last valid version, other files' valid edits still apply, and the
problems are logged as ``python -m curated.validate`` prints them. A refused
edit is tried again whenever another file changes (it may have been waiting
for a place added elsewhere). When a file has no valid version yet (a new
file, or one broken since the start), what can be read of it is used.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import settings
from curated.content import Content, combine
from curated.problems import Problem
from curated.reading import FileContent, content_files, read_file

logger = logging.getLogger(__name__)

CHECK_EVERY_SECONDS = 1.0

Stamp = tuple[int, int]  # modification time (ns), size


class LiveContent:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._content: Content | None = None
        self._files: dict[str, FileContent] = {}  # the version of each file in use
        self._refused: dict[str, FileContent | None] = {}  # edits not in use (None: deleted)
        self._stamps: dict[str, Stamp] = {}
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def get(self) -> Content:
        with self._lock:
            now = time.monotonic()
            if self._content is None or now - self._checked_at >= CHECK_EVERY_SECONDS:
                self._checked_at = now
                self._refresh()
            return self._content  # type: ignore[return-value]

    def _refresh(self) -> None:
        stamps = self._read_stamps()
        changed = sorted(
            n for n in stamps.keys() | self._stamps.keys() if stamps.get(n) != self._stamps.get(n)
        )
        if self._content is not None and not changed:
            return
        self._stamps = stamps
        edits = {n: read_file(self.directory / n) if n in stamps else None for n in changed}
        if self._content is None:
            self._files = {n: f for n, f in edits.items() if f is not None}
            self._content = self._combined()
            _log_problems("Content loaded with problems", self._content.problems)
        else:
            self._apply(edits)
        logger.info(
            "Content in use from %s: %d places, %d offers",
            self.directory,
            len(self._content.places),
            len(self._content.offers),
        )

    def _apply(self, edits: dict[str, FileContent | None]) -> None:
        """Accept each edit that brings no problem; refuse the others, per file."""
        pending = {**self._refused, **edits}
        self._refused = {}
        accepted_one = True
        while pending and accepted_one:  # an accepted edit can make a refused one valid
            accepted_one = False
            for name in sorted(pending):
                if not self._new_problems(name, pending[name]):
                    self._use(name, pending.pop(name))
                    accepted_one = True
        for name, version in pending.items():
            held = self._files.get(name)
            problems = self._new_problems(name, version)
            if held is None or held.problems:  # no valid version to keep: use what can be read
                self._use(name, version)
                _log_problems(f"{name} has problems; using what can be read of it", problems)
            else:
                self._refused[name] = version
                if name in edits:
                    _log_problems(
                        f"Edit of {name} refused; still answering from its last valid version",
                        problems,
                    )

    def _new_problems(self, name: str, version: FileContent | None) -> list[Problem]:
        """The problems the content would have with this version of the file, and has not now."""
        trial = self._combined(name, version)
        now = {p.identity for p in self._content.problems}  # type: ignore[union-attr]
        own = version.problems if version else []
        return own + [p for p in trial.problems if p.identity not in now and p not in own]

    def _use(self, name: str, version: FileContent | None) -> None:
        if version is None:
            self._files.pop(name, None)
        else:
            self._files[name] = version
        self._content = self._combined()

    def _combined(self, name: str | None = None, version: FileContent | None = None) -> Content:
        files = dict(self._files)
        if name is not None:
            files.pop(name, None)
            if version is not None:
                files[name] = version
        return combine(files[n] for n in sorted(files))

    def _read_stamps(self) -> dict[str, Stamp]:
        stamps = {}
        for path in content_files(self.directory):
            try:
                stat = path.stat()
            except OSError:
                continue
            stamps[path.name] = (stat.st_mtime_ns, stat.st_size)
        return stamps


def _log_problems(headline: str, problems: list[Problem]) -> None:
    if problems:
        logger.error(
            "%s (%d problem(s)):\n%s",
            headline,
            len(problems),
            "\n".join(p.render("en") for p in problems),
        )


_live: LiveContent | None = None


def current() -> Content:
    """The content for this process (``CONTENT_DIR`` or the project's content/)."""
    global _live
    if _live is None:
        _live = LiveContent(settings.from_environment().content_dir)
    return _live.get()
