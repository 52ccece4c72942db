"""The board's audit trail names people as Slack shows them (the id in a title), escaped,
asking Slack once per person and time to live, not per row or per poll; and its
environment flag says what it means (a new user's trial)."""

from __future__ import annotations

import re

from bot.board.app import BoardOptions
from bot.partners.slack import SlackDirectory
from bot.sandbox.slack.workspace import SlackUser
from bot.usecases.identity import Directory
from tests.e2e.test_board_http import FRESH, HOSTILE, board_server, get, text_of
from tests.fixtures.app import DEV, OPS, QA, LoopWorld


def audit_cells(page: str) -> list[str]:
    """The "who" cell of each audit row, as HTML."""
    table = re.search(r'<table class="audit">(.*?)</table>', page, flags=re.S)
    assert table is not None
    return [cells[1] for cells in (re.findall(r"<td>(.*?)</td>", row, flags=re.S)
                                   for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1),
                                                         flags=re.S)) if cells]


def test_the_audit_trail_shows_names_with_the_id_in_a_title(loop_world: LoopWorld) -> None:
    loop_world.to_prod_requested("0.13.0")
    with board_server(loop_world, options=FRESH) as board:
        page = get(board, "/releases/loop-server/0.13.0").text
    who = audit_cells(page)
    assert who[0].startswith(f'<span title="{DEV}">dev</span>')  # tagged by DEV
    assert f'<span title="{OPS}">ops</span>' in " ".join(who)
    assert f'<span title="{QA}">qa</span>' in " ".join(who)
    assert not any(re.search(r">U0\w+<", cell) for cell in who)  # no bare id shown


def test_a_hostile_display_name_is_shown_inert(loop_world: LoopWorld) -> None:
    loop_world.slack.workspace.add_user(SlackUser(DEV, HOSTILE))  # DEV renames themself
    loop_world.tag("0.13.0")
    with board_server(loop_world, options=FRESH) as board:
        page = get(board, "/releases/loop-server/0.13.0").text
    assert "<script>alert" not in page and "<img" not in page
    assert f'<span title="{DEV}">&lt;script&gt;alert(' in page
    assert HOSTILE in text_of(page)


def test_names_are_asked_once_per_person_not_per_row_or_poll(loop_world: LoopWorld) -> None:
    loop_world.to_prod_requested("0.13.0")
    # The bot's own directory keeps names a minute: one that keeps nothing shows that the
    # board's cache alone keeps Slack from being asked again.
    runtime = loop_world.app.runtime
    runtime.directory = Directory(loop_world.settings.roles, SlackDirectory(runtime.client),
                                  ttl=0.0)
    options = BoardOptions(environment_ttl=0.0, ticket_ttl=0.0, name_ttl=60.0)
    slack = loop_world.slack
    with board_server(loop_world, options=options) as board, slack.counting() as asked:
        for _ in range(4):
            page = get(board, "/releases/loop-server/0.13.0?part=main").text
    assert len(audit_cells(page)) == 4  # DEV tagged and requested, OPS deployed, QA verified
    looked_up = [r.path for r in asked if r.path.endswith("/users.info")]
    assert len(looked_up) == 3, looked_up  # DEV, OPS, QA: once each over four polls


def test_the_board_says_what_a_mocked_partner_means(loop_world: LoopWorld) -> None:
    with board_server(loop_world, options=FRESH) as board:
        page = get(board).text
    stage = re.search(r'data-env="stage">(.*?)</td>', page, flags=re.S)
    assert stage is not None
    flag = re.search(r'<div class="flag" title="([^"]*)">([^<]*)</div>', stage.group(1))
    assert flag is not None and flag.group(2) == "TokBox mocked (fakeTokBox)"
    assert "not the real partner" in flag.group(1)
    assert "fake partner" not in page
