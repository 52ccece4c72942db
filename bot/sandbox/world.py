"""The whole sandbox: every stand-in started together, seeded with the demo, and the
settings that point the bot at them.

`Sandbox.start(settings, state_dir=None, repo=None)` starts GitHub (the configured
repositories: loop-server's demo history, or a copy of `repo`), Bugzilla (the demo's
bugs, and the VERIFIED deployment tickets of its releases 0.12.1 and 0.12.2), Slack
(the default workspace: @dev, @ops, @qa, @lead, loop-client's @client-dev and
@client-qa, #loop) and one root URL per environment
of each service, running the demo's versions (or the newest release tag of `repo`).
With `state_dir` every stand-in keeps its state there and a later start continues from
it (nothing is seeded twice), the sandbox clock included (`sandbox.clock()`: never
earlier than where the last run left it).
`sandbox.settings(base)` is `base` with every partner URL and secret replaced by the
sandbox's (and no pause between GitHub requests: the stand-in has no rate limits), and
each service's main branch the default branch of its repository (a `repo`
whose default is `main` works as it is). A `repo` that is no git repository is refused
(SourceRepoError) before anything starts. Stop it with `stop()` or use it as a context
manager.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.clock import ManualClock
from bot.config.settings import (
    GitHubSettings,
    PartnerSettings,
    Secrets,
    ServiceSettings,
    Settings,
)
from bot.domain.errors import Refusal
from bot.domain.version import latest_release
from bot.sandbox.bugzilla.standin import SANDBOX_KEY, BugzillaStandIn
from bot.sandbox.demo import DemoData, DemoDeployment, build_demo_repo
from bot.sandbox.environments import EnvironmentStandIn
from bot.sandbox.github.standin import GitHubStandIn, source_default_branch
from bot.sandbox.slack.standin import SANDBOX_BOT_TOKEN, SlackStandIn

GITHUB_TOKEN = "ghp_sandbox"
CLOCK_FILE = "clock.txt"
DEPLOY_TICKETS = ((1097101, "0.12.1", "Stage"), (1097102, "0.12.1", "Production"),
                  (1098201, "0.12.2", "Stage"), (1098202, "0.12.2", "Production"))
SIGNING_SECRET = "sandbox-signing-secret"


def _state_root(state_dir: str | Path) -> Path:
    """The `--dir` folder, made if missing; a Refusal (one line) when it can't be."""
    root = Path(state_dir).expanduser()
    if root.exists() and not root.is_dir():
        raise Refusal(f"--dir {state_dir}: not a folder")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Refusal(f"--dir {state_dir}: can't make the folder ({exc.strerror})") from None
    return root


