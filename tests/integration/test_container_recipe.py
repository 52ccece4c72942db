"""What the Dockerfile promises that can be checked without Docker: the image installs the
exact versions of the hash-checked locks and loopbot's wheel alone, and those are enough
for loopbot to run; the base is pinned by digest; the build context is what COPY needs;
its user, command, health check and version.json are what README.md says."""

from __future__ import annotations

import hashlib
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
DISTS = Path.home() / ".cache" / "loopbot-lock-dists"  # kept between runs
LOCKS = ("requirements-build.lock", "requirements.lock")


def instruction(name: str) -> list[str]:
    """Every `NAME ...` line of the Dockerfile (continuations joined)."""
    joined = DOCKERFILE.replace("\\\n", " ")
    return [line.split(None, 1)[1].strip() for line in joined.splitlines()
            if line.split(None, 1)[:1] == [name]]


def pinned_lines(lock: Path) -> list[str]:
    """Each requirement of a lock file, its hashes (continuation lines) joined to it."""
    text = lock.read_text(encoding="utf-8").replace("\\\n", " ")
    return [line for line in text.splitlines() if line.strip() and not line.lstrip()
            .startswith("#")]


def locked(lock: str = "requirements.lock") -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in pinned_lines(ROOT / lock):
        name, _, version = line.split()[0].partition("==")
        assert version, f"{lock}: {line!r} is not pinned with =="
        pins[canonicalize_name(name)] = version
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
    base = next(arg for arg in instruction("ARG") if arg.startswith("PYTHON_IMAGE="))
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.\d+-slim@sha256:[0-9a-f]{64}", base)
    assert "/__lbheartbeat__" in instruction("HEALTHCHECK")[0]
    args = {arg.split("=")[0] for arg in instruction("ARG")}
    assert {"SOURCE", "VERSION", "COMMIT", "BUILD"} <= args
    writes = next(line for line in instruction("RUN") if "version.json" in line)
    assert all(f'"${arg}"' in writes for arg in ("SOURCE", "VERSION", "COMMIT", "BUILD"))


def stages() -> list[list[str]]:
    """The Dockerfile's instructions, one list per stage (`FROM ...` first)."""
    joined = DOCKERFILE.replace("\\\n", " ")
    found: list[list[str]] = []
    for line in joined.splitlines():
        if line.startswith("FROM "):
            found.append([])
        if found and line.strip() and not line.startswith("#"):
            found[-1].append(line.strip())
    return found


def test_two_stages_on_the_pinned_base_the_image_gets_the_wheel_alone() -> None:
    build, image = stages()
    assert build[0] == "FROM ${PYTHON_IMAGE} AS build" and image[0] == "FROM ${PYTHON_IMAGE}"
    # the source goes to the build stage only; the image copies the wheel it made
    assert any(line == "COPY bot ./bot" for line in build)
    assert not any(line.startswith("COPY") and "bot" in line.split() for line in image)
    assert "RUN pip wheel --no-deps --no-build-isolation --no-index -w /dist ." in build
    assert "COPY --from=build /dist /tmp/dist" in image
    wheel = next(line for line in image if "/tmp/dist/loopbot-" in line)
    assert wheel.startswith("RUN pip install --no-deps --no-index /tmp/dist/loopbot-*.whl")
    # the configuration is the wheel's default, written by `loopbot init`, not a copied file
    assert "RUN loopbot init /app/app.yaml" in image
    assert "docker run --rm\nloopbot cat /app/app.yaml > app.yaml" in README


def test_every_install_from_the_network_checks_the_locks_hashes() -> None:
    installs = [part.strip() for line in instruction("RUN") for part in line.split("&&")
                if "pip install" in part]
    from_locks = [line for line in installs if " -r " in line]
    assert {line.split()[-1].rsplit("/", 1)[-1] for line in from_locks} == {
        "requirements.lock", "requirements-build.lock"}
    for line in installs:  # nothing resolved past the locks, nothing unhashed fetched
        assert "--no-deps" in line
        assert "--require-hashes" in line or "--no-index" in line, line
    # python-bugzilla is a source archive: built with the locked setuptools, not a fetched one
    assert all("--no-build-isolation" in line for line in from_locks
               if line.endswith("/requirements.lock"))
    for name in ("requirements.lock", "requirements-build.lock", "requirements-test.lock"):
        for pin in pinned_lines(ROOT / name):
            assert "--hash=sha256:" in pin, f"{name}: {pin.split()[0]} has no hash"


