"""In-memory fakes of the use cases' ports (bot/usecases/ports.py) and of the store, for
the use-case unit tests. tests/contracts runs the same checks against each fake and its
real adapter on the stand-in, so a fake cannot drift from what it stands for."""
