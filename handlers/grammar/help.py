"""`/loop help SUBCOMMAND`, built from the subcommand's declaration (handlers/grammar/parser.py)
and the lifecycle's rules (who may take each step), so help never disagrees with what
the bot does."""

from __future__ import annotations

from bot import SOURCE
from bot.config.settings import ServiceSettings
from bot.domain.actions import ENV_VERBS, Action, Role
from bot.domain.pipeline import DEFAULT, Pipeline
from bot.domain.release import Kind
from bot.domain.rules import roles_for
from bot.messages.help import HelpTopic
from handlers.grammar.declarations import in_pipeline
from handlers.grammar.parser import COMMAND, SUBCOMMANDS, Subcommand

PROCESS_DOC = f"{SOURCE}/blob/main/docs/process.md"  # the process the bot runs, in words
SERVICE_OPTION = "`service:NAME` (or `--service NAME`) picks another configured service"
EMERGENCY_OPTION = ('`--emergency "REASON"` (emergency role only) takes the step past its '
                    'failing guards, confirmed with a button, announced and audited')


def lines(pipeline: Pipeline = DEFAULT) -> list[tuple[str, str]]:
    """(usage, "WHO: summary") of every subcommand, for the list, in the words of
    `pipeline` (the caller's service's)."""
    listed = []
    for declared in SUBCOMMANDS.values():
        roles = who(declared, pipeline)
        listed.append((declared.usage_line_in(pipeline), declared.summary if roles == "anyone"
                       else f"{roles}: {declared.summary}"))
    return listed


def emergency_steps() -> list[str]:
    return [s.name for s in SUBCOMMANDS.values() if s.emergency]


def topic(declared: Subcommand, service: ServiceSettings | None = None) -> HelpTopic:
    """`service`: the one the caller's help is about (what `tag` commits depends on it)."""
    options = (SERVICE_OPTION, EMERGENCY_OPTION) if declared.emergency else (
        () if declared.name == "help" else (SERVICE_OPTION,))
    changes = declared.changes or ("" if declared.actions or declared.roles
                                   else "nothing: it only reads")
    if declared.name == "tag" and service is not None:
        changes = tag_changes(service)
    pipeline = service.pipeline if service is not None else DEFAULT
    return HelpTopic(
        usage=declared.usage_line_in(pipeline), summary=declared.summary,
        who=who(declared, pipeline),
        changes=in_pipeline(changes, pipeline), examples=declared.examples_in(pipeline),
        options=options,
    )


def tag_changes(service: ServiceSettings) -> str:
    """What a confirmed tag makes in GitHub: the release commit first, when configured."""
    commit = service.release_commit
    if not commit.files:
        return "GitHub, once confirmed: an annotated tag and a release with the notes"
    message = commit.message.replace("{version}", "X.Y.Z")
    files = ", ".join(f.path for f in commit.files)
    return (f"GitHub, once confirmed: a commit “{message}” pushed to {service.main_branch} "
            f"(or to LINE's branch for a patch) updating {files}, an annotated tag on it, "
            "and a release with the notes")


OPTION_TOPICS = ("--emergency", "--service")  # `/loop help —emergency` reads as these


def option_topic(option: str, services: list[str]) -> HelpTopic:
    """`/loop help --emergency` (or `--service`): what the option does, who may use it,
    with which subcommands."""
    if option == "--emergency":
        steps = ", ".join(emergency_steps())
        return HelpTopic(
            usage=f'{COMMAND} STEP ... --emergency "REASON"',
            summary=("breaks glass: takes a step past its failing guards, with a written "
                     f"reason. Steps that take it: {steps}"),
            who=(f"{_either(frozenset({Role.EMERGENCY}))} (app.yaml's roles.emergency, or "
                 "the service's own)"),
            changes=("what the step changes, once confirmed with a button; the reason is "
                     "announced in the channel and kept in the audit log"),
            examples=(f'{COMMAND} verify prod 0.13.1 --emergency "prod is down, the fix is '
                      'in 0.13.1"',),
            options=())
    return HelpTopic(
        usage=f"{COMMAND} SUBCOMMAND ... service:NAME",
        summary=(f"runs the subcommand for another configured service ({', '.join(services)}"
                 f"; default {services[0]}); `--service NAME` is the same"),
        who="anyone", changes="", examples=(f"{COMMAND} status service:{services[-1]}",),
        options=())


def who(declared: Subcommand, pipeline: Pipeline = DEFAULT) -> str:
    """Who may run it in `pipeline`: an environment's step is its environments' (a
    real-stage that DEV verifies says so)."""
    if declared.name in ENV_VERBS:
        return _step_roles(tuple(Action.of(declared.name, env)
                                 for env in pipeline.takes(declared.name)), pipeline)
    if declared.actions:
        return _step_roles(declared.actions, pipeline)
    return _either(frozenset(declared.roles)) if declared.roles else "anyone"


def _step_roles(actions: tuple[Action, ...], pipeline: Pipeline) -> str:
    """"DEV or QA" when every action of the subcommand has the same roles, else per
    environment ("stage: ...; prod: ..."); notes OPS for a service change's tickets."""
    by_action = {action: roles_for(action, Kind.CODE, pipeline) for action in actions}
    if len(set(by_action.values())) == 1:
        shown = _either(by_action[actions[0]])
    else:
        shown = "; ".join(f"{a.value.split()[-1]}: {_either(r)}" for a, r in by_action.items())
    extra = set().union(*(roles_for(a, Kind.SERVICE, pipeline) - by_action[a]
                          for a in actions))
    if extra:
        shown += f" ({_either(frozenset(extra))} too, for a service change)"
    return shown


def _either(roles: frozenset[Role]) -> str:
    order = [Role.DEV, Role.OPS, Role.QA, Role.EMERGENCY]
    names = [r.value for r in order if r in roles]
    return " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 2 else names)
