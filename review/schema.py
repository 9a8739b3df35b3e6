"""Tables of the review database and the migrations that create them.

The same SQLAlchemy Core tables run on SQLite (default) and PostgreSQL.
``schema_version`` records which migrations ran; :func:`migrate` applies the
missing ones in order, each in its own transaction. A later change of shape is
a new function appended to ``MIGRATIONS`` (ALTER TABLE ..., never an edit of an
earlier one), so existing databases follow.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

metadata = sa.MetaData()

# One conversation: turns of one pseudonymous user on one channel with no gap
# longer than the Rasa session (domain.yml: session_expiration_time).
conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(40), nullable=False),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("ended_at", sa.Float, nullable=False),
    sa.Column("day", sa.String(10), nullable=False),  # local date of the first turn
    sa.Column("turn_count", sa.Integer, nullable=False, default=0),
    sa.Column("languages", sa.String(32), nullable=False, default=""),  # "fr,zh"
    sa.Column("min_confidence", sa.Float),  # lowest intent confidence of its user turns
    sa.Column("fallback_count", sa.Integer, nullable=False, default=0),
    sa.Column("handoff_count", sa.Integer, nullable=False, default=0),
    sa.Column("flagged", sa.Boolean, nullable=False, default=False),
    sa.Column("reviewed", sa.Boolean, nullable=False, default=False),
    sa.Column("reviewed_by", sa.String(64)),
    sa.Column("note", sa.Text),
    sa.Column("note_by", sa.String(64)),
    sa.Column("note_at", sa.Float),
    sa.Index("ix_conversations_started", "started_at", "id"),
    sa.Index("ix_conversations_user", "user", "ended_at"),
    sa.Index("ix_conversations_day", "day"),
    sa.Index("ix_conversations_ended", "ended_at"),
)

# What full-text search reads: the tourist's messages, case-folded, kept apart
# so that scanning conversations without a search stays narrow.
conversation_text = sa.Table(
    "conversation_text",
    metadata,
    sa.Column(
        "conversation_id",
        sa.Integer,
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("text", sa.Text, nullable=False, default=""),
)

turns = sa.Table(
    "turns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "conversation_id",
        sa.Integer,
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column(
        "source_id", sa.Integer, unique=True
    ),  # turns.id in a conversations.db without a file id
    # The turn's uuid in var/conversations.db, or "<file id>:<row id>" for a turn
    # written without one: stable when the file is recreated (its row ids restart).
    sa.Column("source_key", sa.String(64)),
    sa.Column("rasa_event_id", sa.Integer),  # events.id of the user event in the tracker store
    sa.Column("time", sa.Float, nullable=False),
    sa.Column("day", sa.String(10), nullable=False),
    sa.Column("user", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(40), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("text_in", sa.Text, nullable=False),
    sa.Column("replies", sa.Text, nullable=False),  # JSON list of texts
    sa.Column("intent", sa.String(80)),
    sa.Column("confidence", sa.Float),
    sa.Column("entities", sa.Text),  # JSON list of {"entity", "value"}
    sa.Column("actions", sa.Text),  # JSON list of action names
    sa.Column("latency_ms", sa.Float),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("fallback", sa.Boolean, nullable=False, default=False),
    sa.Column("handoff", sa.Boolean, nullable=False, default=False),
    # Why the assistant answered as it did: the ``why`` of each bot message's
    # metadata in the tracker store (actions/answers.py Reply.why), JSON list.
    sa.Column("why", sa.Text),
    sa.Column("refused", sa.Boolean, nullable=False, default=False),  # a reply was a refusal
    sa.Index("ix_turns_conversation", "conversation_id", "time"),
    sa.Index("ix_turns_conversation_intent", "conversation_id", "intent"),
    sa.Index("ix_turns_conversation_language", "conversation_id", "language"),
    sa.Index("ix_turns_day", "day"),
    sa.Index("ix_turns_user", "user"),
    sa.Index("ix_turns_source_key", "source_key", unique=True),
)

tags = sa.Table(
    "tags",
    metadata,
    sa.Column(
        "conversation_id",
        sa.Integer,
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("tag", sa.String(40), primary_key=True),
    sa.Index("ix_tags_tag", "tag", "conversation_id"),
)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),  # reviewer | editor | admin
    sa.Column("office", sa.String(64)),  # an editor's office (content/offices.yml)
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # SHA-256 of the cookie value
    sa.Column(
        "account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("time", sa.Float, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)

# How far each source has been imported (highest id read).
import_state = sa.Table(
    "import_state",
    metadata,
    sa.Column("source", sa.String(40), primary_key=True),
    sa.Column("last_id", sa.Integer, nullable=False),
)

# Every change saved in the content editor: the entry before and after (plain
# JSON), and the change in words; a restore is a change too.
content_changes = sa.Table(
    "content_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("time", sa.Float, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("office", sa.String(64)),  # the office owning the entry; None: no office
    sa.Column("file", sa.String(128), nullable=False),
    sa.Column("entry", sa.String(200), nullable=False),  # "faq/<id>", "topic/<place>/<topic>"
    sa.Column("before", sa.Text, nullable=False),
    sa.Column("after", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("restored_from", sa.Integer),  # the change whose earlier version was restored
    sa.Index("ix_content_changes_entry", "entry", "id"),
    sa.Index("ix_content_changes_office", "office", "id"),
)

# Texts whose other language changed: to review until an editor confirms or updates them.
translation_status = sa.Table(
    "translation_status",
    metadata,
    sa.Column("entry", sa.String(200), primary_key=True),
    sa.Column("field", sa.String(120), primary_key=True),  # "answer", "facts.0.text"
    sa.Column("language", sa.String(8), primary_key=True),  # the language to review
    sa.Column("changed_language", sa.String(8), nullable=False),
    sa.Column("change_id", sa.Integer, nullable=False),
    sa.Column("office", sa.String(64)),
    sa.Column("since", sa.Float, nullable=False),
)

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.Float, nullable=False),
)


def _v1_initial(connection: Connection) -> None:
    metadata.create_all(
        connection,
        tables=[
            conversations,
            conversation_text,
            turns,
            tags,
            accounts,
            sessions,
            audit,
            import_state,
        ],
    )


def _v2_source_key(connection: Connection) -> None:
    """Turns are known by a key that survives a recreated conversation log."""
    # A database created from this module's tables already has it (v1 creates them).
    if "source_key" not in {c["name"] for c in sa.inspect(connection).get_columns("turns")}:
        connection.execute(sa.text("ALTER TABLE turns ADD COLUMN source_key VARCHAR(64)"))
    connection.execute(
        sa.text("CREATE UNIQUE INDEX IF NOT EXISTS ix_turns_source_key ON turns (source_key)")
    )


def _v3_why(connection: Connection) -> None:
    """Turns keep why each reply was given, and whether one was a refusal."""
    columns = {c["name"] for c in sa.inspect(connection).get_columns("turns")}
    if "why" not in columns:
        connection.execute(sa.text("ALTER TABLE turns ADD COLUMN why TEXT"))
    if "refused" not in columns:
        connection.execute(
            sa.text("ALTER TABLE turns ADD COLUMN refused BOOLEAN NOT NULL DEFAULT FALSE")
        )


def _v4_content_editor(connection: Connection) -> None:
    """Editors belong to an office; the content editor's history and translation status."""
    if "office" not in {c["name"] for c in sa.inspect(connection).get_columns("accounts")}:
        connection.execute(sa.text("ALTER TABLE accounts ADD COLUMN office VARCHAR(64)"))
    metadata.create_all(connection, tables=[content_changes, translation_status])


MIGRATIONS: list[Callable[[Connection], None]] = [
    _v1_initial,
    _v2_source_key,
    _v3_why,
    _v4_content_editor,
]
CURRENT_VERSION = len(MIGRATIONS)


def version(engine: Engine) -> int:
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("schema_version"):
            return 0
        return connection.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0


def migrate(engine: Engine) -> int:
    """Applies the missing migrations; returns the version the database is at."""
    schema_version.create(engine, checkfirst=True)
    current = version(engine)
    for number, step in enumerate(MIGRATIONS, start=1):
        if number <= current:
            continue
        with engine.begin() as connection:
            step(connection)
            connection.execute(
                schema_version.insert().values(version=number, applied_at=time.time())
            )
    return max(current, CURRENT_VERSION)
