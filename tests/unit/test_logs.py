"""bot/logs.py: LOG_FORMAT and LOG_LEVEL choose the output; what a step's log line carries."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator

import pytest

from bot.config.settings import ConfigError
from bot.domain.audit import AuditEntry
from bot.logs import bind_log_context, log_context, setup_logging
from bot.store.step_log import log_step


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(False)


def lines(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


def test_json_lines_are_mozlog_with_the_request_context(restore_root: None) -> None:
    out = io.StringIO()
    setup_logging({"LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}, stream=out)
    with log_context(rid="1734019.5f3a9c", uid="U0QA00001"):
        logging.getLogger("loopbot.slack").warning("partner failure during %r", "/loop envs")
    logging.getLogger("loopbot.slack").info("outside any request")
    logging.getLogger("loopbot.slack").debug("not at INFO")
    inside, outside = (json.loads(line) for line in lines(out))
    assert inside["Type"] == "loopbot.slack" and inside["Logger"] == "loopbot"
    assert inside["Severity"] == 4  # syslog's warning
    fields = inside["Fields"]
    assert fields["msg"] == "partner failure during '/loop envs'"
    assert (fields["rid"], fields["uid"]) == ("1734019.5f3a9c", "U0QA00001")
    assert fields["loopbot_version"]
    assert "rid" not in outside["Fields"] and "uid" not in outside["Fields"]


def test_a_step_line_names_request_user_service_and_version(restore_root: None) -> None:
    out = io.StringIO()
    setup_logging({"LOG_FORMAT": "json"}, stream=out)
    log_step(AuditEntry(actor="U0DEV0001", action="tag", service="loop-server",
                        version="0.14.0", from_state=None, to_state="tagged",
                        request_id="1734020.77b1e0"))
    record = json.loads(lines(out)[0])
    assert record["Type"] == "loopbot.steps" and record["Severity"] == 6
    fields = record["Fields"]
    assert {k: fields[k] for k in ("rid", "uid", "service", "version", "action")} == {
        "rid": "1734020.77b1e0", "uid": "U0DEV0001", "service": "loop-server",
        "version": "0.14.0", "action": "tag"}
    assert fields["msg"] == "step tag: loop-server 0.14.0 by U0DEV0001 (new -> tagged)"


def test_text_lines_show_the_context_in_brackets(restore_root: None) -> None:
    out = io.StringIO()
    setup_logging({"LOG_FORMAT": "text", "LOG_LEVEL": "debug"}, stream=out)
    with log_context(rid="1734021.0c4d2e", uid="U0OPS0001", service="loop-server"):
        logging.getLogger("loopbot.run").debug("hello")
    assert lines(out)[0].endswith(
        "DEBUG loopbot.run hello [rid=1734021.0c4d2e uid=U0OPS0001 service=loop-server]")


def test_binding_lasts_until_its_block_ends_and_outside_one_does_nothing(
    restore_root: None,
) -> None:
    out = io.StringIO()
    setup_logging({"LOG_FORMAT": "json"}, stream=out)
    bind_log_context(service="loop-server", version="0.14.1")  # no block: not kept
    with log_context(rid="1734022.aa01"):
        bind_log_context(service="loop-client", version="0.3.0")
        logging.getLogger("loopbot").info("inside")
    logging.getLogger("loopbot").info("after")
    inside, after = (json.loads(line)["Fields"] for line in lines(out))
    assert (inside["service"], inside["version"]) == ("loop-client", "0.3.0")
    assert not {"rid", "service", "version"} & set(after)


def test_context_stays_with_its_thread(restore_root: None) -> None:
    out = io.StringIO()
    setup_logging({"LOG_FORMAT": "json"}, stream=out)
    with log_context(uid="U0LEAD001"):
        other = threading.Thread(target=lambda: logging.getLogger("loopbot").info("other"))
        other.start()
        other.join()
    assert "uid" not in json.loads(lines(out)[0])["Fields"]


@pytest.mark.parametrize(("environ", "named"), [
    ({"LOG_FORMAT": "xml"}, "LOG_FORMAT='xml': expected one of text, json"),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL='LOUD': expected one of DEBUG, INFO, WARNING, ERROR"),
])
def test_unknown_format_or_level_is_refused_by_name(
    restore_root: None, environ: dict[str, str], named: str,
) -> None:
    root_before = list(logging.getLogger().handlers)
    with pytest.raises(ConfigError) as refused:
        setup_logging(environ, stream=io.StringIO())
    assert str(refused.value) == named
    assert logging.getLogger().handlers == root_before  # nothing changed
