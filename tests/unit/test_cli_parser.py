"""The `loopbot` argument parser keeps an option wherever a newcomer puts it (issue 9:
`loopbot sandbox --config team.yaml serve` read ./app.yaml instead)."""

from __future__ import annotations

from bot.entrypoints.cli import build_parser


def test_sandbox_options_before_serve_are_kept() -> None:
    args = build_parser().parse_args(["sandbox", "--config", "team.yaml", "--dir", "state",
                                      "--repo", "../loop-server", "serve"])
    assert (args.config, args.dir, args.repo) == ("team.yaml", "state", "../loop-server")
    assert args.sandbox_command == "serve"


def test_sandbox_options_after_serve_and_defaults() -> None:
    after = build_parser().parse_args(["sandbox", "serve", "--config", "team.yaml"])
    assert (after.config, after.dir, after.repo) == ("team.yaml", None, None)
    chat = build_parser().parse_args(["sandbox"])
    assert (chat.config, chat.dir, chat.repo, chat.json) == (None, None, None, False)
