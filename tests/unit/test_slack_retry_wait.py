"""How long the bot waits before retrying Slack's 429 (bot/partners/slack.py): what
Retry-After says, plus at most a tenth of it. slack_sdk's own handler added up to a whole
second to every wait, `Retry-After: 0` included."""

from __future__ import annotations

import pytest

from bot.partners.slack import retry_wait


@pytest.mark.parametrize("jitter", [0.0, 0.5, 1.0])
def test_retry_after_zero_means_retry_at_once(jitter: float) -> None:
    assert retry_wait({"Retry-After": ["0"]}, jitter) == 0


def test_the_wait_is_retry_after_plus_at_most_a_tenth() -> None:
    assert retry_wait({"retry-after": ["2"]}, 0.0) == 2
    assert retry_wait({"retry-after": ["2"]}, 1.0) == pytest.approx(2.2)
    assert 30 <= retry_wait({"Retry-After": "30"}) <= 33  # one value, not a list


def test_without_retry_after_the_wait_is_one_second() -> None:
    assert retry_wait({"Content-Type": ["application/json"]}, 0.0) == 1
