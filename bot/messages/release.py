"""Messages about releases: the tag preview and its confirmation, progress while a step
runs, the result with the next step and its button, and the release card.

Guarantees: every message names the service and version; buttons are labelled with their
action and version ("Tag 0.13.0", "Greenlight 0.13.1", "Override greenlight 0.13.1"); the
irreversible ones (tag, greenlight, every override) carry a Slack confirm dialog; every
text from outside (commit titles, bug summaries, reasons, progress lines) is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.actions import Action, Actor, CommentOnTicket, Decision, FileTicket
from bot.domain.api_impact import describe as describe_impact
from bot.domain.errors import one_line
from bot.domain.next_steps import next_action, next_step
from bot.domain.offer import StepArguments
from bot.domain.pipeline import Pipeline
from bot.domain.release import Kind, Release, State
from bot.domain.rules import next_owners, release_after
from bot.messages.blocks import (
    ACTION_FINISH_TAG,
    ACTION_STEP,
    ACTION_TAG,
    Block,
    Rendered,
    actions,
    button,
    clip,
    confirm_dialog,
    context,
    escape,
    lines_section,
    section,
)
from bot.usecases.release import ActionResult
from bot.usecases.tagging import BackportResult, TagPreview, TagResult

# The steps that name no environment, or read differently; an environment's request,
# deployed and verify read alike for every environment of the pipeline (below).
LABELS = {
    Action.GREENLIGHT: "Greenlight", Action.REJECT: "Reject", Action.RERELEASE: "Re-release",
    Action.BLOCK: "Block prod", Action.UNBLOCK: "Unblock prod", Action.BACKOFF: "Back off prod",
}
DONE = {
    Action.GREENLIGHT: "green light for prod",
    Action.VERIFY_PROD: "verified on prod: released", Action.REJECT: "rejected",
    Action.RERELEASE: "re-released", Action.BLOCK: "blocked for prod",
    Action.UNBLOCK: "unblocked for prod", Action.BACKOFF: "backed off from prod",
}
_ENV_LABELS = {"request": "Request {}", "deployed": "Mark deployed on {}", "verify": "Verify {}"}
_ENV_DONE = {"request": "{} ticket filed", "deployed": "deployed on {}",
             "verify": "verified on {}"}


def label_of(action: Action) -> str:
    """A step's button label; an environment's steps read alike for every environment."""
    return LABELS.get(action) or _ENV_LABELS[action.verb].format(action.env)


def done_of(action: Action, env: str | None = None) -> str:
    """`env`: where a rejection or re-release happened ("rejected on real-stage")."""
    if env is not None and action in (Action.REJECT, Action.RERELEASE):
        return f"{DONE[action]} on {env}"
    return DONE.get(action) or _ENV_DONE[action.verb].format(action.env)


def _sent_back_env(decision: Decision) -> str | None:
    """The environment whose ticket a rejection comments on, or a re-release refiles."""
    return next((str(e.env) for e in decision.effects
                 if isinstance(e, (CommentOnTicket, FileTicket))), None)


DIFF_LIMIT = 2700  # a section holds 3000 characters; a longer diff is clipped
CONFIRMED_ACTIONS = frozenset({Action.GREENLIGHT})  # irreversible steps besides tagging
QUESTIONS = {Action.GREENLIGHT: "Give {name} the green light for prod?"}


def step_label(action: Action, version: str, *, override: bool = False) -> str:
    label = f"{label_of(action)} {version}"
    return f"Override {label[0].lower()}{label[1:]}" if override else label


def step_button(release: Release, action: Action, *, reason: str | None = None,
                offer: str | None = None, pipeline: Pipeline) -> Block:
    """The button for `action` on `release`; a confirm dialog for irreversible ones;
    `offer` names the recorded confirmation it answers (bot/domain/offer.py)."""
    value = {"s": release.service, "v": release.version, "a": action.value}
    if offer is not None:
        value["o"] = offer
    label = step_label(action, release.version, override=reason is not None)
    dialog = None
    if reason is not None:
        value["r"] = reason
        dialog = confirm_dialog(f"{label}?", f"This breaks glass: it is announced and "
                                f"audited. Reason: {escape(reason)}", "Override", danger=True)
    elif action in CONFIRMED_ACTIONS:
        dialog = confirm_dialog(f"{label}?", f"{_question(release, action)} "
                                f"{_told(release, action, pipeline=pipeline)}", label_of(action))
    style = "danger" if reason is not None else "primary"
    return button(label, ACTION_STEP, value, style=style, confirm=dialog)


def next_buttons(release: Release, pending: str | None = None, *,
                 pipeline: Pipeline) -> list[Block]:
    action = next_action(release, pending, pipeline=pipeline)
    if action is None:
        return []
    return [actions(f"next:{release.service}:{release.version}",
                    step_button(release, action, pipeline=pipeline))]


def _who(actor: Actor) -> str:
    return actor.mention


def _name(actor: Actor) -> str:
    """The actor's display name for a `text` fallback (a name is typed by its owner)."""
    return escape(actor.name or actor.user_id)


