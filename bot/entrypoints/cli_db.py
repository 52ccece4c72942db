"""`loopbot db`: the database schema (bot/store/schema.py) from the command line.

`upgrade` creates or upgrades it, `current` prints where it stands, `check` exits 0 when
it is the newest (else 1, saying what to run), `revision` writes the next migration for
developers. The database is the one `loopbot run` uses (DATABASE_URL, else database_url).
"""

from __future__ import annotations

import argparse
import sys

# Each command reads the configuration before importing SQLAlchemy: a bad one is said first.


def _db_upgrade(args: argparse.Namespace) -> int:
    from bot.config.settings import load_settings

    settings = load_settings(args.config)
    from bot.store.engine import masked, parse_url
    from bot.store.schema import upgrade

    state = upgrade(settings.db_url)
    print(f"{masked(parse_url(settings.db_url))}: schema at revision {state.current} "
          "(the newest)")
    return 0


def _db_current(args: argparse.Namespace) -> int:
    from bot.config.settings import load_settings

    url = load_settings(args.config).db_url
    from bot.store.schema import revision_of

    state = revision_of(url)
    print(f"{state.current or 'none'} (newest: {state.head})")
    return 0


def _db_check(args: argparse.Namespace) -> int:
    from bot.config.settings import load_settings

    url = load_settings(args.config).db_url
    from bot.store.schema import SchemaNotCurrent, require_current

    try:
        state = require_current(url)
    except SchemaNotCurrent as exc:
        print(f"loopbot: {exc}", file=sys.stderr)
        return 1
    print(f"schema at revision {state.current} (the newest)")
    return 0


def _db_revision(args: argparse.Namespace) -> int:
    from bot.store.schema import new_revision

    print(f"wrote {new_revision(args.message)}: read it, adjust it, add a test")
    return 0


def add_db_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    db = commands.add_parser("db", parents=[common],
                             help="the database schema (DATABASE_URL, else database_url)")
    db_commands = db.add_subparsers(dest="db_command", metavar="SUBCOMMAND", required=True)
    for name, func, summary in [
        ("upgrade", _db_upgrade, "create the schema or upgrade it to the newest revision "
                                 "(safe to run from several processes at once)"),
        ("current", _db_current, "print the database's revision and the newest one"),
        ("check", _db_check, "exit 0 if the schema is the newest, else 1 saying what to run"),
    ]:
        db_commands.add_parser(name, parents=[common], help=summary).set_defaults(func=func)
    revision = db_commands.add_parser(
        "revision", parents=[common],
        help="(developers) write the next migration from what the models changed",
    )
    revision.add_argument("-m", "--message", required=True,
                          help="what the revision changes, e.g. 'offered confirmations'")
    revision.set_defaults(func=_db_revision)
