"""Late-step reminders (issue 9): each names the one step a release on stage waits for,
mentions only that step's owners, says the deadline passed, and never fires on a day
that is not a working day, the clock jumping over the deadline day included.

The calendar is the rehearsal's: 2026-12-22 (a Tuesday) is skipped; Paris time."""

from __future__ import annotations

import datetime as dt

from bot.domain.actions import Action
from bot.jobs import run_due
from tests.fixtures.scheduler import SERVICE, Rehearsal, paris
from tests.fixtures.world import DEV, OPS

OPS_MENTION, QA_MENTION = "<@U0OPS0001>", "<@U0QA00001>"


def reminders(posts: list[str]) -> list[str]:
    return [p for p in posts if " is late: " in p]


def down_until(r: Rehearsal, when: str) -> list[str]:
    """The bot was down until `when`: its first tick runs there, nothing in between."""
    r.at(when)
    bot = r.bots[0]
    run_due(bot.ctx, bot.chat, None, paris(when))
    return r.new_posts()


def stage_requested(r: Rehearsal, when: str, version: str = "0.13.0") -> int:
    r.at(when)
    r.tag(DEV, version)
    r.step(DEV, Action.REQUEST_STAGE, version)
    with r.ctx.store.unit_of_work() as uow:
        release = uow.releases.get(SERVICE, version)
    assert release is not None and release.tickets
    return release.tickets[0].bug_id


def test_a_build_never_deployed_is_reminded_to_ops_only_never_as_unverified(
    rehearsal: Rehearsal,
) -> None:
    r = rehearsal
    bug = stage_requested(r, "2026-12-08 09:40")
    posts = reminders(r.run("2026-12-09 10:00"))
    assert posts == [
        f"loop-server 0.13.0 is late: OPS was to deploy it to stage (stage bug {bug}) by "
        "Wed 2026-12-09. Next: OPS: deploy 0.13.0 to stage, then `/loop deployed stage "
        f"0.13.0` {OPS_MENTION}"]
    later = r.run("2026-12-15 12:00")  # over Friday and the weekend, still not deployed
    assert reminders(later) == []
    assert "Prod push day for loop-server, Mon 2026-12-14:" in "\n".join(later)
    assert all(QA_MENTION not in p and "verify it on stage" not in p for p in r.posted())


def test_the_verify_reminder_mentions_qa_only(rehearsal: Rehearsal) -> None:
    r = rehearsal
    bug = stage_requested(r, "2026-12-08 09:40")
    r.deploy("stage", "0.13.0")
    r.step(OPS, Action.DEPLOYED_STAGE, "0.13.0")
    assert reminders(r.run("2026-12-10 18:00")) == []
    [posted] = reminders(r.run("2026-12-11 10:00"))
    assert posted.startswith(f"loop-server 0.13.0 is late: QA was to verify it on stage "
                             f"(stage bug {bug}) by Fri 2026-12-11. Next: QA: test 0.13.0")
    assert posted.endswith(QA_MENTION) and OPS_MENTION not in posted


def test_nothing_fires_on_a_weekend_after_a_missed_friday(rehearsal: Rehearsal) -> None:
    r = rehearsal
    stage_requested(r, "2026-12-08 09:40")
    r.deploy("stage", "0.13.0")
    r.step(OPS, Action.DEPLOYED_STAGE, "0.13.0")
    r.run("2026-12-10 18:00")
    assert reminders(down_until(r, "2026-12-12 11:00")) == []  # Saturday
    assert reminders(down_until(r, "2026-12-13 11:00")) == []  # Sunday
    assert reminders(down_until(r, "2026-12-14 09:00")) == []  # Monday, before the hour
    [posted] = reminders(down_until(r, "2026-12-14 10:05"))
    assert "by Fri 2026-12-11" in posted
    assert posted.endswith("(posted late: the bot was down at Fri 2026-12-11 10:00)")


def test_a_clock_jumping_over_friday_reminds_on_friday(rehearsal: Rehearsal) -> None:
    r = rehearsal
    stage_requested(r, "2026-12-08 09:40")
    r.deploy("stage", "0.13.0")
    r.step(OPS, Action.DEPLOYED_STAGE, "0.13.0")
    r.run("2026-12-10 18:00")
    assert len(reminders(r.run("2026-12-12 15:00"))) == 1  # Thursday to Saturday
    with r.ctx.store.unit_of_work() as uow:
        [reminded] = [e for e in uow.audit.find(SERVICE) if e.action == "remind verify-stage"]
    assert reminded.at == paris("2026-12-11 10:00")


def test_nothing_fires_on_a_skipped_day(rehearsal: Rehearsal) -> None:
    r = rehearsal
    r.run("2026-12-21 09:00")
    stage_requested(r, "2026-12-21 09:30")  # Monday; Tuesday 2026-12-22 is skipped
    assert reminders(r.run("2026-12-22 18:00")) == []
    [posted] = reminders(r.run("2026-12-23 10:00"))
    assert "OPS was to deploy it to stage" in posted and "by Wed 2026-12-23" in posted
    assert dt.date(2026, 12, 22).weekday() == 1
