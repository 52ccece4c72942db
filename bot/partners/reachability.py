"""Is each partner there, and does it accept our credentials? One cheap read each, for the
start-up of `loopbot run` and for `/__heartbeat__`.

Guarantees: each probe makes one request with a short timeout and returns None when the
partner answered as expected, else a `Problem` whose text names the partner, the URL it
tried and what to check (the setting or environment variable), in one line. A secret
never appears in it, nor in the request URL (Bugzilla's key travels as a header).

    slack(settings)  github(settings)  bugzilla(settings)  -> Problem | None
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config.settings import Settings

TIMEOUT = 5.0
# slack_sdk logs every failed call at ERROR; the probe's answer already says it, once
_QUIET = logging.getLogger("loopbot.reachability.slack_sdk")
_QUIET.setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class Problem:
    partner: str
    url: str
    what: str  # what went wrong, in a few words
    check: str  # what to check
    refused: bool = False  # it answered, and refused the credentials

    def __str__(self) -> str:
        return f"{self.partner} at {self.url}: {self.what}; check {self.check}"


Probe = Callable[..., "Problem | None"]  # (settings, *, timeout=...)


def slack(settings: Settings, *, timeout: float = TIMEOUT) -> Problem | None:
    """`auth.test` with SLACK_BOT_TOKEN (the call Bolt makes when it starts)."""
    url = settings.slack.api_url
    token = settings.secrets.slack_bot_token
    if token is None:
        return Problem("Slack", url, "no token", "the environment variable SLACK_BOT_TOKEN")
    client = WebClient(token=token.get_secret_value(), base_url=url, timeout=int(timeout),
                       retry_handlers=[], logger=_QUIET)
    try:
        client.auth_test()
    except SlackApiError as exc:
        code = exc.response.get("error") if exc.response is not None else None
        return Problem("Slack", url, f"refused the bot token ({code or 'no reason'})",
                       "SLACK_BOT_TOKEN", refused=True)
    except (SlackClientError, OSError) as exc:
        return Problem("Slack", url, f"unreachable ({_reason(exc)})",
                       "slack.api_url in the configuration and the network")
    return None


def github(settings: Settings, *, timeout: float = TIMEOUT) -> Problem | None:
    """The first service's repository, read with GITHUB_TOKEN."""
    repo = settings.service().repo
    url = f"{settings.github.url.rstrip('/')}/repos/{repo}"
    token = settings.secrets.github_token
    headers = {"Accept": "application/vnd.github+json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token.get_secret_value()}"
    return _read("GitHub", url, headers, timeout, "GITHUB_TOKEN (its access to " + repo + ")",
                 "github.url in the configuration and the network")


def bugzilla(settings: Settings, *, timeout: float = TIMEOUT) -> Problem | None:
    """`GET /whoami` with BUGZILLA_API_KEY: answers only to a valid key."""
    url = f"{settings.bugzilla.url.rstrip('/')}/whoami"
    key = settings.secrets.bugzilla_api_key
    headers = {"X-BUGZILLA-API-KEY": key.get_secret_value()} if key is not None else {}
    return _read("Bugzilla", url, headers, timeout, "BUGZILLA_API_KEY",
                 "bugzilla.url in the configuration (it ends in /rest) and the network")


PROBES: dict[str, Probe] = {"slack": slack, "github": github, "bugzilla": bugzilla}
NAMES = {"slack": "Slack", "github": "GitHub", "bugzilla": "Bugzilla"}


def address(name: str, settings: Settings) -> str:
    """Where the probe `name` asks (no secret in it)."""
    if name == "slack":
        return settings.slack.api_url
    if name == "github":
        return f"{settings.github.url.rstrip('/')}/repos/{settings.service().repo}"
    return f"{settings.bugzilla.url.rstrip('/')}/whoami"


def _read(partner: str, url: str, headers: dict[str, str], timeout: float,
          credential: str, address: str) -> Problem | None:
    try:
        answer = requests.get(url, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        return Problem(partner, url, f"unreachable ({_reason(exc)})", address)
    if answer.status_code in (401, 403):
        return Problem(partner, url, f"refused the credentials (HTTP {answer.status_code})",
                       credential, refused=True)
    if answer.status_code != 200:
        return Problem(partner, url, f"answered HTTP {answer.status_code}",
                       f"{address}, and {credential}")
    return None


def _reason(exc: BaseException) -> str:
    """The kind of failure, without the exception's text (it may hold a URL or a header)."""
    cause = getattr(exc, "reason", None)  # urllib's URLError wraps the socket's error
    if isinstance(cause, BaseException):
        exc = cause
    if isinstance(exc, requests.Timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, requests.ConnectionError | ConnectionError):
        return "connection failed"
    if isinstance(exc, OSError) and "resolution" in str(exc).lower():
        return "name not resolved"
    return type(exc).__name__
