"""Per-test CPU time, for finding where `make test` spends it on a busy machine (wall
time there mostly measures the other developers): `pytest -p tests.cpu_durations
--cpu-durations=30`.

For each test (setup, call and teardown together) it records the CPU of the pytest process
(every thread: the stand-ins serve in threads) and of the child processes it waited for
(`loopbot` subprocesses, git), and prints the tests that used the most, beside their wall
time. Works under xdist: the figures travel in each report's user_properties.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from typing import Any

import pytest

_KEY = "cpu_durations"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--cpu-durations", type=int, default=None, metavar="N",
                     help="show the N tests that used the most CPU (0: all)")


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    if item.config.getoption("--cpu-durations") is not None:
        item.stash[_started] = (*_cpu(), time.perf_counter())
    yield


_started = pytest.StashKey[tuple[float, float, float]]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    if call.when != "teardown" or _started not in item.stash:
        return
    own0, children0, wall0 = item.stash[_started]
    own, children = _cpu()
    report = outcome.get_result()
    report.user_properties.append(
        (_KEY, (own - own0, children - children0, time.perf_counter() - wall0)))


class _Collector:
    def __init__(self) -> None:
        self.rows: list[tuple[float, float, float, str]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for key, value in report.user_properties:
            if key == _KEY:
                own, children, wall = value
                self.rows.append((own, children, wall, report.nodeid))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        count = terminalreporter.config.getoption("--cpu-durations")
        rows = sorted(self.rows, key=lambda r: r[0] + r[1], reverse=True)
        own = sum(r[0] for r in rows)
        children = sum(r[1] for r in rows)
        wall = sum(r[2] for r in rows)
        write = terminalreporter.write_line
        terminalreporter.section("CPU per test (pytest process + waited children)")
        write(f"{len(rows)} tests: {own:.1f} s CPU in pytest, {children:.1f} s in children, "
              f"{wall:.1f} s wall summed over tests")
        for own_s, children_s, wall_s, nodeid in rows[:count or None]:
            write(f"{own_s + children_s:7.2f} cpu {own_s:6.2f} own {children_s:6.2f} child "
                  f"{wall_s:7.2f} wall  {nodeid}")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--cpu-durations") is not None and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_Collector(), "cpu-durations-collector")
