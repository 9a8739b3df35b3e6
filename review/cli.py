"""Command line of the review app: ``python -m review COMMAND``.

- ``serve``: the web app on http://REVIEW_HOST:REVIEW_PORT (``make review``),
  importing new turns every REVIEW_IMPORT_SECONDS.
- ``import``: import new turns once (conversation log + Rasa tracker store).
- ``users add NAME --role reviewer|editor|admin [--office OFFICE]``: the password is read
  from REVIEW_PASSWORD when set (scripts), else asked twice; an editor belongs to one
  office of content/offices.yml (``--office chamonix``), a reviewer may (the hand-off
  inbox then shows that office's tourists first). Also ``users list``,
  ``users remove NAME``, ``users passwd NAME``, ``users role NAME ROLE [--office OFFICE]``.
- ``retention --days N``: delete conversations older than N days, everywhere.
- ``erase PSEUDONYM``: delete everything about one pseudonymous user.
- ``demo``: fill an empty VAR_DIR with realistic demo conversations.
- ``migrate``: bring the review database schema up to date (``serve`` does it too).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys

import settings as settings_module
from review import auth, db, ingest, privacy, schema
from review import offices as offices_module
from settings import SettingError


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m review", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the review app")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    commands.add_parser("import", help="import new turns now")
    commands.add_parser("migrate", help="update the database schema")
    users = commands.add_parser("users", help="staff accounts").add_subparsers(
        dest="action", required=True
    )
    add = users.add_parser("add", help="create an account")
    add.add_argument("name")
    add.add_argument("--role", choices=auth.ROLES, default="reviewer")
    add.add_argument("--office", help="an editor's office, or a reviewer's (content/offices.yml)")
    users.add_parser("list", help="list accounts")
    remove = users.add_parser("remove", help="delete an account")
    remove.add_argument("name")
    passwd = users.add_parser("passwd", help="change a password (ends the account's sessions)")
    passwd.add_argument("name")
    role = users.add_parser("role", help="change an account's role")
    role.add_argument("name")
    role.add_argument("role", choices=auth.ROLES)
    role.add_argument("--office", help="an editor's office, or a reviewer's (content/offices.yml)")
    retention = commands.add_parser("retention", help="delete conversations older than N days")
    retention.add_argument("--days", type=float, required=True)
    erase = commands.add_parser("erase", help="delete everything about one pseudonymous user")
    erase.add_argument("pseudonym")
    demo = commands.add_parser("demo", help="demo conversations in an empty VAR_DIR")
    demo.add_argument("--conversations", type=int, default=300)
    demo.add_argument("--days", type=int, default=30)
    args = parser.parse_args(argv)

    try:  # LOG_LEVEL and the review app's settings, checked as bot/cli.py checks them
        every = settings_module.from_environment()
    except SettingError as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=every.log_level or "WARNING",
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    config = every.review
    engine = db.connect(config.database_url)
    actor = f"cli:{getpass.getuser()}"
    try:
        if args.command == "serve":
            from review import web

            if args.host or args.port:
                from dataclasses import replace

                config = replace(
                    config, host=args.host or config.host, port=args.port or config.port
                )
            web.serve(config, engine)
        elif args.command == "import":
            print(f"{ingest.run(engine, config)} turns imported")
        elif args.command == "migrate":
            print(f"schema version {schema.version(engine)}")
        elif args.command == "users":
            return _users(engine, config, args, actor)
        elif args.command == "retention":
            counts = privacy.retention(engine, config, args.days, actor)
            print("deleted: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
        elif args.command == "erase":
            erased = privacy.erase(engine, config, args.pseudonym, actor)
            print("erased: " + ", ".join(f"{k}={v}" for k, v in erased.items()))
        elif args.command == "demo":
            from review import demo_data

            if config.conversation_log_path.exists():
                print(
                    f"{config.conversation_log_path} exists: demo data only goes into an empty VAR_DIR",
                    file=sys.stderr,
                )
                return 1
            demo_data.seed(config.var_dir, args.conversations, args.days)
            print(f"{ingest.run(engine, config)} demo turns imported into {config.database_url}")
    except (auth.AccountError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        engine.dispose()
    return 0


def _password() -> str:
    from_environment = os.environ.get("REVIEW_PASSWORD")
    if from_environment:
        return from_environment
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise auth.AccountError("the two passwords differ")
    return first


def _users(engine, config, args, actor: str) -> int:
    if args.action == "list":
        for account in auth.accounts(engine):
            print(f"{account['name']}\t{_shown_role(account['role'], account['office'])}")
        return 0
    if args.action == "add":
        offices = tuple(offices_module.read(config.content_dir))
        auth.check_new_account(
            args.name, args.role, "x" * auth.MIN_PASSWORD_LENGTH, args.office, offices
        )
        auth.add_account(engine, args.name, args.role, _password(), args.office, offices)
        detail = {"name": args.name, "role": args.role}
        privacy.audit(engine, config, actor, "add_account", _with_office(detail, args.office))
        print(f"account {args.name} ({_shown_role(args.role, args.office)}) created")
        return 0
    account_id = auth.account_id_of(engine, args.name)
    if account_id is None:
        print(f"error: no account named {args.name}", file=sys.stderr)
        return 1
    if args.action == "remove":
        auth.remove_account(engine, account_id)
        privacy.audit(engine, config, actor, "remove_account", {"name": args.name})
        print(f"account {args.name} removed")
    elif args.action == "passwd":
        auth.set_password(engine, args.name, _password())
        privacy.audit(engine, config, actor, "set_password", {"name": args.name})
        print(f"password of {args.name} changed")
    elif args.action == "role":
        offices = tuple(offices_module.read(config.content_dir))
        auth.set_role(engine, account_id, args.role, args.office, offices)
        detail = {"name": args.name, "role": args.role}
        privacy.audit(engine, config, actor, "set_role", _with_office(detail, args.office))
        print(f"{args.name} is now {_shown_role(args.role, args.office)}")
    return 0


def _shown_role(role: str, office: str | None) -> str:
    return f"{role} of {office}" if office else role


def _with_office(detail: dict, office: str | None) -> dict:
    return {**detail, "office": office} if office else detail