def _steps(steps: Sequence[str]) -> str:
    return "\n".join(f"✓ {escape(s)}" for s in steps)


# -- tagging ---------------------------------------------------------------------------------
def tag_preview(preview: TagPreview, offer: str) -> Rendered:
    """The preview and its Tag button, which answers the recorded offer `offer`."""
    v, plan = preview.version, preview.plan
    since = f"since {preview.previous}" if preview.previous else "(first release)"
    commits = [f"• `{c.sha[:7]}` {escape(c.title)}" for c in preview.commits]
    fixed = [f"• [{escape(b.category)}] bug {b.id} {escape(one_line(b.bug.summary))} "
             f"_({escape(b.source_note)})_" for b in preview.changelog.fixed]
    flagged = [f"• {escape(b.reason)}" for b in preview.changelog.flagged]
    label = f"Finish tag {v}" if preview.finishes else f"Tag {v}"
    value = {"s": preview.service, "v": v, "sha": preview.head_sha, "o": offer}
    commit = preview.release_commit
    first = (f"Commits “{escape(commit.message)}” on `{escape(plan.branch)}`, tags it "
             f"`{plan.tag}`" if commit and commit.changes else
             f"Tags `{plan.tag}` at `{preview.head_sha[:7]}` on `{escape(plan.branch)}`")
    dialog = confirm_dialog(f"{label}?", f"{first} and publishes the release notes.", "Tag")
    blocks = [
        section(f"*{escape(preview.service)} {v}* would be tagged `{escape(plan.tag)}` at "
                f"`{preview.head_sha[:7]}` on `{escape(plan.branch)}` ({escape(plan.why)})."),
        lines_section(f"*{len(commits)} commit(s) {since}*", commits),
    ]
    if fixed:
        blocks.append(lines_section("*Fixes*", fixed))
    if flagged:
        blocks.append(lines_section("*:warning: Referenced but not RESOLVED FIXED*", flagged))
    if preview.api_impact:
        blocks.append(section(escape(describe_impact(preview.api_impact))))
    if preview.unread_files:
        blocks.append(context(unread_files_line(preview.unread_files)))
    if preview.voice:
        blocks.append(context(escape(preview.voice)))
    if commit and commit.changes:
        blocks.append(section(
            f"*Release commit* “{escape(commit.message)}” on `{escape(plan.branch)}`, tagged "
            f"instead of `{preview.head_sha[:7]}`:\n```{clip(escape(commit.diff), DIFF_LIMIT)}```"))
    if commit and commit.missing:
        blocks.append(context(escape(f"not on {plan.branch}, so not bumped: "
                                     f"{', '.join(commit.missing)}")))
    blocks.append(actions(f"tag:{preview.service}:{v}",
                          button(label, ACTION_TAG, value, style="primary", confirm=dialog)))
    return Rendered(f"{preview.service} {v}: {len(commits)} commit(s) {since}, "
                    f"{len(fixed)} fixed bug(s), {len(flagged)} flagged. Confirm: {label}",
                    blocks)


def unread_files_line(commits: int) -> str:
    """Said when some bugs' categories could not come from their files."""
    return f"files not read for {commits} commit(s); categories from words"


def tagged(result: TagResult, actor: Actor, steps: Sequence[str], *,
           pipeline: Pipeline) -> Rendered:
    release = result.release
    title = (f"*{escape(release.service)} {release.version}* tagged by {_who(actor)}"
             f"{' (finished)' if result.resumed else ''}")
    # GitHub shows the tag and its release notes on one page: one link
    links = (f"<{result.release_url}|{escape(release.tag or release.version)} on GitHub: "
             "tag and release notes>")
    body = [section(f"{title}\n{_steps(steps)}"), context(links, _next(release, pipeline=pipeline)),
            *next_buttons(release, pipeline=pipeline)]
    return Rendered(f"{release.service} {release.version} tagged by {_name(actor)}"
                    f". Next: {next_step(release, pipeline=pipeline)}", body)


# -- lifecycle steps -------------------------------------------------------------------------
def working(title: str, actor: Actor, steps: Sequence[str]) -> Rendered:
    lines = _steps(steps)
    text = f"*{escape(title)}* — {_who(actor)}\n{lines}\n⏳ working…".replace("\n\n", "\n")
    return Rendered(f"{escape(title)}: working…", [section(text)])


