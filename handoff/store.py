"""Who holds a tourist's conversation: the assistant, or a person of the tourism office.

Shared state, in the same database as Rasa's tracker store (``TRACKER_STORE_URL``:
SQLite ``var/tracker.db`` by default, PostgreSQL for several processes), so that
every channel process and every Rasa process behind it, and the review app,
see the same answer. Conversations are known by their pseudonym only.

A hand-off goes ``waiting`` (the tourist asked for a person) -> ``held`` (a staff
member took it) -> ``ended`` (handed back by staff, or quiet for longer than the
quiet time). While it is ``held`` the channel core does not call Rasa for that
tourist; their messages are kept here for staff (``messages``, sender
``tourist``) in both open states.

Messages to the tourist are rows too (sender ``staff``, or ``notice`` for the
channel's own sentences such as "you are back with the assistant", by phrase
key): the review app writes them ``pending``; a channel process that reaches the
tourist claims each one (``pending`` -> ``sending``, one UPDATE that only one
process can win), sends it through the tourist's channel, and marks it ``sent``,
``kept`` (web chat page closed: delivered at the next visit) or ``refused`` with
the platform's reason. So each goes out once, in the order written.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

WAITING, HELD, ENDED = "waiting", "held", "ended"
TOURIST, STAFF, NOTICE = "tourist", "staff", "notice"
PENDING, SENDING, SENT, KEPT, REFUSED = "pending", "sending", "sent", "kept", "refused"
QUIET_SECONDS = 30 * 60  # a held conversation nobody writes in returns to the assistant

metadata = sa.MetaData()
conversations = sa.Table(
    "handoff_conversations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user", sa.String(64), nullable=False, index=True),  # pseudonym
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),  # fr | en | zh-Hans | zh-Hant
    sa.Column("place", sa.String(64), nullable=False, server_default=""),
    sa.Column("office", sa.String(64), nullable=False, server_default=""),
    sa.Column("state", sa.String(8), nullable=False, index=True),
    sa.Column("requested_at", sa.Float, nullable=False),
    sa.Column("taken_by", sa.String(64)),
    sa.Column("taken_at", sa.Float),
    sa.Column("active_at", sa.Float, nullable=False),  # last message either way
    sa.Column("ended_at", sa.Float),
    sa.Column("ended_why", sa.String(16)),  # handed_back | quiet
)
messages = sa.Table(
    "handoff_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user", sa.String(64), nullable=False, index=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("sender", sa.String(8), nullable=False),  # tourist | staff | notice
    sa.Column("author", sa.String(64), nullable=False, server_default=""),  # staff's name
    sa.Column("text", sa.Text, nullable=False),  # notice: the phrase's key
    sa.Column("status", sa.String(8), nullable=False, server_default=SENT, index=True),
    sa.Column("why", sa.String(64), nullable=False, server_default=""),
    sa.Column("sent_at", sa.Float),
)


@dataclass(frozen=True)
class Hold:
    user: str
    channel: str
    language: str
    state: str
    place: str
    office: str
    requested_at: float
    taken_by: str | None
    active_at: float


@dataclass(frozen=True)
class Message:
    id: int
    user: str
    at: float
    sender: str
    author: str
    text: str
    status: str
    why: str


def connect(url: str) -> Engine:
    """The engine on ``url`` (SQLite or PostgreSQL) with the hand-off tables created."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, future=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = sa.create_engine(url, pool_pre_ping=True, future=True)
    metadata.create_all(engine)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class HandoffStore:
    def __init__(self, url: str, quiet_seconds: float = QUIET_SECONDS) -> None:
        self.engine = connect(url)
        self.quiet_seconds = quiet_seconds

    def close(self) -> None:
        self.engine.dispose()

    # The tourist's side (channel core)

    def request(
        self,
        user: str,
        channel: str,
        language: str,
        place: str = "",
        office: str = "",
        now: float | None = None,
    ) -> bool:
        """The tourist asked for a person: waiting in the inbox; False when already open."""
        now = time.time() if now is None else now
        with self.engine.begin() as db:
            if _open(db, user) is not None:
                return False
            db.execute(
                conversations.insert().values(
                    user=user, channel=channel, language=language, place=place, office=office,
                    state=WAITING, requested_at=now, active_at=now,
                )
            )  # fmt: skip
        return True

    def active(self, user: str) -> Hold | None:
        """The open hand-off of this tourist (waiting or held), if any."""
        with self.engine.connect() as db:
            row = _open(db, user)
        return _hold(row) if row is not None else None

    def keep(self, user: str, text: str, now: float | None = None) -> None:
        """A tourist's message while a hand-off is open, kept for staff."""
        now = time.time() if now is None else now
        with self.engine.begin() as db:
            db.execute(messages.insert().values(user=user, at=now, sender=TOURIST, text=text))
            db.execute(
                conversations.update()
                .where(conversations.c.user == user, conversations.c.state != ENDED)
                .values(active_at=now)
            )

    # The staff's side (review app)

    def open_conversations(self) -> list[Hold]:
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(conversations)
                .where(conversations.c.state != ENDED)
                .order_by(conversations.c.requested_at)
            ).fetchall()
        return [_hold(row) for row in rows]

    def take(self, user: str, staff: str, now: float | None = None) -> bool:
        """A staff member takes a waiting conversation; False when someone else has it."""
        now = time.time() if now is None else now
        with self.engine.begin() as db:
            taken = db.execute(
                conversations.update()
                .where(conversations.c.user == user, conversations.c.state == WAITING)
                .values(state=HELD, taken_by=staff, taken_at=now, active_at=now)
            ).rowcount
        return taken == 1

    def reply(self, user: str, staff: str, text: str, now: float | None = None) -> int | None:
        """A staff reply to the tourist, to be sent by their channel; None when
        ``staff`` does not hold the conversation."""
        now = time.time() if now is None else now
        with self.engine.begin() as db:
            row = _open(db, user)
            if row is None or row.state != HELD or row.taken_by != staff:
                return None
            db.execute(
                conversations.update().where(conversations.c.id == row.id).values(active_at=now)
            )
            return db.execute(
                messages.insert().values(
                    user=user, at=now, sender=STAFF, author=staff, text=text, status=PENDING
                )
            ).inserted_primary_key[0]

    def hand_back(self, user: str, staff: str, now: float | None = None) -> bool:
        """Staff give the conversation back to the assistant; the tourist is told."""
        return self._end(user, "handed_back", now, staff=staff)

    def end_quiet(self, now: float | None = None) -> list[str]:
        """Held conversations quiet for longer than the quiet time go back to the assistant."""
        now = time.time() if now is None else now
        with self.engine.connect() as db:
            users = [
                row.user
                for row in db.execute(
                    sa.select(conversations.c.user).where(
                        conversations.c.state == HELD,
                        conversations.c.active_at < now - self.quiet_seconds,
                    )
                )
            ]
        return [user for user in users if self._end(user, "quiet", now)]

    def _end(self, user: str, why: str, now: float | None, staff: str | None = None) -> bool:
        now = time.time() if now is None else now
        with self.engine.begin() as db:
            where = [conversations.c.user == user, conversations.c.state == HELD]
            if staff is not None:
                where.append(conversations.c.taken_by == staff)
            ended = db.execute(
                conversations.update()
                .where(*where)
                .values(state=ENDED, ended_at=now, ended_why=why)
            ).rowcount
            if ended != 1:
                return False
            db.execute(
                messages.insert().values(
                    user=user, at=now, sender=NOTICE, text="handoff_returned", status=PENDING
                )
            )
        return True

    def messages_of(self, user: str, since_id: int = 0, limit: int = 200) -> list[Message]:
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(messages)
                .where(messages.c.user == user, messages.c.id > since_id)
                .order_by(messages.c.id)
                .limit(limit)
            ).fetchall()
        return [_message(row) for row in rows]

    # Sending (channel processes)

    def pending(self, limit: int = 100) -> list[Message]:
        """Messages to tourists not claimed yet, oldest first."""
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(messages)
                .where(messages.c.status == PENDING)
                .order_by(messages.c.id)
                .limit(limit)
            ).fetchall()
        return [_message(row) for row in rows]

    def claim(self, message_id: int) -> bool:
        """This process sends that message; False when another one claimed it first."""
        with self.engine.begin() as db:
            return (
                db.execute(
                    messages.update()
                    .where(messages.c.id == message_id, messages.c.status == PENDING)
                    .values(status=SENDING)
                ).rowcount
                == 1
            )

    def sent(self, message_id: int, status: str, why: str = "", now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self.engine.begin() as db:
            db.execute(
                messages.update()
                .where(messages.c.id == message_id)
                .values(status=status, why=why, sent_at=now)
            )

    def kept_for(self, user: str) -> list[Message]:
        """Messages kept for a tourist who was away (web chat), oldest first."""
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(messages)
                .where(messages.c.user == user, messages.c.status == KEPT)
                .order_by(messages.c.id)
            ).fetchall()
        return [_message(row) for row in rows]

    def deliver_kept(self, user: str) -> list[Message]:
        """The messages kept for this tourist, now handed to their page and marked sent."""
        now = time.time()
        with self.engine.begin() as db:
            rows = db.execute(
                sa.select(messages)
                .where(messages.c.user == user, messages.c.status == KEPT)
                .order_by(messages.c.id)
            ).fetchall()
            if rows:
                db.execute(
                    messages.update()
                    .where(messages.c.id.in_([row.id for row in rows]))
                    .values(status=SENT, sent_at=now)
                )
        return [_message(row) for row in rows]

    def staff_since_tourist(self, user: str) -> tuple[int, float | None]:
        """Staff messages sent since the tourist's last message, and when that message came
        (WeChat: 5 customer-service messages per tourist message, within 48 hours;
        WhatsApp: free text within 24 hours of it)."""
        with self.engine.connect() as db:
            last = db.execute(
                sa.select(sa.func.max(messages.c.id), sa.func.max(messages.c.at)).where(
                    messages.c.user == user, messages.c.sender == TOURIST
                )
            ).one()
            last_id, last_at = last[0] or 0, last[1]
            count = db.execute(
                sa.select(sa.func.count()).where(
                    messages.c.user == user,
                    messages.c.sender == STAFF,
                    messages.c.id > last_id,
                    messages.c.status.in_((PENDING, SENDING, SENT)),
                )
            ).scalar_one()
        return int(count), last_at

    # Privacy (review app: ``python -m review erase`` and ``retention``)

    def erase(self, user: str) -> int:
        """Everything kept about one pseudonymous tourist; returns the rows deleted."""
        with self.engine.begin() as db:
            deleted = db.execute(messages.delete().where(messages.c.user == user)).rowcount
            deleted += db.execute(
                conversations.delete().where(conversations.c.user == user)
            ).rowcount
        return deleted

    def forget_before(self, cutoff: float) -> int:
        """Messages older than ``cutoff`` and hand-offs ended before it; returns the rows deleted."""
        with self.engine.begin() as db:
            deleted = db.execute(messages.delete().where(messages.c.at < cutoff)).rowcount
            deleted += db.execute(
                conversations.delete().where(
                    conversations.c.state == ENDED, conversations.c.ended_at < cutoff
                )
            ).rowcount
        return deleted


def _open(db, user: str):
    return db.execute(
        sa.select(conversations).where(conversations.c.user == user, conversations.c.state != ENDED)
    ).first()


def _hold(row) -> Hold:
    return Hold(
        row.user, row.channel, row.language, row.state, row.place, row.office,
        row.requested_at, row.taken_by, row.active_at,
    )  # fmt: skip


def _message(row) -> Message:
    return Message(row.id, row.user, row.at, row.sender, row.author, row.text, row.status, row.why)
