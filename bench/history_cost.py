"""What years of history cost (issue 17): the scheduler's tick, the board's `/`, a release
page, `/loop status` and App Home on a sandbox whose database holds `--releases` done
releases and `--audit` audit entries (bulk inserted: fortnightly releases, each with its
steps, its sightings by the environment watch and its load-test window), against the
same sandbox on a fresh database (the reference, measured in the same run).

    .venv/bin/python bench/history_cost.py [--releases 2000] [--audit 50000] [--repeat 15]

Each figure is the median of `--repeat` runs after one warm-up, partners on time and the
board's partner reads kept (the default times to live), so what differs is the
database. Goal: each within 1.5x of the fresh database's. Exits 1 when one is not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests
from sqlalchemy import create_engine, insert

from bot.board.app import BoardOptions
from bot.config.settings import load_settings
from bot.entrypoints.server import Server, routes
from bot.jobs import run_due
from bot.partners.slack import Chat as SlackChat
from bot.sandbox.chat.local import Chat
from bot.sandbox.chat.session import close_chat, open_chat
from bot.store.tables import audit, load_test_windows, releases

ROOT = Path(__file__).resolve().parents[1]
SERVICE = "loop-server"
GOAL = 1.5
SETUP = ("/loop tag", "!click Tag 0.13.0", "@qa /loop request stage 0.13.0",
         "!deploy stage 0.13.0", "@ops /loop deployed stage 0.13.0")
STEPS = ("tag", "request stage", "deployed stage", "verify stage", "request prod",
         "greenlight prod", "deployed prod", "sign off")
ENVS = ("dev", "stage", "prod")


def fill(url: str, count: int, entries: int, now: dt.datetime) -> None:
    """`count` done releases, fortnightly up to a year ago, and `entries` audit entries
    spread over them: their steps, the watch's sightings, and notes in between."""
    per = max(1, entries // count)
    engine = create_engine(url)
    release_rows, audit_rows, window_rows = [], [], []
    sightings = dict.fromkeys(ENVS, 0)
    for n in range(count):
        at = now - dt.timedelta(days=365 + 14 * (count - n))
        version = f"0.0.{n + 1}"
        release_rows.append({
            "service": SERVICE, "version": version, "state": "done", "kind": "code",
            "tag": version, "commit_sha": f"{n:040x}", "previous_version": None,
            "branch": "master", "fixed_bugs": [1000000 + n], "flagged_bugs": [],
            "blockers": [], "summary": "", "notes": f"{version}\n- [bugfix] {1000000 + n}",
            "created_at": at, "updated_at": at})
        window_rows.append({"service": SERVICE, "version": version, "start": at,
                            "end": at + dt.timedelta(hours=2), "partners": [],
                            "actor": "U0QA00001"})
        for i in range(per):
            env = ENVS[i % 3]
            sighting = i % 4 == 1
            if sighting:  # keyed as the watch keys them
                sightings[env] += 1
            audit_rows.append({
                "at": at + dt.timedelta(minutes=i), "actor": "scheduler" if sighting else
                "U0DEV0001", "roles": "DEV", "service": SERVICE, "version": version,
                "action": f"seen on {env}" if sighting else STEPS[i % len(STEPS)],
                "detail": f"step {i} of {version}", "request_id":
                f"env:{SERVICE}:{env}:{sightings[env]}:{version}" if sighting else f"r{n}-{i}"})
    with engine.begin() as conn:
        conn.execute(insert(releases), release_rows)
        conn.execute(insert(audit), audit_rows)
        conn.execute(insert(load_test_windows), window_rows)
    engine.dispose()


def median_ms(run: Callable[[], object], repeat: int) -> float:
    run()  # warm-up: first sightings, names kept
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def measure(history: tuple[int, int] | None, repeat: int) -> dict[str, float]:
    settings = load_settings(ROOT / "app.yaml", environ={})
    with tempfile.TemporaryDirectory() as state:
        options = argparse.Namespace(dir=state, repo=None, json=False)
        chat: Chat = open_chat(settings, options, io.StringIO())
        try:
            if history is not None:
                fill(chat.settings.db_url, *history, chat.clock())
            for line in SETUP:
                chat.handle(line)
            slack = SlackChat.from_settings(chat.settings, base_url=chat.sandbox.slack.api_url)
            ctx, signed = chat.app.ctx, chat.signed

            def command(text: str) -> Callable[[], object]:
                return lambda: (signed.command("U0DEV0001", text), chat.app.drain(60))

            with Server(routes(chat.app, board=BoardOptions())) as board:
                def page(path: str) -> Callable[[], object]:
                    return lambda: requests.get(board.url + path, timeout=60).raise_for_status()

                return {
                    "tick (run_due)": median_ms(lambda: run_due(ctx, slack, None), repeat),
                    "board /": median_ms(page("/"), repeat),
                    "release page": median_ms(page(f"/releases/{SERVICE}/0.13.0"), repeat),
                    "/loop status": median_ms(command("status"), repeat),
                    "App Home": median_ms(lambda: (signed.home_opened("U0DEV0001"),
                                                   chat.app.drain(60)), repeat),
                }
        finally:
            close_chat(chat)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=2000, help="done releases")
    parser.add_argument("--audit", type=int, default=50000, help="audit entries")
    parser.add_argument("--repeat", type=int, default=15, help="runs per figure")
    args = parser.parse_args()
    fresh = measure(None, args.repeat)
    old = measure((args.releases, args.audit), args.repeat)
    print(f"{'median':16} {'fresh db':>10} {'history':>10} {'ratio':>6}   ({args.releases} "
          f"releases, {args.audit} audit entries)")
    within = True
    for name, reference in fresh.items():
        ratio = old[name] / reference
        within = within and ratio <= GOAL
        print(f"{name:16} {reference:8.1f}ms {old[name]:8.1f}ms {ratio:5.2f}x"
              + ("" if ratio <= GOAL else f"   over {GOAL}x"))
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
