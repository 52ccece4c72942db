"""The built-in demo repository: a small loop-server with a realistic release history.

`build_demo_repo(stand_in, owner, name)` writes it into the GitHub stand-in in one `git
fast-import` (a few milliseconds) and returns `DemoData`: tags, branches, the bugs its
commit messages reference (so the Bugzilla stand-in can be seeded with matching bugs) and
what each environment runs to start with. The history is deterministic (fixed author and
dates), so the same shas come out every time:

- master: 0.11.0, 0.12.0, 0.12.1, 0.12.2 (annotated tags, bare versions), then untagged
  commits toward 0.13.0, one of them referencing a bug still NEW (to be flagged);
- 0.11.x: the maintenance branch of 0.11, with 0.11.1 on it;
- commit messages in every form loop-server uses: "Bug N — text", "Bug N - text",
  "Fix N — text", "Bug N, M — text", GitHub merge commits naming the PR branch, and
  commits with no bug.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.sandbox.github.gitrepo import FastImport, Signature
from bot.sandbox.github.standin import GitHubStandIn

AUTHOR = Signature("Loop Developer", "loop-dev@example.com", 1412672400)  # 2014-10-07 09:00Z
STEP = 3 * 3600  # three hours between commits


@dataclass(frozen=True)
class DemoBug:
    id: int
    summary: str
    status: str
    resolution: str = ""


@dataclass(frozen=True)
class DemoDeployment:
    env: str
    version: str
    rev: str
    branch: str


@dataclass(frozen=True)
class DemoData:
    owner: str
    name: str
    tags: Mapping[str, str]  # tag name -> commit sha (peeled)
    branches: Mapping[str, str]  # branch -> head sha
    bugs: tuple[DemoBug, ...]
    unreleased_bugs: tuple[int, ...]  # referenced on master since 0.12.2, in order
    deployments: tuple[DemoDeployment, ...]
    commits: Mapping[str, str] = field(default_factory=dict)  # first line -> sha

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def master_head(self) -> str:
        return self.branches["master"]

    def bug(self, bug_id: int) -> DemoBug:
        return next(b for b in self.bugs if b.id == bug_id)


BUGS = (
    DemoBug(1064357, "Add the rooms API", "RESOLVED", "FIXED"),
    DemoBug(1069654, "Registration fails when the Hawk session is missing", "RESOLVED", "FIXED"),
    DemoBug(1073917, "TokBox requests time out on /calls", "RESOLVED", "FIXED"),
    DemoBug(1071244, "Validate the room owner", "RESOLVED", "FIXED"),
    DemoBug(1071248, "Limit the number of participants in a room", "RESOLVED", "FIXED"),
    DemoBug(1071247, "Check the FxA OAuth state parameter", "RESOLVED", "FIXED"),
    DemoBug(1087041, "Return a 410 for expired call URLs", "RESOLVED", "FIXED"),
    DemoBug(1091321, "Log the room token in the sendroom metrics", "RESOLVED", "FIXED"),
    DemoBug(1094662, "Fix SP backwards compatibility", "RESOLVED", "FIXED"),
    DemoBug(1096112, "Rate-limit joining a room on /v2/rooms", "NEW"),
    DemoBug(1093488, "Catch Redis connection errors at startup", "RESOLVED", "FIXED"),
)
UNRELEASED_BUGS = (1094662, 1096112, 1093488)


class _History:
    """Accumulates the fast-import stream with a clock and one changelog per branch."""

    def __init__(self) -> None:
        self.stream = FastImport()
        self.tick = 0
        self.titles: dict[str, int] = {}

    def commit(self, branch: str, message: str, files: Mapping[str, str],
               parents: list[int]) -> int:
        who = Signature(AUTHOR.name, AUTHOR.email, AUTHOR.when + STEP * self.tick)
        self.tick += 1
        mark = self.stream.commit(f"refs/heads/{branch}", message, files, author=who,
                                  parents=parents)
        self.titles[message.splitlines()[0]] = mark
        return mark

    def release(self, branch: str, version: str, parent: int, changelog: str) -> int:
        files = {"package.json": _package(version), "CHANGELOG.md": changelog}
        mark = self.commit(branch, f"Release {version}", files, [parent])
        who = Signature(AUTHOR.name, AUTHOR.email, AUTHOR.when + STEP * self.tick)
        self.stream.tag(version, mark, f"Release {version}\n", who)
        return mark


def build_demo_repo(stand_in: GitHubStandIn, owner: str = "mozilla-services",
                    name: str = "loop-server") -> DemoData:
    """Write the demo history into a new repository of the stand-in."""
    stand_in.create_repo(owner, name)
    h = _History()
    master = _build_history(h)
    git = stand_in.git(owner, name)
    shas = git.fast_import(h.stream)
    for ref in git.refs("refs/heads/"):  # merged pull-request branches are deleted
        if ref.name not in ("refs/heads/master", "refs/heads/0.11.x"):
            git.update_ref(ref.name, None, ref.sha)
    tags = {r.name.removeprefix("refs/tags/"): r.peeled for r in git.refs("refs/tags/")}
    branches = {r.name.removeprefix("refs/heads/"): r.sha for r in git.refs("refs/heads/")}
    deployments = (
        DemoDeployment("prod", "0.12.2", tags["0.12.2"], "0.12.2"),
        DemoDeployment("stage", "0.12.2", tags["0.12.2"], "0.12.2"),
        DemoDeployment("dev", "0.12.2", shas[master], "master"),
    )
    return DemoData(owner, name, tags, branches, BUGS, UNRELEASED_BUGS, deployments,
                    {title: shas[mark] for title, mark in h.titles.items()})


def _build_history(h: _History) -> int:
    """The whole history; returns master's head mark."""
    log = _Changelog()
    m = h.commit("master", "Initial loop-server layout", {
        "package.json": _package("0.10.0"), "CHANGELOG.md": log.text(),
        "loop/index.js": "module.exports = require('./server');\n"}, [])
    m = h.commit("master", "Bug 1064357 — Add the rooms API",
                 {"loop/routes/rooms.js": "// rooms: create, join, leave\n"}, [m])
    m = h.commit("master", "Fix 1069654 — Handle a missing Hawk session on /registration",
                 {"loop/routes/registration.js": "// registration: hawk session optional\n"}, [m])
    log.add("0.11.0", "2014-10-07", ["feature 1064357 — Add the rooms API",
                                     "bugfix 1069654 — Handle a missing Hawk session"])
    v0110 = m = h.release("master", "0.11.0", m, log.text())
    b = h.commit("0.11.x", "Bug 1073917 - Fix the TokBox timeout on /calls",
                 {"loop/routes/calls.js": "// calls: 5 s TokBox timeout\n"}, [v0110])
    h.release("0.11.x", "0.11.1", b, log.with_section(
        "0.11.1", "2014-10-08", ["bugfix 1073917 — Fix the TokBox timeout on /calls"]))
    m = h.commit("master", "Bug 1073917 - Fix the TokBox timeout on /calls",
                 {"loop/routes/calls.js": "// calls: 5 s TokBox timeout\n"}, [m])
    m = h.commit("master", "Bug 1071244, 1071248 — Validate the room owner and the "
                 "participants count", {"loop/routes/rooms.js": "// rooms: owner and "
                                        "participants validated\n"}, [m])
    f = h.commit("bug1071247/fix-fxa-oauth", "Bug 1071247 — Check the FxA OAuth state "
                 "parameter", {"loop/fxa.js": "// fxa: state checked\n"}, [m])
    m = h.commit("master", "Merge pull request #201 from mozilla-services/bug1071247/"
                 "fix-fxa-oauth\n\nBug 1071247 — Check the FxA OAuth state parameter", {}, [m, f])
    m = h.commit("master", "Update the README", {"README.md": "# loop-server\n"}, [m])
    log.add("0.12.0", "2014-10-21", ["bugfix 1073917 — Fix the TokBox timeout on /calls",
                                     "feature 1071244 — Validate the room owner",
                                     "security 1071247 — Check the FxA OAuth state"])
    m = h.release("master", "0.12.0", m, log.text())
    m = h.commit("master", "Bug 1087041 - Return a 410 for expired call URLs",
                 {"loop/routes/call-url.js": "// call-url: 410 Gone when expired\n"}, [m])
    log.add("0.12.1", "2014-10-28", ["api-change 1087041 — Return a 410 for expired URLs"])
    m = h.release("master", "0.12.1", m, log.text())
    m = h.commit("master", "Fix 1091321 — Log the room token in the sendroom metrics",
                 {"loop/logging.js": "// logging: roomToken in sendroom\n"}, [m])
    log.add("0.12.2", "2014-11-04", ["logs 1091321 — Log the room token in sendroom"])
    m = h.release("master", "0.12.2", m, log.text())
    return _unreleased(h, m)


