"""The fakes of tests/fakes against the real adapters on the stand-ins: the same calls get
the same answers and the same errors, so the use-case tests on fakes prove what the
stand-in tests would (issue 21). A change to an adapter's contract fails here first."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest

from bot.partners.bugzilla import BugzillaTracker
from bot.partners.environments import HttpEnvironments
from bot.partners.github import GitHubForge
from bot.partners.mail import Mailer, SmtpServer
from bot.partners.slack import Chat, SlackDirectory
from bot.sandbox.bugzilla.standin import BugzillaStandIn
from bot.sandbox.demo import DemoData
from bot.sandbox.environments import EnvironmentStandIn
from bot.sandbox.github.standin import GitHubStandIn
from bot.sandbox.slack.standin import SlackStandIn
from bot.usecases.ports import Attachment, Conflict, NotFound, PartnerError
from tests.fakes.forge import FakeForge
from tests.fakes.partners import FakeChat, FakeDirectory, FakeEnvironments, FakeMail
from tests.fakes.tracker import FakeTracker
from tests.fakes.world import _demo
from tests.fixtures.bugzilla import TICKET_COMPONENT, TICKET_PRODUCT
from tests.fixtures.github import DEMO_REPO
from tests.fixtures.smtp import Inbox


def outcome(call: Callable[[], Any]) -> Any:
    """The value, or the kind of error (the port's class) the call raised."""
    try:
        return call()
    except PartnerError as exc:
        return type(exc)


def both(fake: Any, real: Any, call: Callable[[Any], Any]) -> Any:
    """The same call on both sides gives the same outcome; that outcome."""
    expected = outcome(lambda: call(real))
    assert outcome(lambda: call(fake)) == expected
    return expected


def _ancestry(base: str, head: str, forge: Any) -> Any:
    return forge.ancestry(base, head)


def _commits_between(base: str, head: str, forge: Any) -> list[tuple[Any, ...]]:
    return [(c.sha, c.message.rstrip(), c.author, c.parents)
            for c in forge.commits_between(base, head)]


# -- forge ----------------------------------------------------------------------------
@pytest.fixture
def fake_forge(forge: GitHubForge) -> FakeForge:
    fake = _demo(DEMO_REPO)[0].copy()
    fake.web_url = forge.web_url  # the stand-in's, for the URLs to compare
    return fake


def test_forge_reads_answer_as_github_does(fake_forge: FakeForge, forge: GitHubForge,
                                           demo_data: DemoData) -> None:
    tags = demo_data.tags
    assert both(fake_forge, forge, lambda f: f.branch_head("master")) == demo_data.master_head
    assert both(fake_forge, forge, lambda f: f.branch_exists("0.11.x")) is True
    assert both(fake_forge, forge, lambda f: f.branch_exists("0.99.x")) is False
    assert both(fake_forge, forge, lambda f: f.branch_head("0.99.x")) is NotFound  # on both
    assert both(fake_forge, forge, lambda f: f.find_commit(tags["0.12.1"][:7])) == tags["0.12.1"]
    assert both(fake_forge, forge, lambda f: f.find_commit("0" * 40)) is None
    both(fake_forge, forge, lambda f: sorted(f.tags(), key=lambda t: t.name))
    assert both(fake_forge, forge, lambda f: f.tag("0.99.0")) is None
    for base, head in (("0.12.0", "0.12.2"), ("0.12.2", "0.12.0"), ("0.11.1", "master"),
                       ("0.12.2", "0.12.2")):
        b, h = tags.get(base, base), tags.get(head, head)
        both(fake_forge, forge, partial(_ancestry, b, h))
        both(fake_forge, forge, partial(_commits_between, b, h))
    both(fake_forge, forge, lambda f: f.commits_between(None, tags["0.11.0"])[0].sha)
    both(fake_forge, forge, lambda f: f.contained_in("0.11.x", list(tags.values())))
    both(fake_forge, forge, lambda f: f.changed_files(tags["0.12.0"], tags["0.12.2"]))
    both(fake_forge, forge, lambda f: f.commit_files(tags["0.12.2"]))
    assert both(fake_forge, forge, lambda f: f.read_file("0.12.2", "no/such.txt")) is None
    assert both(fake_forge, forge, lambda f: f.read_file("0.12.2", "package.json"))
    assert both(fake_forge, forge, lambda f: f.release_url("0.12.2")) is None


def test_an_ancestry_is_one_compare_request(forge: GitHubForge, demo_github: GitHubStandIn,
                                            demo_data: DemoData) -> None:
    """What the fake's one `ancestry` call costs (dev's lag asks it once per read)."""
    with demo_github.counting() as seen:
        forge.ancestry(demo_data.tags["0.12.1"], "master")
    assert len(seen) == 1 and "/compare/" in str(seen[0])


def test_forge_writes_are_idempotent_and_conflict_alike(
    fake_forge: FakeForge, forge: GitHubForge, demo_data: DemoData,
) -> None:
    head, older = demo_data.master_head, demo_data.tags["0.12.2"]
    both(fake_forge, forge, lambda f: f.create_tag("0.13.0", head, "Release 0.13.0"))
    both(fake_forge, forge, lambda f: f.create_tag("0.13.0", head, "Release 0.13.0"))
    assert both(fake_forge, forge,
                lambda f: f.create_tag("0.13.0", older, "Release 0.13.0")) is Conflict
    both(fake_forge, forge, lambda f: f.create_branch("0.13.x", head))
    both(fake_forge, forge, lambda f: f.create_branch("0.13.x", head))
    assert both(fake_forge, forge, lambda f: f.create_branch("0.13.x", older)) is Conflict
    assert both(fake_forge, forge, lambda f: f.create_release(
        "0.13.0", "0.13.0", "notes").endswith("/releases/tag/0.13.0"))
    assert both(fake_forge, forge, lambda f: f.release_url("0.13.0")) is not None


def test_forge_cherry_picks_and_release_commits_alike(
    fake_forge: FakeForge, forge: GitHubForge, demo_data: DemoData,
) -> None:
    base = both(fake_forge, forge, lambda f: f.create_branch("0.12.x", demo_data.tags["0.12.2"]))
    fix = demo_data.commits["Bug 1093488 — Catch Redis connection errors at startup"] \
        if "Bug 1093488 — Catch Redis connection errors at startup" in demo_data.commits \
        else next(s for line, s in demo_data.commits.items() if "1093488" in line)
    for side in (fake_forge, forge):
        result = side.cherry_pick("0.12.x", [fix])
        assert [p[0] for p in result.picked] == [fix] and result.head_sha != base
        assert side.branch_head("0.12.x") == result.head_sha
        assert f"(cherry picked from commit {fix})" in side.commits_between(
            base, result.head_sha)[0].message
    both(fake_forge, forge, lambda f: f.changed_files(base, "0.12.x"))
    # a change already there applies as nothing new, on both
    both(fake_forge, forge, lambda f: len(f.cherry_pick("0.12.x", [fix]).picked))
    made = {}
    for side in (fake_forge, forge):
        for branch, text in (("0.12.x", "0.12.3\n"), ("master", "0.13.0\n")):
            head = side.branch_head(branch)
            sha, new = side.release_commit(branch, head, f"Release {text.strip()}",
                                           [("CHANGELOG", text)])
            assert new and side.release_commit(branch, head, f"Release {text.strip()}",
                                               [("CHANGELOG", text)]) == (sha, False)
            assert side.read_file(sha, "CHANGELOG") == text
            made[(id(side), branch)] = sha
    assert both(fake_forge, forge,
                lambda f: f.release_commit("0.12.x", base, "Other", [])) is Conflict
    # both changed the CHANGELOG since their common base: a Conflict, the branch unchanged
    assert both(fake_forge, forge,
                lambda f: f.cherry_pick("0.12.x", [made[(id(f), "master")]])) is Conflict
    both(fake_forge, forge, lambda f: f.branch_head("0.12.x") == made[(id(f), "0.12.x")])


# -- tracker --------------------------------------------------------------------------
@pytest.fixture
def trackers(bugzilla_standin: BugzillaStandIn,
             tracker: BugzillaTracker) -> Iterator[tuple[FakeTracker, BugzillaTracker]]:
    fake = FakeTracker(TICKET_PRODUCT, TICKET_COMPONENT)
    for bug_id, summary, status, resolution in (
        (1094662, "Fix SP backwards compatibility", "RESOLVED", "FIXED"),
        (1096112, "Rate-limit joining a room on /v2/rooms", "NEW", ""),
    ):
        bugzilla_standin.add_bug(summary, status, resolution, id=bug_id)
        fake.add_bug(summary, status, resolution, id=bug_id, product="Loop",
                     component="Server")
    yield fake, tracker


def test_tracker_files_moves_and_refuses_as_bugzilla_does(
    trackers: tuple[FakeTracker, BugzillaTracker],
) -> None:
    fake, real = trackers
    summary = "Loop — Please deploy loop-server 0.13.0 to Stage"

    def normal(bug: Any) -> Any:
        return bug if isinstance(bug, type) else (bug.summary, bug.status, bug.resolution,
                                                   bug.depends_on)

    both(fake, real, lambda t: t.connect())
    both(fake, real, lambda t: normal(t.bug(1094662)))
    assert both(fake, real, lambda t: t.bug(1099999)) is NotFound
    both(fake, real, lambda t: {i: normal(b) for i, b in t.bugs([1094662, 1099999]).items()})
    ids = {id(t): t.file_ticket(summary, "Please deploy", [1094662, 1096112])
           for t in (fake, real)}
    ticket = lambda t: ids[id(t)]  # noqa: E731
    both(fake, real, lambda t: normal(t.bug(ticket(t))))
    both(fake, real, lambda t: normal(t.find_ticket(summary)))
    both(fake, real, lambda t: t.find_ticket("Loop — nothing like it"))
    both(fake, real, lambda t: [normal(b) for b in t.search_tickets("PLEASE DEPLOY")])
    both(fake, real, lambda t: t.bug(1094662).blocks == (ticket(t),))
    both(fake, real, lambda t: t.remove_blocker(ticket(t), 1096112))
    both(fake, real, lambda t: t.bug(ticket(t)).depends_on)
    assert both(fake, real, lambda t: t.set_status(ticket(t), "VERIFIED", "FIXED")) is Conflict
    assert both(fake, real, lambda t: t.set_status(ticket(t), "RESOLVED")) is Conflict
    both(fake, real, lambda t: t.set_status(ticket(t), "RESOLVED", "FIXED", "deployed"))
    both(fake, real, lambda t: t.set_status(ticket(t), "VERIFIED", "FIXED", "verified"))
    both(fake, real, lambda t: t.reopen(ticket(t), "rolled back"))
    both(fake, real, lambda t: [(m.status, m.resolution) for m in t.status_moves(ticket(t))])
    assert both(fake, real, lambda t: t.comment(1099999, "hello")) is NotFound
    assert both(fake, real, lambda t: t.status_moves(1099999)) is NotFound


# -- Slack: the directory and the channel ------------------------------------------------
def test_directory_answers_and_fails_as_slack_does(slack_standin: SlackStandIn,
                                                    slack_client: Any) -> None:
    workspace = slack_standin.workspace
    fake = FakeDirectory({u.id: u.name for u in workspace.users.values()},
                         {g.id: frozenset(g.users) for g in workspace.usergroups.values()})
    real = SlackDirectory(slack_client)
    assert both(fake, real, lambda d: d.display_name("U0DEV0001")) == "dev"
    assert both(fake, real, lambda d: d.group_members("S0DEVS0001")) == {"U0DEV0001",
                                                                        "U0LEAD001"}
    for call in (lambda d: d.display_name("U0NOBODY1"), lambda d: d.group_members("S0NONE001")):
        messages = []
        for side in (fake, real):
            with pytest.raises(PartnerError) as failed:
                call(side)
            messages.append(str(failed.value))
        assert messages[0] == messages[1]


def test_chat_posts_and_updates_as_slack_does(slack_standin: SlackStandIn,
                                              slack_client: Any) -> None:
    fake, real = FakeChat("C0LOOP0001"), Chat(slack_client, "#loop")
    posted = {id(c): c.post("0.13.0 is tagged") for c in (fake, real)}
    assert both(fake, real, lambda c: posted[id(c)].channel) == "C0LOOP0001"
    both(fake, real, lambda c: c.update(posted[id(c)], "0.13.0 is tagged and announced"))
    both(fake, real, lambda c: c.update(type(posted[id(c)])("C0LOOP0001", "1.000001"), "x"))
    assert slack_standin.messages("#loop")[0].text == fake.posted[0]["text"]
    assert both(fake, real, lambda c: c.post("hi", channel="#loop-client").channel) \
        == "C0LOOPCL01"
    assert both(fake, real, lambda c: c.post("hi", channel="#no-such-channel")) is PartnerError


# -- environments ---------------------------------------------------------------------
def test_environments_read_alike_and_never_raise() -> None:
    with EnvironmentStandIn("stage", version="0.12.2", rev="ef77921", branch="0.12.2",
                            fake_partner=True) as stand_in:
        real = HttpEnvironments(timeout=2.0)
        fake = FakeEnvironments()
        fake.deploy("stage", stand_in.url, "0.12.2", "ef77921", "0.12.2", fake_partner=True)
        read = lambda e: e.read("stage", stand_in.url)  # noqa: E731
        answer = both(fake, real, lambda e: (read(e).reachable, read(e).version, read(e).rev,
                                            read(e).branch, read(e).fake_partner,
                                            read(e).healthy))
        assert answer == (True, "0.12.2", "ef77921", "0.12.2", True, True)
        gone = "http://127.0.0.1:9/"
        for side in (fake, real):
            state = side.read("prod", gone)
            assert not state.reachable and state.error


# -- mail -----------------------------------------------------------------------------
def test_mail_goes_to_the_same_people_with_the_same_parts(smtp_inbox: Inbox) -> None:
    real = Mailer(SmtpServer.parse(smtp_inbox.url), "dev-loop@example.com", timeout=5)
    fake = FakeMail("dev-loop@example.com")
    invite = Attachment("loadtest.ics", "text/calendar", b"BEGIN:VCALENDAR\r\n")
    for side in (fake, real):
        side.send("Load test of 0.13.0", "Mozilla QA will load-test 0.13.0",
                  to=["tokbox@example.com"], attachments=[invite])
        side.send("loop-server 0.13.0 is on stage", "Tagged.")
        side.send("Load test of 0.13.1", "Again.", to=["tokbox@example.com"],
                  copy_list=False)
    for mailed, message in zip(fake.sent, smtp_inbox.messages, strict=True):
        assert mailed.subject == message["Subject"]
        assert ", ".join(mailed.to) == message["To"]
        assert ", ".join(mailed.cc) == (message["Cc"] or "")
        parts = [(p.get_filename(), p.get_content_type(), p.get_payload(decode=True))
                 for p in message.iter_attachments()]
        assert parts == [(a.filename, a.content_type, a.data) for a in mailed.attachments]
    down = Mailer(SmtpServer.parse("smtp://127.0.0.1:9"), "dev-loop@example.com", timeout=2)
    for side in (FakeMail(down=True), down):
        with pytest.raises(PartnerError, match="^SMTP: "):
            side.send("hello", "nobody listens")
