"""The `loopbot` command. Every subcommand takes --config (default ./app.yaml or
$LOOPBOT_CONFIG); a refusal or a bad configuration prints one clear line and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bot.config import ConfigError

Command = Callable[[argparse.Namespace], int]


def _sandbox_serve(args: argparse.Namespace) -> int:
    from bot.sandbox.serve import serve

    return serve(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loopbot", description="Run a web service's release process from Slack."
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", metavar="PATH", default=None,
        help="configuration file (default: $LOOPBOT_CONFIG, else ./app.yaml)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sandbox = commands.add_parser(
        "sandbox", parents=[common], help="the bot with every partner replaced by a local stand-in"
    )
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command", metavar="SUBCOMMAND")
    serve = sandbox_commands.add_parser(
        "serve", parents=[common],
        help="start the stand-ins for GitHub, Bugzilla, Slack and the environments",
    )
    _add_sandbox_options(serve)
    serve.set_defaults(func=_sandbox_serve)
    _add_sandbox_options(sandbox)
    sandbox.set_defaults(func=_sandbox_serve)
    return parser


def _add_sandbox_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir", metavar="DIR", default=None,
        help="keep every stand-in's state under DIR; a later run continues from it",
    )
    parser.add_argument(
        "--repo", metavar="PATH", default=None,
        help="serve a copy of this git repository (all branches and tags) as the service's",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except ConfigError as exc:
        print(f"loopbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
