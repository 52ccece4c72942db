"""`loopbot sandbox chat --url URL --sandbox FILE`: the sandbox's prompt for a bot that
runs elsewhere (`loopbot run` as OPS runs it, pointed at the stand-ins of `loopbot
sandbox serve`). Each `/loop` line goes to URL as a signed request, exactly as Slack sends
it; what the bot then posts (channel messages and ephemeral answers alike) is read back
from the Slack stand-in over HTTP and printed as `loopbot sandbox` prints it.

FILE is the JSON line `loopbot sandbox serve` printed: where the Slack stand-in and the
environments are, and the signing secret the bot must share. The lines understood are
`@user /loop ...`, `!click LABEL`, `!deploy ENV VERSION` and `!help`; the others need the
bot in the same process (plain `loopbot sandbox`) and say so.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bot.sandbox.chat.lines import (
    USERS,
    deployable,
    first_word,
    play,
    sandbox_words,
    send_typed,
    strip_comment,
)
from bot.sandbox.chat.render import as_json, printer, render_message
from bot.sandbox.chat.settle import Seen, wait_for_the_bot
from bot.sandbox.slack.records import Posted
from bot.sandbox.slack.signed import SlackRequests, buttons
from bot.sandbox.slack.workspace import Workspace
from bot.usecases.ports import PartnerError

HELP = """@USER /loop ...          say it as @dev (the default), @ops, @qa, @lead, @client-dev or
                         @client-qa
