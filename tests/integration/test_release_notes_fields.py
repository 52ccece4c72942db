"""Release notes as the team wrote them (loop-server's shipped configuration, against the
stand-ins): which API versions' code a release changes, from the files it changes, in the
preview, the notes, the stage ticket and the scheduler's announcement. Categories from
Bugzilla's fields and a release touching no API file: tests/unit/test_release_notes_fields.py."""

from __future__ import annotations

import pytest

from bot.domain.actions import Action
from bot.domain.release import Env
from bot.usecases.context import load_release
from bot.usecases.tagging import preview_tag
from tests.fixtures.scheduler import SERVICE, Rehearsal
from tests.fixtures.world import DEV

# The demo's unreleased commits change rooms-v2.js already; the test's commit rooms.js.
API_LINE = "API code changed: /v1, /v2 (loop/routes/rooms-v2.js, loop/routes/rooms.js)"
FILES = ("loop/routes/rooms-v2.js", "loop/routes/rooms.js")


@pytest.fixture
def r(shipped_rehearsal: Rehearsal) -> Rehearsal:
    return shipped_rehearsal


def test_the_api_versions_whose_code_changes_are_in_the_preview_notes_ticket_and_announcement(
    r: Rehearsal
) -> None:
    r.at("2026-12-08 09:30")
    bug = r.sandbox.bugzilla.add_bug("Rooms answer 500 on rename", "RESOLVED", "FIXED")
    r.land(f"Bug {bug} — Allow renaming rooms", path="loop/routes/rooms.js")
    r.land("Update the README", path="README.md")
    preview = preview_tag(r.ctx, r.ctx.service(), DEV)
    assert preview.api_impact == (("/v1", FILES), ("/v2", FILES))
    r.tag(DEV, preview.version)
    release = load_release(r.ctx, SERVICE, preview.version)
    assert API_LINE in release.notes
    r.step(DEV, Action.REQUEST_STAGE, preview.version)
    stage = load_release(r.ctx, SERVICE, preview.version).ticket(Env.STAGE)
    assert stage is not None
    stage_bug = stage.bug_id
    description = r.sandbox.bugzilla.comments(stage_bug)[0]["text"]
    assert API_LINE in description
    announced = [t for t in r.run("2026-12-08 10:00") if f"{SERVICE} {preview.version}" in t]
    assert len(announced) == 1 and API_LINE in announced[0]
