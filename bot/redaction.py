"""No configured secret in any log line, whatever the level: `install(secrets)` puts one
`Redactor` filter on every handler of the root logger, and it replaces each secret (as
given, and URL-encoded) by `[secret]` in the message, its arguments, and the text of an
exception or stack attached to the record. Records from every library (urllib3 logs
whole URLs at DEBUG, slack_sdk request bodies) pass through the root's handlers, so the
one filter covers them all.

    install(secret_values(settings))   # once logging is configured (bot/server.py's run)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus

if TYPE_CHECKING:
    from bot.config import Settings

MASK = "[secret]"
MIN_LENGTH = 6  # shorter values are not secrets worth the false positives


class Redactor(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        forms = {form for s in secrets if len(s) >= MIN_LENGTH
                 for form in (s, quote(s, safe=""), quote_plus(s))}
        self._forms = sorted(forms, key=len, reverse=True)  # longest first

    def redact(self, text: str) -> str:
        for form in self._forms:
            text = text.replace(form, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def secret_values(settings: Settings) -> list[str]:
    """Every secret of the settings, as plain strings."""
    held = settings.secrets
    values = (getattr(held, name) for name in type(held).model_fields)
    return [v.get_secret_value() for v in values if v is not None]


def install(secrets: Iterable[str]) -> Redactor:
    """Filter every root handler (replacing a Redactor installed before)."""
    redactor = Redactor(secrets)
    for handler in logging.getLogger().handlers:
        for old in [f for f in handler.filters if isinstance(f, Redactor)]:
            handler.removeFilter(old)
        handler.addFilter(redactor)
    return redactor
