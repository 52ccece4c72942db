"""Issue 18: a database outage is said plainly. The bot's real PostgreSQL database is made
unreachable (tests/fixtures/cut.py) while it runs: a command or a button press is
acknowledged, then told that the database is unreachable, that nothing was done and that
the same command is safe to repeat once it is back; the log has one line, no traceback.
The scheduler's ticks say it in one line each. Run through `python -m tests.with_postgres`."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config.settings import Settings
from bot.entrypoints.scheduler import _job_store
from bot.jobs import run_due
from bot.sandbox.slack.signed import buttons
from bot.store import Unreachable
from tests.fixtures.app import DEV, LoopWorld, start_world, stop_world
from tests.fixtures.cut import Cuttable
from tests.fixtures.scheduler import make_rehearsal, paris, stop_rehearsal
from tests.fixtures.store import fresh_postgres_database, postgres_server_url
from tests.security.conftest import state, tracebacks

pytestmark = pytest.mark.postgres


@pytest.fixture
def outage_db() -> Iterator[tuple[Cuttable, str]]:
    for url in fresh_postgres_database(postgres_server_url()):
        cut, through = Cuttable.in_front_of(url)
        try:
            yield cut, through
        finally:
            cut.cut()


@pytest.fixture
def outage_world(settings: Settings, tmp_path: Path, outage_db: tuple[Cuttable, str]
                 ) -> Iterator[tuple[LoopWorld, Cuttable]]:
    cut, url = outage_db
    sandbox, world = start_world(settings, tmp_path, database_url=url)
    try:
        yield world, cut
    finally:
        cut.restore()  # the world's own shutdown reads nothing, but its pool may ping
        stop_world(sandbox, world)


def _outage_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name.startswith("loopbot") and r.levelno >= logging.WARNING]


def _said_plainly(world: LoopWorld, command: str) -> None:
    shown = world.last_ephemeral(DEV).text
    assert "database is unreachable" in shown, shown
    assert "nothing was done" in shown and "safe to repeat" in shown, shown
    assert command in shown
    assert "broke" not in shown and "halfway" not in shown


def test_a_command_while_the_database_is_down_is_said_plainly_and_safe_to_repeat(
    outage_world: tuple[LoopWorld, Cuttable], caplog: pytest.LogCaptureFixture,
) -> None:
    world, cut = outage_world
    world.command(DEV, "status")  # the pool holds a live connection: the cut must reset it
    asked = world.sandbox.github.count()
    cut.cut()
    with caplog.at_level(logging.INFO):
        answer = world.command(DEV, "tag 0.13.0")
    assert answer.status_code == 200  # acknowledged first, as always
    _said_plainly(world, "/loop tag 0.13.0")
    assert tracebacks(caplog.records) == []
    assert len(_outage_lines(caplog)) == 1, _outage_lines(caplog)
    assert "password" not in caplog.text.lower()
    assert world.sandbox.github.count() == asked  # nothing started: not even a read
    cut.restore()
    world.command(DEV, "tag 0.13.0")  # the same command, once the database is back
    assert "Tag 0.13.0" in [b["text"]["text"] for b in buttons(world.last_ephemeral(DEV))]


def test_a_button_press_while_the_database_is_down_changes_nothing_and_can_be_pressed_again(
    outage_world: tuple[LoopWorld, Cuttable], caplog: pytest.LogCaptureFixture,
) -> None:
    world, cut = outage_world
    world.command(DEV, "tag 0.13.0")
    preview = world.last_ephemeral(DEV)
    before = {k: v for k, v in state(world).items() if k != "channel"}
    cut.cut()
    with caplog.at_level(logging.INFO):
        world.click(DEV, preview, "Tag 0.13.0")
    _said_plainly(world, "the Tag 0.13.0 button")
    assert tracebacks(caplog.records) == []
    assert len(_outage_lines(caplog)) == 1, _outage_lines(caplog)
    cut.restore()
    assert {k: v for k, v in state(world).items() if k != "channel"} == before
    world.click(DEV, preview, "Tag 0.13.0")
    assert "loop-server 0.13.0 tagged" in world.channel()[-1].text


def test_app_home_opened_while_the_database_is_down_posts_nothing_and_logs_one_line(
    outage_world: tuple[LoopWorld, Cuttable], caplog: pytest.LogCaptureFixture,
) -> None:
    """Nobody typed anything: a notice in the channel would come from nowhere."""
    world, cut = outage_world
    world.command(DEV, "status")  # the pool holds a live connection: the cut must reset it
    posted = (len(world.channel()), len(world.slack.ephemerals()))
    cut.cut()
    with caplog.at_level(logging.INFO):
        world.signed.home_opened(DEV)
        assert world.app.drain(30)
    assert (len(world.channel()), len(world.slack.ephemerals())) == posted
    assert tracebacks(caplog.records) == []
    assert len(_outage_lines(caplog)) == 1, _outage_lines(caplog)
    cut.restore()
    world.signed.home_opened(DEV)
    assert world.app.drain(30)
    assert world.slack.home_view(DEV) is not None  # published once the database is back


def test_each_scheduler_tick_while_the_database_is_down_logs_one_line(
    settings: Settings, tmp_path: Path, outage_db: tuple[Cuttable, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    cut, url = outage_db
    rehearsal = make_rehearsal(settings, tmp_path, url)
    try:
        bot = rehearsal.bots[0]
        run_due(bot.ctx, bot.chat, None, paris("2026-12-07 14:00"))  # the pool is warm
        cut.cut()
        with caplog.at_level(logging.INFO):
            for minute in ("10:00", "10:01", "10:02"):  # the announcement is due
                run_due(bot.ctx, bot.chat, None, paris(f"2026-12-08 {minute}"))
        assert tracebacks(caplog.records) == []
        lines = _outage_lines(caplog)
        assert len(lines) == 3, lines
        assert all("database" in line and "unreachable" in line for line in lines), lines
        missed = len(rehearsal.posted())
        cut.restore()
        run_due(bot.ctx, bot.chat, None, paris("2026-12-08 10:03"))
        assert len(rehearsal.posted()) > missed, "the announcement is posted once it is back"
    finally:
        cut.restore()
        stop_rehearsal(rehearsal)


def test_the_scheduler_job_store_says_an_outage_in_one_line(
    outage_db: tuple[Cuttable, str],
) -> None:
    """APScheduler logs its job store's error once per retry: the driver's three lines
    were one warning spread over three; the store's engine makes it one."""
    cut, url = outage_db
    jobs = _job_store(url)
    assert jobs.get_due_jobs(dt.datetime.now(dt.UTC)) == []
    cut.cut()
    with pytest.raises(Unreachable) as raised:
        jobs.get_due_jobs(dt.datetime.now(dt.UTC))
    said = str(raised.value)
    assert "\n" not in said and "cannot use database postgresql" in said, said
    jobs.engine.dispose()
