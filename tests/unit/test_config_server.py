"""app.yaml's `server` section (the trusted reverse proxy): a bad value is refused at start
naming the key, and what waitress is given follows it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config.server import ServerSettings
from bot.config.settings import ConfigError, settings_from_dict

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = yaml.safe_load((ROOT / "app.yaml").read_text(encoding="utf-8"))


def settings_with(server: dict[str, Any]) -> ServerSettings:
    return settings_from_dict({**SHIPPED, "server": server}, source="app.yaml").server


@pytest.mark.parametrize(("server", "message"), [
    ({"trusted_proxy": "nginx.internal"},
     "key 'server.trusted_proxy': 'nginx.internal' is not an IP address"),
    ({"trusted_proxy": "10.0.0.5", "trusted_proxy_headers": ["x-real-ip"]},
     "key 'server.trusted_proxy_headers': unknown proxy header(s) 'x-real-ip'; known: "),
    ({"trusted_proxy": "10.0.0.5", "trusted_proxy_headers": ["forwarded", "x-forwarded-for"]},
     "trust either `forwarded` or the x-forwarded-* headers, not both"),
    ({"trusted_proxy": "10.0.0.5", "trusted_proxy_count": 0},
     "key 'server.trusted_proxy_count': "),
    ({"trusted_proxies": "10.0.0.5"}, "key 'server.trusted_proxies': unknown key"),
])
def test_a_bad_proxy_setting_is_refused_naming_the_key(server: dict[str, Any],
                                                       message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        settings_with(server)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_no_trusted_proxy_lets_every_proxy_header_through_to_the_boards_check() -> None:
    assert settings_with({}).waitress_options() == {"clear_untrusted_proxy_headers": False}


def test_a_trusted_proxy_is_handed_to_waitress_with_its_headers() -> None:
    server = settings_with({"trusted_proxy": "::1",
                            "trusted_proxy_headers": ["X-Forwarded-For", "x-forwarded-proto"]})
    assert server.waitress_options() == {
        "trusted_proxy": "::1", "trusted_proxy_count": 1,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        "clear_untrusted_proxy_headers": True}
    assert settings_with({"trusted_proxy": "*"}).trusted_proxy == "*"
