"""Adopting the bot mid-stream: `loopbot import` (and the first start of the bot) learns
the releases a team made before the bot, so `/loop history 0.12.2` and the lifecycle
know them.

`import_releases(ctx, ports)` reads the repository's release tags, the deployment
tickets found in Bugzilla by summary ("Loop — Please deploy loop-server 0.12.2 to Stage")
and what each environment runs, asks bot/domain/adoption.py where each release stands,
and records every release not recorded yet, with its tickets and one audit entry
("import", by `IMPORTER`, saying what it was learned from), after the steps its
tickets' Bugzilla history shows at their own times (bot/domain/ticket_history.py:
deployed and verified on stage and prod), so the delivery metrics see the team's recent
history on day one: one Bugzilla request per ticket of the newest `HISTORY_RELEASES`
releases imported, all at once (the metrics compare at most 52 cycles). Idempotent: a
release already recorded (made by the bot, or imported before) is left exactly as it
is, so a second import changes nothing. Partner failures raise `PartnerError` before anything is
written; an unreachable environment only means its version is not known.

Tags newer than what prod runs that no ticket names, no environment runs and a newer tag
replaced are not releases (bot/domain/adoption.py's `untouched`): they are left out and
listed in the result, and the next release recorded names the one before them as its
previous version. Tags and tickets naming no version `/loop tag` accepts
(bot/domain/version.py's bounds: 99999999999999999999999.0.0 is none) are left out; the
tags are listed in the result.
`progress(step, done, total)` is called after each new release is looked at (step
"looked at") and recorded (step "recorded"). Each tag is listed, looked at and recorded
once; where the new patch tags were made (the main branch or their maintenance branch) is
asked of GitHub once for all of them (`Forge.contained_in`: the main branch's history in
pages, or one comparison per tagged commit when that is fewer requests), so the import's
cost grows linearly with the tags.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.domain.adoption import Adopted, adopt, tickets_by_version, untouched
from bot.domain.audit import AuditEntry
from bot.domain.facts import Bug, Tag
from bot.domain.pipeline import Pipeline
from bot.domain.release import Env, Release, Ticket
from bot.domain.ticket_history import StatusMove, learned_steps
from bot.domain.version import Version
from bot.usecases.context import Context, ServicePorts
from bot.usecases.ports import AlreadyExists, PartnerError

IMPORTER = "loopbot import"
RECORD_BATCH = 500  # releases recorded per transaction (one each made 10,000 commits)
HISTORY_RELEASES = 60  # the newest releases whose tickets' history is read
log = logging.getLogger("loopbot.import")


@dataclass(frozen=True)
class ImportResult:
    service: str
    imported: tuple[Release, ...]  # recorded now, oldest first
    known: tuple[str, ...]  # versions already recorded, left alone
    running: Mapping[str, str | None]  # environment -> the version it reported
    left_out: tuple[str, ...] = ()  # tags that name no release version
    untouched: tuple[str, ...] = ()  # tags the release process never touched, left out


Progress = Callable[[str, int, int], None]  # (step, releases done, releases to import)


def import_releases(ctx: Context, ports: ServicePorts, *,
                    progress: Progress | None = None) -> ImportResult:
    """`ports`: the service, resolved once by the caller."""
    name = ports.config.name
    # The tags, the deployment tickets and every environment are read at once.
    listed, found_tickets, states = ctx.fanout.at_once(
        ports.forge.tags, lambda: ports.tracker.search_tickets(f"Please deploy {name} "),
        lambda: ctx.read_environments(ports.config))
    tags = {v: t for t in listed
            if (v := Version.from_tag(t.name, ports.config.tag_pattern)) is not None}
    named = {t.name for t in tags.values()}
    left_out = tuple(t.name for t in listed if t.name not in named)
    pipeline = ports.config.pipeline
    tickets = tickets_by_version(found_tickets, name, pipeline=pipeline)
    running = {state.name: state.version for state in states}
    with ctx.store.unit_of_work() as uow:
        recorded = {r.version for r in uow.releases.find(name)}
    new: list[tuple[Release, str]] = []  # built first: a partner failing writes nothing
    previous: Version | None = None
    adopted = adopt(tags, tickets, running, pipeline=pipeline)
    skipped = {v for v in untouched(adopted, running) if str(v) not in recorded}
    adopted = [found for found in adopted if found.version not in skipped]
    todo = [found for found in adopted if str(found.version) not in recorded]
    on_main = ports.forge.contained_in(ports.config.main_branch, {
        tags[found.version].commit_sha for found in todo if found.version.is_patch})
    total = len(todo)
    for found in adopted:
        if str(found.version) not in recorded:
            new.append((_release(ports, found, tags[found.version], previous, on_main),
                        _learned(found, tags[found.version], running, pipeline)))
            _tell(progress, "looked at", len(new), total)
        previous = found.version
    ids = [t.bug_id for release, _ in new[-HISTORY_RELEASES:] for t in release.tickets]
    moves = dict(zip(ids, ctx.fanout.map(ports.tracker.status_moves, ids), strict=True))
    imported: list[Release] = []
    for start in range(0, len(new), RECORD_BATCH):
        imported += _record(ctx, new[start:start + RECORD_BATCH], moves)
        _tell(progress, "recorded", min(start + RECORD_BATCH, len(new)), total)
    versions = {r.version for r in imported}
    known = tuple(str(v) for v in sorted(tags) if str(v) not in versions and v not in skipped)
    return ImportResult(name, tuple(imported), known, running, left_out,
                        tuple(str(v) for v in sorted(skipped)))


def _tell(progress: Progress | None, step: str, done: int, total: int) -> None:
    if progress is not None:
        progress(step, done, total)


def adopt_on_first_start(ctx: Context) -> list[ImportResult]:
    """What a bot's start does: import every service that has no release recorded yet
    (a later start finds them and imports nothing). Never raises for a partner: the
    failure is logged and the next start tries again."""
    results = []
    for config in ctx.settings.services:
        with ctx.store.unit_of_work() as uow:
            empty = not uow.releases.find(config.name)
        if not empty:
            continue
        log.info("first start for %s: reading the releases made before the bot from GitHub "
                 "(%s) and their tickets from Bugzilla", config.name, config.repo)
        try:
            result = import_releases(ctx, ctx.ports_for(config))
        except PartnerError as exc:
            log.warning("could not import the releases of %s (%s); the next start tries "
                        "again, or run `loopbot import`", config.name, exc)
            continue
        if result.imported:
            log.info("imported the releases of %s made before the bot: %s", config.name,
                     ", ".join(f"{r.version} ({r.state.value})" for r in result.imported))
        else:
            log.info("%s has no release made before the bot", config.name)
        results.append(result)
    return results


def _release(ports: ServicePorts, found: Adopted, tag: Tag, previous: Version | None,
             on_main: frozenset[str]) -> Release:
    return Release(
        service=ports.config.name, version=str(found.version), state=found.state,
        tag=tag.name, commit_sha=tag.commit_sha,
        previous_version=str(previous) if previous else None,
        branch=_branch(ports, found.version, tag, on_main),
        tickets=tuple(Ticket(env, bug.id) for env, bug in found.tickets.items()),
    )


def _record(ctx: Context, batch: list[tuple[Release, str]],
            moves: Mapping[int, Sequence[StatusMove]]) -> list[Release]:
    """Record imported releases, the steps their tickets' history shows (at their own
    times) and their import entries in one transaction; a release recorded already
    (another import, or a tag, got there first) is left out: its insert is ignored, so
    the others are still written."""
    stored = []
    with ctx.store.unit_of_work() as uow:
        for release, detail in batch:
            try:
                stored.append(uow.releases.add(release))
            except AlreadyExists:
                continue
            for step in learned_steps({t.env: t.bug_id for t in release.tickets}, moves):
                uow.audit.add(AuditEntry(
                    actor=IMPORTER, action=step.action, service=release.service,
                    version=release.version, detail=step.detail, at=step.at))
            uow.audit.add(AuditEntry(
                actor=IMPORTER, action="import", service=release.service,
                version=release.version, to_state=release.state.value, detail=detail,
                at=ctx.clock(),
            ))
        uow.commit()
    return stored


def _branch(ports: ServicePorts, version: Version, tag: Tag, on_main: frozenset[str]) -> str:
    """Where the release was tagged: the main branch, unless it is a patch whose commit
    master does not contain (then its line's maintenance branch)."""
    config = ports.config
    if not version.is_patch or tag.commit_sha in on_main:
        return config.main_branch
    return version.branch_name(config.branch_pattern)


def _learned(found: Adopted, tag: Tag, running: Mapping[str, str | None],
             pipeline: Pipeline) -> str:
    """What the state was learned from, for the audit log."""
    parts = [f"imported from tag {tag.name} ({tag.commit_sha[:7]})"]
    parts += [f"{env.value} bug {found.tickets[env].id} {_status(found.tickets[env])}"
              for env in map(Env, pipeline.ticketed_names) if env in found.tickets]
    envs = [env for env, v in running.items() if v == str(found.version)]
    if envs:
        parts.append(f"{', '.join(envs)} {'runs' if len(envs) == 1 else 'run'} it")
    return "; ".join(parts)


def _status(bug: Bug) -> str:
    return f"{bug.status} {bug.resolution}".strip()

