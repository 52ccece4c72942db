"""The environment watch over a history (issue 17): it reads only the last sighting, its
key carrying how many versions were seen, and still posts each change once, a return to
an earlier version included."""

from __future__ import annotations

from tests.fixtures.scheduler import SERVICE, Rehearsal


def changes(posts: list[str]) -> list[str]:
    return [p for p in posts if p.startswith("stage now runs")]


def test_each_stage_change_is_posted_once_back_and_forth(rehearsal: Rehearsal) -> None:
    r = rehearsal
    r.run("2026-12-07 14:00")  # the baseline: what stage runs, recorded silently
    seen = []
    for minute, version in enumerate(("0.12.1", "0.12.2", "0.12.1"), start=1):
        r.deploy("stage", version)
        seen += changes(r.run(f"2026-12-07 14:{minute:02d}"))
        assert changes(r.run(f"2026-12-07 14:{minute:02d}:30")) == []  # once
    assert [p.split(":")[0] for p in seen] == [
        "stage now runs loop-server 0.12.1 (was 0.12.2)",
        "stage now runs loop-server 0.12.2 (was 0.12.1)",
        "stage now runs loop-server 0.12.1 (was 0.12.2)"]
    with r.ctx.store.unit_of_work() as uow:
        keys = [e.request_id for e in uow.audit.find(SERVICE, action="seen on stage")]
    assert keys == [f"env:{SERVICE}:stage:{n}:{v}" for n, v in
                    enumerate(("0.12.2", "0.12.1", "0.12.2", "0.12.1"), start=1)]
