"""The web board in a real browser (Debian's headless Chromium, driven by Playwright):
the sandbox plays the whole of PROCESS.md (tests/e2e/scripts/whole_process.txt) and after
every line the board shows what the environments, the store and Bugzilla say; hostile
text stays text. Screenshots go to the test's tmp_path: the start, the blocked release
(docs/board.png), the end, and the step whose check failed."""

from __future__ import annotations

import argparse
import dataclasses
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config.settings import load_settings
from bot.domain.facts import NOTHING_RELEASED
from bot.domain.next_steps import next_step
from bot.domain.pipeline import DEFAULT
from bot.domain.release import Env
from bot.sandbox.chat import session
from bot.sandbox.chat.local import Chat
from bot.sandbox.chat.session import close_chat, open_chat
from bot.usecases import queries

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "e2e" / "scripts" / "whole_process.txt"
SERVICE = "loop-server"
WAIT_MS = 15_000


def sandbox_chat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, poll_seconds: int
                 ) -> Iterator[Chat]:
    # the board reads the environments and Bugzilla afresh at each page and poll (no 1 s
    # cache to outwait after every line; the cache is tested in test_board_http.py)
    monkeypatch.setattr(session, "SANDBOX_BOARD", dataclasses.replace(
        session.SANDBOX_BOARD, environment_ttl=0, ticket_ttl=0, poll_seconds=poll_seconds))
    # the clock starts where whole_process.txt expects it (its dates are fixed), any day
    args = argparse.Namespace(dir=str(tmp_path / "state"), repo=None, json=False,
                              start="2026-12-01 10:00")
    opened = open_chat(load_settings(ROOT / "app.yaml", environ={}), args, io.StringIO())
    try:
        yield opened
    finally:
        close_chat(opened)


@pytest.fixture
def chat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Chat]:
    """The board polls every second (board.js's shortest), so a test waits less for it."""
    yield from sandbox_chat(tmp_path, monkeypatch, poll_seconds=1)


@pytest.fixture
def asked_chat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Chat]:
    """The board polls only when asked (refreshed()): no poll of its own answers in
    between with what the board showed before a line's work was done."""
    yield from sandbox_chat(tmp_path, monkeypatch, poll_seconds=3600)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    opened.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))
    opened.problems = problems
    try:
        yield opened
    finally:
        context.close()


def visible_step(release: Any) -> str:
    """The next step as the board shows it: whose move, then what (code unquoted)."""
    return "Next: " + next_step(release, pipeline=DEFAULT).replace("`", "").replace(": ", " ", 1)


SEEN = """() => ({
  cells: Object.fromEntries([...document.querySelectorAll("td.cell")].map(td =>
    [td.dataset.service + "/" + td.dataset.env,
     [td.innerText, td.querySelector(".version a")?.getAttribute("href") ?? null]])),
  cards: Object.fromEntries([...document.querySelectorAll("article.flight")].map(a =>
    [a.dataset.release, {state: a.querySelector(".state").innerText,
                         next: a.querySelector(".next").innerText,
                         tickets: [...a.querySelectorAll(".tickets li")].map(li =>
                           [li.innerText, li.querySelector("a").getAttribute("href")])}]))
})"""


