"""The `loopbot` command. Every subcommand takes --config (default ./app.yaml or
$LOOPBOT_CONFIG); a refusal, a bad configuration or a database that cannot be used
(unreachable, schema not current) prints one clear line and exits 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from bot.config.files import ConfigError
from bot.domain.cycle import parse_day
from bot.domain.errors import Refusal, echoed
from bot.entrypoints.cli_db import add_db_parser
from bot.entrypoints.cli_init import add_init_parser
from bot.messages import calendar as rendering
from bot.store.errors import StoreError

if TYPE_CHECKING:
    from bot.usecases.adoption import ImportResult

Command = Callable[[argparse.Namespace], int]


def _sandbox_serve(args: argparse.Namespace) -> int:
    from bot.sandbox.serve import serve

    return serve(args)


def _sandbox_remote_chat(args: argparse.Namespace) -> int:
    from bot.sandbox.chat.remote import run_remote_chat

    return run_remote_chat(args)


def _sandbox_chat(args: argparse.Namespace) -> int:
    from bot.sandbox.chat.session import run_chat

    return run_chat(args)


def _calendar(args: argparse.Namespace) -> int:
    from bot.config.settings import load_settings
    from bot.usecases import calendar_feed as feed

    settings = load_settings(args.config)
    start = parse_day(args.start, "--from") if args.start else dt.datetime.now(settings.tz).date()
    end = parse_day(args.end, "--to") if args.end else None
    anchor = parse_day(args.anchor, "--anchor") if args.anchor else None
    if end is not None and end < start:
        raise Refusal(f"--to {end} is before --from {start}")
    if args.cycles < 1:
        raise Refusal(f"--cycles is {args.cycles}: ask for at least one cycle")
    if args.cycles > feed.MAX_CYCLES:
        raise Refusal(f"--cycles is {args.cycles}: at most {feed.MAX_CYCLES} cycles at once",
                      hint="start later with --from to see further ahead")
    weeks = feed.MAX_CYCLES * settings.calendar.period_weeks
    if end is not None and end - start > dt.timedelta(weeks=weeks):
        raise Refusal(f"--from {start} --to {end} spans more than {feed.MAX_CYCLES} cycles "
                      f"({weeks} weeks)", hint="ask for a shorter span")
    calendar = feed.calendar_from_settings(settings, anchor=anchor)
    cycles = feed.select_cycles(calendar, start, end=end, count=args.cycles)
    stamp = dt.datetime.now(dt.UTC)
    sys.stdout.buffer.write(
        rendering.render(args.format, calendar, cycles, settings.service().name, stamp)
    )
    return 0


def _run(args: argparse.Namespace) -> int:
    from bot.config.settings import load_settings
    from bot.entrypoints.preflight import check_start
    from bot.logs import setup_logging

    setup_logging()
    settings = load_settings(args.config)
    check_start(settings, socket_mode=args.socket_mode)  # refused before Bolt is imported
    from bot.entrypoints.production import run

    code = run(settings, socket_mode=args.socket_mode, host=args.host, port=args.port)
    _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    """End the process without waiting for threads still blocked on a slow partner (a
    scheduler tick, Slack work past its grace): what they were doing is resumable
    (bot/entrypoints/production.py), and a stop must not take a partner's latency times its
    reads."""
    import logging
    import os

    from bot.usecases.concurrency import busy_threads

    busy = busy_threads()  # a pool's idle threads are alive too, but leave nothing undone
    if busy:
        logging.getLogger("loopbot.run").info("not waiting for %d busy thread(s)", busy)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _default_port() -> int:
    import os

    value = os.environ.get("PORT", "")
    return int(value) if value.isdigit() else 3000


def _import(args: argparse.Namespace) -> int:
    from bot.config.settings import load_settings

    settings = load_settings(args.config)
    names = [args.service] if args.service else [s.name for s in settings.services]
    for name in names:
        settings.service(name)  # an unknown name is refused before anything is read
    from bot.store.schema import require_current

    require_current(settings.db_url)  # like `run`: the schema is `loopbot db upgrade`'s
    from bot.entrypoints.wiring import build_context
    from bot.usecases.adoption import import_releases
    from bot.usecases.ports import PartnerError

    ctx = build_context(settings)
    try:
        for name in names:
            print(describe_import(import_releases(ctx, ctx.service(name),
                                                  progress=_import_progress(name))))
    except PartnerError as exc:
        print(f"loopbot: {exc}; nothing of that service was imported: run it again once "
              "it is back",
              file=sys.stderr)
        return 1
    finally:
        ctx.store.dispose()
    return 0


IMPORT_PROGRESS_EVERY = 500  # releases; a shorter import prints no progress


def _import_progress(service: str) -> Callable[[str, int, int], None]:
    """Progress lines on stderr for a long import: every IMPORT_PROGRESS_EVERY releases."""
    def show(step: str, done: int, total: int) -> None:
        if total >= IMPORT_PROGRESS_EVERY and (done % IMPORT_PROGRESS_EVERY == 0
                                               or done == total):
            print(f"{service}: {step} {done:,} of {total:,} releases", file=sys.stderr,
                  flush=True)
    return show


def describe_import(result: ImportResult) -> str:
    """`loopbot import`'s report: what was learned, what was already known."""
    runs = ", ".join(f"{env} runs {v or 'an unknown version'}"
                     for env, v in result.running.items())
    lines = [f"{result.service}: {runs}" if runs else f"{result.service}:"]
    for release in result.imported:
        tickets = ", ".join(f"{t.env.value} bug {t.bug_id}" for t in release.tickets)
        lines.append(f"  imported {release.version} ({release.state.value})"
                     + (f": {tickets}" if tickets else ""))
    if result.known:
        lines.append(f"  already known, left as they are: {', '.join(result.known)}")
    if result.left_out:
        shown = ", ".join(echoed(t) for t in result.left_out[:5])
        more = f" and {len(result.left_out) - 5:,} more" if len(result.left_out) > 5 else ""
        lines.append(f"  left out, naming no version `/loop tag` accepts: {shown}{more}")
    if result.untouched:
        first, last, count = result.untouched[0], result.untouched[-1], len(result.untouched)
        lines.append(f"  left out, never ticketed, deployed or released (a newer tag replaced "
                     f"each): {first}" + (f" to {last} ({count:,} tags)" if count > 1 else ""))
    if not result.imported:
        lines.append("  nothing new to import")
    return "\n".join(lines)


