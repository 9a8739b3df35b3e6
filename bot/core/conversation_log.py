"""Every message and every reply, from every channel, for the staff who review them.

One row per turn: time, pseudonymous user, channel, decided language, the
text received, the replies sent, latency and outcome, including turns that
could not be answered. Raw messaging-app ids are never stored. SQLite under
var/ by default.

Writing never holds a tourist up and never loses a turn:

- ``record`` only puts the turn on a bounded queue; one writer thread writes
  the queue to SQLite, so a database locked by another writer, a slow disk or
  a failing file never blocks the event loop that answers tourists;
- a write that fails is kept and retried with backoff until it succeeds, and
  the turns waiting are also appended to ``<file>.unwritten.jsonl`` beside the
  database, so a crash or a stop during the outage does not lose them: the
  next start writes them in (each turn has a random ``uuid``, written once);
- a database deleted or replaced while the assistant runs is recreated, and
  one that cannot be read (not a database, corrupted) is moved aside to
  ``<file>.unreadable-<time>`` and recreated; the log says so each time;
- each file has a random ``file_id`` (table ``log_info``): the review importer
  (review/ingest.py) follows a file by it, so a recreated file, whose row ids
  start at 1 again, is imported too.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import sqlite3
import threading
import time
import uuid
from pathlib import Path

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    user TEXT NOT NULL,
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    text_in TEXT NOT NULL,
    replies TEXT NOT NULL,
    latency_ms REAL,
    outcome TEXT NOT NULL,
    uuid TEXT
);
CREATE INDEX IF NOT EXISTS turns_time ON turns (time);
CREATE INDEX IF NOT EXISTS turns_user ON turns (user);
CREATE TABLE IF NOT EXISTS log_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO log_info (key, value) VALUES ('file_id', lower(hex(randomblob(16))));
"""
# Files written before turns had a uuid get the column and its index on opening.
UUID_INDEX = "CREATE UNIQUE INDEX IF NOT EXISTS turns_uuid ON turns (uuid)"
# In log_info of a file that had turns before it had a file_id: the review
# importer's progress through it is recorded under this older name.
LEGACY_SOURCE = "legacy_source"

# What happened to a message.
ANSWERED = "answered"
UNAVAILABLE = "unavailable"  # Rasa or the action server did not answer: a failed turn
NOT_TEXT = "not-text"  # a sticker, voice note, photo...
UNDELIVERED = "undelivered"  # answered, but the platform refused or failed to deliver it
HELD = "held"  # a person of the office holds the conversation: the assistant did not answer
STAFF = "staff"  # a person of the office wrote to the tourist (text_in names them)

COLUMNS = ("time", "user", "channel", "language", "text_in", "replies", "latency_ms", "outcome")
MAX_WAITING = 10_000  # turns queued or being retried; beyond that a turn is reported, not kept
BATCH = 200  # turns written in one transaction
BUSY_SECONDS = 1.0  # how long one write waits for another writer's lock before retrying
RETRY_SECONDS = (0.2, 5.0)  # first and longest wait between two attempts
CLOSE_SECONDS = 5.0  # how long closing waits for the turns still queued

_STOP = object()


