"""`loopbot sandbox chat --url URL --sandbox FILE` as OPS uses it: `loopbot sandbox serve`
(a process) plays the partners, `loopbot run` (another process) is configured against
them, and the chat (a third process) sends signed requests to the bot and prints what it
posts, ephemeral answers included, read back from the Slack stand-in over HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from bot.sandbox.served import config_for, first_json_line, secrets_of
from bot.sandbox.served import loopbot as process
from tests.fixtures.processes import ROOT

SCRIPT = """\
/loop help verify
@ops /loop change "raise the room pool to 400"   # a service change, OPS-driven
@ops /loop request stage change-1
!click Mark deployed
!deploy stage 0.12.2
!commit not here
@nobody /loop help
/loop tag
!click Tag            # GitHub paces the bot's writes 1 s apart: the step takes seconds
@qa /loop status 0.13.0
"""


def test_the_chat_talks_to_loopbot_run_and_prints_what_it_posts(
    sandbox_where: dict[str, Any], tmp_path: Path,
) -> None:
    where = sandbox_where
    served = tmp_path / "sandbox.json"
    served.write_text(json.dumps(where) + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), **secrets_of(where, tmp_path / "bot.db"),
           "LOG_FORMAT": "text"}
    config = config_for(where, tmp_path / "app.yaml")
    subprocess.run([sys.executable, "-m", "bot.entrypoints.cli",
                        "db", "upgrade", "--config", str(config)],
                   cwd=tmp_path, env=env, check=True, timeout=120, capture_output=True)
    with process(["run", "--config", str(config), "--port", "0"], tmp_path, env) as bot:
        url = first_json_line(bot)["slack"]
        chat = subprocess.run(
            [sys.executable, "-m", "bot.entrypoints.cli",
                        "sandbox", "chat", "--url", url,
             "--sandbox", str(served)],
            input=SCRIPT, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
        wrong = tmp_path / "other-secret.json"
        wrong.write_text(json.dumps({**where, "slack": {**where["slack"],
                                                        "signing_secret": "not-the-bots"}}))
        pointed_wrong = [subprocess.Popen(  # both at once
            [sys.executable, "-m", "bot.entrypoints.cli", "sandbox", "chat", "--url", address,
             "--sandbox", str(file)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=tmp_path, env=env, text=True)
            for address, file in ((url, wrong), (url[:-len("/events")], served))]
        misled = [chat_process.communicate("/loop envs\n", timeout=60)[0]
                  for chat_process in pointed_wrong]
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=30)
    said = chat.stdout
    assert chat.returncode == 0, chat.stderr
    assert "[only @dev] loopbot: " in said and "/loop verify stage|prod VERSION" in said
    assert "raise the room pool to 400" in said
    assert "stage ticket filed" in said  # the channel message of `request stage`
    assert "pressed by" in said or "deployed on stage" in said  # the button was pressed
    assert "(OPS pushed 0.12.2 to stage)" in said
    assert "!commit needs the bot in this process" in said
    assert "unknown user @nobody" in said
    # a chat pointed wrong says what to check, in one line
    assert misled[0].splitlines()[1:] == [
        "the bot answered HTTP 401: it refused the signature; start `loopbot run` with the "
        "SLACK_SIGNING_SECRET of the --sandbox file"]
    assert misled[1].splitlines()[1:] == [
        "the bot answered HTTP 405: is --url the bot's Slack request URL, ending in "
        "/slack/events?"]
    # played from a file, the transcript shows each line read, as `loopbot sandbox` does
    assert "> @ops /loop request stage change-1\n" in said
    assert "[#loop] loopbot: " in said and "[#C0" not in said  # the channel's name, not its id
    # a slow step is printed whole under its line before the next line is sent
    tagged = said.index("*loop-server 0.13.0* tagged by @dev")
    assert said.index("> !click Tag") < tagged < said.index("> @qa /loop status 0.13.0")
    assert "*loop-server 0.13.0*: tagged" in said[tagged:]
    stage = next(url for name, url in where["environments"].items() if name.endswith("/stage"))
    deployed = requests.get(stage, timeout=5).json()
    assert deployed["version"] == "0.12.2"
    # the real commit of 0.12.2, as the local sandbox deploys it (not 0000000)
    repo = where["github"]["repos"]["loop-server"]
    tagged = requests.get(f"{where['github']['url']}/repos/{repo}/commits/0.12.2", timeout=5,
                          headers={"Authorization": f"token {where['github']['token']}"})
    assert deployed["rev"] == tagged.json()["sha"] != "0" * 40


def test_a_sandbox_file_that_is_not_the_served_json_is_refused_in_one_line(
    tmp_path: Path,
) -> None:
    wrong = tmp_path / "sandbox.json"
    wrong.write_text("not json\n", encoding="utf-8")
    for path in (wrong, tmp_path / "missing.json"):
        done = subprocess.run(
            [sys.executable, "-m", "bot.entrypoints.cli",
                        "sandbox", "chat", "--url",
             "http://127.0.0.1:9/slack/events", "--sandbox", str(path)],
            input="", cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True, text=True, timeout=60)
        assert done.returncode == 2
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert done.stderr.startswith(f"loopbot: {path}: ")
