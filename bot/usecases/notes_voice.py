"""The CHANGELOG the release notes learn the team's categories from
(bot/domain/changelog_voice.py), read at the commit being released: it holds what the
team wrote up to the previous release.

Cost: none when it is the file the release commit edits (the preview reads that one
anyway, bot/usecases/release_commit.py); otherwise, for `notes.learn_from`, one GitHub
request per preview, made at once with the preview's other last reads. A failed read is
not fatal (the categories are a nicety of the notes): the word list decides, a warning
is logged, and the preview says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.domain.changelog_voice import VoiceModel, parse_entries
from bot.usecases.context import ServicePorts
from bot.usecases.ports import PartnerError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Voice:
    model: VoiceModel
    note: str  # what the preview says about it ("" when nothing is learned from)


def voice_path(ports: ServicePorts) -> str | None:
    """`notes.learn_from`, else the CHANGELOG the release commit edits, else None."""
    conf = ports.config
    edited = [f.path for f in conf.release_commit.files if f.kind == "changelog"]
    return conf.notes.learn_from or (edited[0] if edited else None)


def read_extra(ports: ServicePorts, sha: str) -> str | None:
    """The CHANGELOG's text at `sha` when the release commit's reads do not include it
    (one request); None when there is none to read, or it is among them."""
    path = voice_path(ports)
    if path is None or path in {f.path for f in ports.config.release_commit.files}:
        return None
    try:
        return ports.forge.read_file(sha, path)
    except PartnerError as exc:
        log.warning("%s: %s could not be read (%s); categories from the word list",
                    ports.config.name, path, exc)
        return None


def learn(ports: ServicePorts, release_files: dict[str, str | None], extra: str | None
          ) -> Voice:
    """The model learned from the CHANGELOG's text (found among the release commit's
    files, or read apart as `extra`), and the preview's line about it."""
    path = voice_path(ports)
    if path is None:
        return Voice(VoiceModel(), "")
    text = release_files.get(path) if path in release_files else extra
    minimum = ports.config.notes.learn_min_entries
    model = VoiceModel.learn(parse_entries(text or ""), minimum)
    if model.trained:
        return Voice(model, f"categories learned from {model.entries} entries of {path}")
    return Voice(model, f"{path}: {model.entries} categorised entries, {minimum} needed to "
                        "learn from; categories from the word list")