class ConversationLog:
    def __init__(self, path: Path, max_waiting: int = MAX_WAITING) -> None:
        self.path = Path(path)
        self.unwritten_path = self.path.with_name(self.path.name + ".unwritten.jsonl")
        self._queue: queue.Queue = queue.Queue(maxsize=max_waiting)
        self._waiting = 0  # turns recorded and not yet in the database
        self._written = threading.Condition()
        self._db: sqlite3.Connection | None = None
        self._identity: tuple | None = None  # (device, inode) of the file the connection writes
        self._stopping = threading.Event()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        carried = self._read_unwritten()  # a previous run's turns, written first
        self._waiting = len(carried)
        self._thread = threading.Thread(
            target=self._write_forever, args=(carried,), name="conversation-log", daemon=True
        )
        self._thread.start()

    # What channels call (on the event loop: never blocks)

    def record(
        self,
        user: str,
        channel: str,
        language: str,
        text_in: str,
        replies: list[str],
        latency_ms: float | None,
        outcome: str,
    ) -> str:
        """Queues one turn; returns its id, for :meth:`mark`."""
        turn_id = uuid.uuid4().hex
        turn = {
            "uuid": turn_id,
            "time": time.time(),
            "user": user,
            "channel": channel,
            "language": language,
            "text_in": text_in,
            "replies": json.dumps(replies, ensure_ascii=False),
            "latency_ms": latency_ms,
            "outcome": outcome,
        }
        with self._written:
            self._waiting += 1
        try:
            self._queue.put_nowait(turn)
        except queue.Full:
            with self._written:
                self._waiting -= 1
            logger.error(
                "%d turns are already waiting to be written to %s: a turn of %s on %s is not recorded",
                self._queue.maxsize,
                self.path,
                user,
                channel,
            )
        return turn_id

    def mark(self, turn_id: str, outcome: str) -> None:
        """A turn's outcome learnt after it was recorded (the platform could not deliver it)."""
        with self._written:
            self._waiting += 1
        try:
            self._queue.put_nowait({"mark": turn_id, "outcome": outcome})
        except queue.Full:
            with self._written:
                self._waiting -= 1
            logger.error("Too many turns waiting: turn %s is not marked %s", turn_id, outcome)

    def flush(self, timeout: float = 10.0) -> bool:
        """Waits until every turn recorded so far is in the database; False if not in time."""
        deadline = time.monotonic() + timeout
        with self._written:
            while self._waiting:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._written.wait(left)
        return True

    def turns(self, user: str | None = None) -> list[dict]:
        """Every turn in the database, oldest first (after writing those waiting)."""
        self.flush()
        query = f"SELECT {', '.join(COLUMNS)} FROM turns"
        arguments: tuple = ()
        if user:
            query += " WHERE user = ?"
            arguments = (user,)
        reader = sqlite3.connect(str(self.path), timeout=10)
        try:
            rows = reader.execute(query + " ORDER BY id", arguments).fetchall()
        finally:
            reader.close()
        return [
            dict(zip(COLUMNS, row[:5] + (json.loads(row[5]),) + row[6:], strict=True))
            for row in rows
        ]

    def close(self, timeout: float = CLOSE_SECONDS) -> None:
        self._queue.put(_STOP)
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._stopping.set()  # still failing: stop retrying, the turns are in the unwritten file
            self._thread.join(timeout)
        if self._waiting:
            logger.error(
                "%d turns could not be written to %s before stopping: kept in %s, written at the next start",
                self._waiting,
                self.path,
                self.unwritten_path,
            )
        if self._db is not None:
            self._db.close()
            self._db = None

    # The writer thread

    def _write_forever(self, carried: list[dict]) -> None:
        batch: list[dict] = carried
        saved = len(carried)  # how many turns of the batch are in the unwritten file
        stop = False
        delay = RETRY_SECONDS[0]
        failing_since: float | None = None
        while True:
            if not batch and not stop:
                item = self._queue.get()
                if item is _STOP:
                    stop = True
                else:
                    batch.append(item)
            while len(batch) < BATCH and not stop:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                else:
                    batch.append(item)
            if not batch:
                return
            try:
                self._insert(batch)
            except (sqlite3.Error, OSError) as error:
                if failing_since is None:
                    failing_since = time.monotonic()
                    logger.warning(
                        "Could not write %d turns to %s (%s): they are kept and retried",
                        len(batch),
                        self.path,
                        error,
                    )
                saved = self._save_unwritten(batch, saved)
                self._forget_connection(error)
                if self._stopping.wait(delay):
                    self._save_unwritten(batch + _drain(self._queue), saved)
                    return
                delay = min(delay * 2, RETRY_SECONDS[1])
                continue
            if failing_since is not None:
                logger.warning(
                    "%s is written again after %.1f s: no turn lost",
                    self.path,
                    time.monotonic() - failing_since,
                )
                failing_since = None
            if saved:
                self._remove_unwritten()
                if carried:
                    logger.warning(
                        "%d turns a previous run could not write are now in %s",
                        len(carried),
                        self.path,
                    )
                    carried = []
                saved = 0
            delay = RETRY_SECONDS[0]
            with self._written:
                self._waiting -= len(batch)
                self._written.notify_all()
            batch = []

    def _insert(self, batch: list[dict]) -> None:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                f"INSERT OR IGNORE INTO turns (uuid, {', '.join(COLUMNS)})"
                f" VALUES (:uuid, {', '.join(':' + c for c in COLUMNS)})",
                [item for item in batch if "mark" not in item],
            )
            db.executemany(
                "UPDATE turns SET outcome = :outcome WHERE uuid = :mark",
                [item for item in batch if "mark" in item],
            )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _connection(self) -> sqlite3.Connection:
        current = _identity(self.path)
        if self._db is not None and (current is None or current != self._identity):
            logger.warning(
                "%s was deleted or replaced while the assistant ran: creating it again", self.path
            )
            self._db.close()
            self._db = None
        if self._db is None:
            self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._open_file()
        except sqlite3.DatabaseError as error:
            if not _unreadable(error):
                raise
        aside = self.path.with_name(f"{self.path.name}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):
            source = Path(str(self.path) + suffix)
            if source.exists():
                source.rename(str(aside) + suffix)
        logger.error(
            "%s could not be read as a database: moved to %s, and a new one created",
            self.path,
            aside,
        )
        return self._open_file()

    def _open_file(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            str(self.path), timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
        )
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # consistent after a crash, no fsync per turn
            tables = {
                row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            db.executescript(SCHEMA)
            if "turns" in tables and "log_info" not in tables:
                # Turns written before files had an id: the importer knew this file by the older name.
                db.execute(
                    "INSERT OR IGNORE INTO log_info VALUES (?, 'conversation_log')",
                    (LEGACY_SOURCE,),
                )
            if "uuid" not in {row[1] for row in db.execute("PRAGMA table_info(turns)")}:
                db.execute("ALTER TABLE turns ADD COLUMN uuid TEXT")
            db.execute(UUID_INDEX)
        except BaseException:
            db.close()
            raise
        self._identity = _identity(self.path)
        if self._identity is None:  # deleted while it was being opened: open it again
            db.close()
            raise OSError(f"{self.path} disappeared while it was opened")
        return db

    def _forget_connection(self, error: BaseException) -> None:
        """After a failed write, the next attempt opens the file again (it may have
        been fixed, replaced or removed meanwhile); a lock is only waited out."""
        if "locked" in str(error) or self._db is None:
            return
        try:
            self._db.close()
        except sqlite3.Error:
            pass
        self._db = None

    # Turns kept outside the database while it cannot be written

    def _save_unwritten(self, batch: list[dict], saved: int) -> int:
        if saved == len(batch):
            return saved
        try:
            with open(self.unwritten_path, "a", encoding="utf-8") as file:
                for turn in batch[saved:]:
                    file.write(json.dumps(turn, ensure_ascii=False) + "\n")
                file.flush()
                os.fsync(file.fileno())
        except OSError as error:
            logger.error(
                "Could not keep turns in %s either (%s): they wait in memory",
                self.unwritten_path,
                error,
            )
            return saved
        return len(batch)

    def _remove_unwritten(self) -> None:
        try:
            self.unwritten_path.unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            logger.warning(
                "Could not remove %s (%s): its turns are written once anyway",
                self.unwritten_path,
                error,
            )

    def _read_unwritten(self) -> list[dict]:
        """Turns a previous run could not write (``<file>.unwritten.jsonl``)."""
        try:
            lines = self.unwritten_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        turns = []
        for line in lines:
            try:
                turns.append(json.loads(line))
            except ValueError:
                continue  # a line cut short by a crash: the turns before it are whole
        return turns


def _drain(waiting: queue.Queue) -> list[dict]:
    turns: list[dict] = []
    while True:
        try:
            item = waiting.get_nowait()
        except queue.Empty:
            return turns
        if item is not _STOP:
            turns.append(item)


def _identity(path: Path) -> tuple | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def _unreadable(error: sqlite3.DatabaseError) -> bool:
    text = str(error)
    return "not a database" in text or "malformed" in text
