"""The store's unit of work keeps the shape of the unit-of-work port
(bot/usecases/ports/records.py), repository by repository, so a fake built on the port
works like the store does."""

from __future__ import annotations

import inspect

import pytest

from bot.store.audit import AuditLog
from bot.store.loadtest import LoadTests
from bot.store.release import Releases
from bot.store.signoff import Signoffs
from bot.store.step import Steps
from bot.store.uow import UnitOfWork
from bot.usecases import ports

PAIRS = [(ports.Releases, Releases), (ports.AuditLog, AuditLog), (ports.Steps, Steps),
         (ports.LoadTests, LoadTests), (ports.Signoffs, Signoffs),
         (ports.UnitOfWork, UnitOfWork)]


def _methods(cls: type) -> dict[str, inspect.Signature]:
    return {name: inspect.signature(member) for name, member in vars(cls).items()
            if callable(member) and (not name.startswith("_") or name in ("__enter__",
                                                                          "__exit__"))}


@pytest.mark.parametrize(("port", "implementation"), PAIRS, ids=lambda c: c.__name__)
def test_the_store_implements_each_method_of_the_port_with_its_parameters(
        port: type, implementation: type) -> None:
    wanted = _methods(port)
    assert wanted, f"{port.__name__} declares no method"
    for name, signature in wanted.items():
        assert hasattr(implementation, name), f"{implementation.__name__} lacks {name}"
        found = inspect.signature(getattr(implementation, name))
        assert list(found.parameters) == list(signature.parameters), name
        assert [p.kind for p in found.parameters.values()] == [
            p.kind for p in signature.parameters.values()], name


def test_the_unit_of_work_has_every_repository_the_port_names() -> None:
    uow = UnitOfWork(connect=lambda: None, clock=lambda: None)  # type: ignore[arg-type, return-value]
    named = {name: inspect.get_annotations(member.fget)["return"]
             for name, member in vars(ports.UnitOfWork).items()
             if isinstance(member, property) and member.fget is not None}
    assert len(named) == 5, named
    for name, kind in named.items():
        assert name in vars(uow), f"the unit of work has no {name}"
        assert type(vars(uow)[name]).__name__ == kind, name
