"""Issue 8 items 6 and 5: a confirmation is used up only by someone who may take its
step, and only a confirmation the bot issued (to that person, still live) is accepted."""

from __future__ import annotations

from tests.fixtures.app import DEV, LEAD, OPS, LoopWorld
from tests.security.conftest import state


def test_a_wrong_role_press_does_not_use_up_the_tag_confirmation(loop_world: LoopWorld
                                                                  ) -> None:
    loop_world.command(DEV, "tag 0.13.0")
    preview = loop_world.last_ephemeral(DEV)
    before = state(loop_world)
    loop_world.click(OPS, preview, "Tag 0.13.0")
    assert "needs the DEV role" in loop_world.last_ephemeral(OPS).text
    assert state(loop_world) == before
    loop_world.click(DEV, preview, "Tag 0.13.0")
    assert "tagged" in loop_world.channel()[-1].text
    assert loop_world.release("0.13.0").tag == "0.13.0"


def test_a_wrong_role_press_does_not_use_up_an_override(loop_world: LoopWorld) -> None:
    loop_world.tag("0.13.0")
    loop_world.command(LEAD, 'request stage 0.13.0 --emergency "stage must test the fix"')
    question = loop_world.last_ephemeral(LEAD)
    before = state(loop_world)
    loop_world.click(DEV, question, "Override")
    assert "emergency role" in loop_world.last_ephemeral(DEV).text
    assert state(loop_world) == before
    loop_world.click(LEAD, question, "Override")
    assert "Emergency override" in str(loop_world.channel()[-1].blocks)
