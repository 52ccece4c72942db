"""`loopbot sandbox`: the whole bot and every stand-in on 127.0.0.1, driven from a chat
prompt in the terminal (or a script on standard input).

A line like `@qa /loop verify stage 0.13.1` is sent to the bot exactly as Slack would send
it: a signed HTTP request from that user (no `@user` means `@dev`). What the bot then
posts is printed, readably or, with `--json`, as one JSON object per message (`channel`,
`user` for an ephemeral one, `text`, `blocks`). Lines starting with `!` stand for what
people do outside Slack:

    !deploy ENV VERSION   OPS pushes a build (the environment's root URL reports it)
    !bug SUMMARY          someone files a bug (prints its number)
    !commit MESSAGE       a DEV lands a commit on master (prints its sha)
    !clock DATETIME       the sandbox clock moves there; the scheduled jobs due run
    !click LABEL          the last speaker presses the first button whose label starts
                          with LABEL on the latest message that has one
    !help                 this list

`#` starts a comment. With `--dir`, a later run continues where this one stopped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from dateutil import parser as dateparser

from bot.app import LoopApp, create_app
from bot.clock import ManualClock
from bot.config import Settings, load_settings
from bot.jobs import run_until
from bot.partners.slack import Chat as SlackChat
from bot.sandbox.bugzilla import SANDBOX_KEY
from bot.sandbox.chat_render import render_message
from bot.sandbox.signed import SlackRequests, buttons
from bot.sandbox.slack_records import Posted
from bot.sandbox.world import GITHUB_TOKEN, SIGNING_SECRET, Sandbox
from bot.server import Server, serve
from bot.usecases.adoption import adopt_on_first_start
from bot.usecases.context import Context
from bot.wiring import build_context

USERS = {"dev": "U0DEV0001", "ops": "U0OPS0001", "qa": "U0QA00001", "lead": "U0LEAD001"}
FAST_GITHUB = {"seconds_between_requests": 0, "seconds_between_writes": 0, "retries": 2}
HELP = __doc__.split("people do outside Slack:\n\n")[1].split("\n\n`#`")[0]


@dataclass
class Chat:
    """One sandbox session: the stand-ins, the bot, and what was printed so far."""

    sandbox: Sandbox
    settings: Settings
    app: LoopApp
    server: Server
    clock: ManualClock
    signed: SlackRequests
    out: Callable[[dict[str, Any] | str], None]
    move_clock: Callable[[dt.datetime], None] = field(default=lambda _: None)
    speaker: str = USERS["dev"]
    _seen: dict[tuple[str, str, str], tuple[str, int]] = field(default_factory=dict)

    @property
    def service(self) -> str:
        return self.settings.service().name

    def handle(self, line: str) -> None:
        line = line.strip()
        if not line or line.startswith("#"):
            return
        if line.startswith("@"):
            user, _, rest = line.partition(" ")
            if user[1:] not in USERS:
                return self.out(f"unknown user {user}: the sandbox has @dev, @ops, @qa, @lead")
            self.speaker = USERS[user[1:]]
        elif line.startswith("!"):
            rest = line  # `!click` presses as the last speaker
        else:
            self.speaker, rest = USERS["dev"], line
        rest = rest.strip()
        if rest.startswith("!"):
            self._sandbox_line(rest)
        elif rest.startswith("/"):
            self._command(rest)
        else:
            self.out("say `/loop ...` (try `/loop help`) or a `!` line (try `!help`)")
        self.flush()

    # -- what people type in Slack -----------------------------------------------------
    def _command(self, text: str) -> None:
        command, _, args = text.partition(" ")
        answer = self.signed.command(self.speaker, args.strip(), command=command)
        if answer.status_code != 200:
            self.out(f"the bot answered HTTP {answer.status_code}: {answer.text[:200]}")
        self.app.drain(60)

    def _click(self, label: str) -> None:
        for message in reversed(self._visible()):
            found = [b for b in buttons(message)
                     if b["text"]["text"].lower().startswith(label.lower())]
            if found:
                self.signed.click(self.speaker, message, found[0])
                self.app.drain(60)
                return
        self.out({"sandbox": "click", "notice": f"no button labelled {label!r}"}
                 if self.json else f"(no button labelled {label!r}: nothing pressed)")

    def _visible(self) -> list[Posted]:
        """The messages the speaker sees, oldest first, with a button to press."""
        slack = self.sandbox.slack
        seen = [*slack.messages(), *slack.ephemerals(self.speaker)]
        return sorted((m for m in seen if buttons(m)), key=lambda m: float(m.ts))

    # -- what people do outside Slack --------------------------------------------------
    def _sandbox_line(self, text: str) -> None:
        verb, _, args = text[1:].partition(" ")
        handlers = {"deploy": self._deploy, "bug": self._bug, "commit": self._commit,
                    "clock": self._clock, "click": self._click, "help": self._help}
        handler = handlers.get(verb.lower())
        if handler is None:
            return self.out(f"unknown sandbox line !{verb}; `!help` lists them")
        try:
            handler(args.strip())
        except ValueError as exc:
            self.out({"sandbox": verb, "error": str(exc)} if self.json else f"!{verb}: {exc}")

    def _deploy(self, args: str) -> None:
        words = shlex.split(args)
        if len(words) != 2:
            raise ValueError("usage: !deploy ENV VERSION")
        env, version = words
        if (self.service, env) not in self.sandbox.environments:
            raise ValueError(f"{self.service} has no environment {env!r}")
        tag = self.app.ctx.service().forge.tag(version)
        rev = tag.commit_sha if tag else "0" * 40
        self.sandbox.environment(self.service, env).deploy(version, rev, version)
        self._report({"sandbox": "deploy", "env": env, "version": version, "rev": rev},
                     f"(OPS pushed {version} to {env})")

    def _bug(self, summary: str) -> None:
        if not summary:
            raise ValueError("usage: !bug SUMMARY")
        bug_id = self.sandbox.bugzilla.add_bug(summary, "NEW")
        self._report({"sandbox": "bug", "id": bug_id}, f"(filed bug {bug_id}: {summary})")

    def _commit(self, message: str) -> None:
        if not message:
            raise ValueError("usage: !commit MESSAGE")
        owner, name = self.settings.service().repo.split("/")
        branch = self.settings.service().main_branch
        slug = "".join(c if c.isalnum() else "-" for c in message.lower())[:40]
        sha = self.sandbox.github.commit(owner, name, branch, message,
                                         {f"changes/{slug}.txt": message + "\n"})
        self._report({"sandbox": "commit", "sha": sha}, f"(landed {sha[:7]} on {branch})")

    def _clock(self, text: str) -> None:
        try:
            moment = dateparser.parse(text)
        except (ValueError, OverflowError):
            raise ValueError(f"couldn't read {text!r} as a date and time") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.settings.tz)
        if moment < self.clock():
            raise ValueError("the clock only moves forwards, now "
                             f"{self.clock().astimezone(self.settings.tz):%Y-%m-%d %H:%M %Z}")
        self.move_clock(moment)
        self.app.drain(60)
        local = self.clock().astimezone(self.settings.tz)
        self._report({"sandbox": "clock", "now": local.isoformat()},
                     f"(the clock is now {local:%a %Y-%m-%d %H:%M %Z})")

    def _help(self, _: str) -> None:
        self.out({"sandbox": "help", "text": HELP} if self.json else HELP)

    # -- output ------------------------------------------------------------------------
    @property
    def json(self) -> bool:
        return getattr(self.out, "json", False)

    def _report(self, as_json: dict[str, Any], as_text: str) -> None:
        self.out(as_json if self.json else as_text)

    def flush(self) -> None:
        """Print every message posted or changed since the last flush, oldest first."""
        slack = self.sandbox.slack
        posted = sorted([*slack.messages(), *slack.ephemerals()], key=lambda m: float(m.ts))
        for message in posted:
            key = (message.kind, message.channel, message.ts)
            version = (message.text, len(message.edits))
            if self._seen.get(key) == version:
                continue
            self._seen[key] = version
            self.out(_as_json(message, self._name) if self.json
                     else render_message(message, self._name))

    def _name(self, user_id: str) -> str:
        return next((f"@{n}" for n, u in USERS.items() if u == user_id), user_id)

    def mark_seen(self) -> None:
        """What an earlier run (with --dir) printed is not printed again."""
        slack = self.sandbox.slack
        for message in [*slack.messages(), *slack.ephemerals()]:
            key = (message.kind, message.channel, message.ts)
            self._seen[key] = (message.text, len(message.edits))


def _as_json(message: Posted, name: Callable[[str], str]) -> dict[str, Any]:
    shown: dict[str, Any] = {"channel": message.channel}
    if message.kind == "ephemeral" and message.user:
        shown["user"] = name(message.user)
    shown.update({"text": message.text, "blocks": message.blocks})
    return shown


def _printer(stream: TextIO, as_json: bool) -> Callable[[dict[str, Any] | str], None]:
    def out(item: dict[str, Any] | str) -> None:
        if as_json:  # every line is one JSON object, notices included
            shown = item if isinstance(item, dict) else {"sandbox": "notice", "message": item}
            print(json.dumps(shown, ensure_ascii=False), file=stream, flush=True)
        else:
            print(item if isinstance(item, str) else json.dumps(item), file=stream, flush=True)

    out.json = as_json  # type: ignore[attr-defined]
    return out


def open_chat(base: Settings, args: argparse.Namespace, stream: TextIO) -> Chat:
    sandbox = Sandbox.start(base, state_dir=args.dir, repo=args.repo)
    clock = sandbox.clock(dt.datetime.now(dt.UTC))
    settings = sandbox.settings(base)
    ctx = build_context(settings, clock=clock, github_options=FAST_GITHUB,
                        environment_timeout=2.0)
    adopt_on_first_start(ctx)  # the demo's releases, as a team adopting the bot has them
    app = create_app(settings, ctx=ctx, slack_api_url=sandbox.slack.api_url)
    server = serve(app)
    signed = SlackRequests(server.slack_url, SIGNING_SECRET, sandbox.slack)
    chat = Chat(sandbox, settings, app, server, clock, signed, _printer(stream, args.json),
                move_clock=_scheduler(ctx, clock, sandbox.slack.api_url, settings))
    chat.mark_seen()
    return chat


def _scheduler(ctx: Context, clock: ManualClock, slack_api_url: str,
               settings: Settings) -> Callable[[dt.datetime], None]:
    """Moving the sandbox clock runs every scheduled job due on the way, in order."""
    chat = SlackChat.from_settings(settings, base_url=slack_api_url)
    return lambda moment: run_until(ctx, chat, None, clock, moment)


def close_chat(chat: Chat) -> None:
    chat.server.stop()
    chat.app.close()
    chat.app.ctx.store.dispose()
    chat.sandbox.stop()


def run_chat(args: argparse.Namespace, lines: Iterable[str] | None = None) -> int:
    base = load_settings(args.config)
    interactive = lines is None and sys.stdin.isatty()
    chat = open_chat(base, args, sys.stdout)
    try:
        if interactive:
            print(banner(chat), flush=True)
        for line in lines if lines is not None else _read(interactive):
            chat.handle(line)
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


def _read(interactive: bool) -> Iterable[str]:
    if not interactive:
        yield from sys.stdin
        return
    while True:
        try:
            yield input("> ")
        except EOFError:
            return
