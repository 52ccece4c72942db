"""Where a step's channel message went: a tag or a lifecycle step cut short (a stopped
process, a partner's outage) and finished later updates that message instead of leaving
it "working…" and posting a second one. Kept as a step record (the first message wins).
"""

from __future__ import annotations

from bot.usecases.context import Context


def tag_message_key(service: str, version: str) -> str:
    return f"message:tag:{service}:{version}"


def step_message_key(service: str, version: str, action: str, from_state: str,
                     bug_id: int | None) -> str:
    """The same step repeated after a cut has the same key: the release is still where the
    cut left it, and the step names the same bug. A later, different step does not."""
    return f"message:step:{service}:{version}:{action}:{from_state}:{bug_id or ''}"


def recorded_message(ctx: Context, key: str) -> tuple[str, str] | None:
    """(channel id, ts) of the message recorded under `key`, or None."""
    with ctx.store.unit_of_work() as uow:
        step = uow.steps.get(key)
    if step is None or not step.done or not step.result:
        return None
    return str(step.result["channel"]), str(step.result["ts"])


def record_message(ctx: Context, key: str, channel: str, ts: str) -> None:
    with ctx.store.unit_of_work() as uow:
        uow.steps.start(key)
        uow.steps.finish(key, {"channel": channel, "ts": ts})
        uow.commit()
