"""No secret in any log line, whatever the level or the format: `install(secrets)` puts
one `Redactor` filter on every handler of the root logger. Records from every library
(urllib3 logs whole URLs at DEBUG, slack_sdk request bodies) pass through the root's
handlers, so the one filter covers them all, and it makes the record safe for either
formatter: the message and its arguments, every extra field, the exception (its text,
and the value the JSON formatter reads to rebuild `error` and `traceback`) and the stack.

What is masked:
- a credential where it stands, whatever its length: the password of a URL
  (`scheme://user:PASSWORD@host`), an `Authorization` header's value, and query or form
  fields named like a secret (`api_key=`, `token=`, `password=` ...);
- a configured secret anywhere in free text, when it is long enough to be one
  (`MIN_LENGTH`): a database password `loop` must not turn "loopbot" into "[secret]bot".

    install(secret_values(settings))   # once logging is configured (bot/entrypoints/production.py)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

if TYPE_CHECKING:
    from bot.config.settings import Settings

MASK = "[secret]"
MIN_LENGTH = 6  # shorter values are masked only where they stand (URL, header, field)

# scheme://user:PASSWORD@ — the password ends at the last "@" before the host
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/?#@\s]*:)([^\s/?#]*)(@)")
_AUTH_HEADER = re.compile(r"(?i)(\bauthorization['\"]?\s*[:=]\s*['\"]?(?:bearer|basic|token)?\s*)"
                          r"([^\s'\",;]+)")
_SECRET_FIELD = re.compile(  # key=value (a query or a form), 'key': 'value' (a dict, JSON)
    r"(?i)(\b[\w-]*(?:api[_-]?key|token|password|passwd|secret)(?:=|['\"]\s*:\s*['\"]))"
    r"([^\s&'\",;}]+)")
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}


def mask_credentials(text: str) -> str:
    """`text` with every credential masked where it stands (URL, header, field)."""
    text = _URL_PASSWORD.sub(rf"\1{MASK}\3", text)
    text = _AUTH_HEADER.sub(lambda m: m.group(1) + MASK if m.group(2) != MASK else m.group(0),
                            text)
    return _SECRET_FIELD.sub(lambda m: m.group(1) + MASK if m.group(2) != MASK else m.group(0),
                             text)


def mask_text(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with credentials masked where they stand and each secret long enough to be
    one (as given and URL-encoded) masked anywhere."""
    for form in _free_text_forms(secrets):
        text = text.replace(form, MASK)
    return mask_credentials(text)


def _free_text_forms(secrets: Iterable[str]) -> list[str]:
    forms = {form for s in secrets if len(s) >= MIN_LENGTH
             for form in (s, quote(s, safe=""), quote_plus(s))}
    return sorted(forms, key=len, reverse=True)  # longest first


class _MaskedError(Exception):
    """Stands in for a logged exception whose text held a secret: the JSON formatter
    reads `repr()` of the exception from `exc_info` to build its `error` field."""

    def __init__(self, shown: str) -> None:
        super().__init__(shown)
        self.shown = shown

    def __repr__(self) -> str:
        return self.shown

    def __str__(self) -> str:
        return self.shown


class Redactor(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._forms = _free_text_forms(secrets)

    def redact(self, text: str) -> str:
        for form in self._forms:
            text = text.replace(form, MASK)
        return mask_credentials(text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.exc_info and record.exc_info[1] is not None:
            self._mask_exception(record)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS:
                setattr(record, key, self._deep(value))
        return True

    def _mask_exception(self, record: logging.LogRecord) -> None:
        kind, error, trace = record.exc_info or (None, None, None)
        shown = repr(error)
        if kind is not None and self.redact(shown) != shown:
            record.exc_info = (kind, _MaskedError(self.redact(shown)), trace)

    def _deep(self, value: Any) -> Any:
        """An extra field with its secrets masked (strings inside containers too)."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {key: self._deep(item) for key, item in value.items()}
        if isinstance(value, list | tuple | set):
            return type(value)(self._deep(item) for item in value)
        if isinstance(value, int | float | bool) or value is None:
            return value
        shown = str(value)
        return self.redact(shown) if self.redact(shown) != shown else value


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
