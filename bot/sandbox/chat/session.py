"""Starting and stopping a `loopbot sandbox` session: the stand-ins, the sandbox's own
database, the bot served on 127.0.0.1 with its web board, and the scheduler that runs
when the sandbox clock moves; then the chat (bot/sandbox/chat/local.py) reads the lines."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Iterable
from typing import TextIO

from bot.board.app import BoardOptions
from bot.clock import ManualClock
from bot.config.settings import Settings
from bot.entrypoints.app import create_app
from bot.entrypoints.server import serve
from bot.entrypoints.wiring import GitHubOptions, build_context
from bot.jobs import due_instants, run_due
from bot.partners.slack import Chat as SlackChat
from bot.sandbox.bugzilla.standin import SANDBOX_KEY
from bot.sandbox.chat.lines import play, start_moment
from bot.sandbox.chat.local import Chat
from bot.sandbox.chat.render import printer
from bot.sandbox.serve import sandbox_settings
from bot.sandbox.slack.signed import SlackRequests
from bot.sandbox.world import GITHUB_TOKEN, SIGNING_SECRET, Sandbox
from bot.store.schema import upgrade
from bot.usecases.adoption import adopt_on_first_start
from bot.usecases.context import Context

FAST_GITHUB: GitHubOptions = {"seconds_between_requests": 0, "seconds_between_writes": 0,
                              "retries": 2}
SANDBOX_BOARD = BoardOptions(poll_seconds=2, environment_ttl=1.0, ticket_ttl=1.0)


def open_chat(base: Settings, args: argparse.Namespace, stream: TextIO) -> Chat:
    sandbox = Sandbox.start(base, state_dir=args.dir, repo=args.repo)
    start = getattr(args, "start", None)
    wanted = start_moment(start, base.tz)
    saved = sandbox.saved_clock()
    clock = sandbox.clock(saved if start and saved else wanted)
    settings = sandbox.settings(base)
    upgrade(settings.db_url)  # the sandbox's own database: made or upgraded at every start
    ctx = build_context(settings, clock=clock, github_options=FAST_GITHUB,
                        environment_timeout=2.0)
    adopt_on_first_start(ctx)  # the demo's releases, as a team adopting the bot has them
    app = create_app(settings, ctx=ctx, slack_api_url=sandbox.slack.api_url)
    app.runtime.quiet = 0.002  # one line at a time, each drained: no burst of acks to wait for
    server = serve(app, board=SANDBOX_BOARD)
    signed = SlackRequests(server.slack_url, SIGNING_SECRET, sandbox.slack)
    chat = Chat(sandbox, settings, app, server, clock, signed, printer(stream, args.json),
                move_clock=_scheduler(ctx, clock, sandbox.slack.api_url, settings))
    chat.mark_seen()
    chat.move_clock(clock(), lambda _: None)  # the first tick, as `loopbot run` makes one
    if start and saved:
        chat.resume_at(wanted, start)
    return chat


def _scheduler(ctx: Context, clock: ManualClock, slack_api_url: str, settings: Settings
               ) -> Callable[[dt.datetime, Callable[[dt.datetime], None]], None]:
    """Moving the sandbox clock runs every scheduled job due on the way, in order (as
    bot/jobs/run.py `run_until`), telling `each` after every instant on the way."""
    chat = SlackChat.from_settings(settings, base_url=slack_api_url)

    def move(until: dt.datetime, each: Callable[[dt.datetime], None]) -> None:
        for instant in due_instants(ctx, clock(), until):
            clock.set(instant)
            run_due(ctx, chat, None, instant)
            each(instant)
        clock.set(until)
        run_due(ctx, chat, None, until)

    return move


def close_chat(chat: Chat) -> None:
    chat.server.stop()
    chat.app.close()
    chat.app.ctx.store.dispose()
    chat.sandbox.stop()


def run_chat(args: argparse.Namespace, lines: Iterable[str] | None = None) -> int:
    base = sandbox_settings(args.config)
    interactive = lines is None and sys.stdin.isatty()
    chat = open_chat(base, args, sys.stdout)
    try:
        if interactive:
            print(banner(chat), flush=True)
        else:  # standard output is the script's transcript
            print(f"loopbot sandbox: the web board is at {chat.server.board_url}",
                  file=sys.stderr, flush=True)
        chat.flush()  # what the first tick or a resumed `--start` posted
        play(chat.handle, lines, interactive=interactive, as_json=args.json)
    except KeyboardInterrupt:
        pass
    finally:
        close_chat(chat)
    return 0


def banner(chat: Chat) -> str:
    """Where everything runs, and how to talk to it."""
    where = chat.sandbox.describe()
    lines = [
        "loopbot sandbox: everything below runs on this machine.",
        f"  web board                {chat.server.board_url}",
        f"  bot (Slack request URL)  {chat.server.slack_url}",
        f"  Slack Web API            {where['slack']['url']}",
        f"  GitHub API               {where['github']['url']}  (token {GITHUB_TOKEN})",
        f"  Bugzilla REST            {where['bugzilla']['url']}  (api key {SANDBOX_KEY})",
        *(f"  {name:<24} {url}" for name, url in where["environments"].items()),
        f"  state                    {where['state_dir']}",
        "Type `/loop help`, `!help`, or Ctrl-D to leave; speak as someone else with "
        "@ops, @qa or @lead first.",
    ]
    return "\n".join(lines)