def check_board_matches_the_truth(chat: Chat, page: Any) -> None:
    """Every environment cell shows what its root URL reports; every release in flight
    shows its state, next step and tickets as the store and Bugzilla hold them."""
    seen = page.evaluate(SEEN)  # what the page shows, read in one go
    for (service, env), stand_in in chat.sandbox.environments.items():
        state = stand_in.state
        text, link = seen["cells"][f"{service}/{env}"]
        if not state.version:  # a repository with no release yet (loop-client's demo)
            assert (text.strip(), link) == (NOTHING_RELEASED, None), (service, env, text)
            continue
        version, rev, *_ = text.splitlines()
        assert (version, rev[:7]) == (state.version, state.rev[:7]), (service, env)
        forge = chat.app.ctx.service(service).forge
        assert link == forge.tag_url(chat.settings.service(service).tag_pattern.format(
            version=state.version)), (service, env)
    releases = queries.releases_in_flight(chat.app.ctx, chat.app.ctx.settings.service(SERVICE))
    assert sorted(k for k in seen["cards"] if k.startswith(SERVICE)) == sorted(
        f"{SERVICE} {r.version}" for r in releases)
    tracker = chat.app.ctx.service(SERVICE).tracker
    tickets = [t for r in releases for e in Env if (t := r.ticket(e))]
    bugs = tracker.bugs(t.bug_id for t in tickets)
    for release in releases:
        card = seen["cards"][f"{SERVICE} {release.version}"]
        assert card["state"] == release.state.value
        assert card["next"] == visible_step(release)
        for env in Env:
            ticket = release.ticket(env)
            if ticket is None:
                continue
            bug = bugs[ticket.bug_id]
            assert [f"{env.value} ticket: bug {ticket.bug_id} {bug.status} {bug.resolution}"
                    .replace("  ", " ").strip() + f" {bug.summary}",
                    tracker.bug_url(ticket.bug_id)] in card["tickets"]


LIVE = "document.getElementById('live').dataset.refreshed ?? ''"


def refreshed(page: Any) -> None:
    """What an open board does on its own, asked for now: board.js polls for what goes in
    <main> when the tab shows again, and swaps it in when it changed (200, not 304)."""
    before = page.evaluate(LIVE)
    with page.expect_response(lambda answer: "part=main" in answer.url) as polled:
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    if polled.value.status == 200:
        page.wait_for_function(f"before => {LIVE} !== before", arg=before)


