"""The content the actions answer from, reloaded when an editor saves a file.

At most once a second the files' modification times are compared with the
ones loaded; when they changed, content/ is read again. An edit that brings
new problems is refused: the assistant keeps answering from the last content
that loaded cleanly, and the problems are logged with file, line and fix.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Dict, Optional

from actions import content_store
from actions.content_store import Content

logger = logging.getLogger(__name__)

CHECK_EVERY_SECONDS = 1.0


class LiveContent:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._content: Optional[Content] = None
        self._stamps: Dict[str, float] = {}
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def get(self) -> Content:
        with self._lock:
            now = time.monotonic()
            if self._content is None or now - self._checked_at >= CHECK_EVERY_SECONDS:
                self._checked_at = now
                stamps = self._read_stamps()
                if self._content is None or stamps != self._stamps:
                    self._reload(stamps)
            return self._content  # type: ignore[return-value]

    def _read_stamps(self) -> Dict[str, float]:
        stamps = {}
        for path in self.directory.glob("*.yml"):
            try:
                stamps[path.name] = path.stat().st_mtime
            except OSError:
                continue
        return stamps

    def _reload(self, stamps: Dict[str, float]) -> None:
        fresh = content_store.load(self.directory)
        previous = self._content
        self._stamps = stamps
        if previous is not None and fresh.problems and len(fresh.problems) > len(previous.problems):
            logger.error(
                "Content edit refused, still answering from the previous content: %s",
                "; ".join(str(p) for p in fresh.problems),
            )
            return
        self._content = fresh
        logger.info("Content loaded from %s: %d places, %d offers", self.directory, len(fresh.places), len(fresh.offers))


_live: Optional[LiveContent] = None


def current() -> Content:
    """The content for this process (``CONTENT_DIR`` or the project's content/)."""
    global _live
    if _live is None:
        _live = LiveContent(Path(os.environ.get("CONTENT_DIR") or content_store.DEFAULT_DIRECTORY))
    return _live.get()
