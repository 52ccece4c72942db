"""The real timer: APScheduler's BackgroundScheduler with the SQLAlchemy job store in the
bot's database runs the one "tick" job, which does what is due on the bot's clock; a
restarted scheduler replaces the stored job instead of adding a second one."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import create_engine, text

from bot.entrypoints.scheduler import JOB_ID, JOBS_TABLE, start_scheduler, stop_scheduler
from tests.fixtures.scheduler import SERVICE, Rehearsal

INTERVAL = 0.2  # seconds between ticks; each wait below is bounded by DEADLINE
DEADLINE = 10.0


def wait_for(condition: Callable[[], bool]) -> bool:
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def stored_jobs(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(text(f"SELECT id FROM {JOBS_TABLE}"))]
    finally:
        engine.dispose()


def test_background_scheduler_runs_the_tick_job_on_the_bots_clock(
    rehearsal: Rehearsal,
) -> None:
    r = rehearsal
    bot = r.bots[0]
    r.at("2026-12-08 10:00")
    scheduler = start_scheduler(bot.ctx, bot.chat, interval_seconds=INTERVAL)
    try:
        assert wait_for(lambda: len(r.posted()) == 2)  # both services' announcements
        assert stored_jobs(r.settings.db_url) == [JOB_ID]
        r.at("2026-12-14 10:00")
        assert wait_for(lambda: len(r.posted()) == 4)  # and the prod-push reminders
    finally:
        stop_scheduler(scheduler)
    texts = r.posted()
    assert [t.split(",")[0] for t in texts[2:]] == ["Prod push day for loop-server",
                                                    "Prod push day for loop-client"]

    again = start_scheduler(bot.ctx, bot.chat, interval_seconds=INTERVAL)
    try:
        assert stored_jobs(r.settings.db_url) == [JOB_ID]
        prod = r.sandbox.environment(SERVICE, "prod")
        looks = prod.count("GET", "^/$")
        assert wait_for(lambda: prod.count("GET", "^/$") >= looks + 3)  # three more ticks
    finally:
        stop_scheduler(again)
    assert len(r.posted()) == 4
