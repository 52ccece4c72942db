"""What the Dockerfile promises that can be checked without Docker: the image installs the
exact versions of requirements.lock, and those are enough for loopbot to run; its user,
command, health check and version.json are what README.md says."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
WHEELHOUSE = Path.home() / ".cache" / "loopbot-lock-wheels"  # kept between runs
BUILD_TOOLS = ["setuptools==80.9.0", "wheel==0.45.1"]  # to build loopbot itself, offline


def instruction(name: str) -> list[str]:
    """Every `NAME ...` line of the Dockerfile (continuations joined)."""
    joined = DOCKERFILE.replace("\\\n", " ")
    return [line.split(None, 1)[1].strip() for line in joined.splitlines()
            if line.split(None, 1)[:1] == [name]]


def locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"requirements.lock: {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_the_image_runs_loopbot_run_as_the_user_the_readme_names() -> None:
    command = json.loads(instruction("CMD")[-1])
    assert command == ["loopbot", "run", "--host", "0.0.0.0"]
    assert f"`{' '.join(command)}`" in README
    user = instruction("USER")[-1]
    assert user == "app" and "non-root user `app`" in README
    assert re.search(r"useradd --system --uid 10001 --gid app .* app$",
                     next(line for line in instruction("RUN") if "useradd" in line))


def test_the_image_is_slim_checks_lbheartbeat_and_writes_version_json() -> None:
    assert re.fullmatch(r"python:3\.\d+-slim", instruction("FROM")[0])
    assert "/__lbheartbeat__" in instruction("HEALTHCHECK")[0]
    args = {arg.split("=")[0] for arg in instruction("ARG")}
    assert {"SOURCE", "VERSION", "COMMIT", "BUILD"} <= args
    writes = next(line for line in instruction("RUN") if "version.json" in line)
    assert all(f'"${arg}"' in writes for arg in ("SOURCE", "VERSION", "COMMIT", "BUILD"))
    installs = [line for line in instruction("RUN") if "pip install" in line]
    assert installs[0] == "pip install --no-deps -r requirements.lock"
    assert all("--no-deps" in line for line in installs)  # nothing resolved past the lock


def test_the_lock_pins_every_dependency_within_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = locked()
    for spec in project["project"]["dependencies"]:
        wanted = Requirement(spec)
        name = canonicalize_name(wanted.name)
        assert name in pins, f"{wanted.name} is not in requirements.lock"
        assert wanted.specifier.contains(pins[name]), f"{wanted.name}=={pins[name]} vs {spec}"


def has_wheels(pins: dict[str, str]) -> bool:
    """Whether WHEELHOUSE holds a wheel of every pinned version."""
    found = set()
    for wheel in WHEELHOUSE.glob("*.whl"):
        name, version = wheel.name.split("-")[:2]
        found.add((canonicalize_name(name), version))
    return all((canonicalize_name(n), v) in found for n, v in pins.items())


@pytest.mark.slow
def test_the_lock_installs_into_a_fresh_venv_and_loopbot_runs(tmp_path: Path) -> None:
    """The first run on a machine downloads the locked wheels (about a minute); later runs
    install them from ~/.cache/loopbot-lock-wheels without the network."""
    lock = ROOT / "requirements.lock"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    if not has_wheels({**locked(), **dict(t.split("==") for t in BUILD_TOOLS)}):
        for wanted in (["-r", str(lock)], BUILD_TOOLS):  # sdists (python-bugzilla) built too
            subprocess.run([*pip, "wheel", "--no-deps", "-w", str(WHEELHOUSE), *wanted],
                           check=True, timeout=300, capture_output=True)
    venv = tmp_path / "venv"  # no pip of its own: this pip installs into it (--python)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=60)
    python = venv / "bin" / "python"
    into_venv = [*pip, "--python", str(python)]
    offline = [*into_venv, "install", "--no-compile", "--no-index", "--find-links",
               str(WHEELHOUSE), "--no-deps"]
    subprocess.run([*offline, "-r", str(lock)], check=True, timeout=120, capture_output=True)
    source = tmp_path / "loopbot"  # a copy, so no build files land in the worktree
    for part in ("bot", "handlers"):
        shutil.copytree(ROOT / part, source / part,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / part, source / part)
    subprocess.run([*offline, *BUILD_TOOLS], check=True, timeout=120, capture_output=True)
    subprocess.run([*offline, "--no-build-isolation", str(source)], check=True, timeout=120,
                   capture_output=True)
    checked = subprocess.run([*into_venv, "check"], capture_output=True, text=True,
                             timeout=60)
    assert checked.returncode == 0, checked.stdout
    ran = subprocess.run([str(venv / "bin" / "loopbot"), "--version"], capture_output=True,
                         text=True, timeout=60, cwd=tmp_path, env={
                             k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert ran.returncode == 0, ran.stderr
    assert re.fullmatch(r"loopbot \d+\.\d+\.\d+\s*", ran.stdout), ran.stdout