def stopped(title: str, actor: Actor, steps: Sequence[str], why: Rendered) -> Rendered:
    """What happened to a step that stopped halfway (the channel message's last state)."""
    lines = _steps(steps)
    blocks = [section(f"*{escape(title)}* — {_who(actor)}\n{lines}\n:x: stopped"), *why.blocks]
    return Rendered(f"{escape(title)}: stopped. {why.text}", blocks)


def step_done(
    result: ActionResult, actor: Actor, steps: Sequence[str], people: str = "",
    note: str = "", *, pipeline: Pipeline) -> Rendered:
    """The channel message of a finished step; `people` (Slack mentions of whoever owns
    the next step) are told, as PROCESS.md wants OPS told of the green light; `note` is
    the bot's own word on it (a push off the calendar's prod-push day)."""
    release, decision = result.release, result.decision
    done = done_of(decision.action, _sent_back_env(decision))
    lines = [f"*{escape(release.service)} {release.version}*: {done} — {_who(actor)}"]
    if steps:
        lines.append(_steps(steps))
    lines += [f"✓ {old.version} superseded" for old in result.superseded]
    blocks = [section("\n".join(lines))]
    if decision.action is Action.BACKOFF:  # loud: prod went back, a patch must follow
        before = release.previous_version or "the release before"
        blocks.append(section(f":rotating_light: *Prod backed off* from {release.version} to "
                              f"{escape(before)}: {escape(one_line(result.detail, 600))}"))
    if decision.action is Action.REJECT and result.detail:  # why, where the team reads it
        blocks.append(section(f":x: *Rejected on stage*: "
                              f"{escape(one_line(result.detail, 600))}"))
    if decision.is_override:
        skipped = "; ".join(decision.skipped_guards) or "nothing"
        blocks.append(section(f":rotating_light: *Emergency override* by {_who(actor)}: "
                              f"{escape(decision.override_reason or '')}\nSkipped: "
                              f"{escape(skipped)}"))
    if note:
        blocks.append(section(f":calendar: {escape(note)}"))
    told = f"{people} " if people else ""
    pending = result.pending
    blocks += [context(told + _next(release, pending, pipeline=pipeline)),
               *next_buttons(release, pending, pipeline=pipeline)]
    said = f" {note}" if note else ""
    return Rendered(f"{release.service} {release.version}: {done} by "
                    f"{_name(actor)}.{said} {told}Next: "
                    f"{next_step(release, pending, pipeline=pipeline)}", blocks)


def step_confirmation(release: Release, action: Action, reason: str | None, offer: str,
                      given: StepArguments | None = None, note: str = "", *,
                      pipeline: Pipeline) -> Rendered:
    """The ephemeral question before an irreversible step or an override (its button
    answers the recorded offer `offer`, which keeps the step's arguments `given`);
    `note` as in `step_done`."""
    label = step_label(action, release.version, override=reason is not None)
    lines = [f"*{escape(release.service)} {release.version}* is {release.state.value}."]
    if reason is None and action in QUESTIONS:
        lines = [f"*{_question(release, action)}* It is {release.state.value}.",
                 _told(release, action, pipeline=pipeline)]
    if reason is not None:
        lines.append(f":rotating_light: Breaking glass: `{action.value}` even where the "
                     f"process says no. Reason: {escape(reason)}")
    given = given or StepArguments()
    said = [f"bug {given.bug_id}"] if given.bug_id is not None else []
    said += [escape(given.reason)] if given.reason.strip() else []
    if said:
        lines.append("With: " + "; ".join(said))
    if note:
        lines.append(f":calendar: {escape(note)}")
    block = actions(f"confirm:{release.service}:{release.version}",
                    step_button(release, action, reason=reason, offer=offer, pipeline=pipeline))
    return Rendered(f"{label}? Press the button to confirm.", [section("\n".join(lines)), block])


def _question(release: Release, action: Action) -> str:
    return QUESTIONS[action].format(name=escape(f"{release.service} {release.version}"))


def _told(release: Release, action: Action, *, pipeline: Pipeline) -> str:
    """What the channel will say, and to whom, once the step is taken."""
    after = release_after(action, release, pipeline=pipeline)
    owners = " and ".join(sorted(role.value for role in next_owners(after, pipeline=pipeline))
                          ) or "the channel"
    return f"{owners} will be told: “Next: {escape(next_step(after, pipeline=pipeline))}”"


