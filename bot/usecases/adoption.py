"""Adopting the bot mid-stream: `loopbot import` (and the first start of the bot) learns
the releases a team made before the bot, so `/loop history 0.12.2` and the lifecycle
know them.

`import_releases(ctx, service=None)` reads the repository's release tags, the deployment
tickets found in Bugzilla by summary ("Loop — Please deploy loop-server 0.12.2 to Stage")
and what each environment runs, asks bot/domain/adoption.py where each release stands,
and records every release not recorded yet, with its tickets and one audit entry
("import", by `IMPORTER`, saying what it was learned from). Idempotent: a release already
recorded (made by the bot, or imported before) is left exactly as it is, so a second
import changes nothing. Partner failures raise `PartnerError` before anything is
written; an unreachable environment only means its version is not known.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.adoption import Adopted, adopt, tickets_by_version
from bot.domain.audit import AuditEntry
from bot.domain.facts import Bug, Tag
from bot.domain.release import Env, Release, Ticket
from bot.domain.versions import Version
from bot.ports import PartnerError
from bot.store import AlreadyExists
from bot.usecases.context import Context, ServicePorts

IMPORTER = "loopbot import"
log = logging.getLogger("loopbot.import")


@dataclass(frozen=True)
class ImportResult:
    service: str
    imported: tuple[Release, ...]  # recorded now, oldest first
    known: tuple[str, ...]  # versions already recorded, left alone
    running: Mapping[str, str | None]  # environment -> the version it reported


def import_releases(ctx: Context, *, service: str | None = None) -> ImportResult:
    ports = ctx.service(service)
    name = ports.config.name
    tags = {v: t for t in ports.forge.tags()
            if (v := Version.from_tag(t.name, ports.config.tag_pattern)) is not None}
    tickets = tickets_by_version(ports.tracker.search_tickets(f"Please deploy {name} "), name)
    running = {env: ctx.read_environment(ports.config, env).version
               for env in ports.config.environments}
    adopted = adopt(tags, tickets, running)
    with ctx.store.unit_of_work() as uow:
        recorded = {r.version for r in uow.releases(name)}
    imported, known = [], []
    previous: Version | None = None
    for found in adopted:
        if str(found.version) in recorded:
            known.append(str(found.version))
        else:
            release = _record(ctx, ports, found, tags[found.version], previous, running)
            if release is not None:
                imported.append(release)
            else:
                known.append(str(found.version))
        previous = found.version
    return ImportResult(name, tuple(imported), tuple(known), running)


def adopt_on_first_start(ctx: Context) -> list[ImportResult]:
    """What a bot's start does: import every service that has no release recorded yet
    (a later start finds them and imports nothing). Never raises for a partner: the
    failure is logged and the next start tries again."""
    results = []
    for config in ctx.settings.services:
        with ctx.store.unit_of_work() as uow:
            empty = not uow.releases(config.name)
        if not empty:
            continue
        try:
            result = import_releases(ctx, service=config.name)
        except PartnerError as exc:
            log.warning("could not import the releases of %s (%s); the next start tries "
                        "again, or run `loopbot import`", config.name, exc)
            continue
        if result.imported:
            log.info("imported the releases of %s made before the bot: %s", config.name,
                     ", ".join(f"{r.version} ({r.state.value})" for r in result.imported))
        results.append(result)
    return results


def _record(
    ctx: Context, ports: ServicePorts, found: Adopted, tag: Tag, previous: Version | None,
    running: Mapping[str, str | None],
) -> Release | None:
    config = ports.config
    version = found.version
    release = Release(
        service=config.name, version=str(version), state=found.state, tag=tag.name,
        commit_sha=tag.commit_sha, previous_version=str(previous) if previous else None,
        branch=_branch(ports, version, tag),
        tickets=tuple(Ticket(env, bug.id) for env, bug in found.tickets.items()),
    )
    try:
        with ctx.store.unit_of_work() as uow:
            release = uow.add_release(release)
            uow.add_audit(AuditEntry(
                actor=IMPORTER, action="import", service=config.name, version=str(version),
                to_state=found.state.value, detail=_learned(found, tag, running),
                at=ctx.clock(),
            ))
            uow.commit()
    except AlreadyExists:  # another import (or a tag) recorded it meanwhile
        return None
    return release


def _branch(ports: ServicePorts, version: Version, tag: Tag) -> str:
    """Where the release was tagged: the main branch, unless it is a patch whose commit
    master does not contain (then its line's maintenance branch)."""
    config = ports.config
    if not version.is_patch or ports.forge.ancestry(tag.commit_sha,
                                                    config.main_branch).base_is_ancestor:
        return config.main_branch
    return version.branch_name(config.branch_pattern)


def _learned(found: Adopted, tag: Tag, running: Mapping[str, str | None]) -> str:
    """What the state was learned from, for the audit log."""
    parts = [f"imported from tag {tag.name} ({tag.commit_sha[:7]})"]
    parts += [f"{env.value} bug {found.tickets[env].id} {_status(found.tickets[env])}"
              for env in (Env.STAGE, Env.PROD) if env in found.tickets]
    envs = [env for env, v in running.items() if v == str(found.version)]
    if envs:
        parts.append(f"{', '.join(envs)} {'runs' if len(envs) == 1 else 'run'} it")
    return "; ".join(parts)


def _status(bug: Bug) -> str:
    return f"{bug.status} {bug.resolution}".strip()

