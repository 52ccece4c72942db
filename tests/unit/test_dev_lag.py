"""Dev follows master: how far behind it is, on the fakes (the forge's one comparison;
GitHubForge makes it one compare request, tests/integration/test_port_contracts.py)."""

from __future__ import annotations

from bot.usecases.dev_lag import dev_lag
from tests.fakes.world import FakeWorld

SERVICE = "loop-server"


def test_dev_lag_counts_the_commits_master_has_in_one_compare_request(
    shipped_fake_world: FakeWorld,
) -> None:
    r = shipped_fake_world
    service = r.settings.service(SERVICE)
    first = dev_lag(r.ctx, service)
    assert first is not None and first.rev is not None
    assert first.describe() == f"dev runs {first.rev[:7]}, up to date with master"
    landed = [r.land(f"Bug {1096400 + n} — Change {n}") for n in range(12)]
    forge = r.forge()
    forge.calls.clear()
    lag = dev_lag(r.ctx, service)
    assert forge.calls == ["ancestry"]  # one compare request in GitHubForge
    assert lag is not None and lag.describe() == f"dev runs {first.rev[:7]}, 12 commits " \
                                                 "behind master"
    r.environments.deploy("dev", service.environments["dev"].url, "0.13.0-dev", landed[-1],
                          "master")
    caught_up = dev_lag(r.ctx, service)
    assert caught_up is not None and caught_up.behind == 0
    client = r.settings.service("loop-client")
    assert dev_lag(r.ctx, client) is None  # no dev environment
