"""Issue 8 item 4: user text never becomes a live mention, a broadcast or markup. Hostile
text goes in through every door a person or a partner has (a service change, an
emergency reason, refusals, commit titles, bug summaries, what an environment reports)
and every message the bot posted, channel and ephemeral, `text` and blocks, is read."""

from __future__ import annotations

import datetime as dt
import json

from bot.domain.pipeline import DEFAULT
from bot.domain.release import Release, State
from bot.markup import plain
from bot.messages.announcements import (
    Announcement,
    CycleDates,
    render_announcement,
    render_environment_change,
    render_prod_alarm,
)
from bot.sandbox.slack.records import Posted
from tests.fixtures.app import DEV, LEAD, OPS, QA, SERVICE, LoopWorld

HOSTILE = "<!channel> <!here> <!subteam^S0EVIL> <@U0EVIL> <http://evil.example|x> *bold*"
LIVE = ("<!channel>", "<!here>", "<!subteam^S0EVIL", "<@U0EVIL", "<http://evil", "*bold*")


def _live_markup(message: Posted) -> list[str]:
    shown = message.text + json.dumps(message.blocks, ensure_ascii=False)
    return [token for token in LIVE if token in shown]


def _everything(world: LoopWorld) -> list[Posted]:
    return [*world.slack.messages(include_deleted=True), *world.slack.ephemerals()]


def test_a_service_change_description_is_inert_in_text_and_blocks(
    loop_world: LoopWorld,
) -> None:
    loop_world.command(OPS, f'change "{HOSTILE} capacity bump"')
    posted = loop_world.channel()[-1]
    assert "capacity bump" in posted.text
    assert _live_markup(posted) == []
    loop_world.command(OPS, "history change-1")
    assert "capacity bump" in json.dumps(loop_world.last_ephemeral(OPS).blocks)
    assert _live_markup(loop_world.last_ephemeral(OPS)) == []


def test_refusals_never_echo_live_markup(loop_world: LoopWorld) -> None:
    for line in ("<!channel>", "<@U0EVIL> please", f"tag {HOSTILE}", "status <!here>",
                 f"deployed stage 0.13.0 {HOSTILE}", f"reject prod 0.13.0 {HOSTILE}",
                 "ta<!here>g", f"help {HOSTILE}"):
        loop_world.command(DEV, line)
        shown = loop_world.last_ephemeral(DEV)
        assert shown.text.startswith(("I don't know", "couldn't", "unexpected", "expected",
                                      "this applies", "a quote", "help takes")), shown.text
        assert _live_markup(shown) == [], line


def test_an_emergency_reason_is_shown_as_typed_never_rendered(loop_world: LoopWorld) -> None:
    loop_world.tag("0.13.0")
    loop_world.command(LEAD, f'request stage 0.13.0 --emergency "{HOSTILE}"')
    question = loop_world.last_ephemeral(LEAD)
    assert "Breaking glass" in json.dumps(question.blocks)
    loop_world.click(LEAD, question, "Override")
    assert "Emergency override" in json.dumps(loop_world.channel()[-1].blocks)
    assert [m for m in _everything(loop_world) if _live_markup(m)] == []


def test_commit_titles_bug_summaries_and_environment_reports_are_inert(
    loop_world: LoopWorld,
) -> None:
    bug = loop_world.sandbox.bugzilla.add_bug(f"{HOSTILE} summary", "RESOLVED", "FIXED")
    owner, name = loop_world.settings.service(SERVICE).repo.split("/")
    loop_world.sandbox.github.commit(owner, name, "master", f"Bug {bug} — {HOSTILE} title",
                                     {"README.md": "hostile\n"})
    loop_world.command(DEV, "tag 0.13.0")
    preview = loop_world.last_ephemeral(DEV)
    assert "title" in json.dumps(preview.blocks) and "summary" in json.dumps(preview.blocks)
    loop_world.sandbox.environment(SERVICE, "stage").deploy(HOSTILE, "e" * 40, HOSTILE)
    loop_world.command(QA, "envs")
    assert "bold" in loop_world.last_ephemeral(QA).text
    assert [m for m in _everything(loop_world) if _live_markup(m)] == []


def test_the_schedulers_messages_keep_partner_text_inert_and_email_it_as_typed() -> None:
    notes = f"0.15.0 (2027-01-19)\n------\n- [feature] 1104421 — {HOSTILE} tokens\n"
    release = Release("loop-server", "0.15.0", State.STAGE_REQUESTED, tag="0.15.0",
                      fixed_bugs=(1104421,), notes=notes)
    dates = CycleDates(4, dt.date(2027, 1, 19), None, None, dt.date(2027, 1, 25))
    announced = render_announcement(Announcement("loop-server", dates, release), pipeline=DEFAULT)
    changed = render_environment_change("loop-server", "stage", HOSTILE, "0.14.0", None,
                                        pipeline=DEFAULT)
    alarm = render_prod_alarm("loop-server", HOSTILE, "0.14.0", None, lambda *r: "")
    for rendered in (announced, changed, alarm):
        shown = rendered.text + json.dumps(rendered.blocks)
        assert [token for token in LIVE if token in shown] == []
    assert f"{HOSTILE} tokens" in plain(announced.text)