def confirmed(label: str, actor: Actor) -> Rendered:
    """What a confirmation (or a next-step card) says once someone pressed its button."""
    return Rendered(f"{label}: confirmed by {_name(actor)}",
                    [context(f"✓ *{escape(label)}* — pressed by {_who(actor)}")])


def pressed(release: Release, label: str, actor: Actor, *, pipeline: Pipeline) -> Rendered:
    """A next-step card once its button was pressed, rebuilt from the release's record."""
    return Rendered(f"{release.service} {release.version} is {release.state.value} (its "
                    f"button was pressed by {_name(actor)})",
                    [*release_card(release, pipeline=pipeline),
                     context(f"✓ *{escape(label)}* — pressed by {_who(actor)}")])


# -- other changes ---------------------------------------------------------------------------
def backported(result: BackportResult, actor: Actor, steps: Sequence[str]) -> Rendered:
    picked = result.result.picked if result.result else ()
    lines = [f"• `{old[:7]}` → `{new[:7]}`" for old, new in picked]
    lines += [f"• `{sha[:7]}` already on {escape(result.branch)}" for sha in result.skipped]
    head = (f"*Backport to {escape(result.branch)}* — {_who(actor)}\n{_steps(steps)}"
            ).rstrip()
    hint = f"Next: DEV tags the patch with `/loop tag on {result.line}`"
    return Rendered(f"Backport to {escape(result.branch)}: {len(picked)} picked. {hint}",
                    [section(head), lines_section("*Commits*", lines), context(hint)])


def change_started(release: Release, actor: Actor, *, pipeline: Pipeline) -> Rendered:
    return Rendered(
        f"{release.service} {release.version} (service change) started by "
        f"{_name(actor)}: {escape(one_line(release.summary))}. "
        f"Next: {next_step(release, pipeline=pipeline)}",
        [section(f"*{escape(release.service)} {release.version}*: service change by "
                 f"{_who(actor)}\n> {escape(one_line(release.summary))}"),
         context(_next(release, pipeline=pipeline)), *next_buttons(release, pipeline=pipeline)],
    )


def finish_tag_buttons(release: Release) -> list[Block]:
    """The button that finishes a tag cut short (none unless the release is `tagging`)."""
    if release.state is not State.TAGGING:
        return []
    value = {"s": release.service, "v": release.version}
    return [actions(f"finish:{release.service}:{release.version}",
                    button(f"Finish tag {release.version}", ACTION_FINISH_TAG, value,
                           style="primary"))]


def tag_pressed_again(release: Release | None, version: str, running: bool, *,
                      pipeline: Pipeline) -> Rendered:
    """An old tag confirmation pressed again: where the tag stands and what to do next."""
    if running:
        said = f"Tag {version} was confirmed already and is being made now."
    elif release is None:
        said = f"Tag {version} was confirmed already, but nothing was recorded: " \
               "run `/loop tag` again for a fresh preview."
    elif release.state is State.TAGGING:
        said = f"Tag {version} was confirmed, then cut short: finish it with the button " \
               f"(or `/loop tag {version}`)."
    else:
        said = f"Tag {version} was confirmed already: {version} is {release.state.value}. " \
               f"{_next(release, pipeline=pipeline)}"
    buttons = finish_tag_buttons(release) if release is not None and not running else []
    return Rendered(said, [section(said), *buttons])


def step_pressed_again(label: str, release: Release | None, running: bool, *,
                       pipeline: Pipeline) -> Rendered:
    """A step's confirmation pressed again: it was used; where the release stands now."""
    if running or release is None:
        said = f"{label} was confirmed already and is being done now."
    else:
        said = f"{label} was confirmed already: {release.version} is " \
               f"{release.state.value}. {_next(release, pipeline=pipeline)}"
    return Rendered(said, [section(said)])


def release_card(release: Release, pending: str | None = None, *,
                 pipeline: Pipeline) -> list[Block]:
    """A release as status and App Home show it: state, tickets, blockers, next step."""
    kind = " (service change)" if release.kind is Kind.SERVICE else ""
    facts = [f"*{escape(release.service)} {release.version}*{kind}: {release.state.value}"]
    for env in pipeline.ticketed_names:
        ticket = release.ticket(env)
        if ticket is not None:
            facts.append(f"{env} ticket: bug {ticket.bug_id}")
    if release.blockers:
        facts.append("blocked by " + ", ".join(f"bug {b}" for b in release.blockers))
    return [section(" · ".join(facts)), context(_next(release, pending, pipeline=pipeline))]


def _next(release: Release, pending: str | None = None, *, pipeline: Pipeline) -> str:
    return f"Next: {escape(next_step(release, pending, pipeline=pipeline))}"