def _manifest(args: argparse.Namespace) -> int:
    from bot.entrypoints.manifest import check_request_url, manifest_yaml

    if args.socket_mode and args.url is not None:
        raise Refusal("--url has no use with --socket-mode: Socket Mode needs no request URL")
    if not args.socket_mode and args.url is None:  # a placeholder would fail in Slack later
        raise Refusal("the manifest needs the URL Slack sends requests to",
                      hint="give --url https://YOUR-HOST/slack/events (where `loopbot run` "
                           "is reached), or --socket-mode (no public URL needed)")
    url = check_request_url(args.url) if args.url is not None else ""
    sys.stdout.write(manifest_yaml(socket_mode=args.socket_mode, request_url=url))
    return 0


def _add_slack_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    run = commands.add_parser("run", parents=[common], help="serve the Slack app")
    run.add_argument("--socket-mode", action="store_true",
                     help="connect to Slack over Socket Mode (needs SLACK_APP_TOKEN) instead "
                          "of receiving requests over HTTP")
    run.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default: 127.0.0.1, this machine only; "
                          "0.0.0.0 in a container, every interface)")
    run.add_argument("--port", type=int, default=_default_port(),
                     help="port to listen on; Slack's request URL is /slack/events "
                          "(default: $PORT, else 3000)")
    run.set_defaults(func=_run)
    manifest = commands.add_parser("manifest", parents=[common],
                                   help="print the Slack app manifest (YAML)")
    manifest.add_argument("--socket-mode", action="store_true",
                          help="a manifest for Socket Mode (no request URLs)")
    manifest.add_argument("--url", default=None,
                          help="the public https URL Slack sends requests to: where "
                               "`loopbot run` is reached, ending in /slack/events "
                               "(required unless --socket-mode)")
    manifest.set_defaults(func=_manifest)
    adopt = commands.add_parser(
        "import", parents=[common],
        help="learn the releases made before the bot (tags, deployment tickets found in "
             "Bugzilla, what each environment runs); safe to repeat")
    adopt.add_argument("--service", metavar="NAME", default=None,
                       help="only this configured service (default: every service)")
    adopt.set_defaults(func=_import)


