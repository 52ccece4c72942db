"""One bot, several teams, for the scheduler: each service's announcement goes to its own
channel and mailing list (loop-client's are set in the shipped app.yaml), through
slack_sdk to the Slack stand-in and smtplib to a real SMTP server."""

from __future__ import annotations

from pathlib import Path

from bot.config.settings import Settings
from tests.fixtures.scheduler import make_rehearsal, stop_rehearsal
from tests.fixtures.smtp import Inbox


def test_each_service_is_announced_in_its_own_channel_and_list(
    shipped_settings: Settings, tmp_path: Path, smtp_inbox: Inbox
) -> None:
    r = make_rehearsal(shipped_settings, tmp_path, smtp_url=smtp_inbox.url)
    try:
        r.run("2026-12-08 10:00")
        loop = [m.text for m in r.sandbox.slack.messages("#loop")]
        client = [m.text for m in r.sandbox.slack.messages("#loop-client")]
    finally:
        stop_rehearsal(r)
    assert any("loop-server: tagging day for cycle 1" in t for t in loop)
    assert not any("loop-client" in t for t in loop)
    assert len(client) == 1 and "loop-client: tagging day for cycle 1" in client[0]
    sent = {m["Subject"].split(":")[0].split()[0]: (m["To"], m["Cc"]) for m in
            smtp_inbox.messages}
    assert sent["loop-server"] == ("dev-loop@lists.mozilla.org", None)
    assert sent["loop-client"] == ("dev-loop-client@lists.mozilla.org", None)
