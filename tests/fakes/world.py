"""A use-case `Context` on the fakes: the store in dicts, each service's forge and tracker
in memory, seeded like the sandbox (loop-server's demo history and bugs, the deployment
tickets of its past releases, each environment running the demo's versions), so a test
written against the stand-ins reads the same here with nothing started."""

from __future__ import annotations

import datetime as dt
import functools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from bot.clock import ManualClock
from bot.config.settings import ServiceSettings, Settings
from bot.messages.calendar import render_window_ics
from bot.sandbox.demo import DemoData, build_demo_repo
from bot.sandbox.github.standin import GitHubStandIn
from bot.sandbox.world import DEPLOY_TICKETS
from bot.usecases.context import Context, ServicePorts
from tests.fakes.forge import FakeForge
from tests.fakes.partners import FakeEnvironments, FakeMail
from tests.fakes.store import FakeStore
from tests.fakes.tracker import FakeTracker

START = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)


@functools.cache
def _demo(repo: str) -> tuple[FakeForge, DemoData]:
    """The sandbox's demo repository, built once per test session and read into memory."""
    owner, name = repo.split("/")
    with tempfile.TemporaryDirectory(prefix="loopbot-demo-") as root:
        stand_in = GitHubStandIn(root)
        demo = build_demo_repo(stand_in, owner, name)
        return FakeForge.from_git(stand_in.repo_path(owner, name), repo), demo


@dataclass
class FakeWorld:
    settings: Settings
    clock: ManualClock = field(default_factory=lambda: ManualClock(START))
    store: FakeStore = field(init=False)
    environments: FakeEnvironments = field(default_factory=FakeEnvironments)
    mail: FakeMail | None = None
    forges: dict[str, FakeForge] = field(default_factory=dict)
    trackers: dict[str, FakeTracker] = field(default_factory=dict)
    demo: DemoData | None = None
    ctx: Context = field(init=False)

    def __post_init__(self) -> None:
        self.store = FakeStore(clock=self.clock)
        for index, service in enumerate(self.settings.services):
            self._seed(index, service)
        self.ctx = Context(settings=self.settings, store=self.store,
                           environments=self.environments, ports_for=self._ports,
                           clock=self.clock, invitation=render_window_ics, mail=self.mail)

    @property
    def service(self) -> str:
        return self.settings.service().name

    def forge(self, service: str | None = None) -> FakeForge:
        return self.forges[self.settings.service(service).name]

    def tracker(self, service: str | None = None) -> FakeTracker:
        return self.trackers[self.settings.service(service).name]

    def deploy(self, env: str, version: str, service: str | None = None, *,
               rev: str | None = None) -> None:
        """OPS pushes the build of `version` (`rev`, else its tag's commit) to `env`."""
        config = self.settings.service(service)
        if rev is None:
            tag = self.forges[config.name].tag(version)
            assert tag is not None, f"no tag {version}"
            rev = tag.commit_sha
        self.environments.deploy(env, config.environments[env].url, version, rev, version)

    def land(self, message: str, path: str = "loop/fix.js", service: str | None = None) -> str:
        """A DEV lands a commit on the main branch; returns its sha."""
        config = self.settings.service(service)
        return self.forges[config.name].commit(config.main_branch, message,
                                               {path: f"// {message}\n"})

    def close(self) -> None:
        self.ctx.close()

    def _ports(self, service: ServiceSettings) -> ServicePorts:
        return ServicePorts(service, self.forges[service.name], self.trackers[service.name])

    def _seed(self, index: int, service: ServiceSettings) -> None:
        tracker = FakeTracker(service.bugzilla.product, service.bugzilla.component,
                              clock=self.clock)
        self.trackers[service.name] = tracker
        if index > 0:
            forge = FakeForge(service.repo)
            forge.commit(service.main_branch, f"Initial {service.name}",
                         {"README.md": service.name})
            self.forges[service.name] = forge
            return
        forge, self.demo = _demo(service.repo)
        self.forges[service.name] = forge.copy()
        for bug in self.demo.bugs:
            tracker.add_bug(bug.summary, bug.status, bug.resolution, id=bug.id)
        for bug_id, version, env in DEPLOY_TICKETS:
            tracker.add_bug(f"Loop — Please deploy {service.name} {version} to {env}",
                            "VERIFIED", "FIXED", id=bug_id, product=service.bugzilla.product,
                            component=service.bugzilla.component)
        deployed = {d.env: d for d in self.demo.deployments}
        for env, spec in service.environments.items():
            d = deployed.get(env, deployed.get("prod"))
            mocked = spec.mocked_partner if spec.mocked_partner is not None else env == "stage"
            if d is not None:
                self.environments.deploy(env, spec.url, d.version, d.rev, d.branch,
                                         fake_partner=mocked)


@pytest.fixture
def shipped_fake_world(shipped_settings: Settings) -> Iterator[FakeWorld]:
    """The shipped app.yaml as is (its services' opt-ins on) on the fakes."""
    world = FakeWorld(shipped_settings)
    yield world
    world.close()


@pytest.fixture
def fake_world(settings: Settings) -> Iterator[FakeWorld]:
    """The shipped settings (tests.fixtures.standins' `settings`) on the fakes."""
    world = FakeWorld(settings)
    yield world
    world.close()
