"""The timer: APScheduler runs one job, "tick", every minute; the work is in bot/jobs.

`start_scheduler(ctx, chat, mailer)` starts a `BackgroundScheduler` whose job store is an
`SQLAlchemyJobStore` in the bot's own database, holding one job (explicit id, replaced at
every start, an importable function with a plain-string argument, as a persistent store
requires). Every `interval_seconds` it calls `bot.jobs.run_due`, which decides from the
calendar and the store what is due, and claims each occurrence in the database before
acting. The first tick runs at start, so a restarted bot catches up at once (a missed
announcement still useful is posted late with a note, a stale one skipped and logged).

Run ONE scheduler per deployment: APScheduler's job stores must not be shared by two
running schedulers (both would run the job, NOTES.md). `loopbot run` starts it only in
the process holding the database lease (bot/entrypoints/leader.py), so replicas take turns. If two
ever overlap, nothing is posted twice: the claims decide, but the work is done twice.
The job store's table is made by the migrations (`loopbot db upgrade`), never here.
`stop_scheduler(scheduler)` shuts it down and forgets its runner.

The sandbox does not need the timer to rehearse: after `!clock DATETIME` it calls
`bot.jobs.run_until(ctx, chat, mailer, clock, moment)`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from functools import partial

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.jobs import run_due
from bot.partners.mail import Mailer
from bot.partners.slack import Chat
from bot.store.engine import build_engine, parse_url
from bot.store.tables import JOBS_TABLE
from bot.usecases.concurrency import working
from bot.usecases.context import Context

log = logging.getLogger("loopbot.scheduler")

JOB_ID = "loopbot-tick"

SQLITE_TIMEOUT_S = 30

_runners: dict[str, Callable[[], None]] = {}
_runners_lock = threading.Lock()


def tick(runner: str) -> None:
    """The job APScheduler stores and runs: the runner registered under `runner`."""
    with _runners_lock:
        run = _runners.get(runner)
    if run is None:
        log.warning("tick %s: no runner in this process (was the scheduler stopped?)", runner)
        return
    working(run)


def start_scheduler(
    ctx: Context, chat: Chat, mailer: Mailer | None = None, *, interval_seconds: float = 60,
    job_id: str = JOB_ID, jobstore_url: str | None = None,
) -> BackgroundScheduler:
    """Start the timer; `jobstore_url` defaults to the bot's database (settings.db_url)."""
    with _runners_lock:
        _runners[job_id] = partial(run_due, ctx, chat, mailer)
    scheduler = BackgroundScheduler(
        jobstores={"default": _job_store(jobstore_url or ctx.settings.db_url)},
        job_defaults={"coalesce": True, "max_instances": 1,
                      "misfire_grace_time": max(int(interval_seconds), 1)},
        timezone=dt.UTC,
    )
    scheduler.add_job(
        "bot.entrypoints.scheduler:tick",
        IntervalTrigger(seconds=interval_seconds, timezone=dt.UTC),
        args=[job_id], id=job_id, name="loopbot: what is due now", replace_existing=True,
        next_run_time=dt.datetime.now(dt.UTC),
    )
    scheduler.start()
    return scheduler


def stop_scheduler(scheduler: BackgroundScheduler, *, wait: bool = True) -> None:
    """Shut the timer down (waiting for a running tick when `wait`)."""
    job_ids = [job.id for job in scheduler.get_jobs()]
    scheduler.shutdown(wait=wait)
    with _runners_lock:
        for job_id in job_ids:
            _runners.pop(job_id, None)


def _job_store(url: str) -> SQLAlchemyJobStore:
    if url.startswith("sqlite"):
        options = {"connect_args": {"timeout": SQLITE_TIMEOUT_S, "check_same_thread": False}}
        return SQLAlchemyJobStore(url=url, tablename=JOBS_TABLE, engine_options=options)
    # the store's engine (postgres:// means psycopg 3): while the database is unreachable,
    # APScheduler's one warning per retry is one line without the password
    return SQLAlchemyJobStore(engine=build_engine(parse_url(url)), tablename=JOBS_TABLE)