def _version() -> str:
    from importlib import metadata  # 0.07 s of CPU: only when the version is asked for

    try:
        return metadata.version("loopbot")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


class _PrintVersion(argparse.Action):
    """`-V`/`--version`: argparse's own action needs the text when the parser is built."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        print(f"loopbot {_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loopbot", description="Run a web service's release process from Slack."
    )
    parser.add_argument("-V", "--version", action=_PrintVersion,
                        help="print loopbot's version and exit")
    common, inner = _config_option(None), _config_option(argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sandbox = commands.add_parser(
        "sandbox", parents=[common],
        help="the bot with every partner replaced by a local stand-in, and a chat prompt "
             "(lines like `@qa /loop verify stage 0.13.1`; `!help` for the sandbox lines)",
    )
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command", metavar="SUBCOMMAND")
    serve = sandbox_commands.add_parser(  # options given before `serve` are kept
        "serve", parents=[inner],
        help="start the stand-ins for GitHub, Bugzilla, Slack and the environments",
    )
    _add_sandbox_options(serve, argparse.SUPPRESS)
    serve.set_defaults(func=_sandbox_serve)
    remote = sandbox_commands.add_parser(
        "chat", parents=[inner],
        help="the sandbox's prompt for a bot running elsewhere (`loopbot run` against the "
             "stand-ins of `loopbot sandbox serve`): signed requests to --url, what it posts "
             "printed",
    )
    remote.add_argument("--url", required=True,
                        help="the bot's Slack request URL, e.g. http://127.0.0.1:8000/slack/events")
    remote.add_argument("--sandbox", required=True, metavar="FILE",
                        help="the JSON line `loopbot sandbox serve` printed, saved to a file")
    remote.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print one JSON object per posted message")
    remote.set_defaults(func=_sandbox_remote_chat)
    _add_sandbox_options(sandbox)
    sandbox.add_argument(
        "--json", action="store_true",
        help="print one JSON object per posted message (channel, user, text, blocks)",
    )
    sandbox.add_argument(
        "--start", metavar="DATETIME", default=None,
        help="start the sandbox clock at DATETIME (the team's time zone unless it says; "
             "default: now), so a script with dates plays the same any day",
    )
    sandbox.set_defaults(func=_sandbox_chat)
    _add_calendar_parser(commands, common)
    _add_slack_parsers(commands, common)
    add_db_parser(commands, common)
    add_init_parser(commands)
    return parser


def _add_calendar_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    calendar = commands.add_parser(
        "calendar", parents=[common], help="the release cycles: tagging and prod-push dates"
    )
    calendar.add_argument(
        "--from", dest="start", metavar="DATE", default=None,
        help="first day, YYYY-MM-DD (default: today in the team's time zone)",
    )
    until = calendar.add_mutually_exclusive_group()
    until.add_argument("--to", dest="end", metavar="DATE", default=None,
                       help="last day, YYYY-MM-DD: every cycle with a date up to it")
    until.add_argument("--cycles", type=int, metavar="N", default=6,
                       help="how many cycles to show (default: 6, at most 1000)")
    calendar.add_argument(
        "--anchor", metavar="DATE", default=None,
        help="preview with another first tagging day instead of calendar.anchor",
    )
    calendar.add_argument(
        "--format", choices=rendering.FORMATS, default="text",
        help="text for people, json for scripts, ics for calendar applications",
    )
    calendar.set_defaults(func=_calendar)


def _config_option(default: str | None) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", metavar="PATH", default=default,
        help="configuration file (default: $LOOPBOT_CONFIG, else ./app.yaml)",
    )
    return common


def _add_sandbox_options(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    parser.add_argument(
        "--dir", metavar="DIR", default=default,
        help="keep every stand-in's state under DIR; a later run continues from it",
    )
    parser.add_argument(
        "--repo", metavar="PATH", default=default,
        help="serve a copy of this git repository (all branches and tags) as the service's",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except (ConfigError, Refusal, StoreError) as exc:
        print(f"loopbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
