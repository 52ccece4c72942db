"""A stage rejection tells the channel why, as typed (escaped, on one line): the team
reads the reason where it reads the rejection, not only in `/loop history`."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_sandbox_chat import play, texts

SCRIPT = """\
!clock 2026-12-08 10:05
/loop tag
!click Tag 0.13.0
@qa /loop request stage 0.13.0
!deploy stage 0.13.0
@ops /loop deployed stage 0.13.0
@qa /loop reject stage 0.13.0 renaming a room answers 500 <!channel> 🚀
"""


def test_the_channel_message_of_a_rejection_gives_its_reason(tmp_path: Path) -> None:
    out = play(SCRIPT, tmp_path, "--start", "2026-12-01 10:00")
    rejected = [t for t in texts(out, channel="C0LOOP0001") if "rejected on stage" in t]
    assert rejected, texts(out)
    said = rejected[-1]
    assert "renaming a room answers 500" in said and "🚀" in said
    assert "<!channel>" not in said  # user text is escaped: no mention of everyone
