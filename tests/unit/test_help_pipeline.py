"""`/loop help` in the words of the caller's service's pipeline (issue 19): the usage
names the environments that take each step, and who may take it is said per
environment when they differ."""

from __future__ import annotations

from pathlib import Path

from bot.config.settings import load_settings
from bot.domain.pipeline import DEFAULT
from handlers.grammar import help
from handlers.grammar.parser import SUBCOMMANDS

ROOT = Path(__file__).resolve().parents[2]


def test_help_on_verify_says_who_verifies_each_environment(tmp_path: Path) -> None:
    text = (ROOT / "examples" / "real-stage.yaml").read_text()
    config = tmp_path / "dev-verifies.yaml"
    config.write_text(text.replace("        deploys: OPS\n        verifies: QA\n",
                                   "        deploys: OPS\n        verifies: DEV\n", 1))
    service = load_settings(config, environ={}).service("loop-server")
    topic = help.topic(SUBCOMMANDS["verify"], service)
    assert topic.usage == "/loop verify stage|real-stage|prod VERSION"
    assert topic.who == "stage: QA; real-stage: DEV; prod: QA"
    listed = dict(help.lines(service.pipeline))
    assert listed["/loop verify stage|real-stage|prod VERSION"].startswith(
        "stage: QA; real-stage: DEV; prod: QA: ")
    assert help.who(SUBCOMMANDS["verify"], DEFAULT) == "QA"  # dev -> stage -> prod's
