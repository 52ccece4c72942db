"""The announcement by email: smtplib to a real local SMTP server (aiosmtpd, port 0) with
a login, the same content as the Slack announcement, and no password in any error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from bot.config.settings import ConfigError, Settings
from bot.jobs import run_due
from bot.partners.mail import Mailer, SmtpServer
from bot.usecases.ports import PartnerError
from tests.fixtures.scheduler import SERVICE, make_rehearsal, paris, stop_rehearsal
from tests.fixtures.smtp import Inbox, serving
from tests.fixtures.world import DEV

USER = "loopbot@lists.example.org"
PASSWORD = "s3cret-Smtp-pa55"
LIST = "dev-loop@lists.mozilla.org"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                  auth_data: Any) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER
          and auth_data.password.decode() == PASSWORD)
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """The inbox behind a login (USER, PASSWORD), and its port."""
    with serving(Inbox(), authenticator=_authenticate, auth_require_tls=False) as inbox:
        yield inbox, inbox.port


def test_announcement_email_has_the_same_content_as_the_slack_message(
    settings: Settings, tmp_path: Path, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    url = f"smtp://{USER.replace('@', '%40')}:{PASSWORD}@127.0.0.1:{port}"
    r = make_rehearsal(settings, tmp_path, smtp_url=url)
    try:
        r.at("2026-12-08 09:30")
        r.tag(DEV, "0.13.0")
        r.run("2026-12-08 10:00")
        slack = [m.text for m in r.sandbox.slack.messages("#loop")]
    finally:
        stop_rehearsal(r)
    assert len(inbox.messages) == 2  # loop-server's and loop-client's announcements
    mail = inbox.messages[0]
    body = mail.get_content().replace("\r\n", "\n").rstrip("\n")  # SMTP sends CRLF
    assert body == slack[0]
    assert "- bug 1094662: Fix SP backwards compatibility" in body
    assert mail["Subject"] == "loop-server 0.13.0 is tagged (cycle 1), prod push Mon 2026-12-14"
    assert mail["To"] == LIST and mail["From"] == USER
    assert inbox.recipients[0] == [LIST]


def test_a_refused_login_is_reported_without_the_password_and_slack_still_hears(
    settings: Settings, tmp_path: Path, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    wrong = "Wr0ng-pa55word"
    r = make_rehearsal(settings, tmp_path, smtp_url=f"smtp://{USER}:{wrong}@127.0.0.1:{port}")
    try:
        bot = r.bots[0]
        assert bot.mailer is not None
        with pytest.raises(PartnerError) as refused:
            bot.mailer.send("test", "body")
        assert str(refused.value) == f"SMTP: 127.0.0.1:{port}: login refused (535)"
        assert wrong not in repr(bot.mailer)
        r.at("2026-12-08 10:00")
        run_due(bot.ctx, bot.chat, bot.mailer, paris("2026-12-08 10:00"))
        posted = [m.text for m in r.sandbox.slack.messages("#loop")]
        with bot.ctx.store.unit_of_work() as uow:
            announced = [e for e in uow.audit.find(SERVICE) if e.action == "announce"]
    finally:
        stop_rehearsal(r)
    assert inbox.messages == []
    assert len(posted) == 2
    assert announced[0].detail == (f"cycle 1; not emailed: SMTP: 127.0.0.1:{port}: "
                                   "login refused (535)")


def test_smtp_urls_are_read_and_bad_ones_refused_without_echoing_them() -> None:
    server = SmtpServer.parse("smtps://bot%40example.org:p%40ss@mail.example.org?from="
                              "loopbot@example.org")
    assert (server.scheme, server.host, server.port) == ("smtps", "mail.example.org", 465)
    assert (server.user, server.password, server.sender) == (
        "bot@example.org", "p@ss", "loopbot@example.org")
    assert "p@ss" not in repr(server)
    assert SmtpServer.parse("smtp://relay.internal").port == 25
    with pytest.raises(ConfigError) as bad:
        SmtpServer.parse("http://user:hunter2@mail.example.org")
    assert "hunter2" not in str(bad.value)


def test_no_mailer_without_smtp_url(settings: Settings) -> None:
    assert Mailer.from_settings(settings) is None


def test_an_unreachable_server_is_a_partner_error(settings: Settings) -> None:
    mailer = Mailer(SmtpServer.parse("smtp://u:pw-never-shown@127.0.0.1:9"), LIST, timeout=2)
    with pytest.raises(PartnerError) as failed:
        mailer.send("subject", "body")
    assert str(failed.value) == "SMTP: 127.0.0.1:9: cannot connect (ConnectionRefusedError)"
