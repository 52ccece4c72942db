"""The deployment tickets' summaries and descriptions (PROCESS.md, step 2)."""

from __future__ import annotations

from bot.domain.pipeline import DEFAULT
from bot.domain.release import Env, Kind, Release, State
from bot.partners.github import GitHubForge
from bot.usecases.ticket import ticket_description, ticket_summary

FORGE = GitHubForge("http://127.0.0.1:9", "unused", "mozilla-services/loop-server",
                    web_url="https://github.com")  # builds links only: no request is made
NOTES = "0.13.1 (2014-11-13)\n-------------------\n\n- [bugfix] 1095006 — Fix rooms\n"


def test_summaries_follow_the_loop_convention() -> None:
    release = Release("loop-server", "0.13.1", State.TAGGED, tag="0.13.1")
    assert ticket_summary(release, Env.STAGE, pipeline=DEFAULT) == \
        "Loop — Please deploy loop-server 0.13.1 to Stage"
    assert ticket_summary(release, Env.PROD, pipeline=DEFAULT) == \
        "Loop — Please deploy loop-server 0.13.1 to Production"
    change = Release("loop-server", "change-3", State.TAGGED, kind=Kind.SERVICE,
                     summary="raise the uWSGI worker count to 16")
    assert ticket_summary(change, Env.STAGE,
                          pipeline=DEFAULT) == ("Loop — Please deploy loop-server service "
                                                 "change change-3: raise the uWSGI worker "
                                                 "count to 16 to Stage")


def test_description_links_the_tag_and_diff_and_carries_the_notes() -> None:
    release = Release("loop-server", "0.13.1", State.TAGGED, tag="0.13.1",
                      previous_version="0.13.0", notes=NOTES, flagged_bugs=(1096112,),
                      blockers=(1097001,))
    text = ticket_description(release, Env.PROD, FORGE, verified_bug=1100003, pipeline=DEFAULT)
    assert text.splitlines()[0] == "Please deploy loop-server 0.13.1 to Production."
    assert "Tag: https://github.com/mozilla-services/loop-server/releases/tag/0.13.1" in text
    assert "Diff: https://github.com/mozilla-services/loop-server/compare/0.13.0...0.13.1" in text
    assert "Verified on stage in bug 1100003." in text
    assert "- [bugfix] 1095006 — Fix rooms" in text
    assert "Referenced but not RESOLVED FIXED:\n- bug 1096112" in text
    assert "Blocked by:\n- bug 1097001" in text
