"""Issue 17: `loopbot import` on a repository with many build tags newer than what prod
runs: they are not recorded as superseded releases; the import says which it left out,
in one line however many they are."""

from __future__ import annotations

from tests.fixtures.processes import ImportWorld

BUILDS = 600


def test_build_tags_are_left_out_in_one_line(import_world: ImportWorld) -> None:
    git = import_world.git()
    head = git.git("rev-parse", "refs/heads/master").strip()
    git.git("update-ref", "--stdin", input="".join(
        f"create refs/tags/1.{n}.0 {head}\n" for n in range(BUILDS)))
    done = import_world.run_import("--service", "loop-server")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == [
        f"  imported 1.{BUILDS - 1}.0 (tagged)",
        "  left out, never ticketed, deployed or released (a newer tag replaced each): "
        f"1.0.0 to 1.{BUILDS - 2}.0 ({BUILDS - 1} tags)"]
    assert done.stderr == ""  # 6 releases: no progress lines
