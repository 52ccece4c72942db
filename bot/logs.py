"""Logging for `loopbot run`: one format for the whole process, chosen by the environment.

- `LOG_FORMAT=json` (the default in the container) writes one JSON object per line in
  Mozilla's mozlog format (dockerflow's `MozlogFormatter`: Timestamp, Type = the logger,
  Logger = "loopbot", Severity, Pid, Fields); `LOG_FORMAT=text` (the default elsewhere) a
  plain line for people. `LOG_LEVEL` is DEBUG, INFO (default), WARNING or ERROR.
- Every record carries the context of what caused it: `rid` (the Slack request id, i.e.
  its trigger_id or event_id, or the scheduler's occurrence), `uid` (the Slack user id),
  `service` and `version` (the release being worked on), when known, plus the bot's own
  `loopbot_version`. Code sets them with `log_context(...)` (a block) or
  `bind_log_context(...)` (until the enclosing block ends); they live in a contextvar, so
  threads and requests never see each other's.
- Secrets never reach the output: `loopbot run` installs bot/redaction.py's filter on the
  handler once the settings are read.

    setup_logging()                        # reads LOG_FORMAT and LOG_LEVEL
    with log_context(rid=trigger_id, uid=user):
        log.info("...")                    # carries rid and uid
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from importlib import metadata
from types import MappingProxyType
from typing import IO

from dockerflow.logging import MozlogFormatter

from bot.config.settings import ConfigError

FORMATS = ("text", "json")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
CONTEXT_FIELDS = ("rid", "uid", "service", "version")
LOGGER_NAME = "loopbot"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s%(context)s"

_EMPTY: Mapping[str, str] = MappingProxyType({})
_context: ContextVar[Mapping[str, str]] = ContextVar("loopbot_log_context", default=_EMPTY)
_in_block: ContextVar[bool] = ContextVar("loopbot_log_block", default=False)


def bot_version() -> str:
    try:
        return metadata.version("loopbot")
    except metadata.PackageNotFoundError:
        return "unknown"


@contextlib.contextmanager
def log_context(**fields: str | None) -> Iterator[None]:
    """Within the block, every log record carries `fields` (None values are left out)."""
    token = _context.set({**_context.get(), **_present(fields)})
    inside = _in_block.set(True)
    try:
        yield
    finally:
        _in_block.reset(inside)
        _context.reset(token)


def bind_log_context(**fields: str | None) -> None:
    """Add `fields` to the current context until the enclosing `log_context` block ends;
    outside any block it does nothing (it would stay with the thread for good)."""
    if _in_block.get():
        _context.set({**_context.get(), **_present(fields)})


def current_log_context() -> Mapping[str, str]:
    return _context.get()


def _present(fields: Mapping[str, str | None]) -> dict[str, str]:
    return {key: str(value) for key, value in fields.items() if value is not None}


class ContextFilter(logging.Filter):
    """Puts the current context (and the bot's version) on each record it sees."""

    def __init__(self) -> None:
        super().__init__()
        self.version = bot_version()

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        for key in CONTEXT_FIELDS:
            if key in context and not hasattr(record, key):
                setattr(record, key, context[key])
        record.loopbot_version = self.version
        return True


class TextFormatter(logging.Formatter):
    """A line for people; the context fields follow the message in brackets."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        shown = [f"{key}={getattr(record, key)}" for key in CONTEXT_FIELDS
                 if hasattr(record, key)]
        record.context = f" [{' '.join(shown)}]" if shown else ""
        return super().format(record)


def formatter_for(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return MozlogFormatter(logger_name=LOGGER_NAME)
    return TextFormatter()


def setup_logging(
    environ: Mapping[str, str] | None = None, *, stream: IO[str] | None = None,
    default_format: str = "text",
) -> logging.Handler:
    """Send every logger's records to `stream` (stderr) in the format LOG_FORMAT asks, at
    LOG_LEVEL. Raises ConfigError naming the variable when either value is unknown."""
    env = os.environ if environ is None else environ
    log_format = (env.get("LOG_FORMAT") or default_format).strip().lower()
    level = (env.get("LOG_LEVEL") or "INFO").strip().upper()
    if log_format not in FORMATS:
        raise ConfigError(f"LOG_FORMAT={log_format!r}: expected one of {', '.join(FORMATS)}")
    if level not in LEVELS:
        raise ConfigError(f"LOG_LEVEL={level!r}: expected one of {', '.join(LEVELS)}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter_for(log_format))
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)  # Python's warnings too, in the same format
    # APScheduler says "Running job ..." every minute at INFO: only at DEBUG
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if level == "DEBUG"
                                              else logging.WARNING)
    # Alembic says "setup plugin ..." at INFO when imported (`run` checks the schema lazily)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    return handler

