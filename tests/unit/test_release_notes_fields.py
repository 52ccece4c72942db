"""Release notes as the team wrote them (loop-server's shipped configuration), on the
fakes: categories from Bugzilla's fields before the summary's words, and a release touching
no API file says nothing about API versions. The API line in the stage ticket and the
announcement: tests/integration/test_release_notes_fields.py, on the stand-ins."""

from __future__ import annotations

from bot.usecases.context import load_release
from bot.usecases.tagging import preview_tag, tag_release
from tests.fakes.world import FakeWorld
from tests.fixtures.world import DEV

SERVICE = "loop-server"


def test_categories_come_from_bugzilla_fields_before_the_summary_words(
    shipped_fake_world: FakeWorld,
) -> None:
    r = shipped_fake_world
    bugzilla = r.tracker()
    hidden = bugzilla.add_bug("Rooms leak to other users", "RESOLVED", "FIXED",
                              keywords=["sec-high"])
    grouped = bugzilla.add_bug("Tokens logged in clear", "RESOLVED", "FIXED",
                               groups=["cloud-services-security"])
    wanted = bugzilla.add_bug("Rooms can be renamed", "RESOLVED", "FIXED", type="enhancement")
    worded = bugzilla.add_bug("Refactor the rooms model", "RESOLVED", "FIXED")
    for bug in (hidden, grouped, wanted, worded):
        r.land(f"Bug {bug} — change for {bug}", path=f"loop/change{bug}.js")
    fixed = preview_tag(r.ctx, r.ctx.service(), DEV).changelog.fixed
    categories = {f.id: f.category for f in fixed}
    assert (categories[hidden], categories[grouped], categories[wanted],
            categories[worded]) == ("security", "security", "feature", "refactoring")


def test_a_release_touching_no_api_file_says_nothing_about_api_versions(
    shipped_fake_world: FakeWorld,
) -> None:
    r = shipped_fake_world
    tag_release(r.ctx, r.ctx.service(), DEV, preview_tag(r.ctx, r.ctx.service(), DEV).plan.version)
    r.land("Bug 1096700 — Update the README", path="README.md")
    preview = preview_tag(r.ctx, r.ctx.service(), DEV)
    assert preview.api_impact == ()
    tag_release(r.ctx, r.ctx.service(), DEV, preview.plan.version)
    assert "API code changed" not in load_release(r.ctx, SERVICE, preview.version).notes
