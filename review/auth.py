"""Staff accounts, password hashing, sessions and CSRF tokens.

Passwords: scrypt (standard library) with a random salt per password, stored
as ``scrypt$n$r$p$salt$hash``. Sessions: a random token in an HttpOnly,
SameSite=Strict cookie; the database keeps only its SHA-256, so a copy of the
database opens no session. A session ends after REVIEW_SESSION_MINUTES
without a request, after REVIEW_SESSION_MAX_HOURS in any case, at logout, or
when its account is deleted. Each session has its own CSRF token, required
by every form.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from review import schema

# An editor changes the content of one tourism office (content/offices.yml), reads the
# unanswered questions and answers that office's tourists in the hand-off inbox;
# reviewers review conversations and answer in the inbox (a reviewer's office, if any,
# is what the inbox shows first); an admin does everything, for every office.
ROLES = ("reviewer", "editor", "admin")
NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD_LENGTH = 10
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}

A = schema.accounts.c
S = schema.sessions.c


class AccountError(ValueError):
    """A name, role or password that cannot be used; the message says why."""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt${n}${r}${p}${salt}${digest}".format(
        salt=base64.b64encode(salt).decode(), digest=base64.b64encode(digest).decode(), **_SCRYPT
    )


def verify_password(password: str, stored: str) -> bool:
    try:
        algorithm, n, r, p, salt, digest = stored.split("$")
        if algorithm != "scrypt":
            return False
        computed = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=32,
        )
        return hmac.compare_digest(computed, base64.b64decode(digest))
    except (ValueError, TypeError):
        return False


_DUMMY_HASH = hash_password(secrets.token_hex(8))


def check_new_account(
    name: str, role: str, password: str, office: str | None = None, offices: tuple = ()
) -> None:
    """``offices``: the office ids an editor may belong to (content/offices.yml)."""
    if not NAME.match(name or ""):
        raise AccountError("name: 1 to 64 letters, digits, _ . @ -")
    check_role(role, office, offices)
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password: at least {MIN_PASSWORD_LENGTH} characters")


def check_role(role: str, office: str | None, offices: tuple = ()) -> None:
    if role not in ROLES:
        raise AccountError("role: reviewer, editor or admin")
    if role == "editor" and office not in offices:
        raise AccountError(
            "office: an editor belongs to one office of content/offices.yml ("
            + ", ".join(offices)
            + ")"
        )
    if role == "reviewer" and office and office not in offices:
        raise AccountError(
            "office: a reviewer's office is one of content/offices.yml (" + ", ".join(offices) + ")"
        )
    if role == "admin" and office:
        raise AccountError("office: an admin belongs to no office (they see every office's work)")


def add_account(
    engine: Engine,
    name: str,
    role: str,
    password: str,
    office: str | None = None,
    offices: tuple = (),
) -> int:
    check_new_account(name, role, password, office, offices)
    with engine.begin() as connection:
        if connection.execute(sa.select(A.id).where(A.name == name)).first() is not None:
            raise AccountError(f"an account named {name} exists")
        return connection.execute(
            schema.accounts.insert().values(
                name=name,
                role=role,
                office=office or None,
                password_hash=hash_password(password),
                created_at=time.time(),
            )
        ).inserted_primary_key[0]


def set_password(engine: Engine, name: str, password: str) -> bool:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password: at least {MIN_PASSWORD_LENGTH} characters")
    with engine.begin() as connection:
        account_id = connection.execute(sa.select(A.id).where(A.name == name)).scalar()
        if account_id is None:
            return False
        connection.execute(
            schema.accounts.update()
            .where(A.id == account_id)
            .values(password_hash=hash_password(password))
        )
        connection.execute(schema.sessions.delete().where(S.account_id == account_id))
    return True


def set_role(
    engine: Engine, account_id: int, role: str, office: str | None = None, offices: tuple = ()
) -> bool:
    check_role(role, office, offices)
    with engine.begin() as connection:
        return (
            connection.execute(
                schema.accounts.update()
                .where(A.id == account_id)
                .values(role=role, office=office or None)
            ).rowcount
            == 1
        )


def remove_account(engine: Engine, account_id: int) -> bool:
    with engine.begin() as connection:
        connection.execute(schema.sessions.delete().where(S.account_id == account_id))
        return connection.execute(schema.accounts.delete().where(A.id == account_id)).rowcount == 1


def account_id_of(engine: Engine, name: str) -> int | None:
    with engine.connect() as connection:
        return connection.execute(sa.select(A.id).where(A.name == name)).scalar()


def accounts(engine: Engine) -> list[dict]:
    with engine.connect() as connection:
        return [
            dict(r)
            for r in connection.execute(
                sa.select(A.id, A.name, A.role, A.office, A.created_at).order_by(A.name)
            ).mappings()
        ]


def admin_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).where(A.role == "admin")).scalar()


def authenticate(engine: Engine, name: str, password: str) -> dict | None:
    """The account when the password is right, else None (same work either way)."""
    with engine.connect() as connection:
        row = (
            connection.execute(
                sa.select(A.id, A.name, A.role, A.password_hash).where(A.name == (name or "")[:64])
            )
            .mappings()
            .first()
        )
    if row is None:
        verify_password(password or "", _DUMMY_HASH)
        return None
    if not verify_password(password or "", row["password_hash"]):
        return None
    return {"id": row["id"], "name": row["name"], "role": row["role"]}


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(engine: Engine, account_id: int) -> str:
    token = secrets.token_urlsafe(32)
    now = time.time()
    with engine.begin() as connection:
        connection.execute(
            schema.sessions.insert().values(
                token_hash=_token_hash(token),
                account_id=account_id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                last_seen=now,
            )
        )
    return token


def session(engine: Engine, token: str, idle_seconds: float, max_seconds: float) -> dict | None:
    """The live session of a cookie value, with its account; None if there is none."""
    if not token or len(token) > 200:
        return None
    now = time.time()
    with engine.connect() as connection:
        row = (
            connection.execute(
                sa.select(
                    S.token_hash,
                    S.csrf_token,
                    S.created_at,
                    S.last_seen,
                    A.id,
                    A.name,
                    A.role,
                    A.office,
                )
                .select_from(schema.sessions.join(schema.accounts, A.id == S.account_id))
                .where(S.token_hash == _token_hash(token))
            )
            .mappings()
            .first()
        )
    if row is None:
        return None
    if now - row["last_seen"] > idle_seconds or now - row["created_at"] > max_seconds:
        close_session(engine, token)
        return None
    if now - row["last_seen"] > 30:  # write at most every 30 s per session
        with engine.begin() as connection:
            connection.execute(
                schema.sessions.update()
                .where(S.token_hash == row["token_hash"])
                .values(last_seen=now)
            )
    return {
        "account_id": row["id"],
        "name": row["name"],
        "role": row["role"],
        "office": row["office"],
        "csrf": row["csrf_token"],
    }


def close_session(engine: Engine, token: str) -> None:
    with engine.begin() as connection:
        connection.execute(schema.sessions.delete().where(S.token_hash == _token_hash(token)))


def purge_sessions(engine: Engine, idle_seconds: float, max_seconds: float) -> None:
    now = time.time()
    with engine.begin() as connection:
        connection.execute(
            schema.sessions.delete().where(
                sa.or_(S.last_seen < now - idle_seconds, S.created_at < now - max_seconds)
            )
        )


def same_token(expected: str, given: str) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), given.encode())
