"""The tagging announcement says what is really in flight and really taggable (issue 9:
it said "nothing tagged yet… DEV: tag it" when 0.13.0 was tagged days before and master
had nothing new, and `/loop tag` then refused). Cycle 3 of the rehearsal's calendar tags
Tue 2027-01-05 at 10:00 Paris, cycle 1 Tue 2026-12-08."""

from __future__ import annotations

import pytest

from bot.domain.actions import Action
from bot.domain.tagging import NothingToTag
from bot.usecases.adoption import import_releases
from bot.usecases.tagging import preview_tag
from tests.fixtures.scheduler import Rehearsal
from tests.fixtures.world import DEV, OPS, QA

DEV_MENTION = "<@U0DEV0001>"


def server_announcement(posts: list[str]) -> str:
    [found] = [p for p in posts if (p.startswith("loop-server") and "(cycle 3)" in p)
               or p.startswith("loop-server: tagging day for cycle 3")]
    return found


def test_a_release_tagged_before_the_tagging_day_is_announced_in_flight(
    rehearsal: Rehearsal,
) -> None:
    r = rehearsal
    r.run("2026-12-31 09:00")
    r.tag(DEV, "0.13.0")
    r.step(DEV, Action.REQUEST_STAGE, "0.13.0")
    r.deploy("stage", "0.13.0")
    r.at("2026-12-31 11:00")
    r.step(OPS, Action.DEPLOYED_STAGE, "0.13.0")
    text = server_announcement(r.run("2027-01-05 10:00"))
    assert text.splitlines()[:2] == [
        "loop-server 0.13.0 is in flight (cycle 3): Tue 2027-01-05.",
        "Tagged Thu 2026-12-31, before this tagging day."]
    assert "Status: stage-deployed" in text and "Next: QA: test 0.13.0 on stage" in text
    assert "nothing tagged" not in text and "DEV: tag it" not in text
    assert DEV_MENTION not in text


def test_with_master_unchanged_since_the_last_release_nothing_is_to_tag(
    rehearsal: Rehearsal,
) -> None:
    r = rehearsal
    r.run("2026-12-29 09:00")
    r.to_prod("0.13.0")
    r.step(QA, Action.VERIFY_PROD, "0.13.0")
    text = server_announcement(r.run("2027-01-05 10:00"))
    assert text.splitlines()[:2] == [
        "loop-server: tagging day for cycle 3, nothing to tag: Tue 2027-01-05.",
        "Nothing to tag: master has nothing new since 0.13.0; `/loop tag` proposes the next "
        "release once a fix lands."]
    assert "DEV: tag it" not in text and DEV_MENTION not in text
    with pytest.raises(NothingToTag, match="master has nothing new since 0.13.0"):
        # what the announcement said is what the command does
        preview_tag(r.ctx, r.ctx.service(), DEV)


def test_with_a_fix_on_master_the_announcement_asks_dev_to_tag_it(
    rehearsal: Rehearsal,
) -> None:
    r = rehearsal
    r.run("2026-12-29 09:00")
    r.land("Bug 1101234 — Show the room name in the invitation")
    text = server_announcement(r.run("2027-01-05 10:00"))
    assert text.splitlines()[:3] == [
        "loop-server: tagging day for cycle 3, nothing tagged yet: Tue 2027-01-05.",
        "To tag: 0.13.0 from master.", "DEV: tag it with `/loop tag`."]
    assert str(preview_tag(r.ctx, r.ctx.service(), DEV).version) == "0.13.0"


def test_releases_imported_on_the_tagging_day_are_not_announced_as_tagged(
    rehearsal: Rehearsal,
) -> None:
    r = rehearsal
    r.run("2026-12-08 09:00")
    # the team adopts the bot this morning: 0.12.2 is in prod
    import_releases(r.ctx, r.ctx.service())
    [text] = [p for p in r.run("2026-12-08 10:00") if p.startswith("loop-server")]
    assert text.splitlines()[:2] == [
        "loop-server: tagging day for cycle 1, nothing tagged yet: Tue 2026-12-08.",
        "To tag: 0.13.0 from master."]
