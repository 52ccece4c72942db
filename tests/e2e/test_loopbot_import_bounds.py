"""Issue 17: `loopbot import` on a repository with hundreds of extra tags and an absurd
one, against the sandbox's stand-ins: the absurd version (tag and ticket) is left out
with the reason, the others are recorded, and the long import says how far it is."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.config.settings import Settings
from bot.sandbox.world import Sandbox
from bot.store import Store
from tests.e2e.test_loopbot_import import loopbot
from tests.fixtures.store import migrated_sqlite_url

ABSURD = "99999999999999999999999.0.0"
EXTRA = 520  # more than the 500 releases after which progress is printed


def test_an_absurd_version_is_left_out_and_a_long_import_prints_progress(
    settings: Settings, tmp_path: Path
) -> None:
    database = migrated_sqlite_url(tmp_path / "loopbot.db")
    with Sandbox.start(settings, state_dir=tmp_path / "sandbox") as sandbox:
        config = tmp_path / "app.yaml"
        pointed = sandbox.settings(settings).model_dump(mode="json", exclude={"secrets"})
        config.write_text(yaml.safe_dump(pointed, sort_keys=False), encoding="utf-8")
        owner, name = settings.service().repo.split("/")
        git = sandbox.github.git(owner, name)
        head = git.git("rev-parse", "refs/tags/0.11.0").strip()
        refs = [f"create refs/tags/0.0.{n} {head}" for n in range(EXTRA)]
        git.git("update-ref", "--stdin", input="\n".join([*refs, f"create refs/tags/{ABSURD} "
                                                          f"{head}"]) + "\n")
        sandbox.bugzilla.add_bug(f"Loop — Please deploy loop-server {ABSURD} to Stage", "NEW")
        done = loopbot(config, database, "--service", "loop-server")
    assert done.returncode == 0, done.stderr
    assert f"  left out, naming no version `/loop tag` accepts: {ABSURD}" in done.stdout
    progress = done.stderr.splitlines()
    total = EXTRA + 5  # the demo's five releases
    assert progress == [f"loop-server: looked at 500 of {total} releases",
                        f"loop-server: looked at {total} of {total} releases",
                        f"loop-server: recorded 500 of {total} releases",
                        f"loop-server: recorded {total} of {total} releases"]
    store = Store(database)
    try:
        with store.unit_of_work() as uow:
            versions = {r.version for r in uow.releases.find("loop-server")}
    finally:
        store.dispose()
    assert len(versions) == total and ABSURD not in versions and "0.0.519" in versions
