"""A burst is acknowledged before its work starts (handlers/work.py): a command's work
waits while another Slack request is still being answered, then runs once."""

from __future__ import annotations

from tests.fixtures.app import DEV, LoopWorld


def test_a_commands_work_waits_until_the_burst_is_acknowledged(loop_world: LoopWorld) -> None:
    calls = len(loop_world.slack.calls())
    traffic = loop_world.app.runtime.traffic
    traffic.begin()  # another request of the burst, not answered yet
    try:
        answer = loop_world.signed.post(loop_world.signed.command_body(DEV, "status"))
        assert answer.status_code == 200
        assert not loop_world.app.drain(0.3)  # acknowledged; its work is held
        assert len(loop_world.slack.calls()) == calls
    finally:
        traffic.end()
    assert loop_world.app.drain(10)
    answered = loop_world.slack.calls()[calls:]
    assert [c.method for c in answered] == ["response_url"]
