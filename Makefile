# Two commands a fresh clone needs: `make run` and `make test`. Each sets up .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench clean

# The test tools (mypy's version decides what it finds) and the runtime from the hashed
# lock. uv (from PyPI) installs them: parallel downloads and a shared cache made a fresh
# venv 41-61 s instead of pip's 108 s on this busy machine.
# The venv keeps its own pip: the container recipe's test installs the locks with it, as
# the Dockerfile does.
$(STAMP): pyproject.toml requirements-test.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q uv
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python --require-hashes -r requirements-test.lock
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/loopbot sandbox

# worksteal: a worker that runs out of tests takes queued ones from the other (with the
# default `load`, one worker sat idle while the other still had the slow e2e tests queued).
# PYTHONDONTWRITEBYTECODE emptied: with it set (as on this machine) every `loopbot` process
# the tests start compiled bot/ again (0.35 s of CPU each) and pytest rewrote every test
# module's asserts on every run (collection 7.4 s of CPU instead of 2.7 s).
# mypy (one thread) runs beside pytest, whose workers mostly wait on processes and sockets;
# its report is printed after the tests' and the recipe fails if either failed.
test: $(STAMP)
	$(BIN)/ruff check .
	@$(BIN)/mypy > $(VENV)/mypy.out 2>&1 & types=$$!; \
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m tests.with_browser $(BIN)/python -m tests.with_postgres $(BIN)/pytest -n 2 --dist worksteal $(PYTEST_ARGS); \
	tests=$$?; wait $$types; typed=$$?; echo "mypy:"; cat $(VENV)/mypy.out; \
	test $$tests -eq 0 && test $$typed -eq 0

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pgdata .sandbox