def _unreleased(h: _History, m: int) -> int:
    f = h.commit("1094662-sp-backwards-compatibility", "Bug 1094662 — Fix SP backwards "
                 "compatibility", {"loop/simplepush.js": "// simplepush: v0 URLs kept\n"}, [m])
    m = h.commit("master", "Merge pull request #238 from mozilla-services/1094662-sp-backwards-"
                 "compatibility\n\nBug 1094662 — Fix SP backwards compatibility", {}, [m, f])
    m = h.commit("master", "Bug 1096112 — Rate-limit joining a room on /v2/rooms",
                 {"loop/routes/rooms-v2.js": "// rooms v2: join rate-limited\n"}, [m])
    m = h.commit("master", "Update mocha to 2.0.1", {"package.json": _package("0.12.2", "2.0.1")},
                 [m])
    return h.commit("master", "Fix 1093488 — Catch Redis connection errors at startup",
                    {"loop/index.js": "module.exports = require('./server'); // redis guarded\n"},
                    [m])


class _Changelog:
    """loop-server's CHANGELOG.md: one section per release, newest first."""

    def __init__(self) -> None:
        self.sections: list[str] = []

    def add(self, version: str, date: str, lines: list[str]) -> None:
        self.sections.insert(0, _section(version, date, lines))

    def with_section(self, version: str, date: str, lines: list[str]) -> str:
        return "CHANGELOG\n=========\n\n" + "".join([_section(version, date, lines),
                                                    *self.sections])

    def text(self) -> str:
        return "CHANGELOG\n=========\n\n" + "".join(self.sections)


def _section(version: str, date: str, lines: list[str]) -> str:
    title = f"{version} ({date})"
    items = "".join(f"- [{line.split(' ', 1)[0]}] {line.split(' ', 1)[1]}\n" for line in lines)
    return f"{title}\n{'-' * len(title)}\n\n{items}\n"


def _package(version: str, mocha: str = "1.21.4") -> str:
    return json.dumps({"name": "mozilla-loop-server", "description": "The Mozilla Loop "
                       "(WebRTC App) server", "version": version, "main": "loop/index.js",
                       "devDependencies": {"mocha": mocha}}, indent=2) + "\n"
