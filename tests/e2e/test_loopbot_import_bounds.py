"""Issue 17: `loopbot import` on a repository with hundreds of extra tags and an absurd
one, against the sandbox's stand-ins: the absurd version (tag and ticket) is left out
with the reason, the others are recorded, and the long import says how far it is."""

from __future__ import annotations

from bot.store import Store
from tests.fixtures.processes import ImportWorld

ABSURD = "99999999999999999999999.0.0"
EXTRA = 520  # more than the 500 releases after which progress is printed


def test_an_absurd_version_is_left_out_and_a_long_import_prints_progress(
    import_world: ImportWorld,
) -> None:
    database = import_world.database
    git = import_world.git()
    head = git.git("rev-parse", "refs/tags/0.11.0").strip()
    refs = [f"create refs/tags/0.0.{n} {head}" for n in range(EXTRA)]
    git.git("update-ref", "--stdin", input="\n".join([*refs, f"create refs/tags/{ABSURD} "
                                                      f"{head}"]) + "\n")
    import_world.sandbox.bugzilla.add_bug(
        f"Loop — Please deploy loop-server {ABSURD} to Stage", "NEW")
    done = import_world.run_import("--service", "loop-server")
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
