"""The `server` section of app.yaml: the reverse proxy `loopbot run` trusts (bot/config/settings.py
holds it as `Settings.server`; bot/entrypoints/production.py hands it to waitress).

With no `trusted_proxy` no proxy header is believed, and a request carrying any of them
(Forwarded, X-Forwarded-*, X-Real-IP, ...) counts as one that came from another machine
(bot/board/access.py). With one, waitress takes the client's address and scheme from
the headers named in `trusted_proxy_headers` when the request comes from that address
(and drops the proxy headers of any other peer), and the web board always asks for
WEB_TOKEN: the proxy makes it reachable from other machines.
"""

from __future__ import annotations

import ipaddress
from typing import TypedDict

from pydantic import Field, field_validator

from bot.config.options import StrictModel

# The headers waitress can read a proxy's word from (waitress.proxy_headers).
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto",
                 "x-forwarded-port", "x-forwarded-by")


class WaitressProxyOptions(TypedDict, total=False):
    trusted_proxy: str
    trusted_proxy_headers: set[str]
    trusted_proxy_count: int
    clear_untrusted_proxy_headers: bool


class ServerSettings(StrictModel):
    trusted_proxy: str | None = None  # the proxy's IP address as the bot sees it, or "*"
    trusted_proxy_headers: tuple[str, ...] = ("x-forwarded-for", "x-forwarded-proto")
    trusted_proxy_count: int = Field(default=1, ge=1)  # proxies in the chain, counted
    # seconds Slack work under way may take to finish at a stop (then it is cut short and
    # its callers told); kept well under a container's kill timeout
    stop_grace: float = Field(default=2.5, ge=0, le=20)

    @field_validator("trusted_proxy")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is None or value == "*":
            return value
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address: give the proxy's address as "
                             "the bot sees it (e.g. 127.0.0.1), or \"*\" when nothing but "
                             "the proxy can reach the bot") from None

    @field_validator("trusted_proxy_headers")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        names = tuple(dict.fromkeys(h.lower() for h in value))
        unknown = [h for h in names if h not in PROXY_HEADERS]
        if unknown:
            raise ValueError(f"unknown proxy header(s) {', '.join(map(repr, unknown))}; "
                             f"known: {', '.join(PROXY_HEADERS)}")
        if not names:
            raise ValueError("name at least one header, e.g. [x-forwarded-for, "
                             "x-forwarded-proto]")
        if "forwarded" in names and len(names) > 1:
            raise ValueError("trust either `forwarded` or the x-forwarded-* headers, "
                             "not both")
        return names

    def waitress_options(self) -> WaitressProxyOptions:
        """waitress's proxy settings. Without a trusted proxy its untrusted-header clearing
        is off, so the board's check sees every proxy header (and believes none)."""
        if self.trusted_proxy is None:
            return {"clear_untrusted_proxy_headers": False}
        return {"trusted_proxy": self.trusted_proxy,
                "trusted_proxy_headers": set(self.trusted_proxy_headers),
                "trusted_proxy_count": self.trusted_proxy_count,
                "clear_untrusted_proxy_headers": True}
