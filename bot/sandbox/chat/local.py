"""`loopbot sandbox`: the whole bot and every stand-in on 127.0.0.1, driven from a chat
prompt in the terminal (or a script on standard input). This module is the chat;
bot/sandbox/chat/session.py starts and stops what it talks to.

A line like `@qa /loop verify stage 0.13.1` is sent to the bot exactly as Slack would send
it: a signed HTTP request from that user (no `@user` means `@dev`). What the bot then
posts is printed, readably or, with `--json`, as one JSON object per message (`channel`,
`user` for an ephemeral one, `text`, `blocks`). Lines starting with `!` stand for what
people do outside Slack:

    !deploy ENV VERSION   OPS pushes a build (the environment's root URL reports it)
    !bug SUMMARY          someone files a bug (prints its number)
    !fix BUG              the last speaker marks the bug RESOLVED FIXED in Bugzilla, as
                          a DEV does once the fix is on master
    !commit MESSAGE       a DEV lands a commit on master (prints its sha)
    !clock DATETIME       the sandbox clock moves there; the scheduled jobs due run
    !clock tagging        the same, to just after the next tagging day's announcement
    !click LABEL          the last speaker presses the first button whose label starts
                          with LABEL on the latest message that has one
    !home                 what App Home shows the last speaker
    !help                 this list

`#` starts a comment: a whole line, or the rest of a line after ` # `. With `--dir`, a
later run continues where this one stopped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.clock import ManualClock
from bot.config.settings import Settings
from bot.domain.errors import one_line
from bot.entrypoints.app import LoopApp
from bot.entrypoints.server import Server
from bot.sandbox.chat.lines import (
    USERS,
    clock_target,
    deployable,
    first_word,
    sandbox_words,
    send_typed,
    strip_comment,
)
from bot.sandbox.chat.render import as_json, render_home, render_message
from bot.sandbox.slack.records import Posted
from bot.sandbox.slack.signed import SlackRequests, buttons
from bot.sandbox.world import Sandbox
from bot.usecases.calendar_feed import calendar_from_settings
from bot.usecases.ports import PartnerError

DEPLOY_USAGE = "!deploy ENV VERSION"
SUMMARY_LIMIT = 255  # Bugzilla's own limit on a bug summary
FIX_USAGE = "usage: !fix BUG (a bug number, like `!fix 1100002`)"
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
    # moves the clock, running the jobs due on the way; calls the second argument after
    # each instant at which something became due
    move_clock: Callable[[dt.datetime, Callable[[dt.datetime], None]], None] = field(
        default=lambda _, __: None)
    speaker: str = USERS["dev"]
    _seen: dict[tuple[str, str, str], tuple[str, int]] = field(default_factory=dict)

    @property
    def service(self) -> str:
        return self.settings.service().name

    def handle(self, line: str) -> None:
        line = strip_comment(line.strip())
        if not line or line.startswith("#"):
            return
        if line.startswith("@"):
            user, rest = first_word(line)
            if user[1:].lower() not in USERS:  # `@QA` is `@qa`, as Slack matches names
                return self.out(f"unknown user {user}: the sandbox has "
                                f"{', '.join('@' + name for name in USERS)}")
            self.speaker = USERS[user[1:].lower()]
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
        problem = send_typed(self.signed, self.speaker, text)
        if problem is not None:
            self.out(problem)
        self.app.drain(60)

    def _click(self, label: str) -> None:
        if not label:
            raise ValueError("usage: !click LABEL (the start of a button's label, like "
                             "`!click Tag`)")
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
        verb, args = first_word(text[1:])
        handlers = {"deploy": self._deploy, "bug": self._bug, "fix": self._fix,
                    "commit": self._commit,
                    "clock": self._clock, "click": self._click, "home": self._home,
                    "help": self._help}
        handler = handlers.get(verb.lower())
        if handler is None:
            return self.out(f"unknown sandbox line !{verb}; `!help` lists them")
        try:
            handler(args.strip())
        except ValueError as exc:
            self.out({"sandbox": verb, "error": str(exc)} if self.json else f"!{verb}: {exc}")
        except PartnerError as exc:  # a stand-in failing (injected faults): say so, go on
            text = f"{exc}; nothing was done, try again when it is back"
            self.out({"sandbox": verb, "error": text} if self.json else f"!{verb}: {text}")

    def _deploy(self, args: str) -> None:
        words = sandbox_words(args, DEPLOY_USAGE)
        if len(words) != 2:
            raise ValueError(f"usage: {DEPLOY_USAGE}")
        pipeline = self.settings.service(self.service).pipeline
        env = pipeline.named(words[0]) or words[0].lower()  # as `/loop` reads it
        version = deployable(words[1], DEPLOY_USAGE)
        if (self.service, env) not in self.sandbox.environments:
            known = ", ".join(self.settings.service().environments)
            raise ValueError(f"{self.service} has no environment {words[0]!r}: it has {known}")
        tag = self.app.ctx.service().forge.tag(version)
        rev = tag.commit_sha if tag else "0" * 40
        self.sandbox.environment(self.service, env).deploy(version, rev, version)
        self._report({"sandbox": "deploy", "env": env, "version": version, "rev": rev},
                     f"(OPS pushed {version} to {env})")
        self.move_clock(self.clock(), self._posted_at)  # the next tick sees it now
        self.app.drain(60)

    def resume_at(self, wanted: dt.datetime, typed: str) -> None:
        """`--start` given to a resumed `--dir`: honoured as `!clock` when it is later
        than where the clock stopped, said to be ignored when earlier."""
        now = self.clock()
        if wanted > now:
            return self._clock(wanted.isoformat())
        if wanted == now:
            return None
        local = now.astimezone(self.settings.tz)
        self._report({"sandbox": "start", "notice": f"--start {typed} ignored",
                      "now": local.isoformat()},
                     f"(--start {typed} ignored: this --dir's clock stopped later, at "
                     f"{local:%a %Y-%m-%d %H:%M %Z}, and only moves forwards)")

    def _bug(self, summary: str) -> None:
        if not summary:
            raise ValueError("usage: !bug SUMMARY")
        if len(summary) > SUMMARY_LIMIT:
            raise ValueError(f"a bug summary is {len(summary):,} characters long; Bugzilla "
                             f"takes {SUMMARY_LIMIT} at most; usage: !bug SUMMARY")
        bug_id = self.sandbox.bugzilla.add_bug(summary, "NEW")
        self._report({"sandbox": "bug", "id": bug_id},
                     f"(filed bug {bug_id}: {one_line(summary)})")

    def _fix(self, args: str) -> None:
        words = args.split()
        if len(words) != 1 or not words[0].isdigit():
            raise ValueError(FIX_USAGE)
        bug_id = int(words[0])
        who = self._name(self.speaker).removeprefix("@")
        changed = self.sandbox.bugzilla.change(
            bug_id, f"{who}@loop-sandbox.example", status="RESOLVED", resolution="FIXED")
        again = "" if changed["changes"] else " (it already was)"
        self._report({"sandbox": "fix", "id": bug_id, "status": "RESOLVED",
                      "resolution": "FIXED"},
                     f"(@{who} marked bug {bug_id} RESOLVED FIXED{again})")

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
        if not text:
            raise ValueError("usage: !clock DATETIME (or `!clock tagging`)")
        moment = clock_target(text, self.clock(), calendar_from_settings(self.settings))
        self.move_clock(moment, self._posted_at)
        self.app.drain(60)
        local = self.clock().astimezone(self.settings.tz)
        self._report({"sandbox": "clock", "now": local.isoformat()},
                     f"(the clock is now {local:%a %Y-%m-%d %H:%M %Z})")

    def _home(self, _: str) -> None:
        self.signed.home_opened(self.speaker)
        self.app.drain(60)
        view = self.sandbox.slack.home_view(self.speaker)
        if view is None:
            raise ValueError("the bot published no App Home")
        viewer = self._name(self.speaker)
        self._report({"sandbox": "home", "user": viewer, "blocks": view["blocks"]},
                     render_home(view["blocks"], viewer, self._name))

    def _help(self, _: str) -> None:
        self.out({"sandbox": "help", "text": HELP} if self.json else HELP)

    # -- output ------------------------------------------------------------------------
    @property
    def json(self) -> bool:
        return getattr(self.out, "json", False)

    def _report(self, as_json: dict[str, Any], as_text: str) -> None:
        self.out(as_json if self.json else as_text)

    def _posted_at(self, instant: dt.datetime) -> None:
        """What the scheduler posted at `instant` on the clock's way, under its time."""
        self.app.drain(60)
        if self._unseen() and not self.json:
            self.out(f"(at {instant.astimezone(self.settings.tz):%a %Y-%m-%d %H:%M})")
        self.flush()

    def _unseen(self) -> list[Posted]:
        return self.sandbox.slack.changed(self._seen)

    def flush(self) -> None:
        """Print every message posted or changed since the last flush, oldest first."""
        for message in self._unseen():
            self._seen[(message.kind, message.channel, message.ts)] = (message.text,
                                                                       len(message.edits))
            self.out(as_json(message, self._name) if self.json
                     else render_message(message, self._name, self._channel))

    def _name(self, user_id: str) -> str:
        return next((f"@{n}" for n, u in USERS.items() if u == user_id), user_id)

    def _channel(self, channel_id: str) -> str:
        found = self.sandbox.slack.workspace.resolve_channel(channel_id)
        return found.name if found is not None else channel_id

    def mark_seen(self) -> None:
        """What an earlier run (with --dir) printed is not printed again."""
        slack = self.sandbox.slack
        for message in [*slack.messages(), *slack.ephemerals()]:
            key = (message.kind, message.channel, message.ts)
            self._seen[key] = (message.text, len(message.edits))
