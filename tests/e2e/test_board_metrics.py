"""The board's /metrics page over HTTP: charts drawn on the server as SVG, the key figures
against the cycles before, the releases behind them, and bad parameters refused."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.board.app import BoardOptions
from tests.e2e.metrics_history import played_world
from tests.e2e.test_board_http import board_server, get, text_of
from tests.fixtures.app import LoopWorld


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopWorld]:
    """Played once for this module's tests: each only reads it, through its own server."""
    yield from played_world(tmp_path_factory.mktemp("played"))


def test_the_metrics_page_draws_every_chart_without_script(played: LoopWorld) -> None:
    with board_server(played) as server:
        answer = get(server, "/metrics?service=loop-server&cycles=3")
        assert answer.status_code == 200
        page = answer.text
        shown = text_of(page)
        assert "Delivery metrics of loop-server" in shown
        # three releases pushed: 0.13.0, 0.14.1, 0.14.2; 0.14.0 rejected; 0.14.1 patched
        assert "Deployment frequency 3 prod push(es): 1.0 per cycle" in shown
        assert "Change failure rate 50% (2 of 4 release(s)); prod only 33%" in shown
        assert "0.14.0 rejected on stage; 0.14.1 patched by 0.14.2" in shown
        # bug 1096605 was reported at 15:00 on the 21st, 0.14.2 pushed at 09:00 on the 23rd
        assert "Time to restore median 1 d 18 h (1 prod failure(s), 1 restored)" in shown
        assert page.count("<svg viewBox") == 5 and "<script>" not in page and "style=" not in page
        bars = re.findall(r'<rect class="bar now"[^>]*><title>([^<]*)</title>', page)
        assert bars[:3] == [f"cycle from 2026-{day}: 1 prod push(es)"
                            for day in ("11-24", "12-08", "12-22")]
        assert "0.14.2: median 23 h 0 min" in bars  # landed 10:00 on the 22nd, pushed 09:00
        rows = re.findall(r"<tr class=\"outcome-(\w+)\"><th scope=\"row\"><a [^>]*>([^<]*)<",
                          page)
        assert rows == [("ok", "0.14.2"), ("bad", "0.14.1"), ("bad", "0.14.0"), ("ok", "0.13.0")]
        assert "Content-Security-Policy" in answer.headers
        polled = get(server, "/metrics?service=loop-server&cycles=3&part=main")
        assert polled.status_code == 200 and "<svg" in polled.text
        assert 'data-part="/metrics?service=loop-server&amp;cycles=3&amp;part=main"' in page


def test_bad_parameters_are_refused_in_one_line(played: LoopWorld) -> None:
    with board_server(played) as server:
        for query, said in (("cycles=0", "couldn't use 0 cycles: give 1 to 26"),
                            ("cycles=%3Cb%3E", "cycles must be a number from 1 to 26"),
                            ("service=%3Cscript%3E", "no service named '<script>'")):
            answer = get(server, f"/metrics?{query}")
            assert answer.status_code == 400, query
            assert said in text_of(answer.text)
            assert "<script>" not in answer.text.split("<body>")[1]


def test_the_metrics_of_a_service_with_no_release_say_so(played: LoopWorld) -> None:
    with board_server(played) as server:
        shown = text_of(get(server, "/metrics?service=loop-client").text)
        assert "no prod push in these cycles" in shown
        assert "no release was tagged, pushed or rejected in these cycles" in shown




def test_polls_and_viewers_share_one_read_of_the_metrics(played: LoopWorld) -> None:
    with board_server(played, options=BoardOptions(ticket_ttl=60.0)) as server:
        with played.sandbox.bugzilla.counting() as first:
            assert get(server, "/metrics?cycles=3").status_code == 200
        assert [r.path for r in first] == ["/rest/bug/1096605"]  # when it was reported
        with played.sandbox.bugzilla.counting() as bugzilla, \
                played.sandbox.github.counting() as github:
            for _ in range(3):
                assert "<svg" in get(server, "/metrics?cycles=3&part=main").text
        assert bugzilla == [] and github == []
