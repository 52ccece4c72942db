"""Where a tag's channel message went: a tag cut short (a stopped process, a partner's
outage) and finished later updates that message instead of leaving it "working…" and
posting a second one. Kept as a step record (one per release, the first message wins).
"""

from __future__ import annotations

from bot.usecases.context import Context


def tag_message_key(service: str, version: str) -> str:
    return f"message:tag:{service}:{version}"


def recorded_message(ctx: Context, key: str) -> tuple[str, str] | None:
    """(channel id, ts) of the message recorded under `key`, or None."""
    with ctx.store.unit_of_work() as uow:
        step = uow.step(key)
    if step is None or not step.done or not step.result:
        return None
    return str(step.result["channel"]), str(step.result["ts"])


def record_message(ctx: Context, key: str, channel: str, ts: str) -> None:
    with ctx.store.unit_of_work() as uow:
        uow.start_step(key)
        uow.finish_step(key, {"channel": channel, "ts": ts})
        uow.commit()
