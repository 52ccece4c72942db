"""In-memory fakes of the use cases' ports (bot/usecases/ports/) and of the store, for
the use-case unit tests (`fake_world` in tests/fakes/world.py). The contract tests
(tests/integration/test_port_contracts.py, test_store_contract.py) run the same calls on
each fake and on its real adapter against the stand-in, so a fake cannot drift."""