@dataclass
class Sandbox:
    github: GitHubStandIn
    bugzilla: BugzillaStandIn
    slack: SlackStandIn
    environments: dict[tuple[str, str], EnvironmentStandIn]
    state_dir: Path
    demo: DemoData | None = None
    _owns_dir: bool = field(default=False, repr=False)
    repos: dict[str, str] = field(default_factory=dict)  # service -> OWNER/NAME

    @classmethod
    def start(
        cls, base: Settings, *, state_dir: str | Path | None = None,
        repo: str | Path | None = None,
    ) -> Sandbox:
        if repo is not None:  # refused before anything starts
            source_default_branch(repo)
        owns = state_dir is None
        root = _state_root(state_dir) if state_dir else Path(
            tempfile.mkdtemp(prefix="loopbot-sandbox-"))
        fresh_bugzilla = not (root / "bugzilla.json").exists()
        github = GitHubStandIn(root / "github", tokens={GITHUB_TOKEN}).start()
        bugzilla = BugzillaStandIn((SANDBOX_KEY,), state_dir=root).start()
        slack = SlackStandIn((SANDBOX_BOT_TOKEN,), state_dir=root).start()
        sandbox = cls(github, bugzilla, slack, {}, root, _owns_dir=owns,
                      repos={s.name: s.repo for s in base.services})
        sandbox._seed_repositories(base, repo)
        if fresh_bugzilla and sandbox.demo is not None:
            for bug in sandbox.demo.bugs:
                bugzilla.add_bug(bug.summary, bug.status, bug.resolution, id=bug.id)
            sandbox._seed_deploy_tickets(base)
        sandbox._start_environments(base)
        return sandbox

    def _seed_repositories(self, base: Settings, repo: str | Path | None) -> None:
        for index, service in enumerate(base.services):
            owner, name = service.repo.split("/")
            if self.github.repo_path(owner, name).exists():
                continue
            if index == 0 and repo is not None:
                self.github.import_repo(owner, name, repo)
            elif index == 0:
                self.demo = build_demo_repo(self.github, owner, name)
            else:
                self.github.create_repo(owner, name)
                self.github.commit(owner, name, service.main_branch,
                                   f"Initial {service.name}", {"README.md": service.name})

    def _seed_deploy_tickets(self, base: Settings) -> None:
        """The deployment tickets of the demo's past releases, as a team filed them
        before the bot (what `loopbot import` finds)."""
        service = base.services[0]
        for bug_id, version, env in DEPLOY_TICKETS:
            summary = f"Loop — Please deploy {service.name} {version} to {env}"
            self.bugzilla.add_bug(summary, "VERIFIED", "FIXED", id=bug_id,
                                  product=service.bugzilla.product,
                                  component=service.bugzilla.component)

    def _start_environments(self, base: Settings) -> None:
        deployed = ({d.env: d for d in self.demo.deployments} if self.demo
                    else self._newest_release_everywhere(base.services[0]))
        for index, service in enumerate(base.services):
            for env, spec in service.environments.items():
                # an environment the demo does not name (real-stage) mirrors prod
                d = deployed.get(env, deployed.get("prod")) if index == 0 else None
                mocked = spec.mocked_partner if spec.mocked_partner is not None else (
                    env == "stage")
                stand_in = EnvironmentStandIn(
                    # a repository with no release yet: nothing released runs anywhere
                    env, version=d.version if d else None, rev=d.rev if d else None,
                    branch=d.branch if d else None, fake_partner=mocked,
                    service_name=f"mozilla-{service.name}" if index == 0 else service.name,
                    state_dir=self.state_dir / "environments" / service.name,
                )
                self.environments[(service.name, env)] = stand_in.start()

    def _newest_release_everywhere(self, service: ServiceSettings) -> dict[str, DemoDeployment]:
        """For a `--repo` copy: every environment runs its newest release tag (as the
        demo's run 0.12.2), so the first start's import finds it released; none when the
        repository has no release tag yet."""
        owner, name = service.repo.split("/")
        git = self.github.git(owner, name)
        peeled = {ref.name.removeprefix("refs/tags/"): ref.peeled
                  for ref in git.refs("refs/tags/")}
        newest = latest_release(peeled, service.tag_pattern)
        if newest is None:
            return {}
        tag = newest.tag_name(service.tag_pattern)
        return {env: DemoDeployment(env, str(newest), peeled[tag], tag)
                for env in service.environments}

    def clock(self, now: dt.datetime) -> ManualClock:
        """The sandbox clock: where the last run with this directory left it (or `now`
        if that is later); every move is saved there for the next run."""
        saved = self.saved_clock()
        return SavedClock(max(now, saved) if saved else now, self.state_dir / CLOCK_FILE)

    def saved_clock(self) -> dt.datetime | None:
        """Where the last run with this directory left the clock (None: a fresh one)."""
        path = self.state_dir / CLOCK_FILE
        if not path.exists():
            return None
        return dt.datetime.fromisoformat(path.read_text(encoding="utf-8").strip())

    def environment(self, service: str, env: str) -> EnvironmentStandIn:
        return self.environments[(service, env)]

    def settings(self, base: Settings, database_url: str | None = None) -> Settings:
        """`base` pointed at the sandbox, with its credentials as the secrets."""
        services = tuple(
            s.model_copy(update={"environments": {
                env: spec.model_copy(update={"url": self.environments[(s.name, env)].url})
                for env, spec in s.environments.items()
            }, "main_branch": self.github.default_branch(*s.repo.split("/"))})
            for s in base.services
        )
        secrets = Secrets.model_validate(dict(
            slack_bot_token=SANDBOX_BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
            github_token=GITHUB_TOKEN, bugzilla_api_key=SANDBOX_KEY,
            database_url=database_url or f"sqlite:///{self.state_dir / 'loopbot.db'}",
        ))
        return base.model_copy(update={
            "github": GitHubSettings(url=self.github.url, seconds_between_requests=0,
                                     seconds_between_writes=0),  # no rate limits here
            "bugzilla": PartnerSettings(url=f"{self.bugzilla.url}/rest"),
            "services": services,
            "secrets": secrets,
            "slack": base.slack.model_copy(update={"api_url": self.slack.api_url}),
        })

    def describe(self) -> dict[str, Any]:
        """What `loopbot sandbox serve` prints: where everything is, what it accepts."""
        return {
            "github": {"url": self.github.url, "token": GITHUB_TOKEN,
                       "repositories": str(self.github.root), "repos": self.repos},
            "bugzilla": {"url": f"{self.bugzilla.url}/rest", "api_key": SANDBOX_KEY},
            "slack": {"url": self.slack.api_url, "bot_token": SANDBOX_BOT_TOKEN,
                      "signing_secret": SIGNING_SECRET},
            "environments": {f"{service}/{env}": s.url
                             for (service, env), s in self.environments.items()},
            "state_dir": str(self.state_dir),
        }

    def stop(self) -> None:
        # Each stop is prompt (bot/prompt_shutdown.py): one after the other is quickest.
        for stand_in in (*self.environments.values(), self.slack, self.bugzilla, self.github):
            stand_in.stop()
        if self._owns_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SavedClock(ManualClock):
    """A `ManualClock` that writes each new time to a file, so a later run resumes it."""

    def __init__(self, start: dt.datetime, path: Path) -> None:
        super().__init__(start)
        self._path = path
        self._save()

    def set(self, moment: dt.datetime) -> None:
        super().set(moment)
        self._save()

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        moved = super().advance(delta)
        self._save()
        return moved

    def _save(self) -> None:
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(self().isoformat(), encoding="utf-8")
        tmp.replace(self._path)
