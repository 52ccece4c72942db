"""The mailing list: the tagging announcement sent by email through smtplib.

`Mailer.from_settings(settings)` is None when SMTP_URL or slack.mailing_list is unset (email
is optional). SMTP_URL reads `smtp://[user:password@]host[:port]` (plain, upgraded with
STARTTLS when the server offers it; port 25 by default) or `smtps://...` (TLS from the
first byte; port 465), with an optional `?from=address` for the sender (else the user
when it is an address, else `loopbot@localhost`).

`send(subject, body, to=..., attachments=...)` sends one plain-text UTF-8 message to the
list (or to the addresses given, the list copied), with optional attachments such as a
load-test window's ICS event, or raises
`bot.usecases.ports.PartnerError` naming the server (host:port) and what failed. The password
appears in no message, log line or repr.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from bot.config.settings import ConfigError, Settings
from bot.usecases.ports import Attachment, PartnerError

PARTNER = "SMTP"
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
DEFAULT_SENDER = "loopbot@localhost"


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send, read from SMTP_URL."""

    scheme: str
    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = DEFAULT_SENDER

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        """The server of an SMTP URL; ConfigError (never showing the URL) when unreadable."""
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ConfigError("SMTP_URL: expected smtp://[user:password@]host[:port] "
                              "or smtps://...")
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError:
            raise ConfigError("SMTP_URL: the port is not a number") from None
        user = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        sender = parse_qs(parts.query).get("from", [None])[-1]
        if sender is None:
            sender = user if user and "@" in user else DEFAULT_SENDER
        return cls(parts.scheme, parts.hostname, port, user, password, sender)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


class Mailer:
    def __init__(self, server: SmtpServer, to: str, *, timeout: float = 10.0) -> None:
        self.server = server
        self.to = to
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings, *, timeout: float = 10.0) -> Mailer | None:
        url = settings.secrets.smtp_url
        if url is None or not settings.slack.mailing_list:
            return None
        return cls(SmtpServer.parse(url.get_secret_value()), settings.slack.mailing_list,
                   timeout=timeout)

    def __repr__(self) -> str:
        return f"Mailer({self.server.scheme}://{self.server.where} -> {self.to})"

    def send(self, subject: str, body: str, *, to: Sequence[str] = (),
             attachments: Sequence[Attachment] = (), copy_list: bool = True) -> None:
        message = self._message(subject, body, to, copy_list)
        for attachment in attachments:
            maintype, subtype = attachment.content_type.split("/", 1)
            message.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                                   filename=attachment.filename)
        try:
            with self._connect() as smtp:
                self._secure(smtp)
                if self.server.user and self.server.password is not None:
                    smtp.login(self.server.user, self.server.password)
                smtp.send_message(message)
        except smtplib.SMTPException as exc:
            raise PartnerError(PARTNER, f"{self.server.where}: {_describe(exc)}") from None
        except OSError as exc:
            raise PartnerError(PARTNER, f"{self.server.where}: cannot connect "
                                        f"({type(exc).__name__})") from None

    def _message(self, subject: str, body: str, to: Sequence[str],
                 copy_list: bool = True) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.server.sender
        message["To"] = ", ".join(to) if to else self.to
        if to and copy_list:
            message["Cc"] = self.to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.server.sender.rsplit("@", 1)[-1])
        message.set_content(body)
        return message

    def _connect(self) -> smtplib.SMTP:
        if self.server.scheme == "smtps":
            return smtplib.SMTP_SSL(self.server.host, self.server.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        return smtplib.SMTP(self.server.host, self.server.port, timeout=self.timeout)

    def _secure(self, smtp: smtplib.SMTP) -> None:
        if self.server.scheme == "smtps":
            return
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()


def _describe(exc: smtplib.SMTPException) -> str:
    """What the server said, without anything we sent (the password included)."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"login refused ({exc.smtp_code})"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "the mailing list address was refused"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the server answered {exc.smtp_code}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "the server does not support login"
    return type(exc).__name__
