"""Issue 17: `loopbot import` on a repository with many build tags newer than what prod
runs: they are not recorded as superseded releases; the import says which it left out,
in one line however many they are."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.config.settings import Settings
from bot.sandbox.world import Sandbox
from tests.e2e.test_loopbot_import import loopbot
from tests.fixtures.store import migrated_sqlite_url

BUILDS = 600


def test_build_tags_are_left_out_in_one_line(settings: Settings, tmp_path: Path) -> None:
    database = migrated_sqlite_url(tmp_path / "loopbot.db")
    with Sandbox.start(settings, state_dir=tmp_path / "sandbox") as sandbox:
        config = tmp_path / "app.yaml"
        pointed = sandbox.settings(settings).model_dump(mode="json", exclude={"secrets"})
        config.write_text(yaml.safe_dump(pointed, sort_keys=False), encoding="utf-8")
        owner, name = settings.service().repo.split("/")
        git = sandbox.github.git(owner, name)
        head = git.git("rev-parse", "refs/heads/master").strip()
        git.git("update-ref", "--stdin", input="".join(
            f"create refs/tags/1.{n}.0 {head}\n" for n in range(BUILDS)))
        done = loopbot(config, database, "--service", "loop-server")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == [
        f"  imported 1.{BUILDS - 1}.0 (tagged)",
        "  left out, never ticketed, deployed or released (a newer tag replaced each): "
        f"1.0.0 to 1.{BUILDS - 2}.0 ({BUILDS - 1} tags)"]
    assert done.stderr == ""  # 6 releases: no progress lines
