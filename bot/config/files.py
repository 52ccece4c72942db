"""Where the configuration file is, the shipped default, and the error a configuration
that cannot be used raises. Nothing heavy (no pydantic, no YAML): `loopbot init`,
`manifest` and `--version` start without bot/config/settings.py's models.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

DEFAULT_CONFIG = "app.yaml"


class ConfigError(Exception):
    """The configuration cannot be used; the message says which file and key."""


def config_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The config file to read: the argument, else $LOOPBOT_CONFIG, else ./app.yaml."""
    return Path(path or os.environ.get("LOOPBOT_CONFIG") or DEFAULT_CONFIG)


def default_config_text() -> str:
    """The commented default configuration shipped in the package (bot/app.yaml)."""
    return resources.files("bot").joinpath("app.yaml").read_text(encoding="utf-8")