def shown_after(chat: Chat, page: Any) -> None:
    """The board matches the truth once a poll answered after the line. handle() returns
    when the bot's work is drained and the times to live are 0, so the first poll nearly
    always does; rarely, under load, a step's state was stored just after that poll was
    answered ('greenlit' shown, 'prod-deployed' stored), so a mismatch asks again (each
    try waits on the server, no sleep) until WAIT_MS."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        refreshed(page)
        try:
            check_board_matches_the_truth(chat, page)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise


def test_the_board_shows_the_whole_process_as_it_happens(asked_chat: Chat, page: Any,
                                                          tmp_path: Path) -> None:
    from playwright.sync_api import expect

    chat = asked_chat
    board = chat.server.board_url
    lines = [line for line in SCRIPT.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    page.goto(board)
    expect(page.locator("#calendar .today")).to_contain_text("Today, ")
    expect(page.get_by_role("link", name="loop-server calendar (ICS)")).to_have_attribute(
        "href", "/calendar.ics?service=loop-server")
    page.screenshot(path=tmp_path / "00-start.png", full_page=True)
    for number, line in enumerate(lines, 1):
        chat.handle(line)
        try:
            shown_after(chat, page)
        except AssertionError:
            slug = re.sub(r"[^a-z0-9]+", "-", line.lower()).strip("-")[:50]
            page.screenshot(path=tmp_path / f"{number:02d}-{slug}.png", full_page=True)
            raise
        if line == "@qa /loop block prod 0.13.1 bug 1100005":
            blocker = page.locator('article.flight[data-release="loop-server 0.13.1"] .blocker')
            expect(blocker).to_contain_text("bug 1100005 NEW Calls drop after 60 seconds")
            page.screenshot(path=tmp_path / "board.png")  # docs/board.png
        if line == "!deploy stage 0.13.1":
            drift = page.locator('.drift[data-service="loop-server"]')
            expect(drift).to_contain_text("stage runs 0.13.1, prod 0.12.2:")
            compare = r"/mozilla-services/loop-server/compare/0\.12\.2\.\.\.0\.13\.1$"
            expect(drift.get_by_role("link")).to_have_attribute("href", re.compile(compare))
    page.goto(board)  # the whole page says the same as its polls
    check_board_matches_the_truth(chat, page)
    page.screenshot(path=tmp_path / "end.png", full_page=True)

    # 0.13.2 was backed off on Wednesday: in flight again (DEV's patch), 0.13.1 released
    released = page.locator("#in-flight .released")
    expect(released).to_contain_text("loop-server 0.13.1, loop-server 0.12.2")
    backed_off = page.locator('article.flight[data-release="loop-server 0.13.2"]')
    expect(backed_off.locator(".state")).to_have_text("backed-off")
    page.goto(chat.server.url + "/releases/loop-server/0.13.2")
    override = page.locator("tr.override")
    expect(override).to_contain_text("override: every user is logged out hourly")
    expect(override.locator("td").first).to_have_css("color", "rgb(207, 34, 46)")
    # six steps, the watch seeing stage and prod run it, the monitoring's end, the back-off
    expect(page.locator("table.audit tbody tr")).to_have_count(10)
    expect(page.locator("table.audit tbody tr").last).to_contain_text("backoff prod")
    page.screenshot(path=tmp_path / "release-0.13.2.png", full_page=True)
    assert sorted(p.name for p in tmp_path.glob("*.png")) == [
        "00-start.png", "board.png", "end.png", "release-0.13.2.png"]
    assert page.problems == []


def test_the_board_follows_without_a_reload_and_without_javascript(chat: Chat, browser: Any,
                                                                  page: Any) -> None:
    from playwright.sync_api import expect

    for line in ("/loop tag", "!click Tag 0.13.0", "@qa /loop request stage 0.13.0"):
        chat.handle(line)
    page.goto(chat.server.board_url)
    page.evaluate("window.stillTheSamePage = true")
    card = page.locator('article.flight[data-release="loop-server 0.13.0"]')
    expect(card.locator(".state")).to_have_text("stage-requested")
    chat.handle("!deploy stage 0.13.0")
    chat.handle("@ops /loop deployed stage 0.13.0")
    expect(page.locator('td[data-env="stage"][data-service="loop-server"] .version')
           ).to_have_text("0.13.0", timeout=WAIT_MS)
    expect(card.locator(".state")).to_have_text("stage-deployed", timeout=WAIT_MS)
    assert page.evaluate("window.stillTheSamePage") is True  # updated in place, no reload
    assert page.problems == []  # no Content-Security-Policy complaint, no script error

    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(chat.server.board_url)
        cell = plain.locator('td[data-env="prod"][data-service="loop-server"] .version')
        expect(cell).to_have_text("0.12.2")
        chat.handle("!deploy prod 0.13.0")  # the <noscript> refresh brings it in
        expect(cell).to_have_text("0.13.0", timeout=WAIT_MS)
    finally:
        context.close()


HOSTILE = ("<script>window.pwned=1</script> <img src=x onerror='window.pwned=2'> "
           "*bold* <!channel> <https://evil.example/|click here>")


def test_hostile_text_in_a_change_and_a_bug_summary_stays_text(chat: Chat, page: Any,
                                                              tmp_path: Path) -> None:
    from playwright.sync_api import expect

    for line in ("/loop tag", "!click Tag 0.13.0", "@qa /loop request stage 0.13.0",
                 "!deploy stage 0.13.0", "@ops /loop deployed stage 0.13.0",
                 # loop-server verifies stage after a passed load test (as whole_process.txt)
                 "@qa /loop loadtest stage 0.13.0 window 2026-12-09T14:00 16:00",
                 "!clock 2026-12-09 16:05", "@qa /loop loadtest stage 0.13.0 pass",
                 "@qa /loop verify stage 0.13.0", f"!bug {HOSTILE}",
                 "@qa /loop block prod 0.13.0 bug 1100003",
                 f'@ops /loop change "{HOSTILE}"'):
        chat.handle(line)
    for path in ("/", "/releases/loop-server/change-1", "/releases/loop-server/0.13.0"):
        page.goto(chat.server.url + path)
        expect(page.locator("main")).to_contain_text(HOSTILE.split(" <img")[0])
        assert page.locator("main img").count() == 0
        assert page.locator('a[href*="evil.example"]').count() == 0
        assert page.evaluate("window.pwned") is None
        page.screenshot(path=tmp_path / f"hostile{path.replace('/', '-')}.png", full_page=True)
    page.goto(chat.server.board_url)
    expect(page.locator("article.flight .summary")).to_have_text(HOSTILE)
    expect(page.locator("article.flight .blocker")).to_contain_text(f"NEW {HOSTILE}")
    assert page.problems == []
