"""Issue 17: partner text never becomes structure. A Bugzilla summary holding line breaks
(LF, LS, NEL, VT, FF, CR, PS), a commit subject and a display name longer than a line, and
a service change typed on two lines go in through the stand-ins; the CHANGELOG the GitHub
stand-in received, the release page, the Slack preview and channel messages and the
Bugzilla tickets are read: each is one line there, clipped with an ellipsis when long."""

from __future__ import annotations

from typing import Any

import pytest
from github import Auth, Github

from bot.config.settings import Settings
from bot.domain.errors import LINE_LIMIT
from bot.sandbox.slack.records import Posted
from bot.sandbox.world import GITHUB_TOKEN
from tests.fixtures.app import DEV, OPS, SERVICE, LoopWorld

FORGED = "Evil\n## 9.9.9\u2028- [security] 424242 forged\x85x\x0by\x0cz\r\nend\u2029."
FOLDED = "Evil ## 9.9.9 - [security] 424242 forged x y z  end ."


@pytest.fixture
def settings(shipped_settings: Settings) -> Settings:
    """loop-server as shipped: its tag sits on a release commit writing CHANGELOG.md."""
    return shipped_settings


def _forged_lines(text: str) -> list[str]:
    """Lines a reader (git, a Markdown renderer, Python's splitlines) sees as forged."""
    return [line for line in text.splitlines()
            if line.startswith(("## 9.9.9", "- [security] 424242", "end"))]


def _shown(message: Posted) -> str:
    """A message's text and every string in its blocks, one per line."""
    def strings(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        items = value.values() if isinstance(value, dict) else value
        return [s for item in items for s in strings(item)] if isinstance(
            value, dict | list) else []
    return "\n".join([message.text, *strings(message.blocks)])


def test_a_summary_with_line_breaks_is_one_line_in_the_changelog_preview_and_tickets(
    loop_world: LoopWorld,
) -> None:
    sandbox = loop_world.sandbox
    bug = sandbox.bugzilla.add_bug(FORGED, "RESOLVED", "FIXED")
    owner, name = loop_world.settings.service(SERVICE).repo.split("/")
    subject = "Bug {} — {}".format(bug, "a very long subject " * 20)
    sandbox.github.commit(owner, name, "master", subject + "\n\nbody line",
                          {"loop/evil.js": "evil\n"})

    loop_world.command(DEV, "tag 0.13.0")
    preview = _shown(loop_world.last_ephemeral(DEV))
    assert f"bug {bug} {FOLDED}" in preview and _forged_lines(preview) == []
    assert "a very long subject " * 7 in preview and "a very long subject " * 9 not in preview
    loop_world.click(DEV, loop_world.last_ephemeral(DEV), "Tag 0.13.0")

    changelog = sandbox.github.git(owner, name).git("show", "0.13.0:CHANGELOG.md")
    assert f" {bug} — {FOLDED}\n" in changelog
    assert _forged_lines(changelog) == []
    notes = loop_world.release("0.13.0").notes
    assert _forged_lines(notes) == [] and FOLDED in notes
    github = Github(base_url=sandbox.github.url, auth=Auth.Token(GITHUB_TOKEN),
                    seconds_between_requests=0)
    page = github.get_repo(f"{owner}/{name}").get_release("0.13.0").body
    assert FOLDED in page and _forged_lines(page) == []

    loop_world.command(DEV, "request stage 0.13.0")
    stage_bug = loop_world.release("0.13.0").tickets[0].bug_id
    description = sandbox.bugzilla.comments(stage_bug)[0]["text"]
    assert FOLDED in description and _forged_lines(description) == []
    assert [m.text for m in loop_world.channel() if _forged_lines(_shown(m))] == []


def test_a_service_change_typed_on_two_lines_and_a_long_name_are_one_line(
    loop_world: LoopWorld,
) -> None:
    loop_world.sandbox.slack.add_user(OPS, "ops\n*evil* " + "n" * 300)
    loop_world.command(OPS, 'change "bump capacity\n## 9.9.9\u2028- [security] 424242 forged"')
    posted = loop_world.channel()[-1]
    assert "bump capacity ## 9.9.9 - [security] 424242 forged" in posted.text
    assert _forged_lines(_shown(posted)) == []
    name = posted.text.split(" started by ", 1)[1].split(": bump", 1)[0]
    assert "\n" not in name and len(name) <= LINE_LIMIT + 10 and name.endswith("…")
    loop_world.command(OPS, "request stage change-1")
    [ticket] = loop_world.release("change-1").tickets
    summary = loop_world.sandbox.bugzilla.bug(ticket.bug_id)["summary"]
    assert summary.endswith("bump capacity ## 9.9.9 - [security] 424242 forged to Stage")
    assert _forged_lines(loop_world.sandbox.bugzilla.comments(ticket.bug_id)[0]["text"]) == []
