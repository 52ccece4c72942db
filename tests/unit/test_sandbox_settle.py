"""When `loopbot sandbox chat --url` takes a remote bot to be done with a line
(bot/sandbox/chat/settle.py), played on a clock of the test's own: soon after its answer,
never inside PyGithub's pacing after a write to GitHub, never while a step says
"working…", and only after the long quiet when it posted nothing."""

from __future__ import annotations

from collections.abc import Callable

from bot.sandbox.chat.settle import (
    AFTER_GITHUB_WRITE,
    POLL_SECONDS,
    QUIET_SECONDS,
    SETTLE_SECONDS,
    Seen,
    wait_for_the_bot,
)
from bot.sandbox.slack.records import Posted

GITHUB = "http://127.0.0.1:1"


def seen(*texts: str, github: tuple[int, int] = (0, 0), busy: int = 0) -> Seen:
    posted = tuple(Posted("message", "C0LOOP0001", f"1.{n:06d}", text, [], "chat.postMessage")
                   for n, text in enumerate(texts))
    return Seen.of(posted, ((GITHUB, *github, busy),), GITHUB)


def waited(script: Callable[[float], Seen], before: Seen) -> float:
    """How long (on the test's clock) the chat waits when the bot shows `script(t)`."""
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    wait_for_the_bot(lambda: script(now[0]), before, clock=lambda: now[0], sleep=sleep)
    return now[0]


def test_an_answer_then_quiet_is_done_after_the_short_settle() -> None:
    took = waited(lambda t: seen("help") if t >= 0.2 else seen(), seen())
    assert 0.2 + SETTLE_SECONDS <= took < 0.2 + SETTLE_SECONDS + 2 * POLL_SECONDS


def test_nothing_posted_waits_for_the_long_quiet() -> None:
    took = waited(lambda t: seen(), seen())
    assert QUIET_SECONDS <= took < QUIET_SECONDS + 2 * POLL_SECONDS


def test_a_write_to_github_holds_the_line_through_the_pacing() -> None:
    """An answer came (a button's confirmation), then a write to GitHub: the next write
    may come 1 s later, so the line is not done before AFTER_GITHUB_WRITE."""
    def bot(t: float) -> Seen:
        if t < 0.1:
            return seen()
        return seen("confirmed", github=(3, 1) if t >= 0.3 else (2, 0))

    took = waited(bot, seen())
    assert took >= 0.3 + AFTER_GITHUB_WRITE


def test_a_step_that_says_working_is_waited_for() -> None:
    def bot(t: float) -> Seen:
        return seen("tag loop-server 0.13.0: working…") if t < 5 else seen("tagged")

    took = waited(bot, seen())
    assert 5 + SETTLE_SECONDS <= took < 5 + SETTLE_SECONDS + 2 * POLL_SECONDS


def test_a_stand_in_still_answering_is_the_bot_at_work() -> None:
    took = waited(lambda t: seen("answer", busy=int(t < 3)), seen())
    assert took >= 3 + SETTLE_SECONDS
