"""Who may read the web board: open on localhost without WEB_TOKEN, the token everywhere
else (query once, then the cookie, or a bearer header), and never open by accident."""

from __future__ import annotations

from typing import Any

import pytest

from bot.board.access import COOKIE, BoardAccess

TOKEN = "s3cret-board-token-4812"


def request(query: str = "", path: str = "/", **headers: str) -> dict[str, Any]:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
               "wsgi.url_scheme": "http"}
    environ.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    return environ


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_on_localhost_without_a_token_the_board_is_open(host: str) -> None:
    assert BoardAccess.for_host(host, None).check(request(), page=True).allowed


@pytest.mark.parametrize("header", ["forwarded", "x_forwarded_for", "x_real_ip", "via",
                                    "x_forwarded_host", "x_forwarded_proto"])
def test_a_proxied_request_to_localhost_needs_the_token(header: str) -> None:
    verdict = BoardAccess.for_host("127.0.0.1", None).check(
        request(**{header: "for=203.0.113.9"}), page=True)
    assert not verdict.allowed and verdict.status == 403
    assert "set WEB_TOKEN" in verdict.reason


def test_behind_a_trusted_proxy_localhost_without_a_token_is_shut() -> None:
    verdict = BoardAccess.for_host("127.0.0.1", None, behind_proxy=True).check(
        request(), page=True)
    assert (verdict.allowed, verdict.status) == (False, 403)


def test_beyond_localhost_without_a_token_configured_it_is_refused_with_the_reason() -> None:
    verdict = BoardAccess.for_host("0.0.0.0", None).check(request(), page=True)
    assert (verdict.allowed, verdict.status) == (False, 403)
    assert "WEB_TOKEN" in verdict.reason


def test_with_a_token_configured_localhost_asks_for_it_too() -> None:
    verdict = BoardAccess.for_host("127.0.0.1", TOKEN).check(request(), page=True)
    assert (verdict.allowed, verdict.status) == (False, 401)


def test_the_token_in_the_query_sets_a_cookie_and_leaves_the_address() -> None:
    access = BoardAccess.for_host("0.0.0.0", TOKEN)
    verdict = access.check(request(f"token={TOKEN}&part=main", "/releases/x/1"), page=True)
    assert verdict.status == 303 and verdict.redirect == "/releases/x/1?part=main"
    assert verdict.set_cookie is not None and TOKEN not in verdict.set_cookie
    assert "HttpOnly" in verdict.set_cookie and "SameSite=Strict" in verdict.set_cookie
    assert "Secure" not in verdict.set_cookie
    cookie = verdict.set_cookie.split(";")[0]
    assert access.check(request(cookie=cookie), page=True).allowed


def test_over_https_the_cookie_is_secure() -> None:
    verdict = BoardAccess.for_host("0.0.0.0", TOKEN).check(
        request(f"token={TOKEN}", x_forwarded_proto="https"), page=True)
    assert verdict.set_cookie is not None and verdict.set_cookie.endswith("; Secure")


@pytest.mark.parametrize("forwarded", ["for=203.0.113.9;proto=https",
                                       'for="[2001:db8::1]"; proto="https", for=10.0.0.1'])
def test_behind_tls_at_a_proxy_saying_so_with_forwarded_the_cookie_is_secure(
    forwarded: str,
) -> None:
    verdict = BoardAccess.for_host("0.0.0.0", TOKEN).check(
        request(f"token={TOKEN}", forwarded=forwarded), page=True)
    assert verdict.set_cookie is not None and verdict.set_cookie.endswith("; Secure")


def test_a_feed_takes_the_token_in_the_query_without_a_redirect() -> None:
    verdict = BoardAccess.for_host("0.0.0.0", TOKEN).check(
        request(f"token={TOKEN}", "/calendar.ics"), page=False)
    assert verdict.allowed and verdict.redirect is None


@pytest.mark.parametrize("headers", [
    {"cookie": f"{COOKIE}={TOKEN}"},  # the cookie holds a digest, never the token itself
    {"cookie": f"{COOKIE}=0123abcd"},
    {"cookie": "garbage;;=\x00"},
    {"authorization": "Bearer wrong"},
    {"authorization": f"Basic {TOKEN}"},
])
def test_wrong_credentials_are_refused(headers: dict[str, str]) -> None:
    verdict = BoardAccess.for_host("0.0.0.0", TOKEN).check(request(**headers), page=True)
    assert (verdict.allowed, verdict.status) == (False, 401)


def test_a_wrong_token_in_the_query_is_refused_and_sets_nothing() -> None:
    verdict = BoardAccess.for_host("0.0.0.0", TOKEN).check(request("token=guess"), page=True)
    assert (verdict.allowed, verdict.status, verdict.set_cookie) == (False, 401, None)


def test_a_bearer_token_opens_it_for_scripts() -> None:
    verdict = BoardAccess.for_host("0.0.0.0", TOKEN).check(
        request(authorization=f"Bearer {TOKEN}"), page=True)
    assert verdict.allowed


def test_the_redirect_cannot_carry_a_header_of_the_address() -> None:
    verdict = BoardAccess.for_host("0.0.0.0", TOKEN).check(
        request(f"token={TOKEN}", "/releases/x\r\nSet-Cookie: a=b/1"), page=True)
    assert verdict.redirect == "/releases/x%0D%0ASet-Cookie%3A%20a%3Db/1"
