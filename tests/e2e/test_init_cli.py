"""`loopbot init` and a missing configuration, run as subprocesses in an empty folder (as
OPS does after `pip install`, outside the clone)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = (ROOT / "app.yaml").read_text(encoding="utf-8")


def loopbot(*args: str, cwd: Path, config: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LOOPBOT_CONFIG", "DATABASE_URL")}
    if config is not None:
        env["LOOPBOT_CONFIG"] = config
    return subprocess.run([sys.executable, "-m", "bot.entrypoints.cli",
                        *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_the_package_default_is_the_repository_app_yaml_itself() -> None:
    packaged = ROOT / "bot" / "app.yaml"
    assert packaged.is_symlink() and os.readlink(packaged) == "../app.yaml"
    from bot.config.settings import default_config_text

    assert default_config_text() == DEFAULT


def test_init_writes_the_default_which_the_commands_then_read(tmp_path: Path) -> None:
    wrote = loopbot("init", cwd=tmp_path)
    assert wrote.returncode == 0, wrote.stderr
    assert wrote.stdout.startswith("wrote app.yaml: the default configuration, commented")
    assert (tmp_path / "app.yaml").read_text(encoding="utf-8") == DEFAULT
    calendar = loopbot("calendar", "--from", "2026-12-01", "--cycles", "1", cwd=tmp_path)
    assert calendar.returncode == 0, calendar.stderr
    assert "2026-12-08" in calendar.stdout


def test_init_refuses_an_existing_file_unless_forced(tmp_path: Path) -> None:
    mine = tmp_path / "team.yaml"
    mine.write_text("timezone: UTC\n", encoding="utf-8")
    refused = loopbot("init", str(mine), cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr == (f"loopbot: {mine} exists and was left as it is; give --force "
                              "to replace it with the default\n")
    assert mine.read_text(encoding="utf-8") == "timezone: UTC\n"
    forced = loopbot("init", str(mine), "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert mine.read_text(encoding="utf-8") == DEFAULT


def test_init_writes_where_loopbot_config_points(tmp_path: Path) -> None:
    assert loopbot("init", cwd=tmp_path, config="team.yaml").returncode == 0
    assert (tmp_path / "team.yaml").read_text(encoding="utf-8") == DEFAULT
    assert not (tmp_path / "app.yaml").exists()
    missing = loopbot("init", str(tmp_path / "absent" / "app.yaml"), cwd=tmp_path)
    assert missing.returncode == 2
    assert f"{tmp_path / 'absent'}: no such directory" in missing.stderr
    folder = loopbot("init", str(tmp_path), cwd=tmp_path)
    assert folder.returncode == 2
    assert folder.stderr == (f"loopbot: {tmp_path} is a directory; give a file, e.g. "
                             f"{tmp_path / 'app.yaml'}\n")


def test_the_sandbox_needs_no_configuration_and_says_it_uses_the_shipped_one(
    tmp_path: Path,
) -> None:
    """Found using it: `loopbot sandbox serve` in an empty folder refused to start until
    `loopbot init` had run, though every key has a sandbox default."""
    env = {k: v for k, v in os.environ.items() if k not in ("LOOPBOT_CONFIG", "DATABASE_URL")}
    served = subprocess.Popen([sys.executable, "-m", "bot.entrypoints.cli",
                        "sandbox", "serve"], cwd=tmp_path,
                              env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert served.stdout is not None and served.stderr is not None
        where = json.loads(served.stdout.readline())
        assert "loop-server/prod" in where["environments"]
        assert served.stderr.readline() == (
            "loopbot sandbox: no app.yaml here: using the shipped default app.yaml "
            "(`loopbot init` writes it to edit)\n")
    finally:
        served.send_signal(signal.SIGTERM)
        served.wait(timeout=30)
    assert not (tmp_path / "app.yaml").exists()


def test_a_missing_configuration_says_where_it_was_looked_for(tmp_path: Path) -> None:
    default = loopbot("db", "current", cwd=tmp_path)
    assert default.returncode == 2
    assert default.stderr == (
        f"loopbot: app.yaml: no such configuration file (looked at {tmp_path / 'app.yaml'}, "
        "the default app.yaml; $LOOPBOT_CONFIG is not set); `loopbot init` writes the "
        "commented default there to edit\n")
    from_env = loopbot("db", "current", cwd=tmp_path, config="team.yaml")
    assert from_env.returncode == 2
    assert (f"(looked at {tmp_path / 'team.yaml'}, $LOOPBOT_CONFIG=team.yaml)"
            in from_env.stderr)
    given = loopbot("run", "--config", "other.yaml", cwd=tmp_path, config="team.yaml")
    assert given.returncode == 2
    assert (f"(looked at {tmp_path / 'other.yaml'}, from --config); `loopbot init "
            "other.yaml` writes" in given.stderr)
