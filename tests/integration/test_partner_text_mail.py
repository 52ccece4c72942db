"""Issue 17: a Bugzilla summary holding line breaks is one line in the tagging
announcement, in Slack and in the mail to the list (smtplib to a local aiosmtpd); the one
helper's folding and clipping rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.settings import Settings
from bot.domain.errors import LINE_LIMIT, echoed, one_line
from tests.fixtures.scheduler import SERVICE, make_rehearsal, stop_rehearsal
from tests.fixtures.smtp import Inbox
from tests.fixtures.world import DEV

FORGED = "Evil\n## 9.9.9\u2028- [security] 424242 forged"
FOLDED = "Evil ## 9.9.9 - [security] 424242 forged"


def test_a_forged_summary_is_one_line_in_the_announcement_mail_and_slack(
    settings: Settings, tmp_path: Path, smtp_inbox: Inbox
) -> None:
    r = make_rehearsal(settings, tmp_path, smtp_url=smtp_inbox.url)
    try:
        bug = r.sandbox.bugzilla.add_bug(FORGED, "RESOLVED", "FIXED")
        r.land(f"Bug {bug} — guard the rooms", path="loop/rooms.js")
        r.at("2026-12-08 09:30")
        r.tag(DEV, "0.13.0")
        r.run("2026-12-08 10:00")
        slack = [m.text for m in r.sandbox.slack.messages("#loop")]
    finally:
        stop_rehearsal(r)
    mail = smtp_inbox.messages[0]
    body = mail.get_content().replace("\r\n", "\n")
    assert SERVICE in mail["Subject"]
    assert f"- bug {bug}: {FOLDED}\n" in body
    assert [line for line in body.splitlines() if line.startswith(("## ", "- [security]"))
            ] == []
    assert any(f"- bug {bug}: {FOLDED}" in text for text in slack)


@pytest.mark.parametrize("brk", ["\r", "\n", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e",
                                 "\x85", "\u2028", "\u2029"])
def test_every_line_break_python_knows_is_folded(brk: str) -> None:
    folded = one_line(f"a{brk}b")
    assert len(folded.splitlines()) == 1 and folded.replace(" ", "") == "ab"


def test_long_text_is_clipped_with_an_ellipsis_at_the_documented_limit() -> None:
    assert LINE_LIMIT == 160
    assert one_line("x" * LINE_LIMIT) == "x" * LINE_LIMIT
    assert one_line("x" * 1000) == "x" * (LINE_LIMIT - 1) + "…"
    assert echoed("a\nb" + "c" * 100) == "a b" + "c" * 56 + "…"
