"""`loopbot sandbox` never crashes on what a newcomer types or points it at: every bad
line, bad option and failing stand-in gets one clear line and the session goes on
(issue 9, "The sandbox never crashes")."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.config.settings import load_settings
from bot.sandbox.chat.local import Chat
from bot.sandbox.chat.session import close_chat, open_chat
from tests.e2e.test_sandbox_chat import ROOT, play, texts


@dataclass
class Session:
    chat: Chat
    stream: io.StringIO

    def say(self, *lines: str) -> list[dict[str, Any]]:
        """What the sandbox printed for these lines, one JSON object per item."""
        start = len(self.stream.getvalue())
        for line in lines:
            self.chat.handle(line)
        printed = self.stream.getvalue()[start:]
        return [json.loads(line) for line in printed.splitlines() if line.strip()]


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    stream = io.StringIO()
    args = argparse.Namespace(dir=str(tmp_path / "state"), repo=None, json=True)
    chat = open_chat(load_settings(ROOT / "app.yaml", environ={}), args, stream)
    try:
        yield Session(chat, stream)
    finally:
        close_chat(chat)


def sandbox_process(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.entrypoints.cli", "sandbox", *options, "--config",
         str(ROOT / "app.yaml")],
        input="/loop help\n", capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_repo_that_does_not_exist_is_refused_in_one_line(tmp_path: Path) -> None:
    done = sandbox_process(tmp_path, "--repo", str(tmp_path / "nonexistent"))
    assert done.returncode == 2
    assert done.stderr.strip() == f"loopbot: --repo {tmp_path / 'nonexistent'}: no such folder"


def test_repo_that_is_no_git_repository_is_refused_in_one_line(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "notes.txt").write_text("not a repository\n")
    done = sandbox_process(tmp_path, "serve", "--repo", str(plain))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"loopbot: --repo {plain}: not a git repository")


def test_dir_that_is_a_file_or_cannot_be_made_is_refused_in_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder\n")
    done = sandbox_process(tmp_path, "--dir", str(a_file))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == f"loopbot: --dir {a_file}: not a folder"
    under_a_file = a_file / "state"
    done = sandbox_process(tmp_path, "serve", "--dir", str(under_a_file))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"loopbot: --dir {under_a_file}: can't make the folder")
    assert a_file.read_text() == "not a folder\n"

def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
           "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout


def test_repo_whose_default_branch_is_main_tags_from_main(tmp_path: Path) -> None:
    source = tmp_path / "service"
    source.mkdir()
    _git(source, "init", "--quiet", "--initial-branch=main")
    (source / "server.js").write_text("// v1\n")
    _git(source, "add", "-A")
    _git(source, "commit", "--quiet", "-m", "First release")
    _git(source, "tag", "-a", "0.4.0", "-m", "0.4.0")
    (source / "server.js").write_text("// v2\n")
    _git(source, "commit", "--quiet", "-am", "Bug 1100001 - Answer faster")
    clone = tmp_path / "clone"  # a clone: its default branch is origin's
    _git(tmp_path, "clone", "--quiet", str(source), str(clone))
    _git(clone, "checkout", "--quiet", "-b", "topic")
    out = play("/loop tag\n!commit Bug 1100002 - Log less\n", tmp_path, "--repo", str(clone))
    preview = texts(out, user="@dev")[0]
    assert "no branch" not in preview
    assert "0.5.0" in preview and "main" in preview
    assert out[1]["sandbox"] == "commit"



def test_repo_environments_run_its_newest_release_so_nothing_old_is_in_flight(
    tmp_path: Path,
) -> None:
    """With --repo the environments run the repository's newest release (as the demo's
    run 0.12.2), not a 0.1.0 the repository never had; the first start's import then
    finds it released, and only what the bot tags afterwards is in flight."""
    source = tmp_path / "service"
    source.mkdir()
    _git(source, "init", "--quiet", "--initial-branch=main")
    (source / "server.js").write_text("// v1\n")
    _git(source, "add", "-A")
    _git(source, "commit", "--quiet", "-m", "First release")
    _git(source, "tag", "-a", "1.0.0", "-m", "1.0.0")
    released = _git(source, "rev-parse", "HEAD").strip()
    (source / "server.js").write_text("// v2\n")
    _git(source, "commit", "--quiet", "-am", "Bug 1100001 - Answer faster")
    out = play("/loop envs\n/loop status\n", tmp_path, "--repo", str(source))
    envs, status = texts(out, user="@dev")[:2]
    assert f"*prod*: 1.0.0 ({released[:7]})" in envs and "0.1.0" not in envs
    assert "1.0.0" not in status

def test_deploy_while_github_fails_is_reported_and_the_session_goes_on(
    session: Session,
) -> None:
    session.chat.sandbox.github.faults.fail_next(500, 5)
    said = session.say("!deploy stage 0.12.2")
    assert said[0]["sandbox"] == "deploy" and "GitHub" in said[0]["error"]
    session.chat.sandbox.github.faults.clear()
    assert session.say("!deploy stage 0.12.2")[0]["version"] == "0.12.2"


def test_deploy_needs_a_version(session: Session) -> None:
    said = session.say("!deploy stage ../../etc")
    assert len(said) == 1 and said[0]["sandbox"] == "deploy"
    assert said[0]["error"].startswith("couldn't read `../../etc` as a version")
    assert said[0]["error"].endswith("usage: !deploy ENV VERSION")
    stage = session.chat.sandbox.environment("loop-server", "stage").url
    assert requests.get(stage, timeout=5).json()["version"] == "0.12.2"


def test_deploy_reads_environments_as_loop_does(session: Session) -> None:
    """`Stage`, `staging`, `Production` read as in `/loop` (forgiving where it is safe);
    an environment the service does not have is named with the ones it has."""
    said = [s for s in session.say("!deploy Stage 0.12.1", "!deploy production 0.12.1")
            if "sandbox" in s]  # the watch's word on each push follows it
    assert [(s["env"], s["version"]) for s in said] == [("stage", "0.12.1"), ("prod", "0.12.1")]
    refused = session.say("!deploy qa 0.12.2")
    assert refused == [{"sandbox": "deploy", "error": "loop-server has no environment 'qa': "
                        "it has dev, stage, prod"}]
    prod = session.chat.sandbox.environment("loop-server", "prod").url
    assert requests.get(prod, timeout=5).json()["version"] == "0.12.1"


def test_a_tab_separates_words_like_a_space(session: Session) -> None:
    said = session.say("/loop\tenvs", "@ops\t/loop envs", "!deploy\tstage\t0.12.1")
    assert [s.get("sandbox") for s in said][:3] == [None, None, "deploy"]
    assert all("environments" in s["text"] for s in said[:2])
    assert said[1]["user"] == "@ops"

@pytest.mark.parametrize("typed", ["@QA", "@Qa", "@qa"])
def test_a_role_name_in_any_case_speaks_as_that_user(session: Session, typed: str) -> None:
    said = session.say(f"{typed} /loop envs")
    assert len(said) == 1 and said[0]["user"] == "@qa"
    assert "environments" in said[0]["text"]
    [unknown] = session.say("@QAA /loop envs")
    assert unknown["sandbox"] == "notice"
    assert unknown["message"].startswith("unknown user @QAA: the sandbox has @dev, @ops, @qa, ")


def test_click_needs_a_label(session: Session) -> None:
    session.say("/loop tag")
    said = session.say("!click")
    assert said == [{"sandbox": "click", "error": "usage: !click LABEL (the start of a "
                     "button's label, like `!click Tag`)"}]
    assert session.chat.app.ctx.service().forge.tag("0.13.0") is None


@pytest.mark.parametrize("typed", ["/LOOP status", "/loo status", "/lop help"])
def test_a_command_other_than_loop_is_explained(session: Session, typed: str) -> None:
    said = session.say(typed)
    assert len(said) == 1
    assert "the only one is `/loop`" in said[0]["message"]
    assert "HTTP" not in said[0]["message"]


def test_home_prints_what_app_home_shows_the_speaker(session: Session) -> None:
    session.say("/loop tag", "!click Tag 0.13.0")
    as_ops = session.say("@ops /loop status", "!home")[-1]
    assert as_ops["sandbox"] == "home" and as_ops["user"] == "@ops"
    assert "0.13.0" in json.dumps(as_ops["blocks"])
    as_qa = session.say("@qa /loop status", "!home")[-1]
    assert as_qa["user"] == "@qa"
    shown = json.dumps(as_qa["blocks"])
    assert "Request stage" in shown or "request" in shown.lower()


def test_home_reads_like_slack_without_json(tmp_path: Path) -> None:
    stream = io.StringIO()
    args = argparse.Namespace(dir=str(tmp_path / "state"), repo=None, json=False)
    chat = open_chat(load_settings(ROOT / "app.yaml", environ={}), args, stream)
    try:
        chat.handle("@ops !home")
    finally:
        close_chat(chat)
    shown = stream.getvalue()
    assert shown.startswith("[App Home of @ops]")
    assert "0.12.2" in shown  # what prod and stage run
