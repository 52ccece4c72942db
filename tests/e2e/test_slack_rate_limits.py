"""Slack's rate limits never stop a step halfway (issue 11): with the Slack stand-in
answering 429 `ratelimited` (and a Retry-After) to every second call, a whole tag
completes (tag, release notes, final message) and nothing is done twice; a progress
update Slack keeps refusing is logged and the step goes on."""

from __future__ import annotations

import logging

import pytest

from bot.domain.release import State
from tests.fixtures.app import DEV, SERVICE, LoopWorld


def test_a_tag_completes_when_slack_ratelimits_every_second_call(
    loop_world: LoopWorld,
) -> None:
    github = loop_world.sandbox.github
    loop_world.command(DEV, "tag")
    preview = loop_world.last_ephemeral(DEV)
    loop_world.slack.rate_limit_every(2)
    loop_world.slack.reset_log()
    carried_out_before = len(loop_world.slack.calls())

    loop_world.click(DEV, preview, "Tag 0.13.0")

    sent = [r for r in loop_world.slack.requests if r.path.startswith("/api/")]
    carried_out = len(loop_world.slack.calls()) - carried_out_before
    assert len(sent) - carried_out >= 2  # Slack said `ratelimited` to some of them
    posted = loop_world.channel()
    assert len(posted) == 1 and len(loop_world.slack.calls("chat.postMessage")) == 1
    assert "0.13.0 tagged by dev" in posted[0].text
    steps = str(posted[0].blocks)
    assert "tagged 0.13.0" in steps and "published the release notes" in steps
    release = loop_world.release("0.13.0")
    assert release.state is State.TAGGED and release.tag == "0.13.0"
    assert github.count("POST", r"/git/refs$") == 1
    assert github.count("POST", r"/git/tags$") == 1
    assert github.count("POST", r"/releases$") == 1
    with loop_world.app.ctx.store.unit_of_work() as uow:
        assert [e.action for e in uow.audit.find(SERVICE, "0.13.0")] == ["tag"]
    assert "pressed by <@U0DEV0001>" in str(loop_world.last_ephemeral(DEV).blocks)


def test_a_progress_update_slack_keeps_refusing_is_logged_and_the_step_goes_on(
    loop_world: LoopWorld, caplog: pytest.LogCaptureFixture
) -> None:
    loop_world.command(DEV, "tag")
    preview = loop_world.last_ephemeral(DEV)
    # the first update (after "tagged") is refused on every try, the final one is not
    loop_world.slack.rate_limit(count=4, method="chat.update", retry_after=0)

    with caplog.at_level(logging.WARNING, logger="loopbot.slack"):
        loop_world.click(DEV, preview, "Tag 0.13.0")

    assert any("progress update" in r.getMessage() and "ratelimited" in r.getMessage()
               for r in caplog.records)
    release = loop_world.release("0.13.0")
    assert release.state is State.TAGGED
    assert loop_world.sandbox.github.count("POST", r"/releases$") == 1  # the notes were made
    final = loop_world.channel()[-1]
    assert "0.13.0 tagged by dev" in final.text
    assert "published the release notes" in str(final.blocks)
    assert "broke" not in final.text.lower()