def test_the_build_context_is_what_the_dockerfile_copies() -> None:
    """.dockerignore lets through only the files COPY names (read with the Docker SDK's own
    reading of it), so no .venv, .git, database or env file reaches the builder."""
    from docker.utils.build import exclude_paths

    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [line for line in ignore if line.strip() and not line.startswith("#")]
    context = exclude_paths(str(ROOT), patterns)
    copied = {source for line in instruction("COPY") if not line.startswith("--from")
              for source in line.split()[:-1]}
    assert copied <= {path.split("/")[0] for path in context}
    assert {"bot/app.yaml", "bot/entrypoints/cli.py", "handlers/grammar/help.py"} <= context
    assert not [p for p in context if p.split("/")[0] in {".venv", ".git", "tests", ".pgdata",
                                                         ".sandbox"} or p.endswith(".db")]
    size = sum((ROOT / p).stat().st_size for p in context if (ROOT / p).is_file())
    assert size < 5_000_000, f"the build context holds {size} bytes"


def test_the_lock_pins_every_dependency_within_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = locked()
    for spec in project["project"]["dependencies"]:
        wanted = Requirement(spec)
        name = canonicalize_name(wanted.name)
        assert name in pins, f"{wanted.name} is not in requirements.lock"
        assert wanted.specifier.contains(pins[name]), f"{wanted.name}=={pins[name]} vs {spec}"


def test_the_test_lock_pins_the_test_tools_and_the_runtime_as_the_lock_does() -> None:
    """`make test` installs requirements-test.lock: mypy and the rest at the versions CI
    ran, and the runtime at requirements.lock's versions."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = locked("requirements-test.lock")
    for spec in project["project"]["optional-dependencies"]["test"]:
        wanted = Requirement(spec)
        name = canonicalize_name(wanted.name)
        assert name in pins, f"{wanted.name} is not in requirements-test.lock"
        assert wanted.specifier.contains(pins[name]), f"{wanted.name}=={pins[name]} vs {spec}"
    runtime = locked()
    assert {name: pins.get(name) for name in runtime} == runtime
    assert "-r requirements-test.lock" in (ROOT / "Makefile").read_text(encoding="utf-8")


def fill_cache(pip: list[str]) -> Path:
    """The locks' archives as PyPI serves them (python-bugzilla is a source archive), so
    their hashes are the locks' own; kept between runs, one folder per version of the locks."""
    locks = b"".join((ROOT / name).read_bytes() for name in LOCKS)
    cache = DISTS / hashlib.sha256(locks).hexdigest()[:16]
    if not (cache / "complete").exists():
        for name in LOCKS:
            subprocess.run([*pip, "download", "--no-deps", "--require-hashes", "-d", str(cache),
                            "-r", str(ROOT / name)], check=True, timeout=300,
                           capture_output=True)
        (cache / "complete").touch()
    return cache


@pytest.mark.slow
def test_the_locks_install_with_hashes_and_the_wheel_alone_runs(tmp_path: Path) -> None:
    """The image's recipe without Docker: into a fresh venv, each lock with
    --require-hashes, then loopbot's wheel built from a copy of the source and installed
    alone; its `loopbot init` writes the packaged default. The first run on a machine
    downloads the archives (about a minute); later runs install without the network."""
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    cache = fill_cache(pip)
    venv = tmp_path / "venv"  # no pip of its own: this pip installs into it (--python)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=60)
    into_venv = [*pip, "--python", str(venv / "bin" / "python")]
    offline = [*into_venv, "install", "--no-compile", "--no-index", "--find-links",
               str(cache), "--no-deps"]
    for name, isolation in (("requirements-build.lock", []),
                            ("requirements.lock", ["--no-build-isolation"])):
        installed = subprocess.run([*offline, "--require-hashes", *isolation, "-r",
                                    str(ROOT / name)], timeout=300, capture_output=True,
                                   text=True)
        assert installed.returncode == 0, installed.stderr
    source = tmp_path / "loopbot"  # a copy, as the build stage has (bot/app.yaml a link)
    for part in ("bot", "handlers"):
        shutil.copytree(ROOT / part, source / part, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("pyproject.toml", "README.md", "app.yaml"):
        shutil.copy(ROOT / part, source / part)
    subprocess.run([*into_venv, "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "-w", str(tmp_path / "dist"), str(source)], check=True, timeout=120,
                   capture_output=True)
    shutil.rmtree(source)  # the wheel alone from here on
    wheel = next((tmp_path / "dist").glob("loopbot-*.whl"))
    subprocess.run([*offline, str(wheel)], check=True, timeout=120, capture_output=True)
    checked = subprocess.run([*into_venv, "check"], capture_output=True, text=True,
                             timeout=60)
    assert checked.returncode == 0, checked.stdout
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LOOPBOT_CONFIG")}
    ran = subprocess.run([str(venv / "bin" / "loopbot"), "--version"], capture_output=True,
                         text=True, timeout=60, cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stderr
    assert re.fullmatch(r"loopbot \d+\.\d+\.\d+\s*", ran.stdout), ran.stdout
    init = subprocess.run([str(venv / "bin" / "loopbot"), "init"], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path, env=env)
    assert init.returncode == 0, init.stderr
    assert (tmp_path / "app.yaml").read_bytes() == (ROOT / "app.yaml").read_bytes()
