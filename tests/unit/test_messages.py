"""Message rendering: user text can't inject, and every message stays within Block Kit's
limits (checked by the Slack stand-in's own validator)."""

from __future__ import annotations

from bot.config.settings import load_settings
from bot.domain.actions import Action, Actor, Role
from bot.domain.errors import Refusal
from bot.domain.pipeline import DEFAULT
from bot.domain.release import Release, State
from bot.messages.blocks import Rendered, decode_value, escape, lines_section, role_mentions
from bot.messages.release import step_confirmation
from bot.messages.reply import help_text, partner_failure, refusal
from bot.sandbox.slack.blocks import block_errors
from bot.usecases.ports import PartnerError
from handlers.grammar.parser import help_lines
from tests.fixtures.standins import REPO_ROOT

LEAD = Actor("U0LEAD001", frozenset({Role.EMERGENCY}), "lead")


def test_escape_neutralises_broadcasts_links_and_mentions() -> None:
    text = escape("<!channel> & <http://evil.example|click> <@U0QA00001>")
    assert "<" not in text and ">" not in text and "&amp;" in text
    assert escape("<@U0QA00001> <@U0EVIL> & <!here>", keep=("U0QA00001",)) == \
        "<@U0QA00001> &lt;@U0EVIL&gt; &amp; &lt;!here&gt;"


def test_refusal_keeps_the_viewers_mention_only() -> None:
    rendered = refusal(Refusal("<!channel> needs QA; <@U0OPS0001> has OPS; <@U0EVIL>",
                               hint="ask QA"), "U0OPS0001")
    for shown in (str(rendered.blocks), rendered.text):
        assert "<@U0OPS0001>" in shown and "<!channel>" not in shown
        assert "<@U0EVIL>" not in shown


def test_a_huge_reason_stays_within_block_kit_limits() -> None:
    release = Release("loop-server", "0.13.1", State.STAGE_DEPLOYED)
    reason = "prod is down <!channel> " * 400
    rendered = step_confirmation(release, Action.GREENLIGHT, reason, "offer-1", pipeline=DEFAULT)
    assert block_errors(rendered.blocks) == []
    value = decode_value(rendered.blocks[1]["elements"][0]["value"])
    assert value["a"] == "greenlight" and len(rendered.blocks[1]["elements"][0]["value"]) <= 2000


def test_long_lists_say_how_many_were_left_out() -> None:
    block = lines_section("*Commits*", [f"• `abcdef{i}` Bug 10{i:05d} — fix" for i in range(900)])
    assert block_errors([block]) == []
    assert "more" in block["text"]["text"].splitlines()[-1]


def test_help_and_partner_failure_render_valid_blocks() -> None:
    assert block_errors(help_text(help_lines(DEFAULT)).blocks) == []
    failed = partner_failure(PartnerError("Bugzilla", "could not file: HTTP 503"), changed=False)
    assert failed.text.startswith("Bugzilla is failing") and "nothing was changed" in failed.text


def test_fallback_text_is_clipped() -> None:
    assert len(Rendered("x" * 50000).as_kwargs()["text"]) == 3000


def test_roles_become_user_and_group_mentions_each_once() -> None:
    roles = {"DEV": ("U0DEV0001", "S0DEVS0001"), "OPS": ("U0OPS0001",),
             "QA": ("U0QA00001",), "emergency": ("U0LEAD001", "U0OPS0001")}
    settings = load_settings(REPO_ROOT / "app.yaml", environ={}, overrides={"roles": roles})
    assert role_mentions(settings, "DEV") == "<@U0DEV0001> <!subteam^S0DEVS0001>"
    assert role_mentions(settings, "OPS", "emergency") == "<@U0OPS0001> <@U0LEAD001>"
    assert role_mentions(settings) == ""
