"""What `loopbot run` checks before it builds anything: every secret it needs is set and
the schema is the newest. Light on purpose (no Bolt, PyGithub or python-bugzilla, about
1 s of CPU): the CLI asks it first, so a refusal costs a fraction of a start.
"""

from __future__ import annotations

from bot import redaction
from bot.config.settings import ConfigError, Settings

HTTP_SECRETS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
SOCKET_SECRETS = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
PARTNER_SECRETS = ("GITHUB_TOKEN", "BUGZILLA_API_KEY")


def required_secrets(socket_mode: bool = False) -> tuple[str, ...]:
    return SOCKET_SECRETS if socket_mode else HTTP_SECRETS


def check_start(settings: Settings, *, socket_mode: bool = False) -> None:
    """ConfigError naming the missing environment variables, or SchemaNotCurrent naming
    `loopbot db upgrade`; from here on, every secret is masked in the logs."""
    missing = settings.secrets.missing(*required_secrets(socket_mode), *PARTNER_SECRETS)
    if missing:
        raise ConfigError(f"cannot start: set the environment variable(s) "
                          f"{', '.join(missing)}")
    redaction.install(redaction.secret_values(settings))  # whatever the log level
    from bot.store.schema import require_current  # SQLAlchemy: only once the secrets are set

    require_current(settings.db_url)  # `run` never makes the schema: `loopbot db upgrade` does
