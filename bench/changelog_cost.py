"""What a changelog costs the partners: `/loop tag`'s preview over 500 commits that
reference 100 bugs, counted at the stand-ins (requests, not seconds: counts do not depend
on the machine's load).

    .venv/bin/python bench/changelog_cost.py

Budget (issue 3): at most 8 GitHub requests and 3 Bugzilla requests for the changelog.
Counted apart: the release commit's file reads (one per file of `release_commit.files`,
shown by the preview's diff, plus `notes.learn_from` when it is not one of them), against
one request per configured file; and the commits'
file reads for the categories by files (one per bug-referencing commit, at most
`notes.max_commit_file_reads`), which a second preview (as the tag step makes) finds in
the database: none again. Exits 1 over budget.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import tempfile
import time
from pathlib import Path

from bot.clock import ManualClock
from bot.config.settings import load_settings
from bot.domain.actions import Actor, Role
from bot.entrypoints.wiring import build_context
from bot.sandbox.world import Sandbox
from bot.store.schema import upgrade
from bot.usecases.tagging import preview_tag

COMMITS, BUGS = 500, 100
GITHUB_BUDGET, BUGZILLA_BUDGET = 8, 3
DEV = Actor("U0DEV0001", frozenset({Role.DEV}), "dev")
FAST = {"seconds_between_requests": 0, "seconds_between_writes": 0}
COMMIT_READ = re.compile(r"/commits/[0-9a-f]{40}$")


def main() -> int:
    root = Path(__file__).resolve().parents[1]
    settings = load_settings(root / "app.yaml", environ={})
    with tempfile.TemporaryDirectory() as tmp, \
            Sandbox.start(settings, state_dir=Path(tmp) / "sandbox") as sandbox:
        bug_ids = [sandbox.bugzilla.add_bug(f"Loop bug number {n}", "RESOLVED", "FIXED")
                   for n in range(BUGS)]
        commits = [(f"Bug {bug_ids[n % BUGS]} — change {n} of the rooms API", {
            f"loop/change_{n}.js": f"// {n}\n"}) for n in range(COMMITS)]
        sandbox.github.commit_many("mozilla-services", "loop-server", "master", commits)
        upgrade(f"sqlite:///{tmp}/loopbot.db")
        ctx = build_context(
            sandbox.settings(settings, database_url=f"sqlite:///{tmp}/loopbot.db"),
            clock=ManualClock(dt.datetime(2026, 12, 8, 9, tzinfo=dt.UTC)), github_options=FAST)
        started = time.perf_counter()
        with sandbox.github.counting() as github, sandbox.bugzilla.counting() as bugzilla:
            preview = preview_tag(ctx, ctx.service(), DEV)
        seconds = time.perf_counter() - started
        with sandbox.github.counting() as again:
            preview_tag(ctx, ctx.service(), DEV)
        ctx.store.dispose()
        ctx.close()
    files = [r for r in github if "/contents/" in r.path]
    reads = [r for r in github if COMMIT_READ.search(r.path)]
    changelog = [r for r in github if r not in files and r not in reads]
    reads_again = [r for r in again if COMMIT_READ.search(r.path)]
    service = settings.service()
    edited = [f.path for f in service.release_commit.files]
    # the CHANGELOG the categories learn from is one of them, or one read more
    configured = len(edited) + (service.notes.learn_from not in (None, *edited))
    cap = settings.service().notes.max_commit_file_reads
    total = len(preview.commits)
    print(f"changelog of {preview.version}: {total} commits, "
          f"{len(preview.changelog.fixed)} bugs fixed, {len(preview.changelog.flagged)} flagged")
    print(f"GitHub requests:   {len(changelog):3d} (budget {GITHUB_BUDGET})")
    print(f"  + release commit file reads: {len(files)} (budget {configured}: one per file)")
    print(f"  + commit file reads (categories by files): {len(reads)} (budget {cap}: "
          f"notes.max_commit_file_reads); files not read for {preview.unread_files} "
          "commit(s)")
    print(f"  + commit file reads of a second preview (the tag step's): {len(reads_again)} "
          "(budget 0: kept in the database)")
    print(f"Bugzilla requests: {len(bugzilla):3d} (budget {BUGZILLA_BUDGET})")
    print(f"wall time: {seconds:.2f} s (informative only)")
    for r in changelog + files:
        print(f"  github   {r.method} {r.path}")
    for r in bugzilla:
        print(f"  bugzilla {r.method} {r.path}")
    within = (len(changelog) <= GITHUB_BUDGET and len(files) <= configured
              and len(reads) <= cap and not reads_again and len(bugzilla) <= BUGZILLA_BUDGET)
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