!click LABEL             the last speaker presses the first button starting with LABEL
!deploy ENV VERSION      OPS pushes a build (the environment's root URL reports it)
!help                    this list"""


class SandboxFileError(ValueError):
    """The --sandbox file is not what `loopbot sandbox serve` printed."""


@dataclass(frozen=True)
class Where:
    """What `loopbot sandbox serve` printed, as far as the remote chat needs it."""

    slack_api: str
    signing_secret: str
    environments: dict[str, str]
    github: str = ""
    github_token: str = ""
    repos: dict[str, str] = field(default_factory=dict)  # service -> OWNER/NAME
    partners: tuple[str, ...] = ()  # every stand-in's base URL

    @classmethod
    def read(cls, path: Path) -> Where:
        try:
            described = json.loads(path.read_text(encoding="utf-8").strip().splitlines()[-1])
            github = described.get("github", {})
            envs = {str(k): str(v) for k, v in described["environments"].items()}
            partners = (str(described["slack"]["url"]).removesuffix("/").removesuffix("/api"),
                        str(github.get("url", "")), *envs.values(),
                        str(described.get("bugzilla", {}).get("url", "")).removesuffix("/rest"))
            return cls(str(described["slack"]["url"]), str(described["slack"]["signing_secret"]),
                       envs, str(github.get("url", "")), str(github.get("token", "")),
                       {str(k): str(v) for k, v in github.get("repos", {}).items()},
                       tuple(url for url in partners if url))
        except OSError as exc:
            raise SandboxFileError(f"{path}: {exc.strerror or exc}") from None
        except (ValueError, KeyError, TypeError, IndexError):
            raise SandboxFileError(f"{path}: not the JSON line `loopbot sandbox serve` "
                                   "prints") from None


class RemoteSlack:
    """The Slack stand-in of another process, as `SlackRequests` needs it: the sandbox
    workspace (the same everywhere), response URLs handed out over HTTP, and what the
    bot posted."""

    def __init__(self, api_url: str, session: requests.Session) -> None:
        self.base = api_url.removesuffix("/").removesuffix("api").removesuffix("/")
        self.workspace = Workspace.default()
        self.session = session

    def new_response_url(self, channel: str = "#loop", user: str = "U0DEV0001",
                         message_ts: str | None = None) -> str:
        answer = self.session.post(f"{self.base}/__sandbox__/response_url", json={
            "channel": channel, "user": user, "message_ts": message_ts}, timeout=10)
        answer.raise_for_status()
        return str(answer.json()["url"])

    def posted(self) -> list[Posted]:
        answer = self.session.get(f"{self.base}/__sandbox__/messages", timeout=10)
        answer.raise_for_status()
        return [Posted(**m) for m in answer.json()["messages"]]


@dataclass
class RemoteChat:
    slack: RemoteSlack
    signed: SlackRequests
    where: Where
    out: Callable[[dict[str, Any] | str], None]
    speaker: str = USERS["dev"]
    _seen: dict[tuple[str, str, str], tuple[str, int]] = field(default_factory=dict)

    def handle(self, line: str) -> None:
        line = strip_comment(line.strip())
        if not line or line.startswith("#"):
            return
        rest = line
        if line.startswith("@"):
            user, rest = first_word(line)
            if user[1:].lower() not in USERS:
                return self.out(f"unknown user {user}: the sandbox has "
                                f"{', '.join('@' + name for name in USERS)}")
            self.speaker = USERS[user[1:].lower()]
        elif not line.startswith("!"):
            self.speaker = USERS["dev"]
        rest = rest.strip()
        try:
            if rest.startswith("/"):
                self._command(rest)
            elif rest.startswith("!"):
                self._sandbox_line(rest)
            else:
                self.out("say `/loop ...` (try `/loop help`) or a `!` line (try `!help`)")
        except requests.RequestException as exc:
            self.out(f"(cannot reach the bot or the stand-ins: {type(exc).__name__}; is "
                     "`loopbot run` up at the --url given?)")
        self.flush()

    def _command(self, text: str) -> None:
        before = self._state()
        problem = send_typed(self.signed, self.speaker, text)
        if problem is not None:
            return self.out(problem)  # not sent, or refused: nothing will follow to wait for
        wait_for_the_bot(self._state, before)

    def _sandbox_line(self, text: str) -> None:
        verb, args = first_word(text[1:])
        verb = verb.lower()
        if verb == "help":
            return self.out(HELP)
        if verb == "click":
            return self._click(args.strip())
        if verb == "deploy":
            return self._deploy(args.strip())
        self.out(f"!{verb} needs the bot in this process: run plain `loopbot sandbox` for "
                 "it, or use the stand-ins' own endpoints; `!help` lists what works here")

    def _click(self, label: str) -> None:
        if not label:
            return self.out("!click: usage: !click LABEL (the start of a button's label)")
        before = self._state()
        seen = [m for m in before.posted if m.kind == "message" or m.user == self.speaker]
        for message in sorted(seen, key=lambda m: float(m.ts), reverse=True):
            found = [b for b in buttons(message)
                     if b["text"]["text"].lower().startswith(label.lower())]
            if found:
                self.signed.click(self.speaker, message, found[0])
                return wait_for_the_bot(self._state, before)
        self.out(f"(no button labelled {label!r}: nothing pressed)")

    def _deploy(self, args: str) -> None:
        usage = "!deploy ENV VERSION (ENV as `loopbot sandbox serve` lists it)"
        try:
            words = sandbox_words(args, usage)
            if len(words) != 2:
                raise ValueError(f"usage: {usage}")
            version = deployable(words[1], usage)
        except ValueError as exc:
            return self.out(f"!deploy: {exc}")
        key = self._environment(words[0])
        if key is None:
            return self.out(f"!deploy: no environment {words[0]!r}; the sandbox has "
                            f"{', '.join(self.where.environments)}")
        try:
            rev = self._commit_of(key.split("/", 1)[0], version)
        except PartnerError as exc:
            return self.out(f"!deploy: {exc}; nothing was done, try again when it is back")
        answer = self.slack.session.post(f"{self.where.environments[key]}/__sandbox__/deploy",
                                         json={"version": version, "rev": rev,
                                               "branch": version}, timeout=10)
        answer.raise_for_status()
        self.out(f"(OPS pushed {version} to {words[0]})")

    def _commit_of(self, service: str, version: str) -> str:
        """The commit the version's tag names, read from the GitHub stand-in as the bot
        reads it (zeros when there is no such tag, as in the local sandbox)."""
        repo = self.where.repos.get(service)
        if repo is None or not self.where.github:
            return "0" * 40
        from bot.partners.github import GitHubForge  # here: PyGithub is slow to import

        forge = GitHubForge(self.where.github, self.where.github_token, repo,
                            seconds_between_requests=0, seconds_between_writes=0, retries=0)
        try:
            tag = forge.tag(version)
        finally:
            forge.close()
        return tag.commit_sha if tag else "0" * 40

    def _environment(self, name: str) -> str | None:
        """The key (`service/env`) of `name`: `stage` is the first service's stage;
        `loop-client/stage` names another's."""
        if name in self.where.environments:
            return name
        matches = [key for key in self.where.environments
                   if key.split("/", 1)[-1] == name.lower()]
        return matches[0] if matches else None

    def _state(self) -> Seen:
        """What the bot posted, and what each stand-in heard from it."""
        return Seen.of(tuple(self.slack.posted()),
                       tuple(self._activity(url) for url in self.where.partners),
                       self.where.github)

    def _activity(self, url: str) -> tuple[str, int, int, int]:
        answer = self.slack.session.get(f"{url}/__sandbox__/activity", timeout=10)
        found = answer.json() if answer.ok else {}
        return (url, int(found.get("received", 0)), int(found.get("writes", 0)),
                int(found.get("busy", 0)))

    def flush(self) -> None:
        """Print every message posted or changed since the last flush, oldest first."""
        for message in sorted(self.slack.posted(), key=lambda m: float(m.ts)):
            key = (message.kind, message.channel, message.ts)
            version = (message.text, len(message.edits))
            if self._seen.get(key) == version:
                continue
            self._seen[key] = version
            self.out(as_json(message, self._name) if getattr(self.out, "json", False)
                     else render_message(message, self._name, self._channel))

    def mark_seen(self) -> None:
        for message in self.slack.posted():
            self._seen[(message.kind, message.channel, message.ts)] = (
                message.text, len(message.edits))

    def _name(self, user_id: str) -> str:
        return next((f"@{n}" for n, u in USERS.items() if u == user_id), user_id)

    def _channel(self, channel_id: str) -> str:
        found = self.slack.workspace.resolve_channel(channel_id)
        return found.name if found is not None else channel_id


def open_remote_chat(url: str, sandbox_file: Path, *, json_out: bool = False) -> RemoteChat:
    where = Where.read(sandbox_file)
    session = requests.Session()
    slack = RemoteSlack(where.slack_api, session)
    signed = SlackRequests(url, where.signing_secret, slack)
    chat = RemoteChat(slack, signed, where, printer(sys.stdout, json_out))
    chat.mark_seen()  # what was posted before this session is not printed again
    return chat


def run_remote_chat(args: argparse.Namespace, lines: Iterable[str] | None = None) -> int:
    try:
        chat = open_remote_chat(args.url, Path(args.sandbox), json_out=args.json)
    except SandboxFileError as exc:
        print(f"loopbot: {exc}", file=sys.stderr)
        return 2
    except requests.RequestException as exc:
        print(f"loopbot: cannot reach the Slack stand-in of {args.sandbox} "
              f"({type(exc).__name__}): is `loopbot sandbox serve` running?", file=sys.stderr)
        return 2
    interactive = lines is None and sys.stdin.isatty()
    if interactive:
        print(f"loopbot sandbox chat: talking to the bot at {args.url}\n{HELP}\n"
              "Ctrl-D to leave.", flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C leaves, as Ctrl-D does
        play(chat.handle, lines, interactive=interactive, as_json=args.json)
    return 0
