"""`loopbot init [PATH]`: writes the commented default configuration for editing.

The default is the package's bot/app.yaml, a symbolic link to the repository's app.yaml
(setuptools copies the file it points to into the wheel), so there is one source.
"""

from __future__ import annotations

import argparse

from bot.config.files import DEFAULT_CONFIG, config_path, default_config_text
from bot.domain.errors import Refusal


def _init(args: argparse.Namespace) -> int:
    target = config_path(args.path)
    if target.is_dir():
        raise Refusal(f"{target} is a directory", hint=f"give a file, e.g. {target / 'app.yaml'}")
    if not target.parent.is_dir():
        raise Refusal(f"{target.parent}: no such directory", hint="create it first")
    if target.exists() and not args.force:
        raise Refusal(f"{target} exists and was left as it is",
                      hint="give --force to replace it with the default")
    try:
        target.write_text(default_config_text(), encoding="utf-8")
    except OSError as exc:  # a read-only folder, a full disk: one line, as for any refusal
        raise Refusal(f"{target}: cannot write it ({exc.strerror})") from None
    print(f"wrote {target}: the default configuration, commented; edit it, then "
          "`loopbot db upgrade` and `loopbot run`")
    return 0


def add_init_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = commands.add_parser(
        "init", help="write the commented default configuration, to edit")
    init.add_argument("path", metavar="PATH", nargs="?", default=None,
                      help=f"where to write it (default: $LOOPBOT_CONFIG, else ./{DEFAULT_CONFIG})")
    init.add_argument("--force", action="store_true",
                      help="replace an existing file (it is refused otherwise)")
    init.set_defaults(func=_init)
