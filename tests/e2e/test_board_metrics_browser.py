"""The board's /metrics page in a real browser (Debian's headless Chromium, through
Playwright): the charts show, with JavaScript and without, and nothing trips the
Content-Security-Policy. The screenshot goes to the test's tmp_path (docs/metrics.png is
one of them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.metrics_history import at, play
from tests.e2e.test_board_http import board_server
from tests.fixtures.app import LoopWorld


def test_the_metrics_charts_show_in_the_browser_with_and_without_script(
    loop_world: LoopWorld, browser: Any, tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    play(loop_world)
    at(loop_world, "2026-12-28T09:00")
    problems: list[str] = []  # console errors, CSP violations among them
    with board_server(loop_world) as server:
        for script in (True, False):
            context = browser.new_context(viewport={"width": 1280, "height": 900},
                                          java_script_enabled=script)
            try:
                page = context.new_page()
                page.on("console", lambda m: problems.append(m.text)
                        if m.type == "error" else None)
                page.goto(server.url + "/")
                page.get_by_role("link", name="metrics").click()
                expect(page.locator("h2").first).to_have_text("Delivery metrics of loop-server")
                page.get_by_role("link", name="3", exact=True).click()
                expect(page.locator("figure.chart > svg")).to_have_count(5)
                pushes = page.locator("#chart-pushes rect.bar.now")
                expect(pushes).to_have_count(3)
                box = pushes.first.bounding_box()
                assert box is not None and box["height"] > 20 and box["width"] > 10
                color = pushes.first.evaluate("r => getComputedStyle(r).fill")
                assert color == "rgb(9, 105, 218)"  # styled by board.css: the CSP allowed it
                expect(page.locator("#chart-restore rect.bar.bad")).to_have_count(1)
                expect(page.locator("table.releases tbody tr")).to_have_count(4)
                expect(page.locator("table.keys")).to_contain_text("prod only 33%")
                page.screenshot(path=tmp_path / f"metrics-{'js' if script else 'plain'}.png",
                                full_page=True)
            finally:
                context.close()
            assert problems == []
